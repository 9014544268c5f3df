# Reliability: a full disk, concurrency, modes, and doctor.

# small_root: the Slipway root on a 6 MB tmpfs of the test's own (root only), unmounted at exit.
small_root() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to mount a small filesystem"
  mkdir "$SCRATCH/small"
  mount -t tmpfs -o size=6m tmpfs "$SCRATCH/small" 2>/dev/null || skip "cannot mount a tmpfs here"
  trap 'umount -l "$SCRATCH/small" 2>/dev/null || true' EXIT
  export SLIPWAY_ROOT="$SCRATCH/small/root"
}

# fill_disk: take every free byte of the small filesystem.
fill_disk() {
  head -c 100000000 /dev/zero >"$SCRATCH/small/filler" 2>/dev/null || true
}

# The current release is whole and still current, and nothing half-written is left.
assert_v1_intact() {
  assert_current hello v1
  [ -x "$(app_dir hello)/releases/v1/app/bin/web" ] || fail "the current release was damaged"
  assert_eq "" "$(cd "$(app_dir hello)" && find slugs -name '.tmp-*')" "temporary slugs left"
}

test_a_full_disk_fails_clearly_and_keeps_current() {
  small_root
  new_app hello hello
  push >/dev/null
  assert_current hello v1
  # Zeros compress in git, so the push itself fits; the build's files do not.
  head -c 20000000 /dev/zero > "$SRC/zeros.bin"; git -C "$SRC" add -A; git -C "$SRC" commit -qm "too big to build"
  push
  assert_contains push.out "Push rejected, failed to build: .*No space left on device"
  assert_v1_intact
  git -C "$SRC" rm -q zeros.bin; git -C "$SRC" commit -qm "smaller"
  push >/dev/null
  assert_current hello v2
}

test_a_disk_that_fills_while_the_slug_is_written() {
  small_root
  new_app hello hello
  push >/dev/null
  # Random bytes do not compress: the build's tree fits, its slug (as large again) does not.
  head -c 2400000 /dev/urandom >"$SRC/random.bin"; git -C "$SRC" add -A; git -C "$SRC" commit -qm random
  push
  assert_contains push.out "Compressing"
  assert_contains push.out "Push rejected, failed to build: cannot write slug data for 'app/random.bin': cannot write the slug: No space left on device"
  assert_v1_intact
  [ ! -e "$(app_dir hello)/releases/v2" ] || fail "a release was made without a slug"
  git -C "$SRC" rm -q random.bin; git -C "$SRC" commit -qm "smaller"
  push >/dev/null
  assert_current hello v2
}

# The new release's env and record cannot be written: config and current stay.
test_a_full_disk_keeps_config_and_current_on_config_set() {
  small_root
  new_app hello release-knobs
  push >/dev/null
  fill_disk
  run_sw set.out config:set GREETING=full -a hello
  assert_eq 1 "$SW_STATUS" "config:set on a full disk"
  assert_contains set.out "^slipway: error: .*No space left on device"
  assert_v1_intact
  assert_eq "" "$(sw config:get GREETING -a hello 2>/dev/null)" "config after the failed change"
  rm -f "$SCRATCH/small/filler"
  sw config:set GREETING=room -a hello >/dev/null
  assert_eq room "$(sw config:get GREETING -a hello)"
}

test_twenty_pushes_at_once_are_serialized() {
  new_app hello release-knobs
  # Each release phase takes 0.2 s and fails if another one runs beside it.
  watch_overlap hello OVERLAP_SLEEP=0.2
  local i pids=""
  for i in $(seq 20); do
    git clone -q "$SRC" "$SCRATCH/c$i"
    git -C "$SCRATCH/c$i" remote add deploy "$(app_dir hello)/repo.git"
    echo "$i" > "$SCRATCH/c$i/WHO"; git -C "$SCRATCH/c$i" add WHO; git -C "$SCRATCH/c$i" commit -qm "push $i"
  done
  # git itself refuses a ref update that raced another one ("cannot lock ref"); like a CI
  # client, each retries until its push lands. Every landed push runs its hook at once.
  for i in $(seq 20); do
    ( for _ in $(seq 100); do
        git -C "$SCRATCH/c$i" push -f deploy HEAD:refs/heads/main >> "push$i.out" 2>&1 && exit 0
        sleep "0.$((RANDOM % 5))"
      done; exit 1 ) &
    pids="$pids $!"
  done
  for p in $pids; do wait "$p" || true; done
  assert_eq "$(seq 1 20 | sed 's/^/v/' | sort)" "$(ls "$(app_dir hello)/releases" | sort)" "versions unique and gapless"
  for i in $(seq 20); do assert_status hello "v$i" succeeded; done
  ! grep -l OVERLAP push*.out || fail "two release phases ran at once"
  # Each release was created after the one before had finished (ISO 8601 sorts as text).
  for i in $(seq 19); do
    local done_at next_at
    done_at=$(record_field hello "v$i" finished_at) next_at=$(record_field hello "v$((i + 1))" created_at)
    [[ ! "$next_at" < "$done_at" ]] || fail "v$((i + 1)) was created at $next_at, before v$i finished at $done_at"
  done
  assert_current hello v20
  cat push*.out | grep -c "Waiting for the deploy lock" > waits || true
  [ "$(cat waits)" -ge 1 ] || fail "no push waited for the lock"
}

