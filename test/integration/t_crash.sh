# Crash safety: the hook is killed with SIGKILL at each named step (SLIPWAY_FAULT). Whatever
# the step, `current` resolves to a complete release, no record is half-written or pending
# forever, leftovers are cleaned by the next deploy, and the next push succeeds.

# crash_at STEP EXPECTED_CURRENT EXPECTED_V2_STATUS NEXT_OUTPUT
# NEXT_OUTPUT is what the push prints right after STEP: its absence, and a raw v2 record
# still 'pending' (no command has recovered it yet), prove the crash happened there.
crash_at() {
  local step=$1 want_current=$2 want_v2=$3 next=$4
  new_app hello release-knobs
  push >/dev/null
  assert_current hello v1
  commit README "$step" "crash at $step"
  SLIPWAY_FAULT=$step git -C "$SRC" push deploy HEAD:refs/heads/main > crash.out 2>&1 || true
  assert_contains crash.out "Building hello from main"
  assert_not_contains crash.out "$next"
  if [ -n "$want_v2" ]; then
    assert_status hello v2 pending
  fi
  assert_current hello "$want_current"
  # Every record parses and nothing reads as still running.
  run_sw list.out releases -a hello
  assert_eq 0 "$SW_STATUS"
  assert_not_contains list.out "unreadable record|release command executing"
  if [ -n "$want_v2" ]; then
    run_sw info.out releases:info v2 --json -a hello
    assert_contains info.out "\"status\": \"$want_v2\""
  else
    [ ! -e "$(app_dir hello)/releases/v2" ] || fail "a release was created before the crash point"
  fi
  # The next push (a new commit: the killed hook could not put the branch back) succeeds,
  # finishes the interrupted record and removes every leftover.
  commit README next "after the crash"
  push
  [ "$PUSH_STATUS" -eq 0 ] || fail "push after the crash failed"
  local v; v=$(readlink "$(app_dir hello)/current")
  assert_status hello "${v#releases/}" succeeded
  if [ -n "$want_v2" ]; then
    assert_status hello v2 "$want_v2"
  fi
  local left
  left=$(cd "$(app_dir hello)" && find . -name '*.tmp.*' -o -name '.tmp-*' -o -name '*.fetch.*' | grep -v '^./repo.git' || true)
  [ -z "$left" ] || fail "leftovers after the next deploy: $left"
  [ -z "$(ls -A "$(app_dir hello)/tmp")" ] || fail "tmp/ not cleaned"
  grep -l 'status: pending' "$(app_dir hello)"/releases/*/release.yml && fail "a record stayed pending" || true
}

test_crash_after_reading_the_tree() { crash_at after-tree-read v1 "" "app detected"; }
# The Procfile-only buildpack prints a line during compile, which reaches the fault point.
test_crash_during_compile() { crash_at during-compile v1 "" "Discovering process types"; }
test_crash_during_the_slug_write() { crash_at during-slug-write v1 "" "Done: "; }
test_crash_after_the_slug_is_written() { crash_at after-slug-written v1 "" "Launching v2"; }
test_crash_after_the_record_is_created() { crash_at after-record-created v1 failed "Running release command"; }
test_crash_during_the_release_phase() { crash_at during-release-phase v1 failed "release ok"; }
test_crash_after_the_release_command_exits() { crash_at after-release-command v1 failed "Release command succeeded"; }
test_crash_before_the_switch() { crash_at before-switch v1 failed "Released v2"; }
test_crash_during_the_switch() { crash_at during-switch v1 failed "Released v2"; }
test_crash_after_the_switch_before_the_status() { crash_at after-switch v2 succeeded "Released v2"; }

# A config change killed between the switch and its record: readers see the config of the
# release that is current at once, and the next change starts from it.
test_a_config_change_killed_after_the_switch_keeps_its_config() {
  new_app hello release-knobs
  push >/dev/null
  sw config:set GREETING=before -a hello > /dev/null
  SLIPWAY_FAULT=after-switch "$SLIPWAY_BIN" config:set GREETING=after -a hello > crash.out 2>&1 || true
  assert_not_contains crash.out "Released v3"
  assert_current hello v3
  assert_eq "after" "$(sw config:get GREETING -a hello)"
  sw config -a hello --json > config.json
  assert_contains config.json '"GREETING": "after"'
  sw config:set OTHER=1 -a hello > next.out 2>&1
  assert_contains next.out "v3 was interrupted before it finished; recorded as succeeded"
  assert_status hello v3 succeeded
  assert_eq "after" "$(sw config:get GREETING -a hello)"
  assert_contains "$(app_dir hello)/releases/v4/env" "^GREETING=.?after"
}

# (test_core_release_store.cpp does the same for 1,000 switches without release phases.)
test_current_never_dangles_while_it_switches() {
  new_app hello hello
  push >/dev/null
  sw config:set A=1 -a hello >/dev/null
  local cur; cur=$(app_dir hello)/current
  # The reader runs until the switches are over and notes every target it saw.
  ( while [ ! -e reader.stop ]; do
      t=$(readlink "$cur") || { echo "missing" > reader.fail; break; }
      [ -d "$(app_dir hello)/$t/app" ] || { echo "dangling $t" > reader.fail; break; }
      echo "$t" >> reader.seen
    done ) &
  local reader=$!
  for _ in $(seq 50); do [ -s reader.seen ] && break; sleep 0.1; done
  for i in $(seq 1 30); do sw rollback -a hello >/dev/null; done
  touch reader.stop
  wait $reader
  [ ! -e reader.fail ] || fail "reader saw current $(cat reader.fail)"
  # It read during the switches: it saw most of the 30 releases they made current.
  local seen; seen=$(sort -u reader.seen | wc -l)
  [ "$seen" -ge 10 ] || fail "the reader saw only $seen targets during 30 switches"
}
