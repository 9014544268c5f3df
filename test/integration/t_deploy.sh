# The deploy spine: push -> build -> slug -> release phase -> current switches only on success.

test_first_push_deploys_and_records_everything() {
  new_app hello hello
  push
  [ "$PUSH_STATUS" -eq 0 ] || fail "push failed"
  assert_contains push.out "Procfile-only app detected"
  assert_contains push.out "Procfile declares types +-> release, web"
  assert_contains push.out "Running release command: bin/release-task"
  assert_contains push.out "remote: migrations applied"
  assert_contains push.out "Released v1"
  assert_current hello v1
  assert_status hello v1 succeeded
  local dir; dir=$(app_dir hello)/releases/v1
  assert_eq "Deploy $(head_sha | cut -c1-8)" "$(record_field hello v1 description)"
  assert_eq "$(head_sha)" "$(record_field hello v1 commit)"
  assert_eq "tester@example.com" "$(record_field hello v1 user)"
  assert_eq "0" "$(record_field hello v1 exit_status)"
  assert_contains "$dir/release.log" "^migrations applied$"
  [ -x "$dir/app/bin/web" ] || fail "unpacked app lacks executable bin/web"
  assert_eq 600 "$(stat -c %a "$dir/env")"
  assert_eq 600 "$(stat -c %a "$(app_dir hello)/env")"
  # The slug named in the record exists and matches its checksum.
  local id sha; id=$(sed -n 's/^  id: //p' "$dir/release.yml"); sha=$(sed -n 's/^  sha256: //p' "$dir/release.yml")
  assert_eq "$sha" "$(sha256sum "$(app_dir hello)/slugs/$id.tar.zst" | cut -d' ' -f1)"
  tar -tf "$(app_dir hello)/slugs/$id.tar.zst" > slug.list
  assert_contains slug.list '^\./app/Procfile$'
  run_sw releases.out releases -a hello
  assert_contains releases.out "^=== hello Releases - Current: v1$"
  assert_contains releases.out "^v1  Deploy [0-9a-f]{8}  tester@example.com  [0-9]{4}/[0-9]{2}/[0-9]{2} "
}

test_failed_release_is_held_back_and_retried_by_pushing_again() {
  new_app hello release-knobs
  push
  assert_current hello v1
  local good; good=$(head_sha)
  echo fail > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm "break the release"
  push
  assert_contains push.out "remote: migration failed"
  assert_contains push.out "Release v2 failed: release command exited with status 3; v1 is still current \(slipway releases:output v2 -a hello\)"
  assert_current hello v1
  assert_status hello v2 failed
  assert_eq 3 "$(record_field hello v2 exit_status)"
  assert_contains "$(app_dir hello)/releases/v2/release.log" "^migration failed$"
  run_sw releases.out releases -a hello
  assert_contains releases.out "^=== hello Releases - Current: v1$"
  assert_contains releases.out "^v2  Deploy [0-9a-f]{8} release command failed "
  # The branch went back, so the same commit pushes (and deploys) again without an empty commit.
  assert_eq "$good" "$(git --git-dir="$(app_dir hello)/repo.git" rev-parse refs/heads/main)"
  push
  assert_not_contains push.out "Everything up-to-date"
  assert_status hello v3 failed
  echo ok > "$SRC/MODE"; git -C "$SRC" commit -qam "fix the release"
  push
  assert_current hello v4
  assert_status hello v4 succeeded
}

test_release_output_command_shows_the_log() {
  new_app hello release-knobs
  echo fail > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm fail
  push
  run_sw out.txt releases:output v1 -a hello
  assert_eq 0 "$SW_STATUS"
  assert_contains out.txt "^migration failed$"
  assert_contains out.txt "Release v1 failed: release command exited with status 3"
  run_sw latest.txt releases:output -a hello
  assert_contains latest.txt "^migration failed$"
}

test_no_release_command_switches_at_once() {
  new_app hello hello
  printf 'web: bin/web\n' > "$SRC/Procfile"; git -C "$SRC" commit -qam "no release phase"
  push
  assert_current hello v1
  assert_status hello v1 succeeded
  assert_not_contains push.out "Running release command"
  assert_eq '' "$(record_field hello v1 release_command)"
  run_sw out.txt releases:output -a hello
  assert_contains out.txt "has no release output available"
}

