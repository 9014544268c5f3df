# The Platform API (`slipway serve --api`): Heroku's shapes and errors over real HTTP (curl),
# and the unmodified heroku CLI (npm, pinned; `make deps` installs it) driving Slipway.

HEROKU=$(cd "$FIXTURES/../.." && pwd)/build/heroku-cli/node_modules/.bin/heroku

# start_api: serve with the API on a free loopback port ($API, the base URL).
start_api() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  start_serve --api "127.0.0.1:$port"
  API=http://127.0.0.1:$port
  wait_for "the API to listen" curl -s -o /dev/null "$API/account"
}

# api OUT METHOD PATH [TOKEN] [BODY] [HEADER]: one request; the body in OUT, the status in
# $HTTP_STATUS, the headers in OUT.headers.
api() {
  local out=$1 method=$2 path=$3 token=${4:-} body=${5:-} header=${6:-}
  local args=(-s -X "$method" -D "$out.headers" -o "$out" -w '%{http_code}')
  [ -z "$token" ] || args+=(-H "Authorization: Bearer $token")
  [ -z "$body" ] || args+=(-H "Content-Type: application/json" --data-binary "$body")
  [ -z "$header" ] || args+=(-H "$header")
  HTTP_STATUS=$(curl "${args[@]}" "$API$path")
}

# json_get FILE EXPR: a Python expression over the JSON in FILE (as `j`).
json_get() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

