# Least privilege: as root, an app's buildpacks and release commands run as the app's own
# user, which can write its build and release trees and nothing else.

test_release_commands_run_as_the_apps_user_and_cannot_reach_other_apps() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to create app users"
  new_app other snoop
  sw config:set SECRET=other-secret -a other >/dev/null
  push >/dev/null
  new_app mine snoop
  sw config:set "SLIPWAY_ROOT_FOR_TEST=$SLIPWAY_ROOT" OTHER=other ME=mine -a mine >/dev/null
  push >/dev/null
  # Every target the snoop tries exists: a denial is a denial, not a missing file.
  local t
  for t in other/env other/releases/v1/env other/releases/v1/release.log other/slugs other/releases/v1/app \
    mine/env mine/releases/v1/app mine/slugs; do
    [ -e "$SLIPWAY_ROOT/apps/$t" ] || fail "the snoop's target apps/$t does not exist"
  done
  commit README again again
  push
  local log; log=$(app_dir mine)/releases/v2/release.log
  assert_not_contains "$log" "^FAILED"
  assert_contains "$log" "^user=slipway-mine$"
  assert_not_contains "$log" "^ALLOWED (other|own env|own live|own app dir|own slugs)"
  assert_contains "$log" "^denied other env$"
  assert_contains "$log" "^denied other slugs$"
  assert_contains "$log" "^denied other release log$"
  assert_contains "$log" "^denied own live release$"
  assert_contains "$log" "^ALLOWED own scratch copy$"
  assert_not_contains "$log" "other-secret"
  id slipway-mine >/dev/null || fail "no app user"
  sw apps:destroy mine --confirm mine >/dev/null
  ! id slipway-mine >/dev/null 2>&1 || fail "app user left behind by apps:destroy"
}

test_buildpacks_run_as_the_apps_user() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to create app users"
  new_app hello plain
  mkdir -p "$SCRATCH/bp/bin"
  printf '#!/usr/bin/env bash\necho probe\n' > "$SCRATCH/bp/bin/detect"
  cat > "$SCRATCH/bp/bin/compile" <<'BP'
#!/usr/bin/env bash
echo "compile as $(id -un)"
touch "$1/built" && echo "build dir writable"
echo "# compiled" >> "$1/bin/web" && echo "source files writable in place"
[ "$(stat -c %U "$1/bin")" = "$(id -un)" ] && echo "source tree owned by the app user"
touch "$2/cached" && echo "cache dir writable"
touch "$1/../../../env" 2>/dev/null && echo "WROTE app env" || echo "app env denied"
BP
  chmod +x "$SCRATCH/bp/bin/"*
  allow_buildpacks "$SCRATCH"
  echo "$SCRATCH/bp" > "$SRC/.buildpacks"; git -C "$SRC" add -A; git -C "$SRC" commit -qm bp
  push
  assert_contains push.out "compile as slipway-hello"
  assert_contains push.out "build dir writable"
  assert_contains push.out "source files writable in place"
  assert_contains push.out "source tree owned by the app user"
  assert_contains push.out "cache dir writable"
  assert_contains push.out "app env denied"
  assert_current hello v1
  assert_eq "slipway-hello" "$(stat -c %U "$(app_dir hello)/cache")"
  assert_eq "root" "$(stat -c %U "$(app_dir hello)/releases/v1/app/built")" "slug files are unpacked as root"
  assert_eq "root 755" "$(stat -c '%U %a' "$(app_dir hello)/releases/v1/app/bin")" "the release tree is normalized"
  assert_contains "$(app_dir hello)/releases/v1/app/bin/web" "^# compiled$"
}

test_long_app_names_get_a_short_user_name() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to create app users"
  local name=abcdefghijklmnopqrstuvwxyz0123
  sw apps:create "$name" >/dev/null
  local user; user=$(stat -c %G "$(app_dir "$name")")
  [ ${#user} -le 32 ] || fail "user name '$user' is longer than 32"
  assert_contains <(echo "$user") "^slipway-abcdefghijklmno-[0-9a-f]{8}$"
  sw apps:destroy "$name" --confirm "$name" >/dev/null
}

test_an_app_whose_user_is_gone_runs_nothing_until_doctor_restores_it() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to create app users"
  new_app orphan release-knobs
  push >/dev/null
  assert_current orphan v1
  userdel slipway-orphan
  local message="app 'orphan' has no unix user 'slipway-orphan' to run its code as; run 'slipway doctor -a orphan --fix' to create it again"
  commit README again again
  push
  assert_contains push.out "Push rejected, failed to build: $message"
  assert_not_contains push.out "-----> .* app detected"
  run_sw set.out config:set A=1 -a orphan
  assert_eq 1 "$SW_STATUS" "config:set without the app's user"
  assert_contains set.out "^slipway: error: $message$"
  run_sw run.out run -a orphan -- id -un
  assert_contains run.out "^slipway: error: $message$"
  assert_current orphan v1
  [ ! -e "$(app_dir orphan)/releases/v2" ] || fail "a release was made without the app's user"
  run_sw doctor.out doctor -a orphan
  assert_contains doctor.out "^orphan: fixable: the app's unix user slipway-orphan is missing; nothing of the app can run$"
  run_sw doctor.out doctor -a orphan --fix
  assert_eq 0 "$SW_STATUS" "doctor --fix"
  id slipway-orphan >/dev/null || fail "doctor --fix did not create the user again"
  assert_eq "slipway-orphan" "$(stat -c %G "$(app_dir orphan)")" "the app directory's group"
  assert_eq "slipway-orphan" "$(stat -c %G "$(app_dir orphan)/releases/v1")" "a release directory's group"
  assert_eq "slipway-orphan" "$(stat -c %U "$(app_dir orphan)/cache")" "the cache's owner"
  push >/dev/null
  assert_current orphan v2
  run_sw run.out run -a orphan -- id -un
  assert_contains run.out "^slipway-orphan$"
  sw apps:destroy orphan --confirm orphan >/dev/null
}
