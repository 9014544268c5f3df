# Release management: every change is a new release whose release phase gates the switch.

slug_and_env() { # APP vN: the release's slug id and config, to compare releases
  echo "$(slug_of "$1" "$2") $(cat "$(app_dir "$1")/releases/$2/env")"
}

test_the_release_management_matrix() {
  new_app hello release-knobs
  push                                                   # v1 deploy
  run_sw set.out config:set GREETING=hi -a hello         # v2 config
  assert_eq 0 "$SW_STATUS"
  assert_contains set.out "^Setting GREETING on hello\.\.\. done, v2$"
  assert_contains "$(app_dir hello)/releases/v2/release.log" "^GREETING=hi$"
  assert_eq "Set GREETING config vars" "$(record_field hello v2 description)"
  commit README one "third"; push                       # v3 deploy
  echo fail > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm broken; push   # v4 fails
  assert_status hello v4 failed
  assert_current hello v3
  run_sw rb.out rollback -a hello                        # v5 = v2's slug and config
  assert_eq 0 "$SW_STATUS"
  assert_contains rb.out "^Rolling back hello to v2\.\.\. done, v5$"
  assert_contains rb.out "^To undo, run: slipway rollback v3 -a hello$"
  assert_eq "$(slug_and_env hello v2)" "$(slug_and_env hello v5)"
  assert_eq "Rollback to v2" "$(record_field hello v5 description)"
  assert_current hello v5
  assert_eq "GREETING=hi" "$(cat "$(app_dir hello)/env")"
  run_sw rb4.out rollback v4 -a hello                    # failed: refused
  assert_eq 1 "$SW_STATUS"
  assert_contains rb4.out "^slipway: error: cannot roll back to v4: its release failed \(release command exited with status 3\); pick a succeeded release$"
  run_sw rb5.out rollback v5 -a hello
  assert_contains rb5.out "v5 is the current release"
  run_sw again.out rollback -a hello                     # from v5 picks v3
  assert_contains again.out "^Rolling back hello to v3\.\.\. done, v6$"
  assert_eq "$(slug_and_env hello v3)" "$(slug_and_env hello v6)"
  # A config change whose release phase fails changes nothing.
  run_sw bad.out config:set FAIL_RELEASE=1 -a hello
  assert_eq 1 "$SW_STATUS"
  assert_contains bad.out "Release v7 failed: release command exited with status 4; v6 is still current"
  assert_contains bad.out "Config not changed"
  assert_status hello v7 failed
  assert_current hello v6
  run_sw cfg.out config -a hello
  assert_not_contains cfg.out FAIL_RELEASE
  run_sw get.out config:get FAIL_RELEASE -a hello
  assert_eq 1 "$SW_STATUS"
  # Retry after fixing the cause: the latest slug with the app's current config.
  run_sw retry.out releases:retry -a hello
  assert_eq 0 "$SW_STATUS"
  assert_contains retry.out "^Retrying v7 on hello\.\.\. done, v8$"
  assert_eq "Retry of v7: Set FAIL_RELEASE config vars" "$(record_field hello v8 description)"
  assert_current hello v8
  run_sw list.out releases -a hello
  assert_contains list.out "^=== hello Releases - Current: v8$"
  head -2 list.out | tail -1 | grep -q '^v8 ' || fail "releases not newest first"
  run_sw n.out releases -n 2 -a hello
  assert_eq 3 "$(wc -l < n.out)"
}

