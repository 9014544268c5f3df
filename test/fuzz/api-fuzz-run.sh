#!/usr/bin/env bash
# Fuzz the Platform API over HTTP (test/fuzz/api_fuzz.py), every route family for SECONDS
# each, against a serve --api of its own: a scratch root with one pushed app and an admin's
# token, on a free loopback port; everything stopped and removed at the end.
# Usage: test/fuzz/api-fuzz-run.sh SECONDS [SEED]   (make fuzz; t_api runs it briefly)
set -euo pipefail
seconds=${1:?seconds per family}
seed=${2:-$RANDOM}
top=$(cd "$(dirname "$0")/../.." && pwd)
slipway=${SLIPWAY_BIN:-$top/bin/slipway}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/slipway-fuzz-api.XXXXXX")
chmod 755 "$scratch"
serve_pid=
cleanup() {
  if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
export SLIPWAY_ROOT=$scratch/root HOME=$scratch/home GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
export GIT_AUTHOR_NAME=Fuzz GIT_AUTHOR_EMAIL=fuzz@example.com GIT_COMMITTER_NAME=Fuzz GIT_COMMITTER_EMAIL=fuzz@example.com
mkdir -p "$HOME"
"$slipway" apps:create fuzzed >/dev/null
cp -a "$top/test/fixtures/apps/hello" "$scratch/app"
(cd "$scratch/app" && git init -q -b main && git add -A && git commit -qm fuzz &&
  git push -q "$SLIPWAY_ROOT/apps/fuzzed/repo.git" main 2>/dev/null)
"$slipway" users:add fuzzer --admin >/dev/null
token=$("$slipway" tokens:create fuzzer 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$slipway" serve --api "127.0.0.1:$port" >"$scratch/serve.out" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/account" && break; sleep 0.1; done
echo "fuzz_api seed $seed"
status=0
python3 "$top/test/fuzz/api_fuzz.py" 127.0.0.1 "$port" fuzzed "$token" "$seconds" "$seed" \
  apps releases config_vars formation slugs addons logs activity || status=1
kill -0 "$serve_pid" 2>/dev/null || { echo "fuzz_api: serve died; its output:"; tail -n 20 "$scratch/serve.out"; status=1; }
exit $status
