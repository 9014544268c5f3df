# HTTPS in the router (issue 24): certificates added by hand and from ACME (Pebble, Let's
# Encrypt's test server, started here on loopback), scheme honesty, redirects and HSTS.

# pick_port: a loopback port nothing listens on now.
pick_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# make_ca: a test CA in ca.pem / ca.key.
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem \
    -subj "/CN=Slipway Test CA" -days 30 2>/dev/null
}

# make_cert NAME DAYS HOST...: NAME.pem (signed by the test CA, for the HOSTs) and NAME.key.
make_cert() {
  local name=$1 days=$2; shift 2
  local san; san=$(printf 'DNS:%s,' "$@"); san=${san%,}
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$name.key" -out "$name.csr" \
    -subj "/CN=$1" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$name.pem" -days "$days" \
    -extfile <(printf 'subjectAltName=%s\n' "$san") 2>/dev/null
}

# https_get HOST PATH [CURL ARGS...]: GET over TLS to the router, HOST by SNI, trusting ca.pem.
https_get() {
  local host=$1 path=$2; shift 2
  curl -s --cacert "$SCRATCH/ca.pem" --resolve "$host:$HTTPS_PORT:127.0.0.1" "$@" "https://$host:$HTTPS_PORT$path"
}

# serving_serial HOST: the serial number of the certificate the router shows for HOST.
serving_serial() {
  openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername "$1" </dev/null 2>/dev/null |
    openssl x509 -noout -serial 2>/dev/null
}

# http_code_is CODE HOST PATH: plain HTTP through the router answers CODE.
http_code_is() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $2" "http://127.0.0.1:$ROUTER_PORT$3")" = "$1" ]
}

# serial_is_not SERIAL HOST: the router shows HOST another certificate than SERIAL's.
serial_is_not() { [ "$(serving_serial "$2")" != "$1" ]; }

start_tls_serve() {
  HTTPS_PORT=$(pick_port)
  start_serve --https "127.0.0.1:$HTTPS_PORT"
}

