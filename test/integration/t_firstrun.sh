# First run on a fresh server: the demo wherever TMPDIR points, a root the apps' users cannot
# reach, buildpack scripts that cannot run, the stack, installed binaries, and releases the
# app's own user can read.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

test_demo_runs_whatever_tmpdir_is() {
  mkdir -m 0700 "$SCRATCH/private"
  TMPDIR=$SCRATCH/private SLIPWAY_BIN=$SLIPWAY_BIN bash "$TOP/bin/demo" >demo.out 2>&1 ||
    { cat demo.out; fail "the demo failed"; }
  assert_contains demo.out "Released v1"
  assert_contains demo.out "Release v3 failed: release command exited with status 3; v2 is still current"
  assert_contains demo.out "Rollback to v1"
  if [ "$(id -u)" -eq 0 ]; then
    assert_contains demo.out "A throwaway root: /var/tmp/slipway-demo\.[A-Za-z0-9]*/root"
  fi
  [ -z "$(ls -A "$SCRATCH/private")" ] || fail "the demo left files behind"
}

test_a_root_the_apps_users_cannot_reach_is_named_with_the_fix() {
  [ "$(id -u)" -eq 0 ] || skip "app users exist only as root"
  mkdir -m 0700 "$SCRATCH/closed"
  local msg="apps' users cannot reach the Slipway root $SCRATCH/closed/root: '$SCRATCH/closed' (mode 0700) lets only its owner and group in; run 'chmod o+x $SCRATCH/closed' or use a root below directories everyone may enter"
  userdel slipway-unreached 2>/dev/null || true
  SLIPWAY_ROOT=$SCRATCH/closed/root run_sw create.out apps:create unreached
  assert_eq 1 "$SW_STATUS" "apps:create status"
  assert_eq "slipway: error: $msg" "$(cat create.out)"
  [ ! -e "$SCRATCH/closed/root/apps/unreached" ] || fail "apps:create made the app anyway"
  ! id slipway-unreached >/dev/null 2>&1 || fail "apps:create made the app's user anyway"
  # Reachable when created, closed later: every push and doctor say so.
  chmod 0755 "$SCRATCH/closed"
  export SLIPWAY_ROOT=$SCRATCH/closed/root
  new_app hello plain
  chmod 0700 "$SCRATCH/closed"
  push
  local re; re=$(printf '%s' "$msg" | sed 's/[][\.*^$()+?{}|]/\\&/g')
  assert_contains push.out "Push rejected, failed to build: $re"
  [ -z "$(ls -A "$(app_dir hello)/releases")" ] || fail "a push made a release"
  run_sw doctor.out doctor -a hello
  assert_contains doctor.out "^hello: problem: $re$"
  chmod 0755 "$SCRATCH/closed"
  push
  assert_current hello v1
}

# bp NAME: a buildpack in $SCRATCH/buildpacks whose bin/detect prints NAME and whose compile
# and release do nothing; tests then break one script.
bp() {
  mkdir -p "$SCRATCH/buildpacks/$1/bin"
  printf '#!/usr/bin/env bash\necho %s\n' "$1" >"$SCRATCH/buildpacks/$1/bin/detect"
  printf '#!/usr/bin/env bash\nexit 0\n' >"$SCRATCH/buildpacks/$1/bin/compile"
  chmod +x "$SCRATCH/buildpacks/$1/bin/"*
}

use_bp() { # NAME: commit .buildpacks naming $SCRATCH/buildpacks/NAME
  allow_buildpacks "$SCRATCH/buildpacks"
  echo "$SCRATCH/buildpacks/$1" >"$SRC/.buildpacks"
  git -C "$SRC" add -A
  git -C "$SRC" commit -qm "buildpack $1"
}

