# Dynos: the formation (ps:scale) and, with `slipway serve`, the processes that run it.

# scale_fails FILE EXPECTED ARGS...: ps:scale refuses with a usage error and changes nothing.
scale_fails() {
  local out=$1 want=$2
  shift 2
  local before; before=$(cat "$(app_dir hello)/formation.yml" 2>/dev/null || echo none)
  run_sw "$out" ps:scale "$@" -a hello
  assert_eq 2 "$SW_STATUS" "exit status of ps:scale $*"
  assert_eq "slipway: error: $want" "$(cat "$out")"
  assert_eq "$before" "$(cat "$(app_dir hello)/formation.yml" 2>/dev/null || echo none)" "formation after ps:scale $*"
}

test_scale_sets_the_formation_and_refuses_bad_input() {
  new_app hello worker
  run_sw none.out ps:scale web=1 -a hello
  assert_eq 1 "$SW_STATUS"
  assert_eq "slipway: error: app 'hello' has no release to scale yet; push to deploy one" "$(cat none.out)"
  [ ! -e "$(app_dir hello)/formation.yml" ] || fail "a formation was stored without a release"
  push >/dev/null
  assert_current hello v1
  # Heroku's default: one web dyno, no other; the release phase is not a dyno.
  assert_eq "web=1 worker=0" "$(sw ps:scale -a hello)"
  sw ps:scale --json -a hello > formation.json
  python3 -c 'import json,sys; f = json.load(open(sys.argv[1])); assert [(x["type"], x["quantity"]) for x in f] == [("web", 1), ("worker", 0)], f' formation.json || fail "ps:scale --json is not the formation list"
  sw ps:scale worker=2 web=0 -a hello > scale.out
  assert_eq "Scaling dynos on hello... done, now web=0 worker=2" "$(cat scale.out)"
  assert_eq "$(printf 'web: 0\nworker: 2')" "$(cat "$(app_dir hello)/formation.yml")"
  scale_fails neg.out "'web=-1': the number of dynos must be a whole number from 0, not '-1'" web=-1
  scale_fails abc.out "'web=abc': the number of dynos must be a whole number from 0, not 'abc'" web=abc
  scale_fails type.out "no process type 'clock' to scale; this release has: web, worker" clock=1
  scale_fails rel.out "no process type 'release' to scale; this release has: web, worker" release=1
  scale_fails big.out "'web=1000': at most 100 dynos of one type (the app's dyno_limit setting)" web=1000
  scale_fails shape.out "expected TYPE=N, like web=2, not 'web'" web
  # One bad argument among good ones changes nothing either.
  scale_fails mixed.out "'web=x': the number of dynos must be a whole number from 0, not 'x'" worker=1 web=x
  sw settings:set dyno_limit=1000 -a hello > /dev/null
  sw ps:scale web=1000 -a hello > /dev/null
  assert_eq "web=1000 worker=2" "$(sw ps:scale -a hello)"
  # A config change keeps the formation.
  sw config:set A=1 -a hello > /dev/null
  assert_eq "web=1000 worker=2" "$(sw ps:scale -a hello)"
}