test_certs_add_checks_what_it_is_given_and_the_router_serves_it() {
  new_app hello web
  sw domains:add www.example.com -a hello > /dev/null
  make_ca
  make_cert good 30 hello.localhost www.example.com
  make_cert other 30 www.other.com
  make_cert old 0 hello.localhost
  openssl pkey -in good.key -out locked.key -aes256 -passout pass:secret 2>/dev/null
  echo "not a certificate" > junk.pem
  # Each refusal: its own words, exit 2, nothing stored.
  local certs; certs="$(app_dir hello)/certs"
  run_sw bad.out certs:add good.pem other.key -a hello
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: the key in other.key does not belong to the certificate in good.pem" "$(cat bad.out)"
  run_sw bad.out certs:add old.pem old.key -a hello
  assert_eq 2 "$SW_STATUS"
  assert_contains bad.out "^slipway: error: the certificate in old.pem expired on [0-9-]+T[0-9:]+Z; get a new one$"
  run_sw bad.out certs:add other.pem other.key -a hello
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: the certificate in other.pem is for www.other.com, none of the app's hosts (hello.localhost, www.example.com); add the domain first (slipway domains:add)" "$(cat bad.out)"
  run_sw bad.out certs:add junk.pem good.key -a hello
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: junk.pem is not a PEM certificate (-----BEGIN CERTIFICATE-----)" "$(cat bad.out)"
  run_sw bad.out certs:add good.pem junk.pem -a hello
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: junk.pem is not a PEM private key (-----BEGIN PRIVATE KEY-----)" "$(cat bad.out)"
  run_sw bad.out certs:add good.pem locked.key -a hello
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: the key in locked.key is protected by a passphrase; give it without one (openssl pkey -in locked.key -out plain.key)" "$(cat bad.out)"
  [ ! -e "$certs/custom.pem" ] || fail "a refused certificate was stored"
  # A good one.
  sw certs:add good.pem good.key -a hello > add.out
  assert_eq "Adding SSL certificate to hello... done" "$(head -1 add.out)"
  assert_eq 600 "$(stat -c %a "$certs/custom.pem")"
  assert_eq 700 "$(stat -c %a "$certs")"
  sw certs -a hello > list.out
  assert_contains list.out "^custom +hello.localhost, www.example.com +[0-9-]+T[0-9:]+Z +CN=Slipway Test CA +certs:add$"
  # Served over HTTPS, and the app is told so.
  start_tls_serve
  push > /dev/null
  wait_for "HTTPS to answer" https_get hello.localhost / -f -o /dev/null
  https_get hello.localhost /headers > headers.out
  assert_contains headers.out "^X-Forwarded-Proto: https$"
  assert_contains headers.out "^X-Forwarded-Port: $HTTPS_PORT$"
  assert_eq "one hello web.1" "$(https_get www.example.com /)"
  assert_eq "X-Forwarded-Proto: http" "$(router_get hello.localhost /headers >/dev/null; curl -s -H 'Host: hello.localhost' "http://127.0.0.1:$ROUTER_PORT/headers" | grep '^X-Forwarded-Proto')"
  # A client's own X-Forwarded-Proto is never believed.
  curl -s -H 'Host: hello.localhost' -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$ROUTER_PORT/headers" > spoof.out
  assert_contains spoof.out "^X-Forwarded-Proto: http$"
  # HTTP -> HTTPS redirect and HSTS: opt-in settings.
  curl -s -o /dev/null -w '%{http_code}\n' -H 'Host: hello.localhost' "http://127.0.0.1:$ROUTER_PORT/x?y=1" > code.out
  assert_eq 200 "$(cat code.out)"
  sw settings:set force_https=true hsts_max_age=31536000 -a hello > /dev/null
  wait_for "the redirect" http_code_is 301 hello.localhost "/x?y=1"
  curl -s -D redirect.out -o /dev/null -H 'Host: hello.localhost' "http://127.0.0.1:$ROUTER_PORT/x?y=1"
  assert_contains redirect.out "^location: https://hello.localhost:$HTTPS_PORT/x\?y=1"
  https_get hello.localhost / -D hsts.out -o /dev/null
  assert_contains hsts.out "^strict-transport-security: max-age=31536000"
  # A second certificate replaces the first under a keep-alive HTTPS client: no error.
  python3 "$FIXTURES/keepalive-client.py" "$HTTPS_PORT" hello.localhost 10 "$SCRATCH/load.out" "$SCRATCH/stop" "$SCRATCH/ca.pem" &
  local client=$!
  trap 'touch "$SCRATCH/stop"; stop_serve' EXIT
  local first; first=$(serving_serial hello.localhost)
  make_cert second 30 hello.localhost
  sw certs:add second.pem second.key -a hello > /dev/null
  wait_for "the second certificate to serve" serial_is_not "$first" hello.localhost
  touch "$SCRATCH/stop"; wait "$client"
  assert_contains load.out "^requests [0-9]+ errors 0 non2xx 0 backwards 0 reconnects 0$"
  # Removed: the router shows its own self-signed certificate, which no client trusts.
  sw certs:remove -a hello > rm.out
  assert_eq "Removing SSL certificate from hello... done" "$(cat rm.out)"
  wait_for "the certificate to go" not https_get hello.localhost / -f -o /dev/null
  run_sw none.out certs:remove -a hello
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: hello has no certificate added with certs:add" "$(cat none.out)"
}

not() { ! "$@"; }

# start_pebble: Pebble (ACME) on loopback, its DNS from pebble-challtestsrv (every name is
# 127.0.0.1), its HTTP-01 validation sent to the router's HTTP port; its TLS from the test CA.
start_pebble() {
  local dns
  dns=$(pick_port) CHALL_MGMT=$(pick_port) ACME_PORT=$(pick_port) PEBBLE_MGMT=$(pick_port)
  pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" -dns01 "127.0.0.1:$dns" -http01 "" -https01 "" \
    -tlsalpn01 "" -management "127.0.0.1:$CHALL_MGMT" > challtestsrv.out 2>&1 &
  CHALL_PID=$!
  make_cert pebble 30 localhost
  cat > pebble.json <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$ACME_PORT", "managementListenAddress": "127.0.0.1:$PEBBLE_MGMT",
 "certificate": "$SCRATCH/pebble.pem", "privateKey": "$SCRATCH/pebble.key", "httpPort": $ROUTER_PORT,
 "tlsPort": $(pick_port), "ocspResponderURL": "", "externalAccountBindingRequired": false}}