test_buildpack_scripts_that_cannot_run_say_why() {
  new_app hello plain
  bp noexec
  chmod -x "$SCRATCH/buildpacks/noexec/bin/detect"
  use_bp noexec
  push
  assert_contains push.out "Push rejected, failed to build: buildpack '$SCRATCH/buildpacks/noexec': bin/detect could not run: cannot run '.*/buildpacks/0/bin/detect': Permission denied"
  assert_not_contains push.out "detected|not compatible"
  bp nointerp
  printf '#!/nonexistent/interpreter\n' >"$SCRATCH/buildpacks/nointerp/bin/detect"
  use_bp nointerp
  push
  assert_contains push.out "Push rejected, failed to build: buildpack '$SCRATCH/buildpacks/nointerp': bin/detect could not run: cannot run '.*/bin/detect': the interpreter on its #! line is missing"
  bp nodetect
  rm "$SCRATCH/buildpacks/nodetect/bin/detect"
  use_bp nodetect
  push
  assert_contains push.out "Push rejected, failed to build: buildpack '$SCRATCH/buildpacks/nodetect' has no bin/detect"
  bp nocompile
  chmod -x "$SCRATCH/buildpacks/nocompile/bin/compile"
  use_bp nocompile
  push
  assert_contains push.out "^remote: cannot run bin/compile: not executable"
  assert_contains push.out "Push rejected, failed to build: failed to compile app with buildpack '$SCRATCH/buildpacks/nocompile': bin/compile exited with status 126; see the output above"
  bp badrelease
  printf '#!/nonexistent/interpreter\n' >"$SCRATCH/buildpacks/badrelease/bin/release"
  chmod +x "$SCRATCH/buildpacks/badrelease/bin/release"
  use_bp badrelease
  push
  assert_contains push.out "Push rejected, failed to build: buildpack '$SCRATCH/buildpacks/badrelease': bin/release could not run: cannot run '.*/bin/release': the interpreter on its #! line is missing"
  [ -z "$(ls -A "$(app_dir hello)/releases")" ] || fail "a failed build made a release"
  # A working buildpack with no bin/release is fine.
  bp fine
  use_bp fine
  push
  assert_current hello v1
}

test_stack_is_a_setting_with_a_server_default() {
  new_app hello plain
  use_buildpacks recorder
  local os; os=$(. /etc/os-release && echo "$ID-$VERSION_ID")
  push >/dev/null
  assert_contains "$(app_dir hello)/releases/v1/app/recorded.txt" "^stack=$os$"
  sw settings:set --server stack=heroku-24 >/dev/null
  commit README server server
  push >/dev/null
  assert_contains "$(app_dir hello)/releases/v2/app/recorded.txt" "^stack=heroku-24$"
  sw settings:set stack=heroku-22 -a hello >/dev/null
  commit README app app
  push >/dev/null
  assert_contains "$(app_dir hello)/releases/v3/app/recorded.txt" "^stack=heroku-22$"
  run_sw settings.out settings -a hello
  assert_contains settings.out "^stack: +heroku-22 "
  run_sw server.out settings --server
  assert_contains server.out "^stack: +heroku-24 "
  assert_eq "Usage: slipway settings:set KEY=VALUE... (-a APP | --server)" "$(sw settings:set --help | head -1)"
  assert_contains server.out "^buildpack_dirs: +$SCRATCH/buildpacks "
  # Bad values change nothing.
  run_sw bad.out settings:set "stack=Heroku 22" -a hello
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: setting 'stack' takes a name like heroku-22 or debian-12, not 'Heroku 22'" "$(cat bad.out)"
  run_sw bad2.out settings:set --server buildpack_dirs=relative/dir
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: setting 'buildpack_dirs' takes absolute directories, not 'relative/dir'" "$(cat bad2.out)"
  run_sw settings2.out settings -a hello
  assert_eq "$(cat settings.out)" "$(cat settings2.out)" "settings after bad input"
  run_sw server2.out settings --server
  assert_eq "$(cat server.out)" "$(cat server2.out)" "server settings after bad input"
}

test_a_buildpack_that_refuses_the_stack_gets_a_hint() {
  new_app hello plain
  bp picky
  printf '#!/usr/bin/env bash\necho " !     The '"'"'$STACK'"'"' stack isn'"'"'t recognised."\nexit 1\n' \
    >"$SCRATCH/buildpacks/picky/bin/compile"
  use_bp picky
  local os; os=$(. /etc/os-release && echo "$ID-$VERSION_ID")
  push
  assert_contains push.out "The '$os' stack isn't recognised"
  assert_contains push.out "Push rejected, failed to build: failed to compile app with buildpack '$SCRATCH/buildpacks/picky': bin/compile exited with status 1 after naming the stack '$os'; if it does not support it, pick one it does: slipway settings:set stack=heroku-22 -a hello"
}

test_buildpack_sources_that_are_almost_right_get_a_hint() {
  new_app hello plain
  bp repo
  git -C "$SCRATCH/buildpacks/repo" init -q
  git -C "$SCRATCH/buildpacks/repo" add -A
  git -C "$SCRATCH/buildpacks/repo" commit -qm bp
  git clone -q --bare "$SCRATCH/buildpacks/repo" "$SCRATCH/buildpacks/repo.git"
  allow_buildpacks "$SCRATCH/buildpacks"
  sw config:set BUILDPACK_URL="$SCRATCH/buildpacks/repo.git" -a hello >/dev/null
  push
  assert_contains push.out "Push rejected, failed to build: buildpack '$SCRATCH/buildpacks/repo.git' is not a directory with a bin/ inside; for a git repository, name it as file://$SCRATCH/buildpacks/repo.git"
  sw config:set BUILDPACK_URL="file://$SCRATCH/buildpacks/repo.git" -a hello >/dev/null
  push
  assert_current hello v1
}

