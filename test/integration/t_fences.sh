# Tenants fenced in (issue 21, items 7 and 8): each app's processes, memory and CPU are its
# own (process_limit, dyno sizes, R14/R15), and a web dyno's port is its own app's alone.
# Beside t_dynos so that the two run in parallel.

# two_web_apps APP: 'hello' and APP, both of the web fixture, deployed and answering through
# the router of a serve started here ($SRC is APP's).
two_web_apps() {
  new_app hello web
  local hello_src=$SRC
  new_app "$1" web
  start_serve
  push >/dev/null
  SRC=$hello_src push >/dev/null
  wait_for "$1.localhost to answer" router_answers "$1.localhost" "one hello web.1"
  wait_for "hello.localhost to answer" router_answers hello.localhost "one hello web.1"
}

# Issue 21, item 7 (processes): an app's code, dynos and one-offs alike, may have at most its
# process_limit processes at once (its user's RLIMIT_NPROC): a fork bomb stops there, and
# another app's dynos answer and its commands fork as before.
test_a_fork_bomb_stops_at_the_apps_process_limit_and_others_run_on() {
  [ "$(id -u)" -eq 0 ] || skip "needs root: the limit is the app user's"
  two_web_apps bomb
  sw settings:set process_limit=40 -a bomb >/dev/null
  run_sw limit.out settings:set process_limit=15 -a bomb
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: setting 'process_limit' takes a whole number of at least 16, not '15'" "$(cat limit.out)"
  assert_eq 40 "$(sw settings -a bomb | awk '$1 == "process_limit:" {print $2}')"
  cp "$FIXTURES/fork-bomb.py" "$SCRATCH/fork-bomb.py"; chmod 755 "$SCRATCH" "$SCRATCH/fork-bomb.py"
  run_sw bomb.out run -a bomb -- python3 "$SCRATCH/fork-bomb.py" 500
  assert_contains bomb.out "^refused: Resource temporarily unavailable$"
  local forked; forked=$(sed -n 's/^forked \([0-9]*\) of 500$/\1/p' bomb.out)
  [ -n "$forked" ] && [ "$forked" -lt 40 ] || fail "the bomb forked past its limit: $(cat bomb.out)"
  # Meanwhile, and after, the other app is untouched.
  assert_contains <(router_get hello.localhost) "one hello web.1"
  run_sw other.out run -a hello -- python3 "$SCRATCH/fork-bomb.py" 100
  assert_contains other.out "^forked 100 of 100$"
}

# dyno_limits APP DYNO: "MEMORY_MAX CPU_WEIGHT" of the cgroup that limits the dyno's process
# (cgroup v1's memory and cpu hierarchies, or its cgroup v2 one), cpu in cgroup v2's units.
dyno_limits() {
  local handle pid
  handle=$(dyno_field "$1" "$2" handle) pid=${handle%% *}
  [ -n "$pid" ] || return 1
  local memory cpu
  memory=$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}memory\(,[^:]*\)\{0,1\}://p' "/proc/$pid/cgroup")
  cpu=$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}cpu\(,[^:]*\)\{0,1\}://p' "/proc/$pid/cgroup")
  if [ -n "$memory" ]; then
    echo "$(cat "$(findmnt -n -t cgroup -O memory -o TARGET | head -1)$memory/memory.limit_in_bytes")" \
      "$(( $(cat "$(findmnt -n -t cgroup -O cpu -o TARGET | head -1)$cpu/cpu.shares") * 100 / 1024 ))"
  else
    local cg; cg=$(cgroup_dir "$pid")
    echo "$(cat "$cg/memory.max") $(cat "$cg/cpu.weight")"
  fi
}

handle_changed() { local now; now=$(dyno_field "$1" "$2" handle); [ -n "$now" ] && [ "$now" != "$3" ]; }
limits_are() { [ "$(dyno_limits "$1" "$2")" = "$3" ]; }

