# bin/slipway answers read-only commands itself and hands the rest to bin/slipway-engine
# beside it; the hooks run the engine directly.

test_read_only_commands_start_without_libgit2_or_libarchive() {
  local libs; libs=$(ldd "$SLIPWAY_BIN")
  echo "$libs" | grep -q "libyaml-cpp" || fail "ldd did not list the front end's libraries: $libs"
  ! echo "$libs" | grep -Eq "libgit2|libarchive" || fail "bin/slipway loads libgit2 or libarchive: $libs"
  ldd "$(dirname "$SLIPWAY_BIN")/slipway-engine" | grep -q libgit2 || fail "the engine does not link libgit2"
}

test_the_front_end_hands_other_commands_to_the_engine() {
  new_app hello hello
  push >/dev/null
  assert_current hello v1
  # Handed over: config:set makes a release; the hooks call the engine itself.
  sw config:set A=1 -a hello > set.out
  assert_contains set.out "Setting A on hello... done, v2"
  assert_contains "$(app_dir hello)/repo.git/hooks/post-receive" "slipway-engine"
  # Answered by the front end: the same output as the engine gives.
  for cmd in "releases" "releases:info" "config" "config:get A" "apps:info" "settings"; do
    # shellcheck disable=SC2086
    sw $cmd -a hello > front.out 2>&1 || fail "'$cmd' failed through bin/slipway"
    # shellcheck disable=SC2086
    "$(dirname "$SLIPWAY_BIN")/slipway-engine" $cmd -a hello > engine.out 2>&1
    diff -u engine.out front.out || fail "'$cmd' differs between bin/slipway and the engine"
  done
  sw apps > apps.out
  assert_contains apps.out "^hello$"
  sw --help > help.out
  assert_contains help.out "^  rollback "
  sw releases:rollbak -a hello > typo.out 2>&1 && fail "a mistyped command succeeded"
  assert_contains typo.out "unknown command 'releases:rollbak'"
}

test_a_front_end_without_its_engine_says_how_to_fix_it() {
  new_app hello hello
  push >/dev/null
  mkdir -p lonely
  cp "$SLIPWAY_BIN" lonely/slipway
  lonely/slipway releases -a hello > releases.out || fail "releases needs no engine"
  assert_contains releases.out "^v1 "
  lonely/slipway rollback -a hello > rollback.out 2>&1 && fail "rollback succeeded without the engine"
  assert_contains rollback.out "^slipway: error: cannot run the Slipway engine '.*/lonely/slipway-engine': No such file or directory; reinstall Slipway \(make install\)"
  assert_current hello v1
}