test_config_values_round_trip_and_bad_inputs() {
  new_app hello release-knobs
  push
  local weird; weird=$(printf 'line one\nline=two\\three \xff')
  sw config:set "WEIRD=$weird" "EMPTY=" -a hello > /dev/null
  assert_eq "$weird" "$(sw config:get WEIRD -a hello)"
  sw config --json -a hello > cfg.json
  python3 -c 'import json; d=json.load(open("cfg.json")); assert d["EMPTY"] == "" and d["WEIRD"] == "line one\nline=two\\three \ufffd", d' || fail "config --json"
  local before; before=$(ls "$(app_dir hello)/releases" | wc -l)
  for bad in "HAS SPACE=1" "=1" "A-B=1" "9X=1" "novalue"; do
    run_sw bad.out config:set "$bad" -a hello
    assert_eq 2 "$SW_STATUS" "exit for '$bad'"
    assert_contains bad.out "^slipway: error: (invalid config var name|expected KEY=value)"
  done
  printf 'OK=1\nNUL=a\0b\n' > nul.env
  run_sw nul.out config:set --file nul.env -a hello
  assert_eq 2 "$SW_STATUS"
  assert_contains nul.out "nul.env:2: NUL byte; config values cannot hold NUL"
  # (through a file: the kernel would refuse a 1 MB argument before slipway sees it)
  { printf 'BIG='; head -c 1048576 /dev/zero | tr '\0' a; echo; } > big.env
  run_sw big.out config:set --file big.env -a hello
  assert_eq 2 "$SW_STATUS"
  assert_contains big.out "config var 'BIG' is 1.0M; values are limited to 64.0K"
  run_sw unset.out config:unset NOT_SET -a hello
  assert_eq 0 "$SW_STATUS"
  assert_contains unset.out "No change: NOT_SET is not set; no release created"
  run_sw same.out config:set EMPTY= -a hello
  assert_contains same.out "No change: EMPTY is already set to that value; no release created"
  run_sw missing.out config:set A=1 -a nope
  assert_eq 1 "$SW_STATUS"
  assert_contains missing.out "^slipway: error: app 'nope' does not exist"
  assert_eq "$before" "$(ls "$(app_dir hello)/releases" | wc -l)" "bad input created a release"
  # 10,000 vars in one config:set: one release, and the release phase sees them all.
  seq 1 10000 | sed 's/^/VAR_/; s/$/=value/' > many.env
  printf 'MULTI=first\\nsecond\n' >> many.env
  run_sw many.out config:set --file - -a hello < many.env
  assert_eq 0 "$SW_STATUS"
  assert_eq "$((before + 1))" "$(ls "$(app_dir hello)/releases" | wc -l)"
  assert_eq "value" "$(sw config:get VAR_9999 -a hello)"
  assert_eq "$(printf 'first\nsecond')" "$(sw config:get MULTI -a hello)"
  run_sw un.out config:unset VAR_1 VAR_2 -a hello
  assert_contains un.out "^Unsetting VAR_1, VAR_2 on hello\.\.\. done, v"
  assert_eq "Remove VAR_1, VAR_2 config vars" "$(record_field hello "v$((before + 2))" description)"
}

test_config_before_the_first_deploy_waits_for_it() {
  new_app hello release-knobs
  run_sw set.out config:set GREETING=early -a hello
  assert_contains set.out "nothing deployed yet: the first push will use it"
  [ -z "$(ls "$(app_dir hello)/releases")" ] || fail "config created a release without a slug"
  push
  assert_contains "$(app_dir hello)/releases/v1/release.log" "^GREETING=early$"
}

test_version_arguments_are_checked() {
  new_app hello release-knobs
  push
  for bad in v v0 v-1 vx 99999999999999999999; do
    local msg="slipway: error: invalid release version '$bad': expected vN with N a positive number, like v12"
    run_sw out.txt releases:info "$bad" -a hello
    assert_eq 2 "$SW_STATUS" "releases:info $bad"
    assert_eq "$msg" "$(cat out.txt)"
    run_sw rb.txt rollback "$bad" -a hello
    assert_eq 2 "$SW_STATUS" "rollback $bad"
    assert_eq "$msg" "$(cat rb.txt)"
  done
  assert_eq v1 "$(ls "$(app_dir hello)/releases")" "bad versions made no release"
  run_sw unknown.txt rollback v42 -a hello
  assert_eq 1 "$SW_STATUS"
  assert_contains unknown.txt "^slipway: error: no release v42 for hello"
  run_sw none.txt rollback -a hello
  assert_contains none.txt "no succeeded release before v1 to roll back to"
  assert_current hello v1
}

