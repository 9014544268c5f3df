# 200,000 files in one push.

test_200000_files() {
  new_app hello hello
  local d
  for d in $(seq 0 199); do mkdir "$SRC/d$d"; (cd "$SRC/d$d" && seq 1 1000 | xargs touch); done
  git -C "$SRC" add -A; git -C "$SRC" commit -qm "200k files"
  push >/dev/null
  assert_current hello v1
  assert_eq 200000 "$(find "$(app_dir hello)/releases/v1/app" -path '*/d*/*' -type f | wc -l)"
}
