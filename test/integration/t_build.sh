# Building slugs: buildpacks, Procfiles, .slugignore, repository contents, and bad input.

expect_build_failure() { # APP PATTERN: the push failed to build, created no release, kept its log
  assert_contains push.out "Push rejected, failed to build: $2"
  [ -z "$(ls "$(app_dir "$1")/releases")" ] || fail "a failed build created a release"
  [ ! -e "$(app_dir "$1")/current" ] || fail "a failed build set current"
  ls "$(app_dir "$1")"/builds/*.log >/dev/null || fail "no build log kept"
  grep -qE -- "$2" "$(app_dir "$1")"/builds/*.log || fail "build log lacks the failure"
}

test_procfile_bad_inputs_fail_the_build_with_file_and_line() {
  new_app hello hello
  printf 'web: a\nworker: b\nweb: c\n' > "$SRC/Procfile"; git -C "$SRC" commit -qam dup
  push
  expect_build_failure hello "Procfile:3: duplicate process type 'web' \(first defined on line 1\)"
  printf 'web server: a\n' > "$SRC/Procfile"; git -C "$SRC" commit -qam name
  push
  assert_contains push.out "Procfile:1: invalid process type 'web server'"
  printf '<<<<<<< HEAD\nweb: a\n=======\nweb: b\n>>>>>>> x\n' > "$SRC/Procfile"; git -C "$SRC" commit -qam conflict
  push
  assert_contains push.out "Procfile:1: merge conflict marker; resolve the conflict and push again"
  printf 'web: bin/web\nrelease:\n' > "$SRC/Procfile"; git -C "$SRC" commit -qam empty
  push
  assert_contains push.out "Procfile:2: process type 'release' has an empty command"
  [ -z "$(ls "$(app_dir hello)/releases")" ] || fail "bad Procfiles created releases"
  # CRLF line ends, comments and blank lines are fine.
  printf '# processes\r\n\r\nweb: bin/web\r\nrelease: bin/release-task\r\n' > "$SRC/Procfile"; git -C "$SRC" commit -qam crlf
  push
  assert_current hello v1
  assert_eq "bin/release-task" "$(record_field hello v1 release_command)"
}

test_missing_procfile_needs_buildpack_defaults() {
  new_app nodeapp node
  push
  assert_contains push.out "Node.js app detected"
  assert_contains push.out "Default types for buildpack -> web"
  assert_current nodeapp v1
  assert_contains "$(app_dir nodeapp)/releases/v1/release.yml" "web: npm start"
  new_app bare plain
  git -C "$SRC" rm -q Procfile; git -C "$SRC" commit -qm "no Procfile"
  use_buildpacks legacy-vars
  sed -i 's/^default_process_types:$//; s/^  web: bin\/web$//' "$SCRATCH/buildpacks/legacy-vars/bin/release"
  push
  expect_build_failure bare "no Procfile, and the buildpack gives no default process types"
}

test_python_and_node_builtins() {
  new_app py python
  push
  assert_contains push.out "Python app detected"
  assert_current py v1
  assert_contains "$(app_dir py)/releases/v1/release.log" "^python release on .*/\.venv$"
  [ -x "$(app_dir py)/releases/v1/app/.venv/bin/python" ] || fail "no virtualenv in the slug"
  new_app nodeapp node
  push
  assert_contains push.out "npm ci"
  assert_current nodeapp v1
}

test_buildpack_api_env_cache_and_slugignore() {
  new_app hello plain
  printf '# ignored before compile\n*.psd\n\n!keep.psd\n' > "$SRC/.slugignore"
  echo art > "$SRC/ignored.psd"
  use_buildpacks recorder
  push
  assert_current hello v1
  local rec; rec=$(app_dir hello)/releases/v1/app/recorded.txt
  assert_contains "$rec" "^builds=1$"
  assert_contains "$rec" "^source_version=$(head_sha)$"
  assert_contains "$rec" "^stack=[a-z]+"
  assert_contains "$rec" "^slugignore=applied$"
  assert_contains push.out "Deleting 1 files matching .slugignore patterns"
  assert_contains push.out "'!' negation is not supported"
  assert_contains push.out "Procfile declares types     -> release, web"
  assert_contains push.out "Default types for buildpack -> web, worker"
  # Procfile wins over defaults; defaults fill the types it lacks.
  assert_contains "$(app_dir hello)/releases/v1/release.yml" "web: bin/web"
  assert_contains "$(app_dir hello)/releases/v1/release.yml" "worker: bin/recorded-worker"
  commit README "second build" "second"
  push
  assert_contains "$(app_dir hello)/releases/v2/app/recorded.txt" "^builds=2$"
}