# Issue 21, item 7 (memory and CPU): each process type runs at a Heroku size; above its size's
# memory a dyno is told (R14), at twice it the kernel kills it and it restarts (R15); another
# app answers throughout. Bad sizes change nothing.
test_dynos_run_at_their_size_and_a_memory_hog_is_stopped_alone() {
  [ "$(id -u)" -eq 0 ] || skip "needs root: limits are cgroups"
  two_web_apps hog
  ! grep -q "without memory and CPU limits" serve.out || fail "serve found no cgroup controllers: $(cat serve.out)"
  assert_eq "$((1024 << 20)) 100" "$(dyno_limits hog web.1)" "a standard-1X web dyno's limits"
  # Bad sizes: one line each, nothing stored.
  local bad
  for bad in "web=standard-3X|'web=standard-3X': no dyno size 'standard-3X'; the sizes are eco, basic, standard-1X, standard-2X, performance-M, performance-L" \
             "web|expected TYPE=SIZE, like web=standard-2X, not 'web'" \
             "=eco|expected TYPE=SIZE, like web=standard-2X, not '=eco'" \
             "release=eco|no process type 'release' to resize; this release has: web, worker" \
             "clock=eco|no process type 'clock' to resize; this release has: web, worker"; do
    run_sw resize.out ps:resize "${bad%%|*}" -a hog
    assert_eq 2 "$SW_STATUS" "ps:resize ${bad%%|*}"
    assert_eq "slipway: error: ${bad#*|}" "$(cat resize.out)"
  done
  run_sw size.out settings:set dyno_size=huge -a hog
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: setting 'dyno_size' takes one of eco, basic, standard-1X, standard-2X, performance-M, performance-L, not 'huge'" "$(cat size.out)"
  [ ! -e "$(app_dir hog)/sizes.yml" ] || fail "a bad size was stored: $(cat "$(app_dir hog)/sizes.yml")"
  assert_eq "standard-1X" "$(sw settings -a hog | awk '$1 == "dyno_size:" {print $2}')"
  # A resize (any letter case) restarts the type at its new size.
  local handle; handle=$(dyno_field hog web.1 handle)
  run_sw resized.out ps:resize web=STANDARD-2x -a hog
  assert_eq 0 "$SW_STATUS"
  assert_contains resized.out "^web: standard-2X \(1024 MB, CPU share 2x\)$"
  assert_contains resized.out "^worker: standard-1X \(512 MB, CPU share 1x\)$"
  assert_eq "web: standard-2X" "$(cat "$(app_dir hog)/sizes.yml")"
  wait_for "web.1 restarted" handle_changed hog web.1 "$handle"
  wait_for "web.1 up again" dyno_is hog web.1 up 1
  assert_eq "$((2048 << 20)) 200" "$(dyno_limits hog web.1)" "a standard-2X web dyno's limits"
  run_sw ps.out ps -a hog
  assert_contains ps.out "^=== web \(standard-2X\): python3 -u server.py \(1\)$"
  sw ps:resize web=standard-1X -a hog >/dev/null
  wait_for "web.1 back at standard-1X" limits_are hog web.1 "$((1024 << 20)) 100"
  wait_for "web.1 up at standard-1X" dyno_is hog web.1 up 1
  handle=$(dyno_field hog web.1 handle)
  local log; log="$(app_dir hog)/logs/app.log"
  # Past twice its size (1 GB) in a child: the kernel kills the child (the largest process),
  # serve says R15 and stops the whole dyno, which starts again.
  assert_eq "child started" "$(curl -s --max-time 20 -H 'Host: hog.localhost' "http://127.0.0.1:$ROUTER_PORT/hog-child?mb=1100")"
  wait_for "R15 in the log" grep -q "slipway\[web.1\]: Error R15 (Memory quota vastly exceeded)$" "$log"
  wait_for "web.1 started again" handle_changed hog web.1 "$handle"
  wait_for "hog.localhost to answer again" router_answers hog.localhost "one hello web.1"
  [ -z "$(root_pids "x = b'x' \* \(1100 << 20\)")" ] || fail "the child hog outlived its dyno"
  # Above 512 MB: R14, and it runs on.
  wait_for "web.1 up again" dyno_is hog web.1 up 1
  handle=$(dyno_field hog web.1 handle)
  assert_eq "holding 600 MB" "$(curl -s --max-time 20 -H 'Host: hog.localhost' "http://127.0.0.1:$ROUTER_PORT/hog?mb=600")"
  wait_for "R14 in the log" grep -q "slipway\[web.1\]: Error R14 (Memory quota exceeded)$" "$log"
  assert_contains "$log" "slipway\[web.1\]: Process running mem=[0-9]+M\(1[0-9]{2}\.[0-9]%\)$"
  assert_eq "$handle" "$(dyno_field hog web.1 handle)" "the dyno over its size but under twice it"
  # Past twice it in the dyno's own process: the kernel kills that, and its exit is an R15.
  curl -s --max-time 20 -H 'Host: hog.localhost' "http://127.0.0.1:$ROUTER_PORT/hog?mb=600" >/dev/null || true
  wait_for "the R15 exit in the log" grep -q "slipway\[web.1\]: Error R15 (Memory quota vastly exceeded): .*; State changed to crashed" "$log"
  wait_for "web.1 started again" handle_changed hog web.1 "$handle"
  wait_for "hog.localhost to answer again" router_answers hog.localhost "one hello web.1"
  assert_contains <(router_get hello.localhost) "one hello web.1"
  assert_eq 0 "$(grep -c 'slipway\[web.1\]: Error R1[45]' "$(app_dir hello)/logs/app.log")" "R14/R15 of another app"
}