test_commands_fail_fast_while_a_release_phase_runs_and_cancel_stops_it() {
  new_app hello release-knobs
  watch_overlap hello
  push
  echo slow > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm slow
  push > /dev/null &
  local pid=$!
  for _ in $(seq 600); do grep -q "step 1" push.out 2>/dev/null && break; sleep 0.1; done
  run_sw rb.out rollback v1 -a hello
  assert_eq 1 "$SW_STATUS"
  assert_contains rb.out "^slipway: error: app 'hello' is locked by tester@example.com \(pid [0-9]+\) since .*: push of main [0-9a-f]{8}; try again when it finishes, or wait for it with --wait$"
  run_sw cfg.out config:set X=1 -a hello
  assert_contains cfg.out "is locked by"
  SLIPWAY_USER=operator@example.com run_sw cancel.out releases:cancel -a hello
  assert_eq 0 "$SW_STATUS"
  assert_contains cancel.out "Cancelled the release phase of v2 on hello: recorded as failed \(cancelled by operator@example.com\)"
  wait $pid || true
  assert_status hello v2 failed
  assert_eq "cancelled by operator@example.com" "$(record_field hello v2 failure)"
  assert_current hello v1
  assert_not_contains "$(app_dir hello)/releases/v2/release.log" "done slowly"
  run_sw nothing.out releases:cancel -a hello
  assert_eq 1 "$SW_STATUS"
  assert_contains nothing.out "no release phase is running for hello; nothing to cancel"
  # With --wait, a command queues behind the running deploy instead. (push.out still holds
  # the first push's "step 1": remove it so the wait below sees the second push's.)
  git -C "$SRC" commit -q --allow-empty -m again
  rm -f push.out
  push > /dev/null &
  pid=$!
  for _ in $(seq 600); do grep -q "step 1" push.out 2>/dev/null && break; sleep 0.1; done
  run_sw waited.out config:set AFTER=1 --wait -a hello
  wait $pid
  assert_eq 0 "$SW_STATUS"
  assert_contains waited.out "Waiting for the deploy lock of hello"
  assert_not_contains waited.out "OVERLAP"
  assert_not_contains push.out "OVERLAP"
  assert_status hello v3 succeeded
  assert_status hello v4 succeeded
}

test_retry_needs_a_release_command() {
  new_app hello hello
  printf 'web: bin/web\n' > "$SRC/Procfile"; git -C "$SRC" commit -qam "no release"
  run_sw none.out releases:retry -a hello
  assert_contains none.out "no release found for hello"
  push
  run_sw retry.out releases:retry -a hello
  assert_eq 1 "$SW_STATUS"
  assert_contains retry.out "v1's slug declares no release command, so there is no release phase to retry"
}

test_promote_uses_each_targets_config() {
  new_app staging release-knobs
  push
  sw apps:create prod > /dev/null
  sw apps:create qa > /dev/null
  sw config:set GREETING=production -a prod > /dev/null
  sw config:set FAIL_RELEASE=yes -a qa > /dev/null
  run_sw self.out pipelines:promote -a staging --to staging
  assert_eq 2 "$SW_STATUS"
  assert_contains self.out "cannot promote from an app to itself: staging"
  run_sw noto.out pipelines:promote -a staging
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: 'pipelines:promote' needs --to APPS (see 'slipway pipelines:promote --help')" "$(cat noto.out)"
  run_sw empty.out pipelines:promote -a staging --to prod,,qa
  assert_eq 2 "$SW_STATUS"
  assert_contains empty.out "option '--to' needs APPS as comma-separated names, without empty ones"
  run_sw missing.out pipelines:promote -a staging --to prod,nope
  assert_contains missing.out "app 'nope' does not exist"
  [ -z "$(ls "$(app_dir prod)/releases")" ] || fail "promotion started before checking every target"
  run_sw promo.out pipelines:promote -a staging --to prod,qa
  assert_eq 1 "$SW_STATUS"
  assert_contains promo.out "^prod: succeeded \(v1\)$"
  assert_contains promo.out "^qa: failed: release command exited with status 4$"
  assert_contains promo.out "Promotion to some apps failed"
  assert_contains "$(app_dir prod)/releases/v1/release.log" "^GREETING=production$"
  assert_eq "Promote staging v1 $(head_sha | cut -c1-8)" "$(record_field prod v1 description)"
  assert_eq "$(slug_of staging v1)" "$(slug_of prod v1)"
  assert_current prod v1
  [ ! -e "$(app_dir qa)/current" ] || fail "failed promotion switched qa"
}