JSON
  # Every order validated again (Pebble reuses half of the valid authorizations by default).
  PEBBLE_VA_NOSLEEP=${PEBBLE_VA_NOSLEEP-1} PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 pebble -config pebble.json -dnsserver "127.0.0.1:$dns" > pebble.out 2>&1 &
  PEBBLE_PID=$!
  trap 'kill "$PEBBLE_PID" "$CHALL_PID" 2>/dev/null; touch "$SCRATCH/stop"; stop_serve' EXIT
  wait_for "Pebble to answer" curl -sf --cacert ca.pem -o /dev/null "https://localhost:$ACME_PORT/dir"
}

# use_pebble: the server's ACME settings point at the Pebble start_pebble started.
use_pebble() {
  sw settings:set --server "acme_directory=https://localhost:$ACME_PORT/dir" acme_email=ops@example.com \
    "acme_ca_file=$SCRATCH/ca.pem" > /dev/null
}

# acme_status_is HOST STATUS: certs:auto shows STATUS for HOST.
acme_status_is() { sw certs:auto -a hello | grep -qE "^$1 +$2( |$)"; }

# https_with ROOT HOST: GET / over TLS to HOST, trusting only ROOT (a PEM file).
https_with() { curl -sf --cacert "$1" --resolve "$2:$HTTPS_PORT:127.0.0.1" "https://$2:$HTTPS_PORT/"; }

test_automatic_certificates_are_issued_renewed_and_kept_when_acme_fails() {
  new_app hello web
  make_ca
  start_tls_serve
  push > /dev/null
  start_pebble
  use_pebble
  sw certs:auto -a hello > off.out
  assert_eq "=== Automatic Certificate Management is disabled on hello" "$(head -1 off.out)"
  sw certs:auto:enable -a hello > enable.out
  assert_eq "Enabling Automatic Certificate Management on hello... done" "$(head -1 enable.out)"
  wait_for "the certificate to be issued" acme_status_is hello.localhost "Cert issued"
  curl -sf --cacert ca.pem "https://localhost:$PEBBLE_MGMT/roots/0" > pebble-root.pem
  wait_for "HTTPS with the issued certificate" https_with pebble-root.pem hello.localhost
  assert_eq "one hello web.1" "$(https_with pebble-root.pem hello.localhost)"
  assert_eq 600 "$(stat -c %a "$(app_dir hello)/certs/auto/hello.localhost.pem")"
  sw certs -a hello > list.out
  assert_contains list.out "^hello.localhost +hello.localhost +[0-9-]+T[0-9:]+Z +CN=Pebble Intermediate CA [0-9a-f]+ +ACM$"
  # Renewal: a window longer than the certificate's life renews it, under a keep-alive client.
  python3 "$FIXTURES/keepalive-client.py" "$HTTPS_PORT" hello.localhost 10 "$SCRATCH/load.out" "$SCRATCH/stop" \
    "$SCRATCH/pebble-root.pem" &
  local client=$! first; first=$(serving_serial hello.localhost)
  sw settings:set --server acme_renew_days=36500 > /dev/null
  sw certs:auto:refresh -a hello > refresh.out
  assert_eq "Refreshing Automatic Certificate Management on hello... done" "$(cat refresh.out)"
  wait_for "a renewed certificate" serial_is_not "$first" hello.localhost
  touch "$SCRATCH/stop"; wait "$client"
  assert_contains load.out "^requests [0-9]+ errors 0 non2xx 0 backwards 0 reconnects 0$"
  # The ACME server down: the failure is shown, the certificate in force keeps serving.
  kill "$PEBBLE_PID"; wait "$PEBBLE_PID" 2>/dev/null || true
  local serving; serving=$(serving_serial hello.localhost)
  sw certs:auto:refresh -a hello > /dev/null
  wait_for "the failure to show" acme_status_is hello.localhost Failing
  sw certs:auto -a hello > failing.out
  assert_contains failing.out "^hello.localhost +Failing +[0-9-]+T[0-9:]+Z +.*connection refused"
  run_sw doctor.out doctor -a hello
  assert_contains doctor.out "the automatic certificate for hello.localhost cannot be had: .*connection refused.* \(retried by serve; the one in force keeps serving; slipway certs:auto -a hello\)"
  assert_eq "$serving" "$(serving_serial hello.localhost)"
  assert_eq "one hello web.1" "$(https_with pebble-root.pem hello.localhost)"
}