# Issue 21, item 7: a release phase and a one-off run at the app's dyno_size too; past twice
# its memory each is stopped and says why, and the release stays where it was.
test_release_phases_and_one_offs_past_twice_their_size_are_stopped() {
  [ "$(id -u)" -eq 0 ] || skip "needs root: limits are cgroups"
  new_app hog web
  push >/dev/null
  assert_current hog v1
  run_sw hog.out config:set HOG_MB=1100 -a hog
  [ "$SW_STATUS" -ne 0 ] || fail "a release phase past its size succeeded: $(cat hog.out)"
  assert_contains hog.out "release command ran out of memory: Error R15 \(Memory quota vastly exceeded\), past twice its dyno size's; give the app a larger one \(settings:set dyno_size=...\)"
  ! grep -q "^the hog survived$" hog.out || fail "the release phase went past its size"
  assert_current hog v1
  run_sw run.out run -a hog -- python3 -c 'x = b"x" * (1100 << 20); print("the hog survived")'
  [ "$SW_STATUS" -ge 128 ] || fail "a one-off past its size exited $SW_STATUS: $(cat run.out)"
  assert_contains run.out "the command ran out of memory: Error R15 \(Memory quota vastly exceeded\)"
  ! grep -q "^the hog survived$" run.out || fail "the one-off went past its size"
  # Within its size (standard-2X: 2 GB), the same one-off runs.
  sw settings:set dyno_size=standard-2X -a hog >/dev/null
  run_sw run2.out run -a hog -- python3 -c 'x = b"x" * (1100 << 20); print("the hog survived")'
  assert_eq 0 "$SW_STATUS" "the one-off within its size: $(cat run2.out)"
  assert_contains run2.out "^the hog survived$"
}

# connect_from APP PORT: a one-off of APP (its user) sends GET / to 127.0.0.1:PORT and prints
# the status line, or the error.
connect_from() {
  run_sw "connect-$1.out" run -a "$1" -- python3 -c '
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 3)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    print(s.recv(100).decode().splitlines()[0])
except OSError as e:
    print(type(e).__name__)
' "$2"
  cat "connect-$1.out"
}

# Issue 21, item 8: a web dyno's port takes connections from its own app's processes, the
# router and root only; another app's process is refused. The fence goes with serve.
test_another_apps_process_cannot_reach_a_dynos_port() {
  [ "$(id -u)" -eq 0 ] || skip "needs root: the fence is nftables"
  two_web_apps intruder
  ! grep -q "can reach web dynos" serve.out || fail "serve could not fence: $(cat serve.out)"
  local port; port=$(dyno_field hello web.1 port)
  assert_eq "ConnectionRefusedError" "$(connect_from intruder "$port")" "another app's process to hello's dyno"
  assert_eq "HTTP/1.0 200 OK" "$(connect_from hello "$port")" "hello's own process to its dyno"
  assert_eq "one hello web.1" "$(dyno_get hello web.1)" "root to hello's dyno"
  assert_eq "HTTP/1.0 200 OK" "$(connect_from intruder "$(dyno_field intruder web.1 port)")" "intruder to its own dyno"
  assert_contains <(router_get hello.localhost) "one hello web.1"
  # A restarted dyno's new port is fenced before it listens; the old one is let go.
  local old=$port
  sw ps:restart web -a hello >/dev/null
  wait_for "hello's web.1 on a new port" port_changed hello web.1 "$old"
  wait_for "hello's new web.1 up" dyno_is hello web.1 up 1
  assert_eq "ConnectionRefusedError" "$(connect_from intruder "$(dyno_field hello web.1 port)")" "to the new port"
  local table; table="slipway_$(printf %s "$SLIPWAY_ROOT" | sha256sum | cut -c1-12)"
  wait_for "the old port to be let go" not_fenced "$table" "$old"
  stop_serve
  ! nft list table inet "$table" >/dev/null 2>&1 || fail "serve left its fence behind"
}

more_r10s() { [ "$(grep -c "slipway\[web.1\]: Error R10 (Boot timeout) ->" "$1" || true)" -gt "$2" ]; }
not_fenced() { ! nft list table inet "$1" | grep -q "dport $2 "; }
port_changed() { local now; now=$(dyno_field "$1" "$2" port); [ -n "$now" ] && [ "$now" != "$3" ]; }

