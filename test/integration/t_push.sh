# Pushes: app names, branches, locking, crashes and the strict pre-receive gate.

test_app_names_are_checked() {
  local name
  for name in '../x' 'a;b' 'A' "$(printf 'a%.0s' $(seq 200))" '' '9lives'; do
    run_sw out.txt apps:create "$name"
    assert_eq 2 "$SW_STATUS" "exit status for '$name'"
    assert_contains out.txt "^slipway: error: invalid app name"
  done
  [ ! -e "$SLIPWAY_ROOT/apps" ] || [ -z "$(ls "$SLIPWAY_ROOT/apps")" ] || fail "a bad name created something"
  [ ! -e "$SCRATCH/x" ] || fail "'../x' escaped the root"
  run_sw ok.txt apps:create good-name-1
  assert_eq 0 "$SW_STATUS"
  assert_contains ok.txt "^Git remote: .*/apps/good-name-1/repo.git$"
  run_sw again.txt apps:create good-name-1
  assert_eq 1 "$SW_STATUS"
  assert_contains again.txt "^slipway: error: app 'good-name-1' already exists$"
  run_sw list.txt apps
  assert_contains list.txt "^good-name-1$"
}

test_push_to_a_missing_app_through_the_front_door() {
  new_app hello hello
  git -C "$SRC" config remote.front.url nope
  git -C "$SRC" config remote.front.receivepack "$SLIPWAY_BIN git-receive-pack"
  set +e; git -C "$SRC" push front HEAD:refs/heads/main > out.txt 2>&1; local st=$?; set -e
  [ $st -ne 0 ] || fail "push to a missing app succeeded"
  assert_contains out.txt "^slipway: error: app 'nope' does not exist .*; create it with: slipway apps:create nope$"
  git -C "$SRC" config remote.front.url '../etc'
  set +e; git -C "$SRC" push front HEAD:refs/heads/main > bad.txt 2>&1; set -e
  assert_contains bad.txt "^slipway: error: invalid app name '../etc'"
  git -C "$SRC" config remote.front.url hello
  git -C "$SRC" push front HEAD:refs/heads/main > good.txt 2>&1
  assert_current hello v1
}

test_destroy_needs_confirmation() {
  new_app fleeting hello
  run_sw out.txt apps:destroy fleeting
  assert_eq 2 "$SW_STATUS"
  assert_contains out.txt "run again with --confirm fleeting"
  [ -d "$(app_dir fleeting)" ] || fail "destroyed without confirmation"
  run_sw out.txt apps:destroy fleeting --confirm fleeting
  assert_eq 0 "$SW_STATUS"
  [ ! -e "$(app_dir fleeting)" ] || fail "not destroyed"
  # Re-creating the same name gives a working app.
  new_app fleeting hello
  push
  assert_current fleeting v1
}

test_only_the_deploy_branch_deploys() {
  new_app hello hello
  set +e; git -C "$SRC" push deploy HEAD:refs/heads/feature > out.txt 2>&1; set -e
  assert_contains out.txt "Not deploying refs/heads/feature: only pushes to main or master deploy"
  git -C "$SRC" tag v1.0
  git -C "$SRC" push deploy v1.0 > tag.txt 2>&1
  assert_contains tag.txt "Not deploying refs/tags/v1.0"
  [ -z "$(ls "$(app_dir hello)/releases")" ] || fail "a non-deploy ref deployed"
  git -C "$SRC" push deploy HEAD:refs/heads/master > master.txt 2>&1
  assert_current hello v1
  git -C "$SRC" push deploy :refs/heads/master > delete.txt 2>&1
  assert_contains delete.txt "Branch master deleted: nothing deployed; the current release stays"
  assert_current hello v1
  sw settings:set deploy_branch=production -a hello > /dev/null
  push
  assert_contains push.out "only pushes to production deploy"
  git -C "$SRC" push deploy HEAD:refs/heads/production > prod.txt 2>&1
  assert_current hello v2
}

test_two_pushes_at_once_are_serialized_by_the_lock() {
  new_app hello release-knobs
  watch_overlap hello
  echo slow > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm slow
  git clone -q "$SRC" "$SCRATCH/other"
  git -C "$SCRATCH/other" remote add deploy "$(app_dir hello)/repo.git"
  git -C "$SRC" push deploy HEAD:refs/heads/main > first.txt 2>&1 &
  local first=$!
  for _ in $(seq 600); do grep -q "step 1" first.txt 2>/dev/null && break; sleep 0.1; done
  commit README change "second"
  git -C "$SRC" push deploy HEAD:refs/heads/other-branch > /dev/null 2>&1
  git -C "$SCRATCH/other" fetch -q deploy other-branch
  git -C "$SCRATCH/other" push -f deploy FETCH_HEAD:refs/heads/main > second.txt 2>&1
  wait $first
  assert_contains second.txt "Waiting for the deploy lock of hello, held by tester@example.com \(pid [0-9]+\) since [0-9T:Z-]+: push of main [0-9a-f]{8}"
  assert_not_contains first.txt "OVERLAP"
  assert_not_contains second.txt "OVERLAP"
  assert_contains first.txt "done slowly"
  assert_status hello v1 succeeded
  assert_status hello v2 succeeded
  assert_current hello v2
}

