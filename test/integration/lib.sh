# Helpers for integration tests. Each test_* function runs in its own scratch directory
# ($SCRATCH) with its own HOME, root, git identity and locale; nothing outside is read.
# Tests push with real git into real bare repositories whose hooks run the real binary.

FIXTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures" && pwd)

setup_scratch() {
  export HOME="$SCRATCH/home" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C LANG=C TZ=UTC
  export GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=tester@example.com
  export GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=tester@example.com
  export SLIPWAY_ROOT="$SCRATCH/root" SLIPWAY_USER=tester@example.com
  unset SLIPWAY_FAULT SLIPWAY_LOG GIT_DIR GIT_WORK_TREE
  mkdir -p "$HOME"
  # Like /var/lib/slipway: apps' own users (when tests run as root) must reach their trees.
  chmod 755 "$SCRATCH"
  git config --global init.defaultBranch main
  git config --global advice.detachedHead false
  git config --global protocol.file.allow always
}

# skip REASON: end this test as skipped (exit 77), saying why.
skip() {
  echo "SKIP: $*"
  exit 77
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

sw() {
  "$SLIPWAY_BIN" "$@"
}

# new_app APP FIXTURE: create the app and a source repo ($SRC) from test/fixtures/apps/FIXTURE,
# committed, with the remote 'deploy' pointing at the app.
new_app() {
  local app=$1 fixture=$2
  sw apps:create "$app" >/dev/null
  SRC="$SCRATCH/src-$app"
  rm -rf "$SRC"
  mkdir -p "$SRC"
  cp -a "$FIXTURES/apps/$fixture/." "$SRC/"
  git -C "$SRC" init -q
  git -C "$SRC" add -A
  git -C "$SRC" commit -qm "initial $fixture"
  git -C "$SRC" remote add deploy "$SLIPWAY_ROOT/apps/$app/repo.git"
}

# push [git push args...]: push HEAD to the deploy branch; output in $SCRATCH/push.out,
# exit status in $PUSH_STATUS. Never fails by itself: tests check what happened.
push() {
  set +e
  git -C "$SRC" push "$@" deploy HEAD:refs/heads/main >"$SCRATCH/push.out" 2>&1
  PUSH_STATUS=$?
  set -e
  cat "$SCRATCH/push.out"
}

# commit FILE LINE MESSAGE: append LINE to FILE in $SRC and commit.
commit() {
  printf '%s\n' "$2" >>"$SRC/$1"
  git -C "$SRC" add -A
  git -C "$SRC" commit -qm "$3"
}

head_sha() { git -C "$SRC" rev-parse HEAD; }

app_dir() { echo "$SLIPWAY_ROOT/apps/$1"; }

# A top-level field of a release record, as a sysadmin would read it (YAML quotes removed).
record_field() { sed -n "s/^$3: //p" "$(app_dir "$1")/releases/$2/release.yml" | sed 's/^"\(.*\)"$/\1/'; }

assert_eq() {
  [ "$1" = "$2" ] || fail "${3:-values differ}: expected '$1', got '$2'"
}

# assert_contains FILE PATTERN (grep -E)
assert_contains() {
  grep -qE -- "$2" "$1" || { cat "$1" >&2; fail "'$1' does not contain /$2/"; }
}

# re_escape TEXT: TEXT as a grep -E pattern that matches it literally.
re_escape() { printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'; }

assert_not_contains() {
  if grep -qE -- "$2" "$1"; then cat "$1" >&2; fail "'$1' contains /$2/"; fi
}

assert_current() {
  local target
  target=$(readlink "$(app_dir "$1")/current" || true)
  assert_eq "releases/$2" "$target" "current of $1"
  [ -d "$(app_dir "$1")/current/app" ] || fail "current of $1 does not resolve to an unpacked release"
}

assert_status() {
  assert_eq "$3" "$(record_field "$1" "$2" status)" "status of $1 $2"
}

# run_sw OUTFILE ARGS...: run slipway, keep stdout+stderr in OUTFILE and the status in $SW_STATUS.
run_sw() {
  local outfile=$1
  shift
  set +e
  "$SLIPWAY_BIN" "$@" >"$outfile" 2>&1
  SW_STATUS=$?
  set -e
}

# allow_buildpacks DIR: let apps name buildpacks by path (or file:// URL) below DIR.
allow_buildpacks() {
  sw settings:set --server buildpack_dirs="$1" >/dev/null
}

# use_buildpacks NAME...: copy fixture buildpacks into the scratch dir (they may write their
# export file) and commit a .buildpacks file listing them, in order.
use_buildpacks() {
  allow_buildpacks "$SCRATCH/buildpacks"
  : >"$SRC/.buildpacks"
  local bp
  for bp in "$@"; do
    mkdir -p "$SCRATCH/buildpacks"
    cp -a "$FIXTURES/buildpacks/$bp" "$SCRATCH/buildpacks/$bp"
    echo "$SCRATCH/buildpacks/$bp" >>"$SRC/.buildpacks"
  done
  git -C "$SRC" add -A
  git -C "$SRC" commit -qm "buildpacks: $*"
}

# watch_overlap APP: from now on, a release-knobs release phase of APP fails (OVERLAP, exit 9)
# if another one of APP runs at the same time.
watch_overlap() {
  mkdir -p "$SCRATCH/overlap-$1"
  chmod 777 "$SCRATCH/overlap-$1"
  sw config:set OVERLAP_DIR="$SCRATCH/overlap-$1" "${@:2}" -a "$1" >/dev/null
}

# The slug record of release v$2 of app $1.
slug_of() { sed -n 's/^  id: //p' "$(app_dir "$1")/releases/$2/release.yml"; }

# wait_for WHAT COMMAND...: retry COMMAND every 0.1 s for up to WAIT_SECONDS (20); fail
# naming WHAT when it never succeeds.
wait_for() {
  local what=$1 i
  shift
  for ((i = 0; i < ${WAIT_SECONDS:-20} * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "timed out waiting for $what"
}

# start_serve [SERVE-ARGS...]: run `slipway serve` on this test's root in the background ($SERVE_PID, output
# in $SCRATCH/serve.out); it is stopped when the test ends, however it ends.
# The router listens on 127.0.0.1:$ROUTER_PORT, a port free when it starts.
start_serve() {
  # The same port all through a test, as a server's: a serve started again finds its router there.
  [ -n "${ROUTER_PORT:-}" ] || ROUTER_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$SLIPWAY_BIN" serve --http "127.0.0.1:$ROUTER_PORT" "$@" >"$SCRATCH/serve.out" 2>&1 &
  SERVE_PID=$!
  trap stop_serve EXIT
  wait_for "slipway serve to start" test -S "$SLIPWAY_ROOT/run/serve.sock"
}

# root_pids PATTERN: processes matching PATTERN (pgrep -f) that work inside this test's root.
root_pids() {
  local pid
  for pid in $(pgrep -f "$1"); do
    case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in "$SLIPWAY_ROOT"/*) echo "$pid" ;; esac
  done
}

# router_pid: the HAProxy serving this test's root (serve writes its pid file).
router_pid() { cat "$SLIPWAY_ROOT/router/haproxy.pid"; }

# router_settled: HAProxy answers on its admin socket. Routing changes are made through it,
# never by a reload, so from then on every request is routed by what serve applied.
router_settled() {
  [ -S "$SLIPWAY_ROOT/router/admin.sock" ] &&
    python3 -c 'import socket, sys
c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1]); c.sendall(b"show info\n")
sys.exit(0 if b"Pid:" in c.makefile("rb").read() else 1)' "$SLIPWAY_ROOT/router/admin.sock" 2>/dev/null
}

# scans_done: how many full scans serve has finished (run/serve.scans; 0 before the first).
scans_done() { cat "$SLIPWAY_ROOT/run/serve.scans" 2>/dev/null || echo 0; }

# scans_reached N: serve has finished at least N full scans.
scans_reached() { [ "$(scans_done)" -ge "$1" ]; }

# full_scans_pass N: wait until serve has finished N more full scans than it had now; with
# N=2 at least one scan started after this call and ended: what it would do is done.
full_scans_pass() { wait_for "$1 full scans of serve" scans_reached $(($(scans_done) + $1)); }

stop_serve() {
  if [ -n "${SERVE_PID:-}" ]; then
    kill -TERM "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || true
    SERVE_PID=
  fi
  # A serve killed outright leaves its router serving: every HAProxy of this test's root, by
  # the config path under its scratch directory (a serve that failed to take one over may
  # have left two).
  local router
  for router in $(pgrep -f -- "-f $SLIPWAY_ROOT/router/haproxy.cfg" || true); do
    kill -KILL "$router" 2>/dev/null || true
  done
}

# dyno_field APP DYNO FIELD: a field of DYNO's newest entry in serve's dynos.json ("" if none).
dyno_field() {
  python3 - "$(app_dir "$1")/dynos.json" "$2" "$3" <<'PY'
import json, sys
try:
    dynos = [d for d in json.load(open(sys.argv[1])) if d["name"] == sys.argv[2]]
except (OSError, ValueError):
    dynos = []
print(max(dynos, key=lambda d: d["release"])[sys.argv[3]] if dynos else "")
PY
}

# router_get HOST [CURL ARGS...]: what GET / through the router answers for HOST.
router_get() {
  local host=$1
  shift
  curl -s --max-time 5 -H "Host: $host" "$@" "http://127.0.0.1:$ROUTER_PORT/"
}

# dyno_get APP DYNO: what GET / on DYNO's port answers (fails when nothing answers).
dyno_get() {
  local port; port=$(dyno_field "$1" "$2" port)
  [ -n "$port" ] && curl -sf --max-time 5 "http://127.0.0.1:$port/"
}

# dyno_is APP DYNO STATE [RELEASE]
dyno_is() {
  [ "$(dyno_field "$1" "$2" state)" = "$3" ] && { [ -z "${4:-}" ] || [ "$(dyno_field "$1" "$2" release)" = "$4" ]; }
}

# router_answers HOST TEXT: the router answers GET / for HOST with exactly TEXT.
router_answers() { [ "$(router_get "$1")" = "$2" ]; }

# cgroup_dir PID: the cgroup v2 directory of process PID.
cgroup_dir() { echo "$(findmnt -n -t cgroup2 -o TARGET | head -1)$(sed -n 's/^0:://p' "/proc/$1/cgroup")"; }

# django_db APP: the Django fixture's SQLite database outside the release, where APP's user
# may write it (DATABASE_PATH).
django_db() {
  mkdir -m 0700 "$SCRATCH/db"
  chown "slipway-$1:slipway-$1" "$SCRATCH/db"
  sw config:set DATABASE_PATH="$SCRATCH/db/db.sqlite3" -a "$1" >/dev/null
}
