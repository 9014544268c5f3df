# Add-ons: a real PostgreSQL (a cluster in the test's scratch directory on a loopback port,
# run as the postgres user) and a real redis-server for the script provider example, each
# started by the test and stopped when it ends.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# As the postgres user when root (PostgreSQL refuses to run as root).
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_postgres: a fresh cluster with superuser admin/adminpw on 127.0.0.1:$PG_PORT; passwords
# are checked (scram) on TCP. $PG_ADMIN_URL is the provider's URL.
start_postgres() {
  [ -x "$PG_BIN/initdb" ] || skip "PostgreSQL is not installed (apt-get install postgresql)"
  PG_DIR="$SCRATCH/pg"
  mkdir -p "$PG_DIR"
  echo adminpw >"$PG_DIR/pw"
  [ "$(id -u)" = 0 ] && chown -R postgres "$PG_DIR"
  as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U admin --pwfile="$PG_DIR/pw" --auth-local=trust \
    --auth-host=scram-sha-256 -N >"$SCRATCH/initdb.out" 2>&1 || { cat "$SCRATCH/initdb.out"; fail "initdb failed"; }
  PG_PORT=$(free_port)
  pg_start
  trap stop_servers EXIT
  PG_ADMIN_URL="postgres://admin:adminpw@127.0.0.1:$PG_PORT/postgres"
}

pg_start() {
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 30 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null
}

pg_stop() { as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true; }

stop_servers() {
  [ -n "${PG_DIR:-}" ] && pg_stop
  [ -n "${REDIS_PID:-}" ] && { kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; }
  return 0
}