test_retention_keeps_current_and_rollback_target() {
  new_app hello release-knobs
  sw settings:set retention=2 -a hello > /dev/null
  push                                       # v1 slug A
  sw config:set GREETING=a -a hello > /dev/null   # v2 slug A
  commit README b b; push                    # v3 slug B
  commit README c c; push                    # v4 slug C -> A is beyond the 2 newest slugs
  assert_status hello v4 succeeded
  run_sw list.out releases -a hello
  assert_contains list.out "^v1  Deploy [0-9a-f]{8} release expired "
  assert_contains list.out "^v2  Set GREETING config vars release expired "
  [ ! -e "$(app_dir hello)/releases/v1/app" ] || fail "expired tree kept"
  [ -f "$(app_dir hello)/releases/v1/release.yml" ] || fail "expired record lost"
  [ ! -e "$(app_dir hello)/slugs/$(slug_of hello v1).tar.zst" ] || fail "expired slug kept"
  [ -e "$(app_dir hello)/releases/v3/app" ] || fail "rollback target pruned"
  run_sw rb.out rollback v2 -a hello
  assert_contains rb.out "cannot roll back to v2: it has expired \(its slug was pruned by retention\)"
  # Rolling back to v3 makes it current; the previous current (v4) stays as rollback target.
  sw rollback v3 -a hello > /dev/null
  commit README d d; push                    # v6 slug D
  assert_current hello v6
  [ -e "$(app_dir hello)/releases/v5/app" ] || fail "rollback target pruned after rollback"
  # v6's deploy pruned slug C (v4): not current, not the rollback target, beyond the 2 newest.
  assert_contains push.out "Pruned 1 old release trees and 1 slugs"
  run_sw list2.out releases -a hello
  assert_contains list2.out "^v4  Deploy [0-9a-f]{8} release expired "
  [ ! -e "$(app_dir hello)/slugs/$(slug_of hello v4).tar.zst" ] || fail "slug C kept"
  [ -e "$(app_dir hello)/slugs/$(slug_of hello v3).tar.zst" ] || fail "the rollback target's slug was pruned"
  [ -e "$(app_dir hello)/slugs/$(slug_of hello v6).tar.zst" ] || fail "the current slug was pruned"
  run_sw prune.out releases:prune -a hello
  assert_eq "Nothing to prune: hello keeps the slugs of its newest 2 distinct builds" "$(cat prune.out)"
}

# With retention=1 the one slug kept by count is current's: the rollback target stays only
# because it is the rollback target.
test_retention_of_one_keeps_the_rollback_target() {
  new_app hello release-knobs
  sw settings:set retention=1 -a hello > /dev/null
  push                                       # v1 slug A
  commit README b b; push                    # v2 slug B
  assert_current hello v2
  [ -e "$(app_dir hello)/releases/v1/app" ] || fail "the rollback target's tree was pruned"
  [ -e "$(app_dir hello)/slugs/$(slug_of hello v1).tar.zst" ] || fail "the rollback target's slug was pruned"
  assert_not_contains push.out "Pruned"
  commit README c c; push                    # v3 slug C: now v2 is the target, v1 goes
  assert_contains push.out "Pruned 1 old release trees and 1 slugs"
  [ ! -e "$(app_dir hello)/releases/v1/app" ] || fail "v1 kept though nothing needs it"
  [ -e "$(app_dir hello)/releases/v2/app" ] || fail "the new rollback target's tree was pruned"
  sw rollback -a hello > /dev/null
  assert_current hello v4
  assert_eq "$(slug_of hello v2)" "$(slug_of hello v4)"
}

