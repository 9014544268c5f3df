# Hostile repositories: deep nesting, long paths, a .profile.d script that deletes $HOME.

test_1000_deep_nesting_and_4000_byte_paths() {
  new_app deep hello
  local deep="" i
  for i in $(seq 1000); do deep="${deep}d/"; done
  mkdir -p "$SRC/$deep"; echo bottom > "$SRC/${deep}leaf"
  local long="" part; part=$(printf 'p%.0s' $(seq 99))
  for i in $(seq 40); do long="${long}${part}/"; done    # 40 x 100 = 4,000 bytes
  mkdir -p "$SRC/$long"; echo far > "$SRC/${long}x"
  git -C "$SRC" add -A; git -C "$SRC" commit -qm "deep and long"
  push >/dev/null
  assert_current deep v1
  local app; app=$(app_dir deep)/releases/v1/app
  [ "$(find "$app/d" -name leaf | wc -l)" -eq 1 ] || fail "the 1,000-deep file did not reach the release"
  [ "$(cd "$app" && find "$part" -name x -type f | wc -l)" -eq 1 ] || fail "the 4,000-byte path did not reach the release"
  # The slug unpacks to the same: a rollback to a release whose tree is gone unpacks it, and
  # so does a promotion to another app.
  commit README more "another release"
  push >/dev/null
  assert_current deep v2
  rm -rf "$app"
  sw rollback v1 -a deep >/dev/null
  assert_current deep v3
  app=$(app_dir deep)/releases/v3/app
  [ -d "$app" ] && [ ! -L "$app" ] || fail "the rollback did not unpack the slug"
  [ "$(cat "$app/${deep}leaf")" = bottom ] || fail "the 1,000-deep file was not unpacked"
  [ "$(cd "$app" && cat "${long}x")" = far ] || fail "the 4,000-byte path was not unpacked"
  sw apps:create deep-copy >/dev/null
  sw pipelines:promote -a deep --to deep-copy >/dev/null
  [ "$(cat "$(app_dir deep-copy)/releases/v1/app/${deep}leaf")" = bottom ] || fail "the promoted slug lost the deep file"
  sw apps:destroy deep-copy --confirm deep-copy >/dev/null
  # Pruning and destroying such trees works too.
  sw apps:destroy deep --confirm deep >/dev/null
  [ ! -e "$(app_dir deep)" ] || fail "could not remove a deep tree"
}

test_profile_d_script_deleting_home_only_hurts_its_throwaway_copy() {
  new_app hello release-knobs
  push >/dev/null
  mkdir -p "$SRC/.profile.d"; printf 'rm -rf "$HOME"\n' > "$SRC/.profile.d/00-evil.sh"
  git -C "$SRC" add -A; git -C "$SRC" commit -qm evil
  push
  assert_status hello v2 failed
  assert_current hello v1
  [ -x "$(app_dir hello)/releases/v1/app/bin/web" ] || fail "the live release was damaged"
  [ -d "$(app_dir hello)/releases/v2/app/bin" ] || fail "the new release's own tree was damaged"
  [ -d "$(app_dir hello)/repo.git" ] || fail "the repository was damaged"
}