test_release_phase_environment_and_throwaway_copy() {
  new_app hello release-knobs
  echo env > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm env
  push
  assert_current hello v1
  local log; log=$(app_dir hello)/releases/v1/release.log
  assert_contains "$log" "^DYNO=release.1$"
  assert_contains "$log" "^PROFILE=profile sourced$"
  assert_contains "$log" "^HOME=/"
  grep -q "^PWD=$(sed -n 's/^HOME=//p' "$log")$" "$log" || fail "release command did not run in HOME"
  # Files the release command writes stay in its throwaway copy.
  [ ! -e "$(app_dir hello)/releases/v1/app/leaked-file" ] || fail "release phase leaked a file into the release"
  [ -z "$(ls -A "$(app_dir hello)/tmp")" ] || fail "release scratch copy left behind"
}

test_release_timeout_and_sigterm_ignored() {
  new_app hello release-knobs
  sw settings:set release_timeout=1 kill_grace=1 -a hello >/dev/null
  echo ignore-term > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm hang
  push
  assert_status hello v1 failed
  assert_contains push.out "Release v1 failed: release command timed out after 1s; no release is current yet"
  assert_eq "release command timed out after 1s" "$(record_field hello v1 failure)"
  assert_eq -1 "$(record_field hello v1 exit_status)" "exit_status of a timed-out release"
  [ ! -e "$(app_dir hello)/current" ] || fail "current exists after the only release failed"
}

test_release_timeout_that_exits_0_on_sigterm_still_fails() {
  new_app hello release-knobs
  push >/dev/null
  assert_current hello v1
  sw settings:set release_timeout=1 kill_grace=5 -a hello >/dev/null
  # The release command itself (the shell that runs it) exits 0 when SIGTERM comes.
  printf 'web: bin/web\nrelease: trap "echo got SIGTERM, exiting 0; exit 0" TERM; echo waiting; sleep 30\n' >"$SRC/Procfile"
  git -C "$SRC" commit -qam "exits 0 on TERM"
  push
  assert_contains push.out "got SIGTERM, exiting 0"
  assert_contains push.out "Release v2 failed: release command timed out after 1s; v1 is still current"
  assert_status hello v2 failed
  assert_eq "release command timed out after 1s" "$(record_field hello v2 failure)"
  assert_eq -1 "$(record_field hello v2 exit_status)" "exit_status of a timed-out release that exited 0 on SIGTERM"
  assert_current hello v1
}

test_release_leaves_no_daemon_behind() {
  new_app hello release-knobs
  echo daemon > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm daemon
  push
  assert_current hello v1
  # The push has returned: whatever the release phase started is gone by now, or never will be.
  # Only the two processes this release command started are looked at, by pid and command.
  local pids p left=""
  pids=$(sed -n 's/.*started daemons \([0-9]*\) \([0-9]*\).*/\1 \2/p' push.out)
  [ -n "$pids" ] || fail "the release command did not say which processes it started"
  for p in $pids; do
    if tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -qE '^(slipway-test-daemon-[0-9]+ 300|sleep 301) $'; then
      left="$left $p"
    fi
  done
  if [ -n "$left" ]; then
    kill $left 2>/dev/null || true
    fail "release command left processes running:$left"
  fi
}

test_release_silent_huge_and_stdin() {
  new_app hello release-knobs
  echo silent > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm silent
  push
  assert_status hello v1 succeeded
  [ ! -s "$(app_dir hello)/releases/v1/release.log" ] || fail "silent release wrote a log"
  echo stdin > "$SRC/MODE"; git -C "$SRC" commit -qam stdin
  push
  assert_status hello v2 succeeded
  assert_contains "$(app_dir hello)/releases/v2/release.log" "^stdin is empty$"
  echo huge > "$SRC/MODE"; git -C "$SRC" commit -qam huge
  push >/dev/null
  assert_status hello v3 succeeded
  local size; size=$(stat -c %s "$(app_dir hello)/releases/v3/release.log")
  [ "$size" -gt 100000000 ] || fail "100 MB of release output was not all logged ($size bytes)"
  assert_contains push.out "end of huge"
  tail -1 "$(app_dir hello)/releases/v3/release.log" | grep -qx "end of huge" || fail "log does not end with the last line"
}

test_pusher_hanging_up_does_not_stop_the_release() {
  new_app hello release-knobs
  echo slow > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm slow
  setsid bash -c "git -C '$SRC' push deploy HEAD:refs/heads/main > '$SCRATCH/push.out' 2>&1" &
  local pid=$!
  for _ in $(seq 600); do grep -q "step 1" push.out 2>/dev/null && break; sleep 0.1; done
  assert_contains push.out "step 1"
  kill -INT -- "-$pid" 2>/dev/null || kill -INT "$pid"
  wait "$pid" || true
  for _ in $(seq 100); do [ "$(record_field hello v1 status)" = succeeded ] && break; sleep 0.1; done
  assert_status hello v1 succeeded
  assert_current hello v1
  assert_contains "$(app_dir hello)/releases/v1/release.log" "^done slowly$"
}