# Issue 21, item 8: the port a web dyno is given is its own from then on: another app's
# process cannot bind it (EPERM), and a listener there that is not the dyno's own user (root
# here, which may bind anything) never makes the dyno "up": it fails its boot (R10) as alone.
test_the_port_a_dyno_is_given_cannot_be_taken_first() {
  [ "$(id -u)" -eq 0 ] || skip "needs root: app users"
  new_app intruder web
  push >/dev/null
  new_app hello web
  sw settings:set boot_timeout=15 -a hello >/dev/null # the intruder's one-off runs well before
  echo no-port > "$SRC/WEB_MODE"; git -C "$SRC" add -A; git -C "$SRC" commit -qm "never listens"
  push >/dev/null # before serve runs: nothing waits for web dynos that never listen
  start_serve
  ! grep -q "can take a web dyno's port first" serve.out || fail "serve could not guard ports: $(cat serve.out)"
  wait_for "hello's web.1 to start" dyno_is hello web.1 starting 1
  local port log; port=$(dyno_field hello web.1 port) log="$(app_dir hello)/logs/app.log"
  local r10s; r10s=$(grep -c "slipway\[web.1\]: Error R10 (Boot timeout) ->" "$log" || true)
  run_sw intruder.out run -a intruder -- python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1]))); print("bound")
except OSError as e:
    print(type(e).__name__)
' "$port"
  assert_eq "PermissionError" "$(cat intruder.out)" "another app's bind of hello's port"
  python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); print("listening", flush=True); time.sleep(20)
' "$port" > root-listener.out 2>&1 &
  local listener=$!
  wait_for "root to listen" grep -q "^listening$" root-listener.out
  wait_for "R10 for the launch on port $port" more_r10s "$log" "$r10s"
  ! grep -q "slipway\[web.1\]: State changed from starting to up" "$log" ||
    fail "a listener not of hello's user made hello's web.1 up"
  kill "$listener"
  wait "$listener" 2>/dev/null || true
  # The guard goes with serve.
  stop_serve
  run_sw intruder-after.out run -a intruder -- python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); print("bound")
' "$port"
  assert_eq "bound" "$(cat intruder-after.out)" "another app's bind once serve stopped"
}

# without_cgroups CMD...: become CMD in a mount namespace of its own where no cgroup file
# system is mounted, as on a machine that offers none. It execs (unshare, bash and CMD keep the
# caller's pid): call it in a subshell, or in the background for a pid to stop.
without_cgroups() {
  exec unshare --mount --propagation private bash -c '
    for m in $(findmnt -n -t cgroup,cgroup2 -o TARGET | sort -r); do umount "$m" || exit 1; done
    exec "$@"' without-cgroups "$@"
}

# Issue 21, item 7: where no cgroup controller can limit dynos, serve and doctor say so in one
# line, and dynos run on without.
test_without_cgroup_controllers_serve_and_doctor_say_so() {
  [ "$(id -u)" -eq 0 ] || skip "needs root: a mount namespace"
  new_app hello web
  push >/dev/null
  run_sw doctor-before.out doctor
  assert_not_contains doctor-before.out "^dynos:"
  set +e
  (without_cgroups "$SLIPWAY_BIN" doctor) > doctor.out 2>&1
  local status=$?
  set -e
  assert_eq 1 "$status" "doctor without cgroups: $(cat doctor.out)"
  assert_contains doctor.out "^dynos: problem: dynos would run without memory and CPU limits: no writable cgroup v2 here, and no writable cgroup v1 memory and cpu hierarchies$"
  assert_contains doctor.out "^    boot with cgroup v2 \(systemd.unified_cgroup_hierarchy=1\) and run serve from its systemd unit \(Delegate=yes\), or mount the cgroup v1 memory and cpu hierarchies$"
  ROUTER_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  without_cgroups "$SLIPWAY_BIN" serve --http "127.0.0.1:$ROUTER_PORT" >"$SCRATCH/serve.out" 2>&1 &
  SERVE_PID=$!
  trap stop_serve EXIT
  wait_for "hello.localhost to answer" router_answers hello.localhost "one hello web.1"
  assert_eq 1 "$(grep -c "without memory and CPU limits" serve.out)" "lines saying so: $(cat serve.out)"
  assert_contains serve.out "^slipway serve: dynos run without memory and CPU limits: no writable cgroup v2 here, and no writable cgroup v1 memory and cpu hierarchies$"
  assert_eq "serve" "$(tr '\0' '\n' < "/proc/$SERVE_PID/cmdline" | sed -n 2p)" "the pid stop_serve stops is serve's"
  stop_serve
  ! kill -0 "$SERVE_PID" 2>/dev/null || fail "serve outlived stop_serve"
}
