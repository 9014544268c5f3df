#!/usr/bin/env bash
# `make deps demo` in parallel on a machine without the -dev packages (issue 27), reproduced:
# in a fresh clone of HEAD, a `pkg-config` that fails until a fake `apt-get install` has run
# (which takes a few seconds, as the real one does) stands first on PATH. Both spellings are
# tried, `make -j2 deps demo` and `MAKEFLAGS=-j2 make deps demo`: each must pass, and no
# pkg-config call may have been made before the install finished. The packages themselves
# must already be installed (the real pkg-config answers once the fake install ran).
# Usage: test/fresh/deps-then-build.sh   (make test-fresh). Ends with "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/slipway-fresh.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0

real_pkg_config=$(command -v pkg-config) || { echo "FAIL fresh: pkg-config is not installed; run make deps"; echo "0 passed, 1 failed"; exit 1; }
fake=$scratch/fake-bin
mkdir -p "$fake"
cat >"$fake/pkg-config" <<EOF
#!/usr/bin/env bash
# Fails, as on a fresh machine, until the fake apt-get has installed the packages.
if [ -e "$scratch/installed" ]; then echo "answered \$*" >>"$scratch/calls"; exec "$real_pkg_config" "\$@"; fi
echo "refused \$*" >>"$scratch/calls"
echo "Package libpq was not found in the pkg-config search path." >&2
exit 1
EOF
cat >"$fake/apt-get" <<EOF
#!/usr/bin/env bash
echo "apt-get \$*" >>"$scratch/calls"
case " \$* " in *" install "*) sleep 4; touch "$scratch/installed" ;; esac
EOF
# The pinned heroku CLI is for the API's tests, not for this: no npm install here.
cat >"$fake/npm" <<EOF
#!/usr/bin/env bash
echo "npm \$*" >>"$scratch/calls"
EOF
chmod 755 "$fake"/*

# attempt NAME COMMAND...: a build in the clone, from nothing installed: the first a clean one;
# later ones rebuild a few objects in parallel and relink (every compile waits for deps by the
# same rule, so a few show the order as well as all: CI's step went from 330 s to 160 s).
attempt() {
  local name=$1; shift
  rm -f "$scratch/installed" "$scratch/calls"
  if [ -d "$scratch/clone/build" ]; then
    (cd "$scratch/clone" && rm -f bin/slipway bin/slipway-engine build/libslipway.a build/bin/*.o \
      build/lib/util/fs.o build/lib/core/run/serve.o build/lib/api/server.o build/lib/cmd/main.o)
  fi
  # -O0: this checks the order of the build, not the code; it halves the compile time.
  (cd "$scratch/clone" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS PATH="$fake:$PATH" CXXFLAGS=-O0 SUDO= "$@") \
    >"$scratch/$name.log" 2>&1
  local st=$?
  local why=""
  [ "$st" -eq 0 ] || why="make exited $st"
  grep -q '^refused' "$scratch/calls" 2>/dev/null && why="${why:+$why; }pkg-config was asked before the install finished"
  grep -q '^answered' "$scratch/calls" 2>/dev/null || why="${why:+$why; }the build never asked pkg-config"
  grep -q 'requests during the deploy, 0 failed' "$scratch/$name.log" || why="${why:+$why; }the demo did not finish"
  if [ -z "$why" ]; then
    passed=$((passed + 1))
    echo "ok fresh.$name"
  else
    failed=$((failed + 1))
    echo "FAIL fresh.$name: $why"
    tail -n 25 "$scratch/$name.log" | sed 's/^/    /'
    sed 's/^/    calls: /' "$scratch/calls" 2>/dev/null | head -n 20
  fi
}

chmod 755 "$scratch" # as root, the demo's app users run the clone's buildpacks
git clone -q "$top" "$scratch/clone"
attempt make_j2_deps_demo make -j2 deps demo
attempt makeflags_j2_deps_demo env MAKEFLAGS=-j2 make deps demo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