# dyno_pid APP: the pid of the app's one web process (server.py), found by its app directory.
dyno_pid() {
  local pid
  for pid in $(root_pids "^python3 -u server.py"); do
    case "$(readlink "/proc/$pid/cwd")" in "$(app_dir "$1")"/*) echo "$pid" ;; esac
  done
}

# router_gone PID: HAProxy's PID has exited (a zombie counts as gone).
router_gone() { ! grep -q '^State:[[:space:]]*[^Z]' "/proc/$1/status" 2>/dev/null; }

daemon_runs() { [ -n "$(root_pids '^slipway-test-daemon')" ]; }
not() { ! "$@"; }

no_web_process() { [ -z "$(root_pids "^python3 -u server.py")" ]; }

one_web_process() { [ "$(root_pids "^python3 -u server.py" | wc -l)" = 1 ]; }

# web_pid_other_than PID: a server.py process in this root other than PID exists.
web_pid_other_than() { [ -n "$(root_pids "^python3 -u server.py" | grep -vx "$1")" ]; }

# dyno_answers APP DYNO TEXT
dyno_answers() { [ "$(dyno_get "$1" "$2")" = "$3" ]; }

# dyno_gone APP DYNO
dyno_gone() { [ -z "$(dyno_field "$1" "$2" state)" ]; }

# releases_running APP LIST: the releases serve runs dynos of, e.g. "[3]"
releases_running() {
  [ "$(python3 -c "import json,sys; print(sorted({d['release'] for d in json.load(open(sys.argv[1]))}))" "$(app_dir "$1")/dynos.json")" = "$2" ]
}

test_serve_runs_a_release_only_after_its_release_phase() {
  new_app hello web
  start_serve
  push >/dev/null
  assert_current hello v1
  wait_for "web.1 of v1 to be up" dyno_is hello web.1 up 1
  assert_eq "one hello web.1" "$(dyno_get hello web.1)"
  run_sw ps.out ps -a hello
  assert_contains ps.out "^=== web \(standard-1X\): python3 -u server.py \(1\)$"
  assert_contains ps.out "^web.1: up [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:]{8} \+0000 \(~ [0-9]+s ago\) v1$"
  # A failed release phase starts nothing and leaves v1 serving.
  sw config:set FAIL_RELEASE=yes -a hello > /dev/null 2>&1 || true
  assert_current hello v1
  full_scans_pass 2 # what a full scan would start, it has: it must not start v2
  assert_eq "1" "$(dyno_field hello web.1 release)"
  assert_eq "one hello web.1" "$(dyno_get hello web.1)"
  # A release that passes takes over, and the old web dyno goes only once the new one is up.
  sw config:set FAIL_RELEASE= GREETING=hi -a hello > /dev/null
  assert_current hello v3
  wait_for "web.1 of v3 to serve" dyno_answers hello web.1 "one hi web.1"
  wait_for "v1's web.1 to go" releases_running hello "[3]"
  assert_contains "$(app_dir hello)/logs/app.log" "slipway\[web.1\]: Starting process with command \`python3 -u server.py\` \(v1\) on port [0-9]+$"
  assert_contains "$(app_dir hello)/logs/app.log" "app\[web.1\]: listening on [0-9]+ as web.1$"
  assert_contains "$(app_dir hello)/logs/app.log" "slipway\[web.1\]: Stopping v1 \(SIGTERM\)$"
  assert_not_contains "$(app_dir hello)/logs/app.log" "\(v2\)"
  sw logs -n 3 -a hello > logs.out
  assert_eq 3 "$(wc -l < logs.out)"
}

test_serve_scales_restarts_crashes_and_stops_cleanly() {
  new_app hello web
  start_serve
  push >/dev/null
  wait_for "web.1 up" dyno_is hello web.1 up 1
  sw ps:scale worker=2 web=2 -a hello > /dev/null
  wait_for "web.2 up" dyno_is hello web.2 up 1
  wait_for "worker.2 up" dyno_is hello worker.2 up 1
  wait_for "worker output" grep -q "app\[worker.2\]: working as worker.2" "$(app_dir hello)/logs/app.log"
  assert_eq "one hello web.2" "$(dyno_get hello web.2)"
  sw ps:scale worker=0 web=1 -a hello > /dev/null
  wait_for "worker.1 to go" dyno_gone hello worker.1
  wait_for "web.2 to go" dyno_gone hello web.2
  # A crash restarts the dyno at once.
  local pid; pid=$(root_pids "^python3 -u server.py" | head -1)
  [ -n "$pid" ] || fail "no web process found"
  kill -KILL -- "-$(ps -o pgid= -p "$pid" | tr -d ' ')"
  wait_for "the crash to be noticed" grep -q "slipway\[web.1\]: Process was killed by signal 9; State changed to crashed (restart in 0s)" "$(app_dir hello)/logs/app.log"
  wait_for "web.1 up again" dyno_is hello web.1 up 1
  # A second serve is refused, naming the first.
  run_sw second.out serve
  assert_eq 1 "$SW_STATUS"
  assert_contains second.out "^slipway: error: slipway serve is already running for $SLIPWAY_ROOT \(pid $SERVE_PID since .*\); stop it first$"
  # SIGTERM stops every dyno.
  stop_serve
  [ -z "$(root_pids "^python3 -u server.py")" ] || fail "a dyno outlived serve"
  run_sw ps.out ps -a hello
  assert_eq "No dynos: slipway serve is not running on this server" "$(cat ps.out)"
}

test_restart_and_a_killed_serve_never_run_a_dyno_twice() {
  new_app hello web
  run_sw down.out ps:restart -a hello
  assert_eq 1 "$SW_STATUS"
  assert_eq "slipway: error: slipway serve is not running on this server: no dynos to restart; start it (slipway serve)" "$(cat down.out)"
  # A push while serve is down goes live and says when its dynos start.
  push > down-push.out
  assert_eq 0 "$PUSH_STATUS"
  assert_contains down-push.out "^remote:  !     serve is not running: v1's dynos start when it does \(slipway serve, or systemctl start slipway\)[[:space:]]*$"
  assert_current hello v1
  start_serve
  wait_for "web.1 up" dyno_is hello web.1 up 1
  local first; first=$(root_pids "^python3 -u server.py")
  run_sw bad.out ps:restart clock -a hello
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: no process type or dyno 'clock' on hello (see 'slipway ps -a hello')" "$(cat bad.out)"
  sw ps:restart web.1 -a hello > restart.out
  assert_eq "Restarting web.1 dynos on hello... done" "$(cat restart.out)"
  wait_for "a new web.1" web_pid_other_than "$first"
  wait_for "the old web.1 to go" test ! -e "/proc/$first"
  wait_for "web.1 up again" dyno_is hello web.1 up 1
  # ps:stop: stopped now, started again by the formation.
  local second; second=$(root_pids "^python3 -u server.py")
  sw ps:stop web --json -a hello > stop.out
  assert_eq '{"app":"hello","stopped":"web"}' "$(cat stop.out)"
  wait_for "the stopped web.1 to go" test ! -e "/proc/$second"
  wait_for "web.1 started again" dyno_is hello web.1 up 1
  run_sw stopnone.out ps:stop -a hello
  assert_eq 2 "$SW_STATUS"
  # serve killed outright: its dyno and the router live on; the next serve adopts the dyno
  # (the same process, its output still read) and takes the router over.
  local web group router lines
  web=$(root_pids "^python3 -u server.py")
  group=$(ps -o pgid= -p "$web" | tr -d ' ')
  router=$(router_pid)
  kill -KILL "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  kill -0 "$web" || fail "the dyno died with serve (it should outlive a SIGKILL)"
  kill -0 "$router" || fail "the router died with serve"
  router_answers hello.localhost "one hello web.1" || fail "the router stopped serving with serve"
  start_serve
  wait_for "the new serve's router to take over from the old one" router_gone "$router"
  [ "$(router_pid)" != "$router" ] || fail "the old router's pid is still recorded"
  wait_for "web.1 adopted" grep -q "slipway\[web.1\]: Adopted v1 (process group $group, port [0-9]*) from a serve that was killed$" "$(app_dir hello)/logs/app.log"
  wait_for "web.1 up under the new serve" dyno_is hello web.1 up 1
  full_scans_pass 2 # the new serve has looked at everything: no second web process
  assert_eq "$web" "$(root_pids "^python3 -u server.py")" "the web process after the restart"
  assert_not_contains "$(app_dir hello)/logs/app.log" "left running by a serve that was killed"
  lines=$(wc -l < "$(app_dir hello)/logs/app.log")
  router_answers hello.localhost "one hello web.1" || fail "the adopted dyno does not answer"
  wait_for "the adopted dyno's output in the log" log_since "$lines" "app\[web.1\]: request \"GET / HTTP"
  # A dyno that cannot be adopted (its output FIFO gone) is stopped, and the formation starts
  # another: never two.
  kill -KILL "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  rm "$SLIPWAY_ROOT"/run/dynos/*
  start_serve
  wait_for "the orphan to be stopped" test ! -e "/proc/$web"
  wait_for "web.1 up under the new serve" dyno_is hello web.1 up 1
  wait_for "one web process" one_web_process
  full_scans_pass 2
  assert_eq 1 "$(root_pids "^python3 -u server.py" | wc -l)"
  assert_contains "$(app_dir hello)/logs/app.log" "slipway\[web.1\]: Stopping v1 \(process group $group\), left running by a serve that was killed$"
}

# requests_seen N: the app hello's web dynos logged more than N requests.
requests_seen() { [ "$(grep -c 'app\[web.1\]: request' "$(app_dir hello)/logs/app.log")" -gt "$1" ]; }

# A record naming a process that is not the app's (dynos.json forged by whoever could write
# it) is neither adopted nor signalled.
test_a_killed_serve_s_record_is_not_taken_on_trust() {
  [ "$(id -u)" -eq 0 ] || skip "needs root for app users"
  new_app hello web
  start_serve
  push >/dev/null
  wait_for "web.1 up" dyno_is hello web.1 up 1
  kill -KILL "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  setsid sleep 300 &
  local other=$! start
  start=$(sed 's/.*) //' "/proc/$other/stat" | cut -d' ' -f20)
  python3 -c 'import json, sys
p = sys.argv[1]; d = json.load(open(p)); d[0]["handle"] = sys.argv[2]; json.dump(d, open(p, "w"))' \
    "$(app_dir hello)/dynos.json" "$other $start"
  mkfifo "$SLIPWAY_ROOT/run/dynos/$other-$start"
  start_serve
  wait_for "web.1 up under the new serve" dyno_is hello web.1 up 1
  full_scans_pass 2
  kill -0 "$other" || fail "serve signalled a process that is not the app's"
  kill "$other"
  assert_not_contains "$(app_dir hello)/logs/app.log" "Adopted v1"
  assert_not_contains "$(app_dir hello)/logs/app.log" "process group $other"
  wait_for "one web process" one_web_process
}

# log_since LINE PATTERN: the app hello's log has a line matching PATTERN after line LINE.
log_since() { tail -n "+$(($1 + 1))" "$(app_dir hello)/logs/app.log" | grep -q "$2"; }

# router_answers HOST TEXT

test_the_router_sends_each_host_to_its_app() {
  new_app hello web
  start_serve
  push >/dev/null
  wait_for "hello.localhost to answer" router_answers hello.localhost "one hello web.1"
  wait_for "the router's workers of older configs to stop taking requests" router_settled
  assert_eq "No such app on this server" "$(router_get nope.localhost)"
  # Host names match without case, port or a trailing dot.
  assert_eq "one hello web.1" "$(router_get HELLO.LocalHost.)"
  assert_eq "one hello web.1" "$(router_get "hello.localhost:$ROUTER_PORT")"
  router_get hello.localhost -o /dev/null -w '%{http_code}\n' > code.out
  assert_eq 200 "$(cat code.out)"
  curl -s -H "Host: hello.localhost" "http://127.0.0.1:$ROUTER_PORT/headers" > headers.out
  assert_contains headers.out "^Host: hello.localhost$"
  assert_contains headers.out "^X-Forwarded-For: 127.0.0.1$"
  assert_contains headers.out "^X-Forwarded-Proto: http$"
  assert_contains headers.out "^X-Forwarded-Port: $ROUTER_PORT$"
  assert_contains headers.out "^X-Request-Id: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$"
  assert_contains headers.out "^X-Request-Start: t=[0-9]{13}$"
  # Each request, as Heroku's router logs it, in the app's log.
  wait_for "the router's line" grep -q 'slipway\[router\]: at=info method=GET path="/headers"' "$(app_dir hello)/logs/app.log"
  assert_contains "$(app_dir hello)/logs/app.log" ' slipway\[router\]: at=info method=GET path="/headers" host=hello.localhost request_id=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12} fwd="127.0.0.1" dyno=web.1 connect=[0-9]+ms service=[0-9]+ms status=200 bytes=[0-9]+ protocol=http$'
  assert_not_contains "$(app_dir hello)/logs/app.log" "path=\"/\" host=nope.localhost"
  # Issue 21, row 8: the router's config lists every dyno's port: root's alone.
  assert_eq 600 "$(stat -c %a "$SLIPWAY_ROOT/router/haproxy.cfg")"
  assert_eq 600 "$(stat -c %a "$SLIPWAY_ROOT/router/admin.sock")"
  if [ "$(id -u)" -eq 0 ]; then
    ! setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$SLIPWAY_ROOT/router/haproxy.cfg" >/dev/null 2>&1 ||
      fail "another user read the router's config"
  fi
  # Custom domains, and what they refuse.
  sw domains:add www.example.com -a hello > add.out
  assert_eq "Adding www.example.com to hello... done" "$(cat add.out)"
  wait_for "www.example.com to answer" router_answers www.example.com "one hello web.1"
  sw apps:create other > /dev/null
  # An app made while the router runs gets a backend of its own at once (no restart).
  local router; router=$(router_pid)
  wait_for "the new app's 503" router_answers other.localhost "other: no web dyno is running"
  assert_eq "$router" "$(router_pid)"
  run_sw taken.out domains:add www.example.com -a other
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: domain www.example.com already belongs to app hello" "$(cat taken.out)"
  # Issue 21, row 5: names under the server's domain are each app's own, existing or not.
  local host
  for host in hello.localhost carolapp.localhost www.hello.localhost localhost; do
    run_sw taken2.out domains:add "$host" -a other
    assert_eq 2 "$SW_STATUS"
    assert_eq "slipway: error: domain $host is under the server's domain localhost, where each app answers only as APP.localhost; add a name outside localhost" "$(cat taken2.out)"
  done
  run_sw bad.out domains:add "Bad_Host" -a other
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: 'Bad_Host' is not a host name: lowercase letters, digits, dashes and dots, like www.example.com" "$(cat bad.out)"
  [ ! -e "$(app_dir other)/domains" ] || fail "a refused domain was stored"
  sw domains -a hello > list.out
  assert_eq "$(printf '=== hello Domains\nhello.localhost\nwww.example.com')" "$(cat list.out)"
  # The app sees the host it was routed by, and no X-Forwarded-Host but the router's (none).
  curl -s -H "Host: hello.localhost" -H "X-Forwarded-Host: other.localhost" "http://127.0.0.1:$ROUTER_PORT/headers" > fwd.out
  assert_contains fwd.out "^Host: hello.localhost$"
  assert_not_contains fwd.out "X-Forwarded-Host"
  # An absolute-form request is routed by its URI's host; one whose Host header says another
  # host is refused (400) rather than routed by either.
  curl -s --request-target "http://www.example.com:$ROUTER_PORT/headers" -H "Host: www.example.com:$ROUTER_PORT" \
    "http://127.0.0.1:$ROUTER_PORT/" > absolute.out
  assert_contains absolute.out "^Host: www.example.com:$ROUTER_PORT$"
  curl -s -o absolute2.out -w '%{http_code}\n' --request-target "http://www.example.com/headers" \
    -H "Host: nope.localhost:$ROUTER_PORT" "http://127.0.0.1:$ROUTER_PORT/" > absolute2.code
  assert_eq 400 "$(cat absolute2.code)"
  assert_not_contains absolute2.out "Host:"
  # A server domain changed under existing domains: an app whose host is taken is not created.
  sw settings:set --server domain=example.com > /dev/null
  run_sw www.out apps:create www
  assert_eq 1 "$SW_STATUS"
  assert_eq "slipway: error: app 'www' would answer as www.example.com, a domain of app hello; choose another name, or remove the domain (slipway domains:remove www.example.com -a hello)" "$(cat www.out)"
  [ ! -e "$(app_dir www)" ] || fail "an app was created over another's domain"
  sw settings:set --server domain=localhost > /dev/null
  # No web dyno: 503 naming the app.
  sw ps:scale web=0 -a hello > /dev/null
  wait_for "the 503" router_answers hello.localhost "hello: no web dyno is running"
  wait_for "the router's workers of older configs to stop taking requests" router_settled
  router_get hello.localhost -o /dev/null -w '%{http_code}\n' > code.out
  assert_eq 503 "$(cat code.out)"
}

# Two apps under one serve: each app's log holds its own dynos' and router lines, never the other's.
test_each_app_logs_only_its_own_lines() {
  new_app hello web
  push >/dev/null
  new_app logtwo web
  push >/dev/null
  start_serve
  wait_for "hello.localhost to answer" router_answers hello.localhost "one hello web.1"
  wait_for "logtwo.localhost to answer" router_answers logtwo.localhost "one hello web.1"
  router_get hello.localhost -o /dev/null
  router_get logtwo.localhost -o /dev/null
  local app other port
  for app in hello logtwo; do
    wait_for "$app's router line" grep -q "slipway\[router\]: at=info method=GET path=\"/\" host=$app.localhost " "$(app_dir "$app")/logs/app.log"
    wait_for "$app's dyno line" grep -q "app\[web.1\]: listening on $(dyno_field "$app" web.1 port) as web.1$" "$(app_dir "$app")/logs/app.log"
  done
  for app in hello logtwo; do
    other=$([ "$app" = hello ] && echo logtwo || echo hello)
    port=$(dyno_field "$other" web.1 port)
    assert_not_contains "$(app_dir "$app")/logs/app.log" "host=$other\.localhost|on port $port$|listening on $port "
  done
  if [ "$(id -u)" -eq 0 ]; then
    # Each dyno runs as its app's user, never as root.
    assert_eq "slipway-hello" "$(ps -o user:32= -p "$(dyno_pid hello)" | tr -d ' ')"
    assert_eq "slipway-logtwo" "$(ps -o user:32= -p "$(dyno_pid logtwo)" | tr -d ' ')"
  fi
}

test_ten_deploys_under_load_fail_no_request() {
  new_app hello web
  start_serve
  push >/dev/null
  wait_for "hello.localhost to answer" router_answers hello.localhost "one hello web.1"
  python3 "$FIXTURES/loop-client.py" "$ROUTER_PORT" hello.localhost "$SCRATCH/requests.out" "$SCRATCH/stop" &
  local client=$! i
  for i in 2 3 4 5 6 7 8 9 10 11; do
    echo "$i" > "$SRC/VERSION"; git -C "$SRC" commit -qam "version $i"
    push >/dev/null
    [ "$PUSH_STATUS" -eq 0 ] || { touch "$SCRATCH/stop"; fail "deploy $i failed"; }
    wait_for "version $i to serve" router_answers hello.localhost "$i hello web.1"
  done
  touch "$SCRATCH/stop"; wait "$client"
  local total; total=$(wc -l < requests.out)
  [ "$total" -gt 100 ] || fail "only $total requests were made"
  grep -v '^200 ' requests.out > failed.out || true
  [ ! -s failed.out ] || { head failed.out; fail "$(wc -l < failed.out) of $total requests failed"; }
  # Versions never go backwards.
  awk '{ v = ($2 == "one") ? 1 : $2; if (v < last) { print "went back: " $0; exit 1 } last = v }' requests.out ||
    fail "a request saw an older version after a newer one"
  assert_eq "11 hello web.1" "$(tail -1 requests.out | cut -d' ' -f2-)"
}

# Issue 24: 50 keep-alive connections, each sending request after request, see no error and
# no non-2xx answer while the app is deployed, restarted, reconfigured and given domains, ten
# times each. The router changes where traffic goes without a reload (router.hpp), and a
# restart is rolling: the new web dyno takes the traffic before the old one is drained.
test_keep_alive_clients_see_no_error_across_deploys_restarts_config_and_domains() {
  new_app hello web
  start_serve
  push >/dev/null
  wait_for "hello.localhost to answer" router_answers hello.localhost "one hello web.1"
  python3 "$FIXTURES/keepalive-client.py" "$ROUTER_PORT" hello.localhost 50 "$SCRATCH/load.out" "$SCRATCH/stop" &
  local client=$! i old router
  trap 'touch "$SCRATCH/stop"; stop_serve' EXIT
  router=$(router_pid)
  for i in 2 3 4 5 6 7 8 9 10 11; do
    echo "$i" > "$SRC/VERSION"; git -C "$SRC" commit -qam "version $i"
    push >/dev/null
    [ "$PUSH_STATUS" -eq 0 ] || fail "deploy $i failed"
    wait_for "version $i to serve" router_answers hello.localhost "$i hello web.1"
  done
  for i in 1 2 3 4 5 6 7 8 9 10; do
    sw config:set "GREETING=g$i" -a hello > /dev/null
    wait_for "config $i to serve" router_answers hello.localhost "11 g$i web.1"
  done
  for i in 1 2 3 4 5 6 7 8 9 10; do
    old=$(root_pids "^python3 -u server.py")
    sw ps:restart -a hello > /dev/null
    wait_for "restart $i: the old web.1 to go" test ! -e "/proc/$old"
    wait_for "restart $i: one web.1 up" one_web_process
  done
  for i in 1 2 3 4 5 6 7 8 9 10; do
    sw domains:add "d$i.example.com" -a hello > /dev/null
    wait_for "domain $i to answer" router_answers "d$i.example.com" "11 g10 web.1"
    sw domains:remove "d$i.example.com" -a hello > /dev/null
    wait_for "domain $i to go" router_answers "d$i.example.com" "No such app on this server"
  done
  touch "$SCRATCH/stop"; wait "$client"
  cat load.out
  local total; total=$(awk '/^requests/ { print $2 }' load.out)
  [ "$total" -gt 2000 ] || fail "only $total requests were made"
  assert_contains load.out "^requests [0-9]+ errors 0 non2xx 0 backwards 0 reconnects 0$"
  # The router was never restarted: one HAProxy process served it all.
  assert_eq "$router" "$(router_pid)"
}

# serve killed outright and started again, under 50 keep-alive clients: the router and the
# dyno never stop serving; the new serve adopts the dyno, takes the router over (the old
# HAProxy closes each idle connection only after answering its next request, "Connection:
# close") and deploys through it.
test_keep_alive_clients_see_no_error_across_a_killed_serve() {
  new_app hello web
  start_serve
  push >/dev/null
  wait_for "hello.localhost to answer" router_answers hello.localhost "one hello web.1"
  python3 "$FIXTURES/keepalive-client.py" "$ROUTER_PORT" hello.localhost 50 "$SCRATCH/load.out" "$SCRATCH/stop" &
  local client=$! web router
  trap 'touch "$SCRATCH/stop"; stop_serve' EXIT
  web=$(root_pids "^python3 -u server.py") router=$(router_pid)
  wait_for "load through the router" requests_seen 300
  kill -KILL "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  # Down as long as systemd's RestartSec: the router and the dyno serve on meanwhile, the
  # dyno's output waits in its FIFO.
  sleep 2
  start_serve
  trap 'touch "$SCRATCH/stop"; stop_serve' EXIT # start_serve set its own
  wait_for "the new serve's router to take over" router_gone "$router"
  wait_for "web.1 up under the new serve" dyno_is hello web.1 up 1
  assert_eq "$web" "$(root_pids "^python3 -u server.py")" "the web process after the restart"
  echo 2 > "$SRC/VERSION"; git -C "$SRC" commit -qam "version 2"
  push >/dev/null
  [ "$PUSH_STATUS" -eq 0 ] || fail "the deploy after the restart failed"
  wait_for "version 2 to serve" router_answers hello.localhost "2 hello web.1"
  wait_for "the adopted dyno to go" test ! -e "/proc/$web"
  touch "$SCRATCH/stop"; wait "$client"
  cat load.out
  local total reconnects
  total=$(awk '/^requests/ { print $2 }' load.out) reconnects=$(awk '/^requests/ { print $NF }' load.out)
  [ "$total" -gt 500 ] || fail "only $total requests were made"
  assert_contains load.out "^requests [0-9]+ errors 0 non2xx 0 backwards 0 reconnects [0-9]+$"
  # Each connection closed at most once, cleanly, by the router taken over.
  [ "$reconnects" -le 50 ] || fail "$reconnects reconnects for 50 connections"
}

test_run_a_one_off_command() {
  new_app hello web
  run_sw none.out run -a hello -- echo hi
  assert_eq 1 "$SW_STATUS"
  assert_eq "slipway: error: app 'hello' has no release to run a command in yet; push to deploy one" "$(cat none.out)"
  push >/dev/null
  sw config:set GREETING=howdy -a hello > /dev/null
  run_sw env.out run -a hello -- bash -c 'echo "$GREETING $DYNO"; echo "$HOME" | grep -c one-off; cat VERSION; touch new-file; exit 7'
  assert_eq 7 "$SW_STATUS"
  assert_contains env.out "^howdy run\.[0-9]+$"
  assert_contains env.out "^1$"
  assert_contains env.out "^one$"
  # A throwaway copy: nothing written reaches the release, and no copy stays behind.
  [ ! -e "$(app_dir hello)/releases/v2/app/new-file" ] || fail "the one-off wrote into the release"
  [ -z "$(ls -A "$(app_dir hello)/one-off")" ] || fail "the one-off's copy stayed behind"
  run_sw quoted.out run -a hello -- printf '%s|' "two words" 'it'"'"'s'
  assert_eq "two words|it's|" "$(cat quoted.out)"
  run_sw missing.out run -a hello -- no-such-command
  assert_eq 127 "$SW_STATUS"
  # --detach: answers at once; the output and the exit status go to the app's log.
  run_sw detach.out run --detach -a hello -- bash -c 'sleep 1; echo "detached $GREETING $DYNO"; exit 4'
  assert_eq 0 "$SW_STATUS"
  local dyno; dyno=$(sed -n 's/^Running `bash -c .*` on hello\.\.\. up, \(run\.[0-9]*\)$/\1/p' detach.out)
  [ -n "$dyno" ] || fail "run --detach did not name its dyno: $(cat detach.out)"
  assert_contains detach.out "^Run 'slipway logs -a hello --ps $dyno' to see its output\.$"
  assert_not_contains "$(app_dir hello)/logs/app.log" "detached howdy"
  wait_for "the detached run's exit" grep -q "slipway\[$dyno\]: Process exited with status 4$" "$(app_dir hello)/logs/app.log"
  sw logs -a hello --ps "$dyno" > detached-logs.out
  assert_contains detached-logs.out "slipway\[$dyno\]: Starting process with command \`bash -c "
  assert_contains detached-logs.out "app\[$dyno\]: detached howdy $dyno$"
  assert_not_contains detached-logs.out "web\.1"
  [ -z "$(ls -A "$(app_dir hello)/one-off")" ] || fail "the detached one-off's copy stayed behind"
  sw apps:create idle >/dev/null
  run_sw detach-none.out run --detach -a idle -- true
  assert_eq 1 "$SW_STATUS"
  assert_eq "slipway: error: app 'idle' has no release to run a command in yet; push to deploy one" "$(cat detach-none.out)"
  [ ! -e "$(app_dir idle)/logs" ] || fail "a refused run --detach logged something"
}

# web_mode MODE: commit WEB_MODE (what server.py does at start) and push.
web_mode() {
  echo "$1" > "$SRC/WEB_MODE"; git -C "$SRC" add -A; git -C "$SRC" commit -qm "web mode $1"
  push >/dev/null
}

test_web_dynos_that_misbehave() {
  new_app hello web
  sw settings:set boot_timeout=2 stop_timeout=2 -a hello > /dev/null
  start_serve
  push >/dev/null
  wait_for "v1 to serve" router_answers hello.localhost "one hello web.1"
  # Listens, but fails the health check: not up, the old dynos keep serving.
  sw settings:set healthcheck_path=/unhealthy -a hello > /dev/null
  sw config:set A=1 -a hello > /dev/null
  wait_for "the failed health check" grep -q "slipway\[web.1\]: Error R10 (Boot timeout) -> Web process did not answer GET /unhealthy with 2xx or 3xx within 2 seconds of launch; stopping it" "$(app_dir hello)/logs/app.log"
  assert_eq "one hello web.1" "$(router_get hello.localhost)"
  run_sw hc.out settings:set healthcheck_path=health -a hello
  assert_eq "slipway: error: setting 'healthcheck_path' takes a path like /health, not 'health'" "$(cat hc.out)"
  sw settings:set healthcheck_path=/health -a hello > /dev/null
  sw config:set A=2 -a hello > /dev/null
  wait_for "v3, healthy, to take over" dyno_is hello web.1 up 3
  sw settings:set healthcheck_path= -a hello > /dev/null
  # Never binds PORT: R10 after boot_timeout, the push says so, v1 keeps serving.
  web_mode no-port
  assert_contains push.out "web.1 of v4 crashed: Error R10 \(Boot timeout\): no connection on \\\$PORT within 2s; the web dynos before it keep serving"
  assert_eq "one hello web.1" "$(router_get hello.localhost)"
  assert_contains "$(app_dir hello)/logs/app.log" "slipway\[web.1\]: Error R10 \(Boot timeout\) -> Web process failed to bind to \\\$PORT within 2 seconds of launch; stopping it$"
  # Exits at once: crashed, restarted at once, then after a growing wait.
  web_mode exit
  wait_for "a second crash" grep -q "slipway\[web.1\]: Process exited with status 3; State changed to crashed (restart in 2s)" "$(app_dir hello)/logs/app.log"
  assert_eq "one hello web.1" "$(router_get hello.localhost)"
  run_sw ps.out ps -a hello
  assert_contains ps.out "^web.1: crashed .* v5 \(exited with status 3\)$"
  # Binds another port than PORT: as good as none.
  web_mode wrong-port
  assert_contains push.out "web.1 of v6 crashed: Error R10 \(Boot timeout\): no connection on \\\$PORT within 2s"
  assert_eq "one hello web.1" "$(router_get hello.localhost)"
  # Ignores SIGTERM: killed after stop_timeout when it is replaced.
  web_mode ignore-term
  wait_for "v4 to serve" router_answers hello.localhost "one hello web.1"
  echo two > "$SRC/VERSION"; git -C "$SRC" commit -qam two; push >/dev/null
  wait_for "v5 to serve" router_answers hello.localhost "two hello web.1"
  wait_for "the SIGKILL" grep -q "slipway\[web.1\]: Stopping with SIGKILL: it ignored SIGTERM for its grace period" "$(app_dir hello)/logs/app.log"
  # Leaves a daemon behind: killed with its dyno.
  web_mode daemon
  wait_for "the daemon" daemon_runs
  sw ps:scale web=0 -a hello > /dev/null
  wait_for "the daemon to be killed" not daemon_runs
  sw ps:scale web=1 -a hello > /dev/null
  # 100 MB of output, then a closed stdout: serve keeps up, and the log rotates.
  sw settings:set --server log_size=1M > /dev/null
  sw settings:set boot_timeout=120 -a hello > /dev/null # it prints before it listens
  web_mode huge
  WAIT_SECONDS=120 wait_for "the end of the output" grep -q "app\[web.1\]: end of huge" "$(app_dir hello)/logs/app.log"
  [ -e "$(app_dir hello)/logs/app.log.1" ] || fail "the log did not rotate"
  web_mode close-stdout
  wait_for "v9 to serve" router_answers hello.localhost "two hello web.1"
  kill -0 "$SERVE_PID" || fail "serve died"
}

test_logs_keep_release_phases_and_events_and_follow() {
  new_app hello web
  push >/dev/null
  local log; log=$(app_dir hello)/logs/app.log
  assert_contains "$log" " app\[release.1\]: release ok$"
  assert_contains "$log" " slipway\[api\]: Release v1 created by tester@example.com: Deploy [0-9a-f]{8}$"
  sw config:set FAIL_RELEASE=yes -a hello > /dev/null 2>&1 || true
  assert_contains "$log" " slipway\[api\]: Release v2 by tester@example.com failed: release command exited with status 4$"
  sw config:set FAIL_RELEASE= -a hello > /dev/null
  sw ps:scale worker=1 -a hello > /dev/null
  assert_contains "$log" " slipway\[api\]: Scaled to web=1 worker=1 by tester@example.com$"
  sw logs --source slipway -a hello > events.out
  assert_not_contains events.out "app\["
  assert_eq 4 "$(wc -l < events.out)"
  sw logs --ps release -n 1 -a hello > release.out
  assert_contains release.out "^[0-9T:.+-]+ app\[release.1\]: release ok$"
  assert_eq 1 "$(wc -l < release.out)"
  run_sw bad.out logs -n 0 -a hello
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: --num takes a number of lines from 1 to 100000, not '0'" "$(cat bad.out)"
  run_sw bad2.out logs --source router -a hello
  assert_eq "slipway: error: --source takes app or slipway, not 'router'" "$(cat bad2.out)"
  # --tail follows what is written next.
  "$SLIPWAY_BIN" logs --tail -n 1 --source slipway -a hello > tail.out 2>&1 &
  local tailer=$!
  wait_for "--tail to print its first line" test -s tail.out
  sw config:set GREETING=later -a hello > /dev/null
  wait_for "the new event in --tail" grep -q "Release v4 created by tester@example.com: Set GREETING config vars" tail.out
  kill "$tailer"; wait "$tailer" 2>/dev/null || true
  assert_not_contains tail.out "app\[release"
}

test_router_problems_are_said_and_dynos_run_on() {
  new_app hello web
  push >/dev/null
  # haproxy -c refuses the listen address: said once, dynos still run.
  "$SLIPWAY_BIN" serve --http 127.0.0.1:99999 > bad.out 2>&1 &
  SERVE_PID=$!
  trap stop_serve EXIT
  wait_for "the refusal" grep -q "haproxy -c refused the router config (parsing \[$SLIPWAY_ROOT/router/haproxy.cfg:[0-9]*\] : 'bind' : invalid port '99999'); no router runs, trying again every 10s$" bad.out
  wait_for "web.1 up without a router" dyno_is hello web.1 up 1
  stop_serve
  assert_eq 1 "$(grep -c "haproxy -c refused" bad.out)"
  # A port something else listens on.
  python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' > taken.port &
  local holder=$!
  wait_for "the port holder" test -s taken.port
  "$SLIPWAY_BIN" serve --http "127.0.0.1:$(cat taken.port)" > taken.out 2>&1 &
  SERVE_PID=$!
  wait_for "the bind error" grep -q "HAProxy could not start the router on 127.0.0.1:$(cat taken.port): Binding \[$SLIPWAY_ROOT/router/haproxy.cfg:[0-9]*\] for frontend router: cannot bind socket (Address already in use) for \[127.0.0.1:$(cat taken.port)\]; trying again every 10s$" taken.out
  wait_for "web.1 up without its port" dyno_is hello web.1 up 1
  kill "$holder"
  stop_serve
  # No HAProxy (a non-executable file over it, in a mount namespace of serve's own).
  [ "$(id -u)" -eq 0 ] || skip "the missing-HAProxy case needs root (a mount namespace)"
  : > no-haproxy
  unshare --mount bash -c 'mount --bind "$1" /usr/sbin/haproxy && exec "$2" serve --http 127.0.0.1:1' _ \
    "$SCRATCH/no-haproxy" "$SLIPWAY_BIN" > missing.out 2>&1 &
  SERVE_PID=$!
  wait_for "the missing HAProxy" grep -q "HAProxy is not installed (/usr/sbin/haproxy): the router cannot run; install it (apt-get install haproxy)$" missing.out
  wait_for "web.1 up without HAProxy" dyno_is hello web.1 up 1
  stop_serve
  assert_eq 1 "$(grep -c "HAProxy is not installed" missing.out)"
  [ -x /usr/sbin/haproxy ] || fail "the test hid the machine's HAProxy"
}

test_a_strict_push_fails_when_its_web_dynos_never_come_up() {
  new_app hello web
  sw settings:set strict=true boot_timeout=2 -a hello > /dev/null
  start_serve
  push >/dev/null
  [ "$PUSH_STATUS" -eq 0 ] || fail "the first strict push failed"
  echo no-port > "$SRC/WEB_MODE"; git -C "$SRC" add -A; git -C "$SRC" commit -qm "no port"
  push
  [ "$PUSH_STATUS" -ne 0 ] || fail "a strict push whose web dynos never came up succeeded"
  assert_contains push.out "web.1 of v2 crashed: Error R10"
  assert_eq "one hello web.1" "$(router_get hello.localhost)"
}

test_destroying_an_app_stops_its_dynos() {
  new_app doomed web
  start_serve
  push >/dev/null
  wait_for "web.1 up" dyno_is doomed web.1 up 1
  sw apps:destroy doomed --confirm doomed > /dev/null
  wait_for "its web process to go" no_web_process
  full_scans_pass 2 # nothing a full scan does may bring the app's directory back
  [ ! -e "$(app_dir doomed)" ] || fail "the destroyed app's directory came back: $(find "$(app_dir doomed)")"
  wait_for "the 404" router_answers doomed.localhost "No such app on this server"
}

# cgroup_dir PID: the cgroup v2 directory of process PID.

test_each_dyno_has_a_cgroup_that_outlives_a_killed_serve() {
  [ "$(id -u)" -eq 0 ] || skip "needs root for cgroups"
  new_app hello web
  start_serve
  web_mode daemon
  wait_for "web.1 up" dyno_is hello web.1 up 1
  wait_for "the daemon" daemon_runs
  local web daemon cg
  web=$(root_pids "^python3 -u server.py") daemon=$(root_pids '^slipway-test-daemon')
  cg=$(cgroup_dir "$web")
  assert_contains <(echo "$cg") "/slipway-dynos-[0-9a-f]{12}/hello\.web\.1\.[0-9]+-[0-9]+$"
  assert_eq "$cg" "$(cgroup_dir "$daemon")" "the daemon's cgroup"
  # serve killed outright: the next serve adopts the dyno with its cgroup, the daemon in it.
  kill -KILL "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  kill -0 "$daemon" || fail "the daemon died with serve"
  start_serve
  wait_for "web.1 adopted" grep -q "slipway\[web.1\]: Adopted v1 " "$(app_dir hello)/logs/app.log"
  full_scans_pass 2
  kill -0 "$daemon" || fail "the adopted dyno's daemon was stopped"
  assert_eq "$web" "$(root_pids "^python3 -u server.py")" "the web process after the restart"
  # Stopping the adopted dyno stops all its cgroup holds, the daemon included.
  sw ps:scale web=0 -a hello >/dev/null
  wait_for "the daemon to go with its dyno" test ! -e "/proc/$daemon"
  wait_for "the adopted dyno's cgroup to go" test ! -d "$cg"
  # A dyno that cannot be adopted (its output FIFO gone): its cgroup is emptied, daemon and all.
  sw ps:scale web=1 -a hello >/dev/null
  wait_for "web.1 up" dyno_is hello web.1 up 1
  wait_for "the daemon" daemon_runs
  daemon=$(root_pids '^slipway-test-daemon') web=$(root_pids "^python3 -u server.py")
  cg=$(cgroup_dir "$web")
  kill -KILL "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  rm "$SLIPWAY_ROOT"/run/dynos/*
  start_serve
  wait_for "the daemon to be stopped" test ! -e "/proc/$daemon"
  wait_for "the cgroup's stop in the log" grep -qE "slipway\[web.1\]: Stopping [0-9]+ process(es)? left in its cgroup by a serve that was killed$" "$(app_dir hello)/logs/app.log"
  wait_for "the old cgroup to go" test ! -d "$cg"
  wait_for "web.1 up under the new serve" dyno_is hello web.1 up 1
  web=$(root_pids "^python3 -u server.py")
  cg=$(cgroup_dir "$web")
  sw ps:scale web=0 -a hello >/dev/null
  wait_for "its cgroup to go with it" test ! -d "$cg"
  stop_serve
  [ ! -d "$(dirname "$cg")" ] || fail "serve left its cgroup $(dirname "$cg") behind"
}

# More apps than the router has backends (64 at its start): a new HAProxy takes the listening
# sockets of the old one (-x, -sf), which finishes and exits; nothing is refused meanwhile.
test_more_apps_than_backends_restart_the_router_in_place() {
  new_app hello web
  push >/dev/null
  start_serve
  wait_for "hello.localhost to answer" router_answers hello.localhost "one hello web.1"
  local first i; first=$(router_pid)
  python3 "$FIXTURES/loop-client.py" "$ROUTER_PORT" hello.localhost "$SCRATCH/requests.out" "$SCRATCH/stop" &
  local client=$!
  trap 'touch "$SCRATCH/stop"; stop_serve' EXIT
  for i in $(seq 1 64); do sw apps:create "more$i" > /dev/null; done
  wait_for "the 64th new app's 503" router_answers more64.localhost "more64: no web dyno is running"
  wait_for "the first router to finish" router_gone "$first"
  [ "$(router_pid)" != "$first" ] || fail "the router was not replaced"
  assert_eq "one hello web.1" "$(router_get hello.localhost)"
  touch "$SCRATCH/stop"; wait "$client"
  grep -v '^200 ' requests.out > failed.out || true
  [ ! -s failed.out ] || { head failed.out; fail "$(wc -l < failed.out) requests failed across the router's replacement"; }
}