# stub_provider: add-on provider `stub`, a script that gives URL=stub://secret-value.
stub_provider() {
  mkdir -p "$SCRATCH/stub"
  printf '#!/bin/sh\ncat >/dev/null\necho "{\\"URL\\": \\"stub://secret-value\\"}"\n' >"$SCRATCH/stub/provision"
  cp "$SCRATCH/stub/provision" "$SCRATCH/stub/rotate" && cp "$SCRATCH/stub/provision" "$SCRATCH/stub/deprovision"
  chmod 755 "$SCRATCH/stub" "$SCRATCH/stub"/*
  sw addons:providers:set stub --script "$SCRATCH/stub" >/dev/null
}

# token_for USER: a new API token of USER.
token_for() { sw tokens:create "$1" 2>/dev/null; }

# status_is APP vN STATUS: the release's record says STATUS.
status_is() { [ "$(record_field "$1" "$2" status)" = "$3" ]; }

# releases_of APP: how many releases APP has.
releases_of() { ls "$(app_dir "$1")/releases" | wc -l; }

test_the_api_answers_in_herokus_shapes_and_refuses_what_it_must() {
  new_app hello release-knobs
  push >/dev/null
  sw config:set GREETING=hi -a hello >/dev/null
  sw apps:create secret >/dev/null
  stub_provider
  sw addons:create stub -a secret --name stub-secret >/dev/null
  sw users:add ada --admin --email ada@example.com >/dev/null
  sw users:add dev >/dev/null
  sw users:add vic >/dev/null
  sw access:add dev -a hello >/dev/null
  sw access:add vic -a hello --role viewer >/dev/null
  local ada dev vic
  ada=$(token_for ada) dev=$(token_for dev) vic=$(token_for vic)
  [[ "$ada" =~ ^slp_[0-9a-f]{40}$ ]] || fail "not a token: $ada"
  assert_not_contains "$SLIPWAY_ROOT/users/ada.yml" "${ada#slp_}"
  start_api
  # No token, a wrong one, a revoked one: 401 in Heroku's shape, every response with a Request-Id.
  api none.json GET /apps
  assert_eq 401 "$HTTP_STATUS" "no token"
  assert_eq '{"id":"unauthorized","message":"Invalid credentials provided."}' "$(cat none.json)"
  assert_contains none.json.headers "^Request-Id: [0-9a-f-]{36}"
  assert_contains none.json.headers "^Content-Type: application/json"
  api wrong.json GET /apps/hello slp_0000000000000000000000000000000000000000
  assert_eq 401 "$HTTP_STATUS" "a wrong token"
  local gone; gone=$(token_for dev)
  sw tokens:revoke "$(sw tokens -u dev | tail -1 | cut -d' ' -f1)" >/dev/null
  api revoked.json GET /apps/hello "$gone"
  assert_eq 401 "$HTTP_STATUS" "a revoked token"
  # Apps: each user sees theirs; another user's app is not found, as one that does not exist.
  api apps.json GET /users/~/apps "$dev"
  assert_eq 200 "$HTTP_STATUS"
  assert_eq "['hello']" "$(json_get apps.json "[a['name'] for a in j]")"
  api all.json GET /apps "$ada"
  assert_eq "['hello', 'secret']" "$(json_get all.json "sorted(a['name'] for a in j)")"
  api other.json GET /apps/secret "$dev"
  assert_eq 404 "$HTTP_STATUS" "another user's app"
  assert_eq '{"id":"not_found","message":"Couldn'"'"'t find that app."}' "$(cat other.json)"
  # Add-ons likewise: only those of apps the user may see, never a credential.
  api addons.json GET /addons "$dev"
  assert_eq "[]" "$(json_get addons.json "[a['name'] for a in j]")"
  api attachments.json GET /addon-attachments "$dev"
  assert_eq "[]" "$(json_get attachments.json "[a['name'] for a in j]")"
  api addons.json GET /apps/secret/addons "$ada"
  assert_eq "[('stub-secret', 'stub', 'secret', ['STUB_URL'])]" "$(json_get addons.json "[(a['name'], a['plan']['name'], a['app']['name'], a['config_vars']) for a in j]")"
  assert_not_contains addons.json "secret-value"
  api attachments.json GET /apps/secret/addon-attachments "$ada"
  assert_eq "[('STUB', 'stub-secret', 'secret')]" "$(json_get attachments.json "[(a['name'], a['addon']['name'], a['app']['name']) for a in j]")"
  api viewer-addon.json POST /apps/hello/addons "$vic" '{"plan": {"name": "stub"}}'
  assert_eq 403 "$HTTP_STATUS" "a viewer creating an add-on"
  api noplan.json POST /apps/hello/addons "$dev" '{"name": "x"}'
  assert_eq 400 "$HTTP_STATUS" "an add-on without a plan"
  assert_eq '{"id":"bad_request","message":"Name the provider as {\"plan\": {\"name\": \"postgresql\"}}."}' "$(cat noplan.json)"
  api missing.json GET /apps/nope "$ada"
  assert_eq "$(cat other.json)" "$(cat missing.json)" "a missing app and a hidden one"
  api app.json GET /apps/hello "$vic"
  assert_eq "hello http://hello.localhost:$ROUTER_PORT/ True" "$(json_get app.json "j['name'], j['web_url'], len(j['id']) == 36" | tr -d "(),'")"
  # Admins create apps (and own them); owners destroy them.
  api create.json POST /apps "$dev" '{"name":"api-made"}'
  assert_eq 403 "$HTTP_STATUS" "a deployer creating an app"
  api badname.json POST /apps "$ada" '{"name":"Bad Name"}'
  assert_eq 422 "$HTTP_STATUS" "an app name with a space"
  api create.json POST /apps "$ada" '{"name":"api-made","region":"eu","unknown":1}'
  assert_eq 201 "$HTTP_STATUS" "an admin creating an app"
  assert_eq "api-made" "$(json_get create.json "j['name']")"
  assert_eq "ada: owner" "$(cat "$(app_dir api-made)/access.yml")"
  api again.json POST /apps "$ada" '{"name":"api-made"}'
  assert_eq 422 "$HTTP_STATUS" "an app that exists"
  api del.json DELETE /apps/api-made "$dev"
  assert_eq 404 "$HTTP_STATUS" "deleting an app one cannot see"
  api del.json DELETE /apps/api-made "$ada"
  assert_eq 200 "$HTTP_STATUS" "deleting an app"
  [ ! -e "$(app_dir api-made)" ] || fail "DELETE left the app"
  api account.json GET /account "$ada"
  assert_eq "ada@example.com" "$(json_get account.json "j['email']")"
  # Releases: Heroku's Range, 206 and Next-Range while more remain.
  api page1.json GET /apps/hello/releases "$vic" "" "Range: version ..; max=1, order=desc"
  assert_eq 206 "$HTTP_STATUS" "a first page"
  assert_eq "[2]" "$(json_get page1.json "[r['version'] for r in j]")"
  assert_contains page1.json.headers "^Next-Range: version \]2\.\.; max=1, order=desc"
  api page2.json GET /apps/hello/releases "$vic" "" "Range: version ]2..; max=1, order=desc"
  assert_eq 200 "$HTTP_STATUS" "the last page"
  assert_eq "[1]" "$(json_get page2.json "[r['version'] for r in j]")"
  # Ascending, ]N.. continues after N and never shows it again.
  api ascpage.json GET /apps/hello/releases "$vic" "" "Range: version ]1..; max=1, order=asc"
  assert_eq 200 "$HTTP_STATUS" "the page after v1, ascending"
  assert_eq "[2]" "$(json_get ascpage.json "[r['version'] for r in j]")"
  api asc.json GET /apps/hello/releases "$vic"
  assert_eq "[1, 2] succeeded Set GREETING config vars True" "$(json_get asc.json "[r['version'] for r in j], j[1]['status'], j[1]['description'], j[1]['current']" | tr -d "(),'" | sed 's/\[1 2\]/[1, 2]/')"
  local range
  for range in "version banana" "bytes=0-10" "version ..; max=0" "version ..; order=sideways"; do
    api badrange.json GET /apps/hello/releases "$vic" "" "Range: $range"
    assert_eq 400 "$HTTP_STATUS" "Range '$range'"
    assert_eq "bad_request" "$(json_get badrange.json "j['id']")"
  done
  local id; id=$(json_get asc.json "j[0]['id']")
  api byid.json GET "/apps/hello/releases/$id" "$vic"
  assert_eq 1 "$(json_get byid.json "j['version']")"
  api v9.json GET /apps/hello/releases/9 "$vic"
  assert_eq 404 "$HTTP_STATUS" "a version that does not exist"
  api uuid.json GET /apps/hello/releases/00000000-0000-5000-8000-000000000000 "$vic"
  assert_eq 404 "$HTTP_STATUS" "a UUID that does not exist"
  api relconf.json GET /apps/hello/releases/2/config-vars "$vic"
  assert_eq 403 "$HTTP_STATUS" "a viewer reading a release's config vars"
  api relconf.json GET /apps/hello/releases/2/config-vars "$dev"
  assert_eq "hi" "$(json_get relconf.json "j['GREETING']")"
  # The release's output, with no credentials: its URL carries a token of its own.
  local url; url=$(json_get byid.json "j['output_stream_url']")
  curl -s "$url" > output.txt
  assert_contains output.txt "^release ok$"
  assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "${url%token=*}token=0123")" "a wrong stream token"
  # Config vars: one release per PATCH, as the token's user; null unsets.
  local n; n=$(releases_of hello)
  api patch.json PATCH /apps/hello/config-vars "$dev" '{"A":"1","GREETING":null}'
  assert_eq 200 "$HTTP_STATUS" "a config PATCH"
  assert_eq "{'A': '1'}" "$(json_get patch.json "j")"
  assert_eq $((n + 1)) "$(releases_of hello)"
  assert_eq "dev" "$(record_field hello v3 user)"
  assert_eq "Set A, remove GREETING config vars" "$(record_field hello v3 description)"
  n=$(releases_of hello)
  local before; before=$(cat "$(app_dir hello)/env")
  local bad
  while IFS='|' read -r status bad; do
    api bad.json PATCH /apps/hello/config-vars "$dev" "$bad"
    assert_eq "$status" "$HTTP_STATUS" "PATCH $bad"
    assert_contains bad.json '^\{"id":"[a-z_]+","message":".+"\}$'
  done <<'CASES'
400|{"A":
422|["A","1"]
422|{"A":1}
422|{"1BAD":"x"}
422|{"A":"a\u0000b"}
CASES
  api big.json PATCH /apps/hello/config-vars "$dev" "{\"A\":\"$(head -c 70000 /dev/zero | tr '\0' x)\"}"
  assert_eq 422 "$HTTP_STATUS" "a value over the limit"
  api viewer.json PATCH /apps/hello/config-vars "$vic" '{"A":"2"}'
  assert_eq 403 "$HTTP_STATUS" "a viewer's PATCH"
  api viewconf.json GET /apps/hello/config-vars "$vic"
  assert_eq 403 "$HTTP_STATUS" "a viewer reading config vars"
  assert_eq "$n" "$(releases_of hello)" "releases after refused PATCHes"
  assert_eq "$before" "$(cat "$(app_dir hello)/env")" "config after refused PATCHes"
  # Releases by POST: a rollback answers at once, pending, with its stream; two at once wait
  # for each other on the deploy lock and both succeed, in order.
  api norel.json POST /apps/hello/releases "$dev" '{"release":"00000000-0000-5000-8000-000000000000"}'
  assert_eq 404 "$HTTP_STATUS" "a rollback to a release that does not exist"
  api empty.json POST /apps/hello/releases "$dev" '{}'
  assert_eq 422 "$HTTP_STATUS" "a release of nothing"
  api notobj.json POST /apps/hello/releases "$dev" '[1]'
  assert_eq 400 "$HTTP_STATUS" "a release body that is not an object"
  api vicrel.json POST /apps/hello/releases "$vic" "{\"release\":\"$id\"}"
  assert_eq 403 "$HTTP_STATUS" "a viewer's rollback"
  n=$(releases_of hello)
  api one.json POST /apps/hello/releases "$dev" "{\"release\":\"$id\",\"description\":\"ignored\"}" &
  local first=$!
  api two.json POST /apps/hello/releases "$dev" "{\"release\":\"$id\"}"
  wait "$first"
  assert_eq 201 "$HTTP_STATUS" "the second rollback"
  assert_eq "$((n + 2))" "$(releases_of hello)"
  assert_contains one.json '"status":"(pending|succeeded)"'
  assert_contains one.json '"output_stream_url":"http://127\.0\.0\.1:[0-9]+/streams/releases/hello/[0-9]+\?expires=[0-9]+&sig=[0-9a-f]{64}&token_id=[0-9a-f-]{36}&user=dev"'
  wait_for "both rollbacks to finish" status_is hello "v$((n + 2))" succeeded
  assert_eq "succeeded Rollback to v1" "$(record_field hello "v$((n + 1))" status) $(record_field hello "v$((n + 1))" description)"
  n=$(releases_of hello)
  # Formation and dynos.
  api formation.json GET /apps/hello/formation "$vic"
  assert_eq "web 1 bin/web" "$(json_get formation.json "[(f['type'], f['quantity'], f['command']) for f in j if f['type'] == 'web'][0]" | tr -d "(),'")"
  api scale.json PATCH /apps/hello/formation "$dev" '{"updates":[{"type":"web","quantity":"0"}]}'
  assert_eq 200 "$HTTP_STATUS" "a scale"
  assert_eq "web=0" "$(sw ps:scale -a hello)"
  for bad in '{"updates":[{"type":"web","quantity":-1}]}' '{"updates":[]}' '{"updates":[{"type":"web","quantity":"abc"}]}'; do
    api badscale.json PATCH /apps/hello/formation "$dev" "$bad"
    assert_eq 422 "$HTTP_STATUS" "PATCH formation $bad"
  done
  # A type the release does not have: Heroku's words (the CLI prints them).
  local type body
  for bad in 'clock|{"updates":[{"type":"clock","quantity":1}]}' 'clock|{"updates":[{"type":"clock","size":"eco"}]}' \
             'release|{"updates":[{"type":"release","quantity":1}]}'; do
    type=${bad%%|*} body=${bad#*|}
    api badscale.json PATCH /apps/hello/formation "$dev" "$body"
    assert_eq 404 "$HTTP_STATUS" "PATCH formation $body"
    assert_eq "not_found Couldn't find that process type ($type)." \
      "$(json_get badscale.json "j['id']") $(json_get badscale.json "j['message']")"
  done
  assert_eq "web=0" "$(sw ps:scale -a hello)"
  api garbage.json GET /apps/hello/nothing-here "$ada"
  assert_eq 404 "$HTTP_STATUS"
  assert_eq "not_found" "$(json_get garbage.json "j['id']")"
  kill -0 "$SERVE_PID" || fail "serve died"
}

test_the_api_survives_garbage_and_clients_that_leave() {
  new_app hello release-knobs
  push >/dev/null
  sw users:add ada --admin >/dev/null
  local token; token=$(token_for ada)
  start_api
  # A client that leaves in the middle of a stream it follows.
  api session.json POST /apps/hello/log-sessions "$token" '{"tail":true}'
  assert_eq 201 "$HTTP_STATUS" "a log session"
  curl -s -N "$(json_get session.json "j['logplex_url']")" > followed.txt &
  local follower=$!
  wait_for "the stream to start" test -s followed.txt
  kill "$follower"; wait "$follower" 2>/dev/null || true
  # 8,000 requests of garbage at up to 1,000 a second (a busy machine takes longer, up to a
  # minute): serve stays up and answers the next good one.
  local port=${API##*:}
  local sent; sent=$(python3 "$FIXTURES/flood.py" 127.0.0.1 "$port" 60 1000 8000)
  [ "$sent" -ge 8000 ] || fail "the flood sent only $sent requests in a minute"
  kill -0 "$SERVE_PID" || fail "serve died under garbage"
  api after.json GET /apps/hello "$token"
  assert_eq 200 "$HTTP_STATUS" "a good request after the flood"
  assert_eq "hello" "$(json_get after.json "j['name']")"
}

test_the_heroku_cli_drives_slipway_unmodified() {
  [ -x "$HEROKU" ] || skip "the heroku CLI is not installed (make deps)"
  new_app hello release-knobs
  push >/dev/null
  sw users:add ada --admin --email ada@example.com >/dev/null
  start_api
  export HEROKU_HOST=$API HEROKU_API_KEY=$(token_for ada) NODE_NO_WARNINGS=1
  # The CLI formats for CI when CI is set (as CI's runner sets it): the same output everywhere.
  hk() { env -u CI "$HEROKU" "$@" 2>&1 | grep -v "terms of service\|dashboard.heroku.com/terms\|^$" || true; }
  # An app made through the API is its maker's ("Your Apps"); one made on the server by root has
  # no owning user ("slipway").
  hk apps:create adasapp > create-app.out
  assert_contains create-app.out "^Creating adasapp\.\.\. done$"
  hk apps > apps.out
  assert_contains apps.out "^=== ada@example\.com Apps$"
  assert_contains apps.out "^adasapp \(local\)$"
  assert_contains apps.out "^ +hello \(local\) +slipway"
  hk apps:info -a hello > info.out
  assert_contains info.out "^=== hello$"
  assert_contains info.out "^Web URL: +http://hello\.localhost:$ROUTER_PORT/$"
  assert_contains info.out "^Stack: +$(. /etc/os-release; echo "$ID-$VERSION_ID")$"
  hk apps:info -a adasapp > mine.out
  assert_contains mine.out "^Owner: +ada@example\.com$"
  hk config:set A=1 B=2 -a hello > set.out
  assert_contains set.out "^Setting A, B and restarting hello\.\.\. done, v2$"
  assert_eq "ada@example.com" "$(record_field hello v2 user)"
  hk config:unset B -a hello > unset.out
  assert_contains unset.out "^Unsetting B and restarting hello\.\.\. done, v3$"
  assert_eq "1" "$(hk config:get A -a hello)"
  hk config -a hello > config.out
  assert_contains config.out "^=== hello Config Vars$"
  assert_contains config.out "^A: +1$"
  assert_not_contains config.out "^B:"
  hk releases -a hello > releases.out
  assert_contains releases.out "^=== hello Releases - Current: v3$"
  assert_contains releases.out "v3 +Remove B config vars +ada@example.com"
  assert_contains releases.out "v1 +Deploy [0-9a-f]{8} +tester@example.com"
  hk releases:info v2 -a hello > relinfo.out
  assert_contains relinfo.out "^=== Release v2$"
  assert_contains relinfo.out "^Change: +Set A, B config vars$"
  hk releases:output v3 -a hello > output.out
  assert_contains output.out "^release ok$"
  hk ps -a hello > ps.out
  assert_contains ps.out "^=== web \(standard-1X\): bin/web \(1\)$"
  hk ps:resize web=standard-2x -a hello > resize.out
  assert_contains resize.out "^ +web +standard-2X +1 *$"
  assert_eq "web: standard-2X" "$(cat "$(app_dir hello)/sizes.yml")"
  hk ps:resize web=huge -a hello > badresize.out
  assert_contains badresize.out "Error: no dyno size 'huge'; the sizes are eco, basic, standard-1X,"
  assert_contains badresize.out "Error ID: invalid_params"
  assert_eq "web: standard-2X" "$(cat "$(app_dir hello)/sizes.yml")"
  # Rollbacks and a retry: releases whose release phase runs and streams.
  hk rollback -a hello > rollback.out
  assert_contains rollback.out "^Rolling back hello to v2\.\.\. done, v4$"
  assert_contains rollback.out "^release ok$"
  assert_eq "Rollback to v2" "$(record_field hello v4 description)"
  hk rollback v1 -a hello > rollback1.out
  assert_contains rollback1.out "^Rolling back hello to v1\.\.\. done, v5$"
  hk releases:retry -a hello > retry.out
  assert_contains retry.out "^Retrying v5 on hello\.\.\. done, v6$"
  assert_contains retry.out "^release ok$"
  assert_eq "succeeded ada@example.com" "$(record_field hello v6 status) $(record_field hello v6 user)"
  assert_current hello v6
  # Scaling, restarting, logs.
  # (web was resized to standard-2X above: the formation says so)
  hk ps:scale clock=1 -a hello > noworker.out
  assert_contains noworker.out "Couldn't find that process type \(clock\)\."
  hk ps:scale web=0 -a hello > scale.out
  assert_contains scale.out "^Scaling dynos\.\.\. done, now running web at 0:standard-2X$"
  assert_eq "web=0" "$(sw ps:scale -a hello)"
  hk ps:restart -a hello > restart.out
  assert_contains restart.out "^Restarting all dynos on hello\.\.\. done$"
  hk logs -n 3 --source app -a hello > logs3.out
  assert_eq 3 "$(wc -l < logs3.out)"
  assert_not_contains logs3.out "slipway\["
  hk logs -n 50 --source slipway -a hello > logs.out
  assert_contains logs.out "slipway\[api\]: Scaled to web=0 by ada@example.com$"
  # The same changes the local commands make: the local view agrees.
  sw releases -a hello > local.out
  assert_contains local.out "v3 +Remove B config vars +ada@example.com"
  sw audit -a hello > audit.out
  assert_contains audit.out "  ada@example.com  hello  Release v4 created: Rollback to v2$"
  # Add-ons (a script provider standing in for a real service): listed, never their values.
  stub_provider
  sw addons:create stub -a hello --name stub-one >/dev/null 2>&1
  hk addons -a hello > addons.out
  assert_contains addons.out "^  stub \(stub-one\) +stub +free +free +created$"
  assert_contains addons.out "^  .+ as STUB$"
  assert_not_contains addons.out "secret-value"
  hk addons:create stub -a hello --as EXTRA --name stub-two > create.out
  assert_contains create.out "^Creating stub on hello\.\.\. free$"
  assert_contains create.out "^Created stub-two as EXTRA_URL$"
  wait_for "the Attach release" status_is hello v8 succeeded
  assert_contains "$(app_dir hello)/releases/v8/release.yml" "description: Attach EXTRA \(stub-two\)"
  assert_eq "ada@example.com" "$(record_field hello v8 user)"
  assert_eq "stub://secret-value" "$(sw config:get EXTRA_URL -a hello)"
  hk addons:create nothing -a hello > nothing.out
  assert_contains nothing.out "add-on provider 'nothing' is not configured"
  hk apps:info -a hello > info.out
  assert_contains info.out "^Addons: +stub$"
  hk releases -a hello > releases.out
  assert_contains releases.out "^  v7 +Attach STUB \(stub-one\) +tester@example\.com "
  # Without a release command, a rollback has no release output: nothing printed for one.
  printf 'web: bin/web\n' > "$SRC/Procfile"
  git -C "$SRC" commit -qam "no release command"
  push > /dev/null
  assert_current hello v9
  hk config:set C=3 -a hello > /dev/null
  hk rollback v9 -a hello > norelease.out
  assert_contains norelease.out "^Rolling back hello to v9\.\.\. done, v11$"
  assert_not_contains norelease.out "release command"
  api v11.json GET /apps/hello/releases/11 "$(token_for ada)"
  assert_eq None "$(json_get v11.json "j['output_stream_url']")"
  # Buildpacks: set, add, list, remove, a push that uses them, clear. (The CLI looks names up in
  # Heroku's registry; URLs it sends as they are.)
  cp -a "$FIXTURES/buildpacks/recorder" bp-src
  git -C bp-src init -q; git -C bp-src add -A; git -C bp-src commit -qm v1
  git clone -q --bare bp-src "$SCRATCH/bp.git"
  allow_buildpacks "$SCRATCH"
  hk buildpacks -a hello > bp-none.out
  assert_contains bp-none.out "^hello has no Buildpacks\.$"
  hk buildpacks:set "file://$SCRATCH/bp.git" -a hello > bp-set.out
  assert_contains bp-set.out "^Buildpack set\. Next release on hello will use file://$SCRATCH/bp\.git\.$"
  hk buildpacks:add --index 1 https://example.com/other.git -a hello > bp-add.out
  hk buildpacks -a hello > bp-list.out
  assert_contains bp-list.out "^1\. https://example\.com/other\.git$"
  assert_contains bp-list.out "^2\. file://$SCRATCH/bp\.git$"
  # A source that is no buildpack is refused, and nothing changes.
  api bp-bad.json PUT /apps/hello/buildpack-installations "$(token_for ada)" '{"updates":[{"buildpack":"not a buildpack"}]}'
  assert_eq 422 "$HTTP_STATUS"
  assert_eq "buildpack 'not a buildpack' is not a built-in (nodejs, python, procfile), an absolute path or a git URL" \
    "$(json_get bp-bad.json "j['message']")"
  assert_eq "https://example.com/other.git file://$SCRATCH/bp.git" "$(tr '\n' ' ' < "$(app_dir hello)/buildpack-urls" | sed 's/ $//')"
  hk buildpacks:remove https://example.com/other.git -a hello > bp-remove.out
  assert_contains bp-remove.out "^Buildpack removed\. Next release on hello will use file://$SCRATCH/bp\.git\.$"
  commit README "with the recorder" "buildpack set through the API"
  push > /dev/null
  assert_contains push.out "Using buildpack: file://$SCRATCH/bp\.git"
  assert_contains push.out "Recorder build number 1"
  assert_current hello v12
  hk buildpacks:clear -a hello > bp-clear.out
  assert_contains bp-clear.out "^Buildpacks cleared\."
  [ ! -e "$(app_dir hello)/buildpack-urls" ] || fail "buildpacks:clear left the list"
}

test_the_activity_page_follows_a_release_log_and_rolls_back_in_chromium() {
  command -v chromium >/dev/null || skip "chromium is not installed (make deps)"
  new_app hello release-knobs
  push >/dev/null
  sw config:set FAIL_RELEASE=yes -a hello >/dev/null 2>&1 || true
  assert_status hello v2 failed
  mkdir -m 777 "$SCRATCH/overlap"
  sw config:set OVERLAP_DIR="$SCRATCH/overlap" OVERLAP_SLEEP=5 -a hello >/dev/null
  sw users:add ada --admin --email ada@example.com >/dev/null
  local token; token=$(token_for ada)
  start_api
  # Sign-in, CSRF and cookies, seen from curl.
  api nosession.html GET /apps/hello/activity
  assert_eq 303 "$HTTP_STATUS" "the page without a session"
  assert_contains nosession.html.headers "^Location: /login\?next=/apps/hello/activity"
  # Issue 21, row 10: the sign-in form is this browser's (login CSRF): a POST without it, or
  # with another browser's, signs nobody in.
  curl -s -o nocsrf.html -D nocsrf.headers -w '%{http_code}' -d "token=$token&next=/apps/hello/activity" "$API/login" > nocsrf.status
  assert_eq 403 "$(cat nocsrf.status)" "a sign-in without the form's CSRF token"
  assert_contains nocsrf.html "That sign-in form is not this browser's, or it expired."
  assert_not_contains nocsrf.headers "slipway_session"
  curl -s -c jar "$API/login?next=/apps/hello/activity" > form.html
  local csrf; csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' form.html)
  [ -n "$csrf" ] || fail "no CSRF token in the sign-in form"
  curl -s -o /dev/null -D other.headers -w '%{http_code}' -d "token=$token&csrf=$csrf&next=/apps/hello/activity" "$API/login" > other.status
  assert_eq 403 "$(cat other.status)" "a sign-in with another browser's form"
  curl -s -o badlogin.html -w '%{http_code}' -b jar -d "token=slp_nope&csrf=$csrf&next=/apps/hello/activity" "$API/login" > badlogin.status
  assert_eq 401 "$(cat badlogin.status)" "a wrong token at sign-in"
  curl -s -D login.headers -o /dev/null -b jar -c jar -d "token=$token&csrf=$csrf&next=/apps/hello/activity" "$API/login"
  assert_contains login.headers "^Set-Cookie: slipway_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict"
  local n; n=$(releases_of hello)
  assert_eq 403 "$(curl -s -o /dev/null -w '%{http_code}' -b jar -d "csrf=forged&version=1" "$API/apps/hello/activity/rollback")" "a forged rollback form"
  assert_eq "$n" "$(releases_of hello)" "releases after a forged form"
  # A slow release phase the browser follows live.
  echo slow > "$SRC/MODE"; git -C "$SRC" add -A; git -C "$SRC" commit -qm slow
  push >/dev/null &
  local pusher=$!
  wait_for "v4 to be pending" status_is hello v4 pending
  set +e
  node --experimental-websocket "$FIXTURES/activity-check.mjs" "$API" hello "$token" 4 1 "$SCRATCH" > seen.json 2> browser.err
  local st=$?
  set -e
  wait "$pusher" || true
  [ "$st" -eq 0 ] || fail "the browser check failed: $(cat browser.err) (screenshot and DOM kept in $SCRATCH)"
  [ -s "$SCRATCH/activity.png" ] || fail "no screenshot"
  assert_eq "/login" "$(json_get seen.json "j['login_path']")"
  assert_eq "[4, 3, 2, 1]" "$(json_get seen.json "[r['version'] for r in j['rows']]")"
  assert_eq "release pending" "$(json_get seen.json "j['rows'][0]['classes']")"
  assert_eq "pending" "$(json_get seen.json "j['rows'][0]['cells'][4]")"
  assert_eq "release succeeded current" "$(json_get seen.json "j['rows'][1]['classes']")"
  assert_eq "succeeded (current)" "$(json_get seen.json "j['rows'][1]['cells'][4]")"
  assert_eq "failed (release command failed)" "$(json_get seen.json "j['rows'][2]['cells'][4]")"
  assert_eq "Deploy" "$(json_get seen.json "j['rows'][3]['cells'][1].split()[0]")"
  assert_eq "[True, True, True, True]" "$(json_get seen.json "[r['log'] for r in j['rows']]")"
  assert_eq "[False, False, False, True]" "$(json_get seen.json "[r['rollback'] for r in j['rows']]")"
  assert_eq "" "$(json_get seen.json "j['cookie_visible_to_js']")" "the session cookie as JavaScript sees it"
  assert_eq "True" "$(json_get seen.json "j['follow_started_pending']")"
  assert_eq "False" "$(json_get seen.json "'done slowly' in j['log_at_first']")" "the log when the page opened"
  assert_eq "True" "$(json_get seen.json "'step 1' in j['log_at_end'] and 'done slowly' in j['log_at_end']")"
  assert_contains <(json_get seen.json "j['status_at_end']") "^finished"
  # The rollback the button made.
  assert_eq "/apps/hello/activity/releases/5" "$(json_get seen.json "j['rollback_page']")"
  wait_for "v5 to finish" status_is hello v5 succeeded
  assert_eq "Rollback to v1 ada@example.com" "$(record_field hello v5 description) $(record_field hello v5 user)"
  assert_current hello v5
  # Issue 21, row 7: a session ends with the token it signed in with.
  assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -b jar "$API/apps/hello/activity")" "the page while the token lives"
  sw tokens:revoke "$(sw tokens | awk '$2 == "ada" {print $1}')" > /dev/null
  curl -s -o /dev/null -D revoked.headers -b jar "$API/apps/hello/activity"
  assert_contains revoked.headers "^HTTP/1.1 303"
  assert_contains revoked.headers "^Location: /login\?next=/apps/hello/activity"
}

# make_tgz OUT NAME...: a gzipped tarball whose members are files NAME (any names, "../" too).
make_tgz() {
  python3 - "$@" <<'PY'
import io, sys, tarfile
out, names = sys.argv[1], sys.argv[2:]
with tarfile.open(out, "w:gz") as t:
    for n in names:
        data = b"x\n"
        info = tarfile.TarInfo(n)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
PY
}

test_a_slug_uploaded_with_curl_becomes_a_release() {
  sw apps:create hello >/dev/null
  sw users:add ada --admin >/dev/null
  local token; token=$(token_for ada)
  start_api
  mkdir -p slugsrc/app
  cp -a "$FIXTURES/apps/release-knobs/." slugsrc/app/
  tar czf slug.tgz -C slugsrc ./app
  local sum; sum=$(sha256sum slug.tgz | cut -d' ' -f1)
  local types='"process_types":{"web":"bin/web","release":"bin/release-task"}'
  api slug.json POST /apps/hello/slugs "$token" "{$types,\"checksum\":\"SHA256:$sum\",\"commit\":\"0123456789abcdef\",\"stack\":\"heroku-24\",\"unknown\":true}"
  assert_eq 201 "$HTTP_STATUS" "a slug"
  local id url; id=$(json_get slug.json "j['id']") url=$(json_get slug.json "j['blob']['url']")
  assert_eq "PUT" "$(json_get slug.json "j['blob']['method']")"
  # A release of a slug whose upload never finished is refused.
  api early.json POST /apps/hello/releases "$token" "{\"slug\":\"$id\"}"
  assert_eq 422 "$HTTP_STATUS" "a release of an unfinished upload"
  assert_eq "Slug $id's upload never finished; PUT its tarball to its blob URL first." "$(json_get early.json "j['message']")"
  assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' -T slug.tgz "${url%token=*}token=wrong")" "a PUT with a wrong token"
  assert_eq 200 "$(curl -s -o put.out -w '%{http_code}' -T slug.tgz "$url")" "the upload: $(cat put.out)"
  assert_eq 409 "$(curl -s -o /dev/null -w '%{http_code}' -T slug.tgz "$url")" "a second upload"
  api got.json GET "/apps/hello/slugs/$id" "$token"
  assert_eq "SHA256:$sum $(stat -c %s slug.tgz)" "$(json_get got.json "j['checksum'] + ' ' + str(j['size'])")"
  # Released: the release phase runs and its output streams.
  api rel.json POST /apps/hello/releases "$token" "{\"slug\":\"$id\",\"description\":\"From CI\"}"
  assert_eq 201 "$HTTP_STATUS" "a release of the uploaded slug"
  wait_for "v1 to succeed" status_is hello v1 succeeded
  assert_eq "From CI" "$(record_field hello v1 description)"
  assert_current hello v1
  curl -s "$(json_get rel.json "j['output_stream_url']")" > out.txt
  assert_contains out.txt "^release ok$"
  # Bad tarballs and checksums: refused, nothing stored, nothing released.
  local slugs; slugs=$(ls "$(app_dir hello)/slugs" | grep -c '\.yml$')
  upload() { # NAME FILE [CHECKSUM]: declare a slug and PUT FILE; the status in $HTTP_STATUS, the answer in NAME.json
    local extra=""
    [ -z "${3:-}" ] || extra=",\"checksum\":\"$3\""
    api "$1.decl" POST /apps/hello/slugs "$token" "{$types$extra}"
    HTTP_STATUS=$(curl -s -o "$1.json" -w '%{http_code}' -T "$2" "$(json_get "$1.decl" "j['blob']['url']")")
  }
  upload mismatch slug.tgz "SHA256:$(printf '0%.0s' {1..64})"
  assert_eq 422 "$HTTP_STATUS" "a checksum that does not match"
  assert_eq "the upload's checksum is SHA256:$sum, not the SHA256:$(printf '0%.0s' {1..64}) declared" "$(json_get mismatch.json "j['message']")"
  make_tgz dotdot.tgz ./app/ok ./app/../../escaped
  upload dotdot dotdot.tgz
  assert_eq 422 "$HTTP_STATUS" "a tarball with ../"
  assert_contains dotdot.json "cannot be unpacked"
  make_tgz absolute.tgz /etc/slipway-pwned
  upload absolute absolute.tgz
  assert_eq 422 "$HTTP_STATUS" "a tarball with an absolute path"
  [ ! -e /etc/slipway-pwned ] || fail "an absolute path was written"
  printf 'not gzip' > plain.bin
  upload plain plain.bin
  assert_eq 422 "$HTTP_STATUS" "a body that is not gzip"
  sw settings:set slug_size_limit=1M -a hello >/dev/null
  head -c 3000000 /dev/urandom > big.bin
  # curl asks first (Expect: 100-continue) and is refused before it sends the body.
  api big.decl POST /apps/hello/slugs "$token" "{$types}"
  local sent
  read -r HTTP_STATUS sent < <(curl -s -o big.json -w '%{http_code} %{size_upload}\n' -T big.bin "$(json_get big.decl "j['blob']['url']")")
  assert_eq 413 "$HTTP_STATUS" "an upload over the app's slug_size_limit"
  assert_eq 0 "$sent" "bytes sent of a slug refused before its body"
  assert_eq "payload_too_large" "$(json_get big.json "j['id']")"
  # A client that does not ask first is cut off at the limit all the same.
  api big2.decl POST /apps/hello/slugs "$token" "{$types}"
  HTTP_STATUS=$(curl -s -o big2.json -w '%{http_code}' -H 'Expect:' -T big.bin "$(json_get big2.decl "j['blob']['url']")")
  assert_eq 413 "$HTTP_STATUS" "an upload over the limit sent without Expect"
  assert_eq "payload_too_large" "$(json_get big2.json "j['id']")"
  api badtypes.json POST /apps/hello/slugs "$token" '{"process_types":{"web":1}}'
  assert_eq 422 "$HTTP_STATUS" "process types that are not strings"
  api badsum.json POST /apps/hello/slugs "$token" '{"process_types":{},"checksum":"md5:abc"}'
  assert_eq 422 "$HTTP_STATUS" "a checksum that is not SHA256"
  assert_eq "$slugs" "$(ls "$(app_dir hello)/slugs" | grep -c '\.yml$')" "slugs after refused uploads"
  [ -z "$(ls "$(app_dir hello)/slugs/uploads" | grep '\.part$')" ] || fail "a refused upload left its data"
  assert_eq 1 "$(releases_of hello)"
}

# Issue 21, row 2: numbers in a request are range-checked. Every malformed Range is the same
# 400 naming it, a release number past 2^64 is not found, and serve answers the next request.
test_malformed_ranges_and_huge_numbers_are_refused_and_serve_stays_up() {
  new_app hello release-knobs
  push >/dev/null
  sw users:add bob >/dev/null
  sw access:add bob -a hello >/dev/null
  local token; token=$(token_for bob)
  start_api
  local range
  for range in 'version 99999999999999999999999..' 'version ..99999999999999999999999' \
    'version ]18446744073709551616..; order=asc' 'version 9007199254740992..' 'version ..; max=0' \
    'version ..; max=1001' 'version ..; max=99999999999999999999' 'version ..; order=sideways' 'version ..; max' \
    'name ..' 'version -1..' 'bytes=0-10' 'version 1..2..3'; do
    api range.json GET /apps/hello/releases "$token" "" "Range: $range"
    assert_eq 400 "$HTTP_STATUS" "Range: $range"
    assert_eq "Range header must look like 'version ..; max=10, order=desc', not '$range'." "$(json_get range.json "j['message']")"
    kill -0 "$SERVE_PID" || fail "serve died on Range: $range"
  done
  api big.json GET /apps/hello/releases/99999999999999999999999 "$token"
  assert_eq 404 "$HTTP_STATUS" "a release number past 2^64"
  assert_eq "Couldn't find that release." "$(json_get big.json "j['message']")"
  api edge.json GET /apps/hello/releases "$token" "" "Range: version ]0..; max=5, order=desc"
  assert_eq 200 "$HTTP_STATUS" "]0.. in descending order"
  assert_eq "[]" "$(json_get edge.json "json.dumps(j)")"
  api good.json GET /apps/hello/releases "$token" "" "Range: version ..; max=1, order=asc"
  assert_eq 200 "$HTTP_STATUS" "a good Range after the bad ones"
  assert_eq 1 "$(json_get good.json "j[0]['version']")"
  assert_eq 1 "$(releases_of hello)"
}

# Issue 21, row 3: config var values are for deployers and up (core::k_config_values_role) at
# every door; a viewer is refused a release's config vars as much as the app's.
test_a_viewer_never_reads_config_values() {
  new_app hello release-knobs
  push >/dev/null
  sw config:set STRIPE_KEY=sk_alice_secret -a hello >/dev/null
  sw users:add vic >/dev/null
  sw access:add vic -a hello --role viewer >/dev/null
  sw users:add dev >/dev/null
  sw access:add dev -a hello >/dev/null
  local vic dev; vic=$(token_for vic) dev=$(token_for dev)
  start_api
  local path
  for path in /apps/hello/config-vars /apps/hello/releases/2/config-vars /apps/hello/releases/v2/config-vars; do
    api vic.json GET "$path" "$vic"
    assert_eq 403 "$HTTP_STATUS" "a viewer's GET $path"
    assert_not_contains vic.json "sk_alice_secret"
    api dev.json GET "$path" "$dev"
    assert_eq 200 "$HTTP_STATUS" "a deployer's GET $path"
    assert_eq sk_alice_secret "$(json_get dev.json "j['STRIPE_KEY']")"
  done
  # What a viewer may read carries no value.
  for path in /apps/hello/releases /apps/hello/releases/2 /apps/hello; do
    api vic.json GET "$path" "$vic"
    assert_eq 200 "$HTTP_STATUS" "a viewer's GET $path"
    assert_not_contains vic.json "sk_alice_secret"
  done
  # The app is the path's, whatever a query string repeats: vic deploys 'vicsapp' only.
  sw apps:create vicsapp >/dev/null
  sw access:add vic -a vicsapp >/dev/null
  api vicsapp.json GET "/apps/vicsapp/config-vars?app=hello&app=vicsapp&app=hello" "$vic"
  assert_eq 200 "$HTTP_STATUS" "vic's GET of vicsapp's config with hello in the query"
  assert_not_contains vicsapp.json "sk_alice_secret"
  api hello.json GET "/apps/hello/config-vars?app=vicsapp&app=vicsapp" "$vic"
  assert_eq 403 "$HTTP_STATUS" "vic's GET of hello's config with vicsapp in the query"
  assert_not_contains hello.json "sk_alice_secret"
}

# Issue 21, rows 7 and 10: a stream URL is bound to its user and token and to every
# parameter; revocation, access removal and expiry end it at once, a followed stream within
# seconds; a log session's body is typed.
test_stream_urls_are_signed_and_revocation_ends_them() {
  new_app hello release-knobs
  push >/dev/null
  sw config:set EXTRA=1 -a hello >/dev/null
  sw users:add bob >/dev/null
  sw access:add bob -a hello >/dev/null
  local token; token=$(token_for bob)
  start_api
  api session.json POST /apps/hello/log-sessions "$token" '{"lines": 5}'
  assert_eq 201 "$HTTP_STATUS" "a log session"
  local url; url=$(json_get session.json "j['logplex_url']")
  assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$url")" "the log URL as given"
  # Every parameter is signed: other lines, another app's name, a later expiry, a second value.
  local forged
  for forged in "${url/lines=5/lines=100000}" "${url/expires=/expires=9}" "${url/user=bob/user=ada}" \
    "${url/\/logs\/hello/\/logs\/other}" "$url&lines=9" "${url/&sig=*/}"; do
    curl -s -o forged.json -w '%{http_code}' "$forged" > forged.status
    assert_eq 404 "$(cat forged.status)" "forged: $forged"
    assert_eq "Couldn't find that log session." "$(json_get forged.json "j['message']")"
  done
  # Wrong types in the body: 422, one line.
  local bad
  for bad in '{"lines": "5"}' '{"lines": -1}' '{"lines": 100001}' '{"lines": 1.5}' '{"tail": "yes"}' '{"dyno": 3}' '{"source": []}'; do
    api bad.json POST /apps/hello/log-sessions "$token" "$bad"
    assert_eq 422 "$HTTP_STATUS" "log session $bad"
    assert_eq "lines must be a whole number up to 100000, tail true or false, dyno and source strings." "$(json_get bad.json "j['message']")"
  done
  # A followed stream ends within seconds of the access it was made under being removed.
  api follow.json POST /apps/hello/log-sessions "$token" '{"tail": true}'
  local follow_url; follow_url=$(json_get follow.json "j['logplex_url']")
  curl -s -N --max-time 60 "$follow_url" > followed.txt &
  local follower=$!
  api rel.json POST /apps/hello/releases "$token" '{"release": "1"}'
  assert_eq 201 "$HTTP_STATUS" "a rollback"
  local output_url; output_url=$(json_get rel.json "j['output_stream_url']")
  wait_for "the rollback to finish" status_is hello v3 succeeded
  assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$output_url")" "the release output while access lasts"
  wait_for "the follower to see the rollback" grep -q "Rollback to v1" followed.txt
  sw access:remove bob -a hello >/dev/null
  local t0=$SECONDS
  wait "$follower" || true
  [ $((SECONDS - t0)) -le 5 ] || fail "the followed stream went on $((SECONDS - t0)) s after access was removed"
  assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$url")" "the log URL after access removal"
  assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$output_url")" "the output URL after access removal"
  # Access back, a new URL works; then the token is revoked, and it stops.
  sw access:add bob -a hello >/dev/null
  api again.json POST /apps/hello/log-sessions "$token" '{"tail": true}'
  local again_url; again_url=$(json_get again.json "j['logplex_url']")
  curl -s -N --max-time 60 "$again_url" > again.txt &
  follower=$!
  wait_for "the follower to start" test -s again.txt
  sw tokens:revoke "$(sw tokens | awk '$2 == "bob" {print $1}')" >/dev/null
  t0=$SECONDS
  wait "$follower" || true
  [ $((SECONDS - t0)) -le 5 ] || fail "the followed stream went on $((SECONDS - t0)) s after its token was revoked"
  assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$again_url")" "the log URL after revocation"
  assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$output_url")" "the output URL after revocation"
  kill -0 "$SERVE_PID" || fail "serve died"
}