test_several_buildpacks_source_each_export() {
  new_app hello plain
  use_buildpacks exporter reads-export
  push
  assert_contains push.out "Using buildpacks:"
  assert_contains push.out "1\. .*/exporter"
  assert_current hello v1
  assert_eq "set by the first buildpack" "$(cat "$(app_dir hello)/releases/v1/app/from-first.txt")"
}

test_legacy_config_vars_reach_the_release_through_profile_d() {
  new_app hello plain
  use_buildpacks legacy-vars
  push
  assert_current hello v1
  assert_contains "$(app_dir hello)/releases/v1/release.log" "^LEGACY_VAR=from 'the' buildpack$"
}

test_failing_buildpacks() {
  new_app hello plain
  use_buildpacks detect-fails
  push
  expect_build_failure hello "app not compatible with buildpack: .*/detect-fails"
  use_buildpacks compile-fails
  push
  assert_contains push.out "error: dependency resolution failed"
  assert_contains push.out "failed to compile app with buildpack '.*compile-fails': bin/compile exited with status 7"
  use_buildpacks bad-release-yaml
  push
  assert_contains push.out "printed invalid YAML from bin/release: bin/release output:[0-9]+:[0-9]+: "
  printf 'file://%s/nonexistent.git\n' "$SCRATCH/buildpacks" > "$SRC/.buildpacks"; git -C "$SRC" commit -qam unfetchable
  push
  assert_contains push.out "cannot fetch buildpack 'file://$SCRATCH/buildpacks/nonexistent.git'"
  printf 'not a buildpack\n' > "$SRC/.buildpacks"; git -C "$SRC" commit -qam nonsense
  push
  assert_contains push.out "buildpack 'not a buildpack' is not a built-in"
  [ -z "$(ls "$(app_dir hello)/releases")" ] || fail "failed builds created releases"
  # Every failure put the branch back, so a fixed push deploys.
  git -C "$SRC" rm -q .buildpacks; git -C "$SRC" commit -qm "detect again"
  push
  assert_current hello v1
}

test_buildpack_from_a_git_url_with_ref() {
  new_app hello plain
  local bp=$SCRATCH/bp-src
  cp -a "$FIXTURES/buildpacks/recorder" "$bp"
  git -C "$bp" init -q; git -C "$bp" add -A; git -C "$bp" commit -qm v1; git -C "$bp" tag v1
  echo 'echo "-----> recorder v2"' >> "$bp/bin/compile"; git -C "$bp" commit -qam v2
  git clone -q --bare "$bp" "$SCRATCH/bp.git"
  allow_buildpacks "$SCRATCH"
  printf 'file://%s#v1\n' "$SCRATCH/bp.git" > "$SRC/.buildpacks"; git -C "$SRC" add -A; git -C "$SRC" commit -qm url
  push
  assert_current hello v1
  assert_not_contains push.out "recorder v2"
  assert_contains push.out "Recorder build number 1"
  ls "$(app_dir hello)/buildpacks/" | grep -q . || fail "buildpack not cached"
  # When the URL cannot be fetched later, the cached copy is used.
  mv "$SCRATCH/bp.git" "$SCRATCH/bp-moved.git"
  commit README again again
  push
  assert_contains push.out "cannot fetch buildpack .*; using the copy cached earlier"
  assert_current hello v2
}

# One push resolves its buildpacks once, for the build key and the build alike: a git URL is
# fetched once per push, and the build uses the list the key was made from (the commit's
# .buildpacks, even when .slugignore drops the file before the buildpacks run).
test_a_git_buildpack_is_fetched_once_per_push() {
  new_app hello plain
  local bp=$SCRATCH/bp-src
  cp -a "$FIXTURES/buildpacks/recorder" "$bp"
  git -C "$bp" init -q; git -C "$bp" add -A; git -C "$bp" commit -qm v1
  git clone -q --bare "$bp" "$SCRATCH/bp.git"
  allow_buildpacks "$SCRATCH"
  printf 'file://%s\n' "$SCRATCH/bp.git" > "$SRC/.buildpacks"
  printf '.buildpacks\n' > "$SRC/.slugignore"
  git -C "$SRC" add -A; git -C "$SRC" commit -qm url
  SLIPWAY_LOG=$SCRATCH/diag1.log push
  assert_current hello v1
  assert_contains push.out "Recorder build number 1"
  assert_eq 1 "$(grep -c "fetching buildpack file://$SCRATCH/bp.git" "$SCRATCH/diag1.log")"
  # The same tree again: the key (made from the fetched buildpack) finds the slug.
  git -C "$SRC" commit -q --allow-empty -m again
  SLIPWAY_LOG=$SCRATCH/diag2.log push
  assert_current hello v2
  assert_contains push.out "Reusing slug"
  assert_eq 1 "$(grep -c "fetching buildpack" "$SCRATCH/diag2.log")"
}