# Retention and tree sharing read the slug index (apps/APP/slugs/index), not every record:
# an app without one (made before it existed) gets one built from its records; doctor
# reports one that disagrees with them and --fix rebuilds it.
test_the_slug_index_is_rebuilt_when_missing_or_wrong() {
  new_app hello release-knobs
  sw settings:set retention=1 -a hello > /dev/null
  push                                       # v1 slug A
  commit README b b; push                    # v2 slug B; A stays: v1 is the rollback target
  local a b index; a=$(slug_of hello v1); b=$(slug_of hello v2); index=$(app_dir hello)/slugs/index
  assert_eq "$(printf '%s 1\n%s 2' "$a" "$b")" "$(cat "$index")"
  rm "$index"
  sw config:set GREETING=x -a hello > /dev/null   # v3 slug B; A expires
  [ -e "$(app_dir hello)/releases/v1/expired" ] || fail "v1 did not expire"
  assert_eq "$b 2 3" "$(cat "$index")"
  [ -L "$(app_dir hello)/releases/v3/app" ] || fail "v3 does not share v2's tree"
  printf '%s 1\n' "$a" > "$index"
  run_sw report.out doctor -a hello
  assert_eq 1 "$SW_STATUS"
  assert_contains report.out "^hello: fixable: the slug index $index disagrees with the release records$"
  run_sw fix.out doctor --fix -a hello
  assert_eq "$b 2 3" "$(cat "$index")"
  run_sw after.out doctor -a hello
  assert_contains after.out "^1 apps checked: 0 problems, 0 fixed$"
}

test_a_corrupted_record_does_not_break_listing() {
  new_app hello release-knobs
  push
  commit README b b; push
  printf 'version: 2\nstatus: [broken\n' > "$(app_dir hello)/releases/v2/release.yml"
  run_sw list.out releases -a hello
  assert_eq 0 "$SW_STATUS"
  assert_contains list.out "^v2  \(unreadable record\)"
  assert_contains list.out "^v1  Deploy "
  assert_contains list.out "broken release record: .*releases/v2/release.yml:[0-9]+:[0-9]+: "
}

test_info_and_json_shapes() {
  new_app hello release-knobs
  push
  sw config:set GREETING=hi -a hello > /dev/null
  run_sw info.out releases:info v2 -a hello
  assert_contains info.out "^=== Release v2$"
  assert_contains info.out "^Change: +Set GREETING config vars$"
  assert_contains info.out "^By: +tester@example.com$"
  assert_contains info.out "^GREETING: +hi$"
  run_sw shell.out releases:info v2 --shell -a hello
  assert_eq "GREETING=hi" "$(cat shell.out)"
  sw releases --json -a hello > rel.json
  python3 - <<'PY' || fail "releases --json is not the Platform API shape"
import json
rels = json.load(open("rel.json"))
assert [r["version"] for r in rels] == [2, 1], rels
for r in rels:
    for key in ("id", "version", "status", "description", "slug", "user", "app", "current",
                "output_stream_url", "eligible_for_rollback", "created_at", "updated_at"):
        assert key in r, key
assert rels[0]["current"] and rels[0]["status"] == "succeeded"
assert rels[0]["app"]["name"] == "hello" and rels[0]["user"]["email"] == "tester@example.com"
PY
  run_sw app.out apps:info -a hello
  assert_contains app.out "^Current release: +v2 \(Set GREETING config vars\)$"
  assert_contains app.out "^Process types: +release, web$"
  assert_contains app.out "^Deploy branch: +main or master$"
}

test_retention_spares_a_tree_a_running_process_uses() {
  new_app hello release-knobs
  sw settings:set retention=1 -a hello > /dev/null
  push
  local tree; tree=$(app_dir hello)/releases/v1/app
  (cd "$tree" && exec sleep 30) &
  local holder=$!
  commit README b b; push
  commit README c c; push
  [ -d "$tree" ] || { kill $holder; fail "pruned a tree a running process works in"; }
  kill $holder; wait $holder 2>/dev/null || true
  run_sw prune.out releases:prune -a hello
  assert_contains prune.out "^Pruned 1 releases \(v1\) and 1 slugs; freed "
  assert_contains "$(app_dir hello)/releases/v1/expired" "^pruned .* by retention \(keep 1 slugs\)$"
}