test_releases_output_follows_a_running_release() {
  new_app hello release-knobs
  echo slow > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm slow
  push >/dev/null &
  local pid=$!
  for _ in $(seq 100); do [ -e "$(app_dir hello)/releases/v1/release.log" ] && break; sleep 0.1; done
  run_sw follow.out releases:output v1 -a hello
  wait "$pid"
  assert_contains follow.out "^step 1$"
  assert_contains follow.out "^done slowly$"
}

test_post_release_hook_runs_after_the_switch_and_cannot_undo_it() {
  new_app hello hello
  cat > "$(app_dir hello)/hooks/post-release" <<'HOOK'
#!/usr/bin/env bash
echo "restarting $SLIPWAY_APP on $SLIPWAY_RELEASE (was ${SLIPWAY_PREVIOUS_RELEASE:-none})"
readlink "$SLIPWAY_ROOT/apps/$SLIPWAY_APP/current" > "$SLIPWAY_ROOT/hook-saw"
exit "$(cat "$SLIPWAY_ROOT/hook-exit" 2>/dev/null || echo 0)"
HOOK
  chmod +x "$(app_dir hello)/hooks/post-release"
  push
  assert_contains push.out "restarting hello on v1 \(was none\)"
  assert_eq "releases/v1" "$(cat "$SLIPWAY_ROOT/hook-saw")"
  echo 5 > "$SLIPWAY_ROOT/hook-exit"
  commit README two two
  push
  assert_contains push.out "post-release hook exited with status 5; v2 stays current"
  assert_current hello v2
  assert_status hello v2 succeeded
}

test_an_empty_directory_in_the_tree_reaches_the_slug() {
  new_app hello hello
  local empty tree commit
  empty=$(git -C "$SRC" mktree </dev/null)
  tree=$( (git -C "$SRC" ls-tree HEAD; printf '040000 tree %s\tempty-dir\n' "$empty") | git -C "$SRC" mktree)
  commit=$(git -C "$SRC" commit-tree "$tree" -p HEAD -m "empty dir")
  git -C "$SRC" reset -q --hard "$commit"
  push
  assert_current hello v1
  [ -d "$(app_dir hello)/releases/v1/app/empty-dir" ] || fail "empty directory lost"
}

# The release phase's copy: as root an overlay view of the live tree (any file may change,
# the app's user owns everything in it); SLIPWAY_FAULT=no-overlay takes the fallback copy.
# Either way nothing it does reaches the release, and the copy is gone afterwards.
release_phase_writes() {
  local expect_append=$1
  local rel; rel=$(sw releases -a hello | awk 'NR==2 {print $1}')
  local log; log=$(app_dir hello)/releases/$rel/release.log
  assert_current hello "$rel"
  assert_contains "$log" "^made tmp/cache$"
  assert_contains "$log" "^removed bin/web$"
  assert_contains "$log" "^$expect_append$"
  local tree; tree=$(app_dir hello)/releases/$rel/app
  [ ! -e "$tree/tmp/cache" ] || fail "release phase leaked tmp/cache into $rel"
  [ -e "$tree/bin/web" ] || fail "release phase removed bin/web from $rel"
  assert_not_contains "$tree/Procfile" "^appended$"
  [ -z "$(ls -A "$(app_dir hello)/tmp")" ] || fail "release scratch copy left behind"
}

test_release_phase_copy_overlay_and_fallback() {
  new_app hello release-knobs
  echo write > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm write
  push
  release_phase_writes "appended to Procfile"
  if [ "$(id -u)" -eq 0 ]; then
    # The overlay: the app's user sees itself as the owner of the copy and may write anything.
    assert_contains "$(app_dir hello)/releases/v1/release.log" "^owner=slipway-hello$"
  fi
  commit README fallback fallback
  SLIPWAY_FAULT=no-overlay push
  if [ "$(id -u)" -eq 0 ]; then
    # Hard links to the release's own files: they can be replaced, not written in place.
    release_phase_writes "cannot append to Procfile"
    assert_contains "$(app_dir hello)/releases/v2/release.log" "^user=slipway-hello$"
  else
    release_phase_writes "appended to Procfile"
  fi
  # A config change reuses the tree of v2 (a symlink) and still gets its own overlay.
  sw config:set X=1 -a hello >/dev/null
  assert_current hello v3
  release_phase_writes "appended to Procfile"
}