# The slug size limit is checked while packing: a 30 MB slug over a 1 MB limit stops at 1 MB.
test_the_slug_size_limit_stops_packing() {
  new_app hello hello
  push >/dev/null
  sw settings:set slug_size_limit=1M -a hello >/dev/null
  head -c 30000000 /dev/urandom > "$SRC/big.bin"; git -C "$SRC" add -A; git -C "$SRC" commit -qm big
  push
  assert_contains push.out "Compiled slug size: 1\.[0-9]M is too large \(max is 1\.0M\), packing stopped there; add large files to .slugignore or raise slug_size_limit"
  assert_current hello v1
  [ ! -e "$(app_dir hello)/releases/v2" ] || fail "a release was created"
  [ "$(ls "$(app_dir hello)/slugs" | grep -c '\.yml$')" = 1 ] || fail "a slug was stored"
  [ -z "$(ls -A "$(app_dir hello)/tmp")" ] || fail "the build left files in tmp/"
}

test_repository_contents_reach_the_slug_safely() {
  new_app hello hello
  ln -s /etc/passwd "$SRC/outside-link"
  ln -s ../../../etc "$SRC/bin/up-link"
  ln -s bin/web "$SRC/inside-link"
  mkdir -p "$SRC/dir with spaces"; echo x > "$SRC/dir with spaces/file name"
  printf 'y' > "$SRC/$(printf 'new\nline')"
  printf 'z' > "$SRC/$(printf 'bad\xffutf8')"
  git -C "$SRC" add -A; git -C "$SRC" commit -qm "odd files"
  # A submodule entry (a gitlink) without fetching anything.
  git -C "$SRC" update-index --add --cacheinfo "160000,$(head_sha),vendor/lib"
  git -C "$SRC" commit -qm submodule
  push
  assert_current hello v1
  local app; app=$(app_dir hello)/releases/v1/app
  assert_contains push.out "skipping symlink 'outside-link' -> '/etc/passwd': it points outside the app"
  assert_contains push.out "skipping symlink 'bin/up-link'"
  assert_contains push.out "submodule 'vendor/lib' is not fetched"
  [ ! -e "$app/outside-link" ] || fail "outside symlink reached the slug"
  assert_eq "bin/web" "$(readlink "$app/inside-link")"
  [ -x "$app/bin/web" ] || fail "executable bit lost"
  assert_eq x "$(cat "$app/dir with spaces/file name")"
  assert_eq y "$(cat "$app/$(printf 'new\nline')")"
  assert_eq z "$(cat "$app/$(printf 'bad\xffutf8')")"
}

test_procfile_symlink_to_etc_passwd_is_refused() {
  new_app hello hello
  rm "$SRC/Procfile"; ln -s /etc/passwd "$SRC/Procfile"; git -C "$SRC" add -A; git -C "$SRC" commit -qm evil
  push
  assert_contains push.out "skipping symlink 'Procfile' -> '/etc/passwd'"
  expect_build_failure hello "no default language could be detected"
}

test_slugs_are_deterministic_content_addressed_and_size_limited() {
  new_app hello hello
  push
  # A config var changes the build's key, so the same tree is built again, at another
  # time: the new slug must be byte for byte the old one (the same content id).
  sw config:set UNRELATED=1 -a hello >/dev/null
  commit README "x" "change"
  git -C "$SRC" revert --no-edit HEAD >/dev/null
  push
  assert_not_contains push.out "Reusing slug"
  assert_contains push.out "Compressing"
  assert_eq "$(slug_of hello v1)" "$(slug_of hello v3)" "a rebuild of the same tree"
  sw settings:set compression=gzip -a hello >/dev/null
  commit README "y" "gzip"
  push
  local id; id=$(slug_of hello v4)
  [ -f "$(app_dir hello)/slugs/$id.tgz" ] || fail "gzip slug not stored as .tgz"
  tar -tzf "$(app_dir hello)/slugs/$id.tgz" | grep -qx './app/README' || fail "GNU tar cannot read the .tgz slug"
  sw settings:set slug_size_limit=1K -a hello >/dev/null
  head -c 200000 /dev/urandom > "$SRC/big.bin"; git -C "$SRC" add -A; git -C "$SRC" commit -qm big
  push
  assert_contains push.out "Compiled slug size: [0-9.]+K is too large \(max is 1.0K\)"
  assert_current hello v4
}