# An ACME server that answers slowly holds up nothing else serve does; one that refuses (its
# validation cannot reach the router) is shown as failing while the certificate in force
# keeps serving.
test_a_slow_or_refusing_acme_server_changes_nothing_that_serves() {
  new_app hello web
  make_ca
  start_tls_serve
  push > /dev/null
  PEBBLE_VA_NOSLEEP= PEBBLE_VA_SLEEPTIME=6 start_pebble
  use_pebble
  sw certs:auto:enable -a hello > /dev/null
  wait_for "the request to be pending" grep -q "^hello.localhost.Pending" "$(app_dir hello)/certs/acme-status"
  # Meanwhile serve routes a new domain at once, and the app answers over HTTPS.
  sw domains:add slow.example.com -a hello > /dev/null
  WAIT_SECONDS=3 wait_for "the domain while ACME is slow" router_answers slow.example.com "one hello web.1"
  https_get hello.localhost / -k > meanwhile.out
  assert_eq "one hello web.1" "$(cat meanwhile.out)"
  WAIT_SECONDS=60 wait_for "the certificate to be issued" acme_status_is hello.localhost "Cert issued"
  curl -sf --cacert ca.pem "https://localhost:$PEBBLE_MGMT/roots/0" > pebble-root.pem
  wait_for "HTTPS with the issued certificate" https_with pebble-root.pem hello.localhost
  local serving; serving=$(serving_serial hello.localhost)
  # The ACME server's validation now reaches nothing: it refuses the authorization.
  curl -sf -d '{"ip": "127.0.0.2"}' "http://127.0.0.1:$CHALL_MGMT/set-default-ipv4" > /dev/null
  sw settings:set --server acme_renew_days=36500 > /dev/null
  sw certs:auto:refresh -a hello > /dev/null
  WAIT_SECONDS=60 wait_for "the refusal to show" acme_status_is hello.localhost Failing
  sw certs:auto -a hello > failing.out
  assert_contains failing.out "^hello.localhost +Failing +[0-9-]+T[0-9:]+Z +.*urn:ietf:params:acme:error:connection"
  run_sw doctor.out doctor -a hello
  assert_contains doctor.out "the automatic certificate for hello.localhost cannot be had: .*acme:error:connection.* \(retried by serve; the one in force keeps serving; slipway certs:auto -a hello\)"
  assert_eq "$serving" "$(serving_serial hello.localhost)"
  assert_eq "one hello web.1" "$(https_with pebble-root.pem hello.localhost)"
}

# Item 2 of issue 24: the Django getting-started app, HTTPS only on a dyno and trusting
# X-Forwarded-Proto, serves through the router unmodified: HTTP is redirected to HTTPS (even
# with a client's own X-Forwarded-Proto), HTTPS answers, no redirect loop.
test_django_getting_started_serves_over_https_through_the_router() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to create app users"
  python3 -c 'import django' 2>/dev/null || /usr/bin/python3 -c 'import django' || fail "python3-django is missing (make deps)"
  new_app djtls django
  django_db djtls
  make_ca
  make_cert djtls 30 djtls.localhost
  start_tls_serve
  push > /dev/null
  assert_eq 0 "$PUSH_STATUS" "push status"
  sw certs:add djtls.pem djtls.key -a djtls > /dev/null
  wait_for "Django over HTTPS" https_get djtls.localhost / -f -o /dev/null
  https_get djtls.localhost / > page.out
  assert_contains page.out "^Hello from Django on Slipway: [0-9]+ greetings$"
  curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H "Host: djtls.localhost" "http://127.0.0.1:$ROUTER_PORT/" > plain.out
  assert_eq "301 https://djtls.localhost/" "$(cat plain.out)"
  curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H "Host: djtls.localhost" -H "X-Forwarded-Proto: https" \
    "http://127.0.0.1:$ROUTER_PORT/" > claimed.out
  assert_eq "301 https://djtls.localhost/" "$(cat claimed.out)"
}