test_hook_killed_mid_build_and_mid_release() {
  new_app hello release-knobs
  echo linger > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm linger
  # The hook is killed once the release command (a sleep of 300 s) said its pid; the command
  # must go with it, long before it would end (git push waits for it: its output pipe).
  SLIPWAY_FAULT=during-release-phase git -C "$SRC" push deploy HEAD:refs/heads/main > killed.txt 2>&1 &
  local pusher=$! task="" i
  wait_for "the release command to say its pid" grep -q 'lingering as pid' killed.txt
  task=$(sed -n 's/.*lingering as pid \([0-9]*\).*/\1/p' killed.txt | head -1)
  for i in $(seq 200); do [ -e "/proc/$task" ] || break; sleep 0.1; done
  if [ -e "/proc/$task" ]; then
    kill -KILL "$task"; wait "$pusher" || true
    fail "the release command outlived its killed hook by 20 s"
  fi
  wait "$pusher" || true
  assert_status hello v1 pending
  run_sw list.txt releases -a hello
  assert_contains list.txt "^v1  Deploy [0-9a-f]{8} release command failed \(interrupted\) "
  echo ok > "$SRC/MODE"; git -C "$SRC" commit -qam fixed
  push
  assert_contains push.out "v1 was interrupted before it finished; recorded as failed"
  assert_status hello v1 failed
  assert_contains "$(app_dir hello)/releases/v1/release.yml" "failure: \"?interrupted"
  assert_current hello v2
  # Killed during compile: no release, no leftovers, and the next push works.
  use_buildpacks recorder
  SLIPWAY_FAULT=during-compile git -C "$SRC" push deploy HEAD:refs/heads/main > killed2.txt 2>&1 || true
  [ ! -e "$(app_dir hello)/releases/v3" ] || fail "a killed build created a release"
  commit README again again
  push
  assert_current hello v3
  [ -z "$(ls "$(app_dir hello)/tmp")" ] || fail "leftovers in tmp/"
  ls "$(app_dir hello)/slugs" | grep -q '^\.tmp' && fail "leftover temp slug" || true
}

test_strict_apps_reject_failing_pushes() {
  new_app hello release-knobs
  sw settings:set strict=true -a hello > /dev/null
  push
  assert_eq 0 "$PUSH_STATUS"
  assert_current hello v1
  echo fail > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm fail
  push
  [ "$PUSH_STATUS" -ne 0 ] || fail "strict push of a failing release exited 0"
  assert_contains push.out "pre-receive hook declined"
  assert_contains push.out "Release v2 failed: release command exited with status 3; v1 is still current"
  assert_current hello v1
  [ "$(git --git-dir="$(app_dir hello)/repo.git" rev-parse main)" != "$(head_sha)" ] || fail "rejected ref was updated"
  echo "web: bin/web" > "$SRC/Procfile"; echo "web: bin/web" >> "$SRC/Procfile"; git -C "$SRC" commit -qam "bad procfile"
  push
  [ "$PUSH_STATUS" -ne 0 ] || fail "strict push of a failing build exited 0"
  assert_contains push.out "duplicate process type 'web'"
}

test_no_shell_sees_strings_from_a_push() {
  new_app hello hello
  touch "$SRC/\$(touch PWNED-file);touch PWNED-file2"
  git -C "$SRC" add -A
  git -C "$SRC" commit -qm "\$(touch PWNED-message); touch PWNED-message2 \`touch PWNED-message3\`"
  git -C "$SRC" push deploy 'HEAD:refs/heads/x$(touch${IFS}PWNED-branch)' > branch.out 2>&1
  assert_contains branch.out "Not deploying refs/heads/x\\\$\(touch\\\$\{IFS\}PWNED-branch\)"
  push
  assert_current hello v1
  # Wherever a shell ran (hooks, buildpacks, the release phase), its files land in the scratch
  # root, which may be a filesystem of its own (tmpfs /tmp): search it, and /tmp.
  local found; found=$(find "$SCRATCH" /tmp -xdev -name 'PWNED-*' 2>/dev/null | head -3)
  [ -z "$found" ] || fail "a pushed string ran as shell code: $found"
}