test_ten_apps_deploy_in_parallel() {
  mkdir "$SCRATCH/barrier"; chmod 777 "$SCRATCH/barrier"   # each app's own user writes here
  local i pids=""
  for i in $(seq 10); do
    new_app "app$i" barrier
    sw config:set "BARRIER=$SCRATCH/barrier" BARRIER_COUNT=10 "APP_NAME=app$i" -a "app$i" >/dev/null
  done
  for i in $(seq 10); do
    git -C "$SCRATCH/src-app$i" push deploy HEAD:refs/heads/main > "push$i.out" 2>&1 &
    pids="$pids $!"
  done
  for p in $pids; do wait "$p" || true; done
  for i in $(seq 10); do
    assert_contains "push$i.out" "all 10 running together"
    assert_current "app$i" v1
  done
}

test_rollback_during_a_release_phase_waits_with_wait() {
  new_app hello release-knobs
  watch_overlap hello
  push >/dev/null
  echo slow > "$SRC/MODE"; git -C "$SRC" add MODE; git -C "$SRC" commit -qm slow
  push > /dev/null &
  local pid=$!
  for _ in $(seq 600); do grep -q "step 1" push.out 2>/dev/null && break; sleep 0.1; done
  run_sw rb.out rollback v1 --wait -a hello
  wait $pid
  assert_eq 0 "$SW_STATUS"
  assert_not_contains rb.out "OVERLAP"
  assert_not_contains push.out "OVERLAP"
  assert_status hello v2 succeeded
  assert_eq "Rollback to v1" "$(record_field hello v3 description)"
  assert_current hello v3
}

test_modes_keep_secrets_private() {
  new_app hello hello
  sw config:set SECRET=s3cret -a hello >/dev/null
  push >/dev/null
  local a; a=$(app_dir hello)
  assert_eq 600 "$(stat -c %a "$a/env")"
  assert_eq 600 "$(stat -c %a "$a/releases/v1/env")"
  assert_eq 640 "$(stat -c %a "$a/releases/v1/release.yml")"
  assert_eq 640 "$(stat -c %a "$a/settings.yml")"
  for d in "$a" "$a/releases" "$a/releases/v1" "$a/slugs" "$a/cache" "$a/builds"; do
    assert_eq 750 "$(stat -c %a "$d")" "mode of $d"
  done
  # Nothing under the app is readable or writable by others.
  local loose; loose=$(find "$a" -path "$a/repo.git" -prune -o ! -type l -perm /o+w -print | head -3)
  [ -z "$loose" ] || fail "world-writable: $loose"
}

test_doctor_reports_and_fixes() {
  new_app hello release-knobs
  push >/dev/null
  run_sw clean.out doctor -a hello
  assert_eq 0 "$SW_STATUS"
  assert_contains clean.out "^1 apps checked: 0 problems, 0 fixed$"
  local a; a=$(app_dir hello)
  chmod 644 "$a/env"
  mkdir "$a/tmp/build-99999"; touch "$a/releases/v1/env.tmp.99999"
  local id; id=$(slug_of hello v1)
  printf 'x' >> "$a/slugs/$id.tar.zst"
  run_sw report.out doctor
  assert_eq 1 "$SW_STATUS"
  assert_contains report.out "^hello: fixable: mode of $a/env is 0644 \(at most 0600\)$"
  assert_contains report.out "^hello: fixable: leftover staging directories in $a/tmp$"
  assert_contains report.out "^hello: fixable: leftover temporary file $a/releases/v1/env.tmp.99999$"
  assert_contains report.out "^hello: problem: slug .*$id.tar.zst does not match its sha256"
  run_sw fix.out doctor --fix -a hello
  assert_contains fix.out "^hello: fixed: mode of"
  assert_eq 600 "$(stat -c %a "$a/env")"
  [ ! -e "$a/releases/v1/env.tmp.99999" ] || fail "leftover not removed"
  run_sw after.out doctor -a hello
  assert_contains after.out "^1 apps checked: 1 problems, 0 fixed"
}