# Issue 21, row 6 (the small case; make bench has 1,000 idle and 200 streams): a crowd of idle
# and slow connections and followed log streams does not keep a good request waiting.
test_the_api_answers_beside_idle_slow_and_streaming_clients() {
  new_app hello release-knobs
  push >/dev/null
  sw users:add bob >/dev/null
  sw access:add bob -a hello >/dev/null
  local token; token=$(token_for bob)
  start_api
  local i url paths=()
  for i in $(seq 40); do
    api stream.json POST /apps/hello/log-sessions "$token" '{"tail": true}'
    url=$(json_get stream.json "j['logplex_url']")
    paths+=("${url#"$API"}")
  done
  python3 "$FIXTURES/hold-connections.py" 127.0.0.1 "${API##*:}" 200 50 60 "${paths[@]}" > held.out &
  local holder=$!
  wait_for "the crowd to be in" grep -q '^ready$' held.out
  for i in 1 2 3 4 5; do
    # Well within a second on an idle machine; 3 s leaves room for a loaded one (and ASan).
    curl -s --max-time 3 -o good.json -w '%{http_code}' -H "Authorization: Bearer $token" "$API/apps/hello" > good.status || true
    assert_eq 200 "$(cat good.status)" "good request $i beside the crowd"
    assert_eq hello "$(json_get good.json "j['name']")"
  done
  kill -0 "$holder" || fail "the crowd left before the good requests were done"
  kill "$holder"; wait "$holder" 2>/dev/null || true
  kill -0 "$SERVE_PID" || fail "serve died"
}

# Issue 21, item 4: every route family fuzzed briefly (make fuzz runs it for FUZZ_SECONDS):
# no request answered 500, dropped or left unanswered, and serve stays up.
test_the_api_fuzzed_briefly_never_fails_a_request() {
  TMPDIR=$SCRATCH SLIPWAY_BIN=$SLIPWAY_BIN bash "$FIXTURES/../fuzz/api-fuzz-run.sh" 2 > fuzz.out 2>&1 ||
    fail "the API fuzzer found failures: $(cat fuzz.out)"
  assert_eq 8 "$(grep -c '^fuzz_api [a-z_]*: [0-9]* requests, 0 failures$' fuzz.out)"
}