# Item 3 of issue 24: the Platform API on a host of its own through the router, over the same
# TLS, with a certificate of the server's.
test_the_api_host_goes_through_the_router_over_tls() {
  new_app hello web
  sw users:add ada --admin --email ada@example.com > /dev/null
  local token; token=$(sw tokens:create ada 2>/dev/null)
  make_ca
  make_cert api 30 api.localhost
  make_cert wild 30 "*.apps.localhost"
  make_cert other 30 www.other.com
  sw settings:set --server api_host=api.localhost domain=apps.localhost > /dev/null
  run_sw bad.out certs:add other.pem other.key --server
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: the certificate in other.pem is for www.other.com, none of the server's hosts (api.localhost, *.apps.localhost); add the domain first (slipway domains:add)" "$(cat bad.out)"
  [ ! -e "$SLIPWAY_ROOT/certs/custom.pem" ] || fail "a refused certificate was stored"
  sw certs:add api.pem api.key --server > add.out
  assert_eq "Adding SSL certificate to the server... done" "$(head -1 add.out)"
  assert_eq 700 "$(stat -c %a "$SLIPWAY_ROOT/certs")"
  local api_port; api_port=$(pick_port)
  HTTPS_PORT=$(pick_port)
  start_serve --https "127.0.0.1:$HTTPS_PORT" --api "127.0.0.1:$api_port"
  wait_for "the API through the router" https_get api.localhost /account -f -o /dev/null -H "Authorization: Bearer $token"
  https_get api.localhost /account -H "Authorization: Bearer $token" -H "Accept: application/vnd.heroku+json; version=3" > account.json
  assert_contains account.json '"email":"ada@example.com"'
  # Plain HTTP reaches it too; another host does not.
  curl -s -H "Host: api.localhost" -H "Authorization: Bearer $token" "http://127.0.0.1:$ROUTER_PORT/account" > plain.json
  assert_contains plain.json '"email":"ada@example.com"'
  assert_eq "No such app on this server" "$(router_get nope.localhost)"
  # A wildcard of the server's covers every APP.<domain> that has none of its own.
  push > /dev/null
  sw certs:add wild.pem wild.key --server > /dev/null
  wait_for "hello over the wildcard" https_get hello.apps.localhost / -f -o /dev/null
  assert_eq "one hello web.1" "$(https_get hello.apps.localhost /)"
  sw certs --server > list.out
  assert_contains list.out "^custom +\*\.apps\.localhost +"
}

# An app destroyed while its challenge is pending: nothing of it comes back, and the next
# app's certificate is had as usual. Pebble waits up to PEBBLE_VA_SLEEPTIME seconds before it
# validates, so the request is still running when the app goes.
test_an_app_destroyed_while_its_challenge_is_pending_leaves_nothing() {
  new_app hello web
  sw apps:create acmedoomed > /dev/null
  make_ca
  start_tls_serve
  push > /dev/null
  PEBBLE_VA_NOSLEEP= PEBBLE_VA_SLEEPTIME=4 start_pebble
  use_pebble
  sw certs:auto:enable -a acmedoomed > /dev/null
  wait_for "acmedoomed's request to start" grep -q "^acmedoomed.localhost.Pending" "$(app_dir acmedoomed)/certs/acme-status"
  sw apps:destroy acmedoomed --confirm acmedoomed > /dev/null
  [ ! -e "$(app_dir acmedoomed)" ] || fail "the app is still there"
  sw certs:auto:enable -a hello > /dev/null
  WAIT_SECONDS=40 wait_for "hello's certificate after acmedoomed's request" acme_status_is hello.localhost "Cert issued"
  [ ! -e "$(app_dir acmedoomed)" ] || fail "the destroyed app's directory came back"
}