# sql [URL] QUERY: one value, as the admin unless a URL is given.
sql() {
  local url=$PG_ADMIN_URL
  [ $# -eq 2 ] && { url=$1; shift; }
  psql "$url" -XAtq -c "$1"
}

# The one add-on's name in `slipway addons` ($1: its provider).
addon_name() { sw addons | awk -v p="$1" '$2 == p { print $1; exit }'; }

config_of() { sw config:get "$2" -a "$1"; }

# A directory of root's holding the files of fixture provider $1 (a checkout may belong to
# anyone; root runs these).
provider_dir() {
  local dir="$SCRATCH/providers/$1"
  mkdir -p "$dir"
  cp -a "$FIXTURES/addon-providers/$1/." "$dir/"
  chmod -R go-w "$SCRATCH/providers"
  echo "$dir"
}

test_a_django_app_gets_a_database_its_release_phase_migrates() {
  start_postgres
  new_app dj-addons django
  push >/dev/null
  assert_eq 0 "$PUSH_STATUS"
  sw addons:providers:set postgresql --url "$PG_ADMIN_URL" >set.out
  assert_contains set.out "^Setting add-on provider postgresql\.\.\. done \(postgres://\*\*\*@127\.0\.0\.1:$PG_PORT/postgres answers\)$"
  assert_not_contains set.out adminpw
  assert_eq 600 "$(stat -c %a "$SLIPWAY_ROOT/addons/providers/postgresql.yml")"
  sw addons:providers >providers.out
  assert_not_contains providers.out adminpw

  sw addons:create postgresql -a dj-addons >create.out 2>&1 || { cat create.out; fail "addons:create failed"; }
  local name; name=$(addon_name postgresql)
  assert_contains create.out "^Creating $name on dj-addons\.\.\. done$"
  assert_contains create.out "^Attaching $name to dj-addons\.\.\. done, v2$"
  assert_contains create.out "Running release command: python manage.py migrate --noinput"
  assert_contains create.out "Applying hello\.0001_initial\.\.\. OK"
  assert_contains create.out "^Attached $name as DATABASE \(DATABASE_URL\)$"
  [[ $name =~ ^postgresql-[a-z]+-[0-9]+$ ]] || fail "add-on name '$name'"
  local db=slipway_${name//-/_}
  # The migration ran against the new database, owned by the add-on's role, which only it may use.
  assert_eq 1 "$(sql "postgres://admin:adminpw@127.0.0.1:$PG_PORT/$db" "SELECT count(*) FROM information_schema.tables WHERE table_name = 'hello_greeting'")"
  assert_eq "$db" "$(sql "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$db'")"
  assert_eq 20 "$(sql "SELECT rolconnlimit FROM pg_roles WHERE rolname = '$db'")"
  local url; url=$(config_of dj-addons DATABASE_URL)
  [[ $url =~ ^postgres://$db:[0-9a-f]{64}@127\.0\.0\.1:$PG_PORT/$db$ ]] || fail "DATABASE_URL is '$url'"
  assert_eq 1 "$(sql "$url" "SELECT 1")"
  sw releases -a dj-addons >releases.out
  assert_contains releases.out "^v2  Attach DATABASE \($name\)  tester@example\.com "
  sw addons -a dj-addons >addons.out
  assert_contains addons.out "^$name +postgresql +dj-addons::DATABASE +attached$"
  sw addons:info "$name" >info.out
  assert_contains info.out "^Config vars: +DATABASE_URL$"
  assert_not_contains info.out "$(re_escape "$url")"

  # Rotation: no release phase; the old password stops working, the next release uses the new one.
  local phases; phases=$(grep -c "Running release command" "$(app_dir dj-addons)/logs/app.log" || true)
  sw addons:credentials:rotate "$name" >rotate.out 2>&1 || { cat rotate.out; fail "rotate failed"; }
  assert_contains rotate.out "^Rotating credentials of $name\.\.\. done$"
  assert_contains rotate.out "^DATABASE on dj-addons: v3 \(release command not run: an add-on's own config change\)$"
  assert_not_contains rotate.out "Running release command"
  assert_eq succeeded "$(record_field dj-addons v3 status)"
  assert_eq skipped "$(record_field dj-addons v3 release_phase)"
  assert_eq -1 "$(record_field dj-addons v3 exit_status)"
  [ ! -e "$(app_dir dj-addons)/releases/v3/release.log" ] || fail "v3 has a release log: its release phase ran"
  sw releases -a dj-addons >releases.out
  assert_contains releases.out "^v3  Update DATABASE by $name release command skipped  "
  local new; new=$(config_of dj-addons DATABASE_URL)
  [ "$new" != "$url" ] || fail "DATABASE_URL did not change"
  if sql "$url" "SELECT 1" >old.out 2>&1; then fail "the old password still logs in"; fi
  assert_contains old.out "password authentication failed for user \"$db\""
  assert_eq 1 "$(sql "$new" "SELECT 1")"
  sw config:set GREETING=hi -a dj-addons >set.out 2>&1 || { cat set.out; fail "config:set after rotate failed"; }
  assert_contains set.out "Running release command: python manage.py migrate --noinput"
  assert_eq succeeded "$(record_field dj-addons v4 status)"
  assert_eq "$new" "$(config_of dj-addons DATABASE_URL)"
  # A rollback to v2 keeps the attachment's current password (it never brings back a rotated one).
  sw rollback v2 -a dj-addons >rollback.out 2>&1 || { cat rollback.out; fail "rollback failed"; }
  assert_eq "$new" "$(config_of dj-addons DATABASE_URL)"

  # Destroy: a Detach release first, then the database and role are dropped.
  sw addons:destroy "$name" --confirm dj-addons >destroy.out 2>&1 || { cat destroy.out; fail "destroy failed"; }
  assert_contains destroy.out "^Detaching DATABASE \($name\) from dj-addons\.\.\. done, v6$"
  assert_contains destroy.out "^Destroying $name on dj-addons\.\.\. done$"
  sw releases -a dj-addons >releases.out
  assert_contains releases.out "^v6  Detach DATABASE \($name\)  "
  assert_eq "" "$(config_of dj-addons DATABASE_URL 2>/dev/null || true)"
  assert_eq 0 "$(sql "SELECT count(*) FROM pg_database WHERE datname = '$db'")"
  assert_eq 0 "$(sql "SELECT count(*) FROM pg_roles WHERE rolname = '$db'")"
  run_sw again.out addons:destroy "$name" --confirm dj-addons
  assert_eq 1 "$SW_STATUS"
  assert_eq "slipway: error: add-on '$name' not found; see 'slipway addons'" "$(cat again.out)"
}