test_types_dropped_by_an_earlier_buildpack_are_said() {
  new_app hello plain
  use_buildpacks recorder legacy-vars
  push
  assert_contains push.out " !     buildpack '$SCRATCH/buildpacks/recorder' offers process type 'worker', which is dropped: only the last buildpack's bin/release counts; declare it in the Procfile"
  assert_not_contains push.out "offers process type 'web'"
}

test_releases_are_readable_by_their_apps_user_only() {
  [ "$(id -u)" -eq 0 ] || skip "app users exist only as root"
  new_app hello plain
  push >/dev/null
  sw apps:create other >/dev/null
  local app; app=$(app_dir hello)/current/app
  setpriv --reuid=slipway-hello --regid=slipway-hello --clear-groups cat "$app/Procfile" >own.out ||
    fail "the app's user cannot read its release"
  assert_contains own.out "^web: bin/web$"
  setpriv --reuid=slipway-hello --regid=slipway-hello --clear-groups bash -c "cd '$app' && ./bin/web" >web.out 2>&1 ||
    fail "the app's user cannot run its web command: $(cat web.out)"
  ! setpriv --reuid=slipway-hello --regid=slipway-hello --clear-groups touch "$app/new" 2>/dev/null ||
    fail "the app's user can write its release"
  ! setpriv --reuid=slipway-hello --regid=slipway-hello --clear-groups cat "$(app_dir hello)/current/env" 2>/dev/null ||
    fail "the app's user can read the release's env"
  ! setpriv --reuid=slipway-other --regid=slipway-other --clear-groups cat "$app/Procfile" 2>/dev/null ||
    fail "another app's user can read this release"
}

test_make_install_installs_everything_a_server_needs() {
  command -v make >/dev/null || skip "make is not installed"
  local dest=$SCRATCH/dest san=""
  case $SLIPWAY_BIN in */build-san/*) san=SANITIZE=1 ;; esac
  make -s -C "$TOP" install DESTDIR="$dest" PREFIX=/usr/local $san >install.out 2>&1 || { cat install.out; fail "make install failed"; }
  local bin=$dest/usr/local/bin
  [ -x "$bin/slipway" ] && [ -x "$bin/slipway-engine" ] || fail "both binaries must be installed"
  assert_contains "$dest/usr/local/lib/systemd/system/slipway.service" "^ExecStart=/usr/local/bin/slipway serve$"
  [ -x "$dest/usr/local/share/slipway/buildpacks/procfile/bin/detect" ] || fail "the buildpacks are missing"
  [ -f "$dest/usr/local/share/slipway/hooks/post-receive" ] || fail "the hook templates are missing"
  [ -f "$dest/usr/local/share/doc/slipway/README.md" ] || fail "the documents are missing"
  # Installing twice changes nothing.
  make -s -C "$TOP" install DESTDIR="$dest" PREFIX=/usr/local $san >/dev/null 2>&1
  [ ! -e "$dest/usr/local/share/slipway/buildpacks/builtin" ] || fail "a second install nested the buildpacks"
  "$bin/slipway" apps:create hello >create.out 2>&1 || { cat create.out; fail "the installed apps:create failed"; }
  assert_contains "$(app_dir hello)/repo.git/hooks/post-receive" "^exec '$bin/slipway-engine' hook post-receive$"
  SRC="$SCRATCH/src-hello"
  mkdir -p "$SRC"
  cp -a "$FIXTURES/apps/plain/." "$SRC/"
  git -C "$SRC" init -q; git -C "$SRC" add -A; git -C "$SRC" commit -qm plain
  git -C "$SRC" remote add deploy "$(app_dir hello)/repo.git"
  push
  assert_contains push.out "Procfile-only app detected"
  assert_current hello v1
  "$bin/slipway" releases -a hello >releases.out
  assert_contains releases.out "^=== hello Releases - Current: v1$"
  make -s -C "$TOP" uninstall DESTDIR="$dest" PREFIX=/usr/local $san >/dev/null 2>&1
  [ -z "$(find "$dest" -type f)" ] || fail "uninstall left files: $(find "$dest" -type f)"
}
