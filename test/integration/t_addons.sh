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

# The state a refused command must leave as it was: add-on records, the app's releases and
# config, the server's roles and databases.
snapshot() {
  {
    ls -R "$SLIPWAY_ROOT/addons" 2>/dev/null || true
    cat "$SLIPWAY_ROOT"/addons/resources/*.yml 2>/dev/null || true
    ls "$(app_dir "$1")/releases"
    cat "$(app_dir "$1")/env"* 2>/dev/null || true
    sw config -a "$1"
    if [ -n "${PG_DIR:-}" ] && [ -z "${PG_DOWN:-}" ]; then
      sql "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles"
      sql "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database"
    fi
  } >"$SCRATCH/snapshot.$2"
}

# refused OUT STATUS LINE ARGS...: slipway ARGS fails with STATUS and exactly LINE, and
# nothing changed for app $APP.
refused() {
  local out=$1 status=$2 line=$3
  shift 3
  snapshot "$APP" before
  run_sw "$out" "$@"
  assert_eq "$status" "$SW_STATUS"
  assert_eq "$line" "$(cat "$out")"
  snapshot "$APP" after
  cmp -s "$SCRATCH/snapshot.before" "$SCRATCH/snapshot.after" || {
    diff "$SCRATCH/snapshot.before" "$SCRATCH/snapshot.after"
    fail "slipway $* changed something"
  }
}

test_bad_input_to_the_postgresql_provider_changes_nothing() {
  start_postgres
  APP=pg-refusals
  new_app $APP release-knobs
  push >/dev/null
  refused none.out 1 "slipway: error: add-on provider 'postgresql' is not configured; an admin sets it once with 'slipway addons:providers:set postgresql --url postgres://ADMIN:PASSWORD@HOST:PORT/postgres'" \
    addons:create postgresql -a $APP
  refused wrongpw.out 1 "slipway: error: cannot reach PostgreSQL for add-on provider 'postgresql': connection to server at \"127.0.0.1\", port $PG_PORT failed: FATAL:  password authentication failed for user \"admin\"; check the server is up and the admin URL (slipway addons:providers:set postgresql --url ...)" \
    addons:providers:set postgresql --url "postgres://admin:nope@127.0.0.1:$PG_PORT/postgres"
  [ ! -e "$SLIPWAY_ROOT/addons/providers/postgresql.yml" ] || fail "a provider that does not answer was saved"
  sw addons:providers:set postgresql --url "$PG_ADMIN_URL" >/dev/null

  refused as.out 2 "slipway: error: invalid attachment name 'db': use capital letters, digits and underscores, starting with a letter (DATABASE)" \
    addons:create postgresql -a $APP --as db
  refused name.out 2 "slipway: error: invalid add-on name 'My DB': use 3 to 40 lowercase letters, digits and dashes, starting with a letter" \
    addons:create postgresql -a $APP --name "My DB"
  sw config:set MAIN_URL=postgres://elsewhere -a $APP >/dev/null
  refused used.out 2 "slipway: error: config var MAIN_URL is already set on $APP; choose another name with --as, or unset it (slipway config:unset MAIN_URL -a $APP)" \
    addons:create postgresql -a $APP --as MAIN
  sw addons:create postgresql -a $APP --name first-db >/dev/null 2>&1
  refused exists.out 2 "slipway: error: an add-on named 'first-db' already exists; choose another --name" \
    addons:create postgresql -a $APP --name first-db --as OTHER
  refused same-as.out 2 "slipway: error: $APP already has an add-on attached as DATABASE (first-db); choose another name with --as" \
    addons:create postgresql -a $APP
  refused unset.out 2 "slipway: error: config var DATABASE_URL belongs to an add-on attachment; see 'slipway addons -a $APP', and detach it to remove it (slipway addons:detach ATTACHMENT -a $APP)" \
    config:unset DATABASE_URL -a $APP
  refused overwrite.out 2 "slipway: error: config var DATABASE_URL belongs to an add-on attachment; see 'slipway addons -a $APP', and detach it to remove it (slipway addons:detach ATTACHMENT -a $APP)" \
    config:set DATABASE_URL=postgres://mine GREETING=x -a $APP
  refused confirm.out 2 "slipway: error: destroying first-db deletes its data for good; to proceed, run again with --confirm $APP" \
    addons:destroy first-db --confirm wrong
  refused noconfirm.out 2 "slipway: error: destroying first-db deletes its data for good; to proceed, run again with --confirm $APP" \
    addons:destroy first-db

  # The server down: create and rotate change nothing.
  pg_stop
  PG_DOWN=1
  refused down.out 1 "slipway: error: cannot reach PostgreSQL for add-on provider 'postgresql': connection to server at \"127.0.0.1\", port $PG_PORT failed: Connection refused; check the server is up and the admin URL (slipway addons:providers:set postgresql --url ...)" \
    addons:create postgresql -a $APP --as SECOND
  refused rotate-down.out 1 "slipway: error: cannot reach PostgreSQL for add-on provider 'postgresql': connection to server at \"127.0.0.1\", port $PG_PORT failed: Connection refused; check the server is up and the admin URL (slipway addons:providers:set postgresql --url ...)" \
    addons:credentials:rotate first-db
  sw doctor >doctor.out 2>&1 || true
  assert_contains doctor.out "^addons: problem: provider postgresql: cannot reach PostgreSQL for add-on provider 'postgresql': connection to server at \"127\.0\.0\.1\", port $PG_PORT failed: Connection refused; "
  pg_start
  PG_DOWN=

  # Issue 21, item 9: a fresh server lets PUBLIC connect to postgres and template1, so an
  # add-on's role could too; doctor says so and what to run, and the advice works.
  local url; url=$(config_of $APP DATABASE_URL)
  assert_eq 1 "$(sql "${url%/*}/postgres" "SELECT 1")" "an add-on's role in the postgres database before the fix"
  sw doctor >doctor.out 2>&1 && fail "doctor missed PUBLIC's CONNECT"
  assert_contains doctor.out "^addons: problem: provider postgresql: every add-on's role may connect to databases postgres, template1 on PostgreSQL at 127\.0\.0\.1:$PG_PORT \(PUBLIC may\); run as a superuser there: GRANT CONNECT ON DATABASE \"postgres\" TO \"admin\"; REVOKE CONNECT ON DATABASE \"postgres\" FROM PUBLIC; REVOKE CONNECT ON DATABASE \"template1\" FROM PUBLIC;$"
  sql "$(sed -n 's/.*run as a superuser there: //p' doctor.out)"
  for db in postgres template1; do
    psql "${url%/*}/$db" -XAtq -c "SELECT 1" >role.out 2>&1 && fail "an add-on's role connected to $db"
    assert_contains role.out "permission denied for database \"$db\""
  done
  # A database dropped behind Slipway's back: doctor says so.
  sw doctor >doctor.out 2>&1 || fail "doctor found problems: $(cat doctor.out)"
  sql "DROP DATABASE slipway_first_db WITH (FORCE)"
  sw doctor >doctor.out 2>&1 && fail "doctor missed the dropped database"
  assert_contains doctor.out "^addons: problem: first-db: its database slipway_first_db is missing on PostgreSQL at 127\.0\.0\.1:$PG_PORT$"

  # An admin that may not create roles.
  sql "CREATE ROLE weak LOGIN PASSWORD 'weakpw'"
  sql "GRANT CONNECT ON DATABASE postgres TO weak" # PUBLIC may not since doctor's advice above
  sw addons:providers:set postgresql --url "postgres://weak:weakpw@127.0.0.1:$PG_PORT/postgres" >/dev/null
  refused perm.out 1 "slipway: error: PostgreSQL at 127.0.0.1:$PG_PORT refused to create the role for $APP-weak: permission denied to create role; the provider's admin needs CREATEROLE and CREATEDB (ALTER ROLE weak CREATEROLE CREATEDB)" \
    addons:create postgresql -a $APP --name $APP-weak --as WEAK
  # Exactly the privileges the README names, not a superuser: provisioned, used, rotated, dropped.
  sql "ALTER ROLE weak CREATEROLE CREATEDB"
  sw addons:create postgresql -a $APP --name $APP-weak --as WEAK >weak.out 2>&1 || fail "CREATEROLE CREATEDB was not enough: $(cat weak.out)"
  local weak_url weak_db
  weak_url=$(sw config:get WEAK_URL -a $APP) weak_db=${weak_url##*/}
  assert_eq "$weak_db $weak_db" "$(psql "$weak_url" -XAtq -c "CREATE TABLE t (x int); SELECT current_user || ' ' || current_database()")"
  assert_eq "f" "$(sql "SELECT pg_has_role('weak', '$weak_db', 'MEMBER')")" "the admin stays no member of the add-on's role"
  sw addons:destroy $APP-weak --confirm $APP >destroy-weak.out 2>&1 || fail "the weak admin could not drop it: $(cat destroy-weak.out)"
  assert_eq "0 0" "$(sql "SELECT (SELECT count(*) FROM pg_database WHERE datname = '$weak_db') || ' ' || (SELECT count(*) FROM pg_roles WHERE rolname = '$weak_db')")"
}

test_rotating_waits_for_a_running_release_phase_or_names_its_holder() {
  start_postgres
  APP=pg-rotate-lock
  new_app $APP release-knobs
  push >/dev/null
  sw addons:providers:set postgresql --url "$PG_ADMIN_URL" >/dev/null
  sw addons:create postgresql -a $APP --name rotating-db >/dev/null 2>&1
  echo slow >"$SRC/MODE"
  git -C "$SRC" add MODE
  git -C "$SRC" commit -qm slow
  push >/dev/null &
  local pusher=$!
  wait_for "the slow release phase" grep -q "step 1" "$(app_dir $APP)/logs/app.log"
  local url; url=$(config_of $APP DATABASE_URL)
  run_sw fast.out addons:credentials:rotate rotating-db
  assert_eq 1 "$SW_STATUS"
  assert_contains fast.out "^slipway: error: app '$APP' is locked by tester@example\.com \(pid [0-9]+\) since [0-9T:-]+Z: push of main [0-9a-f]{8}; try again when it finishes, or wait for it with --wait$"
  assert_eq "$url" "$(config_of $APP DATABASE_URL)"
  assert_eq 1 "$(sql "$url" "SELECT 1")"
  sw addons:credentials:rotate rotating-db --wait >wait.out 2>&1
  wait "$pusher"
  assert_contains wait.out "^-----> Waiting for the deploy lock of $APP, held by "
  assert_contains wait.out "^DATABASE on $APP: v4 \(release command not run: an add-on's own config change\)$"
  assert_eq succeeded "$(record_field $APP v3 status)"
  [ "$(config_of $APP DATABASE_URL)" != "$url" ] || fail "the wait did not rotate"
}

test_a_failed_attach_release_leaves_the_config_and_retry_finishes_it() {
  start_postgres
  APP=pg-attach-fails
  new_app $APP release-knobs
  push >/dev/null
  sw addons:providers:set postgresql --url "$PG_ADMIN_URL" >/dev/null
  mkdir -p "$SCRATCH/flags" && chmod 777 "$SCRATCH/flags"
  sw config:set FAIL_FLAG="$SCRATCH/flags/fail" -a $APP >/dev/null
  touch "$SCRATCH/flags/fail"
  run_sw create.out addons:create postgresql -a $APP --name flaky-db
  assert_eq 1 "$SW_STATUS"
  assert_contains create.out "^Attaching flaky-db to $APP\.\.\. done, v3$"
  assert_contains create.out "failing because $SCRATCH/flags/fail exists"
  assert_contains create.out "^ !     flaky-db stays provisioned, but $APP's config is unchanged: retry the release with 'slipway releases:retry -a $APP', or remove the add-on with 'slipway addons:destroy flaky-db --confirm $APP'$"
  assert_eq failed "$(record_field $APP v3 status)"
  assert_current $APP v2
  assert_eq "" "$(config_of $APP DATABASE_URL 2>/dev/null || true)"
  assert_eq 1 "$(sql "SELECT count(*) FROM pg_database WHERE datname = 'slipway_flaky_db'")"
  sw addons -a $APP >addons.out
  assert_contains addons.out "^flaky-db +postgresql +$APP::DATABASE +pending: its release has not succeeded \(slipway releases:retry -a $APP\)$"
  rm "$SCRATCH/flags/fail"
  sw releases:retry -a $APP >retry.out 2>&1 || { cat retry.out; fail "retry failed"; }
  assert_current $APP v4
  assert_contains "$(app_dir $APP)/releases/v4/release.yml" "Retry of v3: Attach DATABASE \(flaky-db\)"
  local url; url=$(config_of $APP DATABASE_URL)
  assert_eq 1 "$(sql "$url" "SELECT 1")"
  sw addons -a $APP >addons.out
  assert_contains addons.out "^flaky-db +postgresql +$APP::DATABASE +attached$"

  # A Detach release that fails keeps the attachment, and the database is not dropped.
  touch "$SCRATCH/flags/fail"
  run_sw destroy.out addons:destroy flaky-db --confirm $APP
  assert_eq 1 "$SW_STATUS"
  assert_contains destroy.out "^Detaching DATABASE \(flaky-db\) from $APP\.\.\. done, v5$"
  assert_contains destroy.out "^slipway: error: flaky-db was not destroyed: its Detach release v5 failed, so $APP still uses it$"
  assert_current $APP v4
  assert_eq "$url" "$(config_of $APP DATABASE_URL)"
  assert_eq 1 "$(sql "$url" "SELECT 1")"
  sw addons -a $APP >addons.out
  assert_contains addons.out "^flaky-db +postgresql +$APP::DATABASE +attached$"
}

test_an_addon_shared_by_two_apps_is_not_destroyed_under_the_other() {
  start_postgres
  new_app pg-owner release-knobs
  push >/dev/null
  new_app pg-sharer release-knobs
  push >/dev/null
  sw addons:providers:set postgresql --url "$PG_ADMIN_URL" >/dev/null
  sw addons:create postgresql -a pg-owner --name shared-db >/dev/null 2>&1
  sw addons:attach shared-db -a pg-sharer --as SHARED >attach.out 2>&1 || { cat attach.out; fail "attach failed"; }
  assert_contains attach.out "^Attaching shared-db to pg-sharer\.\.\. done, v2$"
  assert_contains attach.out "Running release command: bin/release-task"
  assert_contains attach.out "^Attached shared-db as SHARED \(SHARED_URL\)$"
  assert_contains "$(app_dir pg-sharer)/releases/v2/release.yml" "description: Attach SHARED \(shared-db\)"
  assert_eq "$(config_of pg-owner DATABASE_URL)" "$(config_of pg-sharer SHARED_URL)"
  sw addons -a pg-owner >owner.out
  assert_contains owner.out "^shared-db +postgresql +pg-owner::DATABASE +attached$"
  assert_contains owner.out "^shared-db +postgresql +pg-sharer::SHARED +attached$"
  sw addons -a pg-sharer >sharer.out
  assert_not_contains sharer.out "pg-owner::DATABASE"
  APP=pg-owner
  refused shared.out 1 "slipway: error: shared-db is still attached to pg-sharer as SHARED; detach it there first (slipway addons:detach SHARED -a pg-sharer)" \
    addons:destroy shared-db --confirm pg-owner
  # Rotation reaches both apps, each with a release that skips the release phase.
  sw addons:credentials:rotate shared-db >rotate.out 2>&1
  assert_contains rotate.out "^DATABASE on pg-owner: v3 \(release command not run: an add-on's own config change\)$"
  assert_contains rotate.out "^SHARED on pg-sharer: v3 \(release command not run: an add-on's own config change\)$"
  assert_eq "$(config_of pg-owner DATABASE_URL)" "$(config_of pg-sharer SHARED_URL)"
  sw addons:detach SHARED -a pg-sharer >detach.out 2>&1 || { cat detach.out; fail "detach failed"; }
  assert_contains detach.out "^Detaching SHARED from pg-sharer\.\.\. done, v4$"
  assert_contains detach.out "Running release command: bin/release-task"
  assert_contains detach.out "^Detached SHARED \(shared-db\) from pg-sharer$"
  assert_eq "" "$(config_of pg-sharer SHARED_URL 2>/dev/null || true)"
  run_sw again.out addons:detach SHARED -a pg-sharer
  assert_eq "slipway: error: no add-on attached to pg-sharer as 'SHARED'; see 'slipway addons -a pg-sharer'" "$(cat again.out)"
  assert_eq 1 "$(sql "SELECT count(*) FROM pg_database WHERE datname = 'slipway_shared_db'")"
}

test_apps_destroy_refuses_an_app_with_addons_unless_told() {
  start_postgres
  APP=pg-doomed
  new_app $APP release-knobs
  push >/dev/null
  sw addons:providers:set postgresql --url "$PG_ADMIN_URL" >/dev/null
  sw addons:create postgresql -a $APP --name doomed-db >/dev/null 2>&1
  refused destroy.out 2 "slipway: error: $APP has add-ons (doomed-db); destroy them with it (slipway apps:destroy $APP --confirm $APP --destroy-addons), or detach them first" \
    apps:destroy $APP --confirm $APP
  sw apps:destroy $APP --confirm $APP --destroy-addons >destroyed.out 2>&1 || { cat destroyed.out; fail "destroy failed"; }
  assert_contains destroyed.out "^Destroying doomed-db\.\.\. done$"
  assert_eq 0 "$(sql "SELECT count(*) FROM pg_database WHERE datname = 'slipway_doomed_db'")"
  assert_eq 0 "$(sql "SELECT count(*) FROM pg_roles WHERE rolname = 'slipway_doomed_db'")"
  [ ! -e "$SLIPWAY_ROOT/addons/resources/doomed-db.yml" ] || fail "the add-on's record outlived it"
  [ ! -e "$(app_dir $APP)" ] || fail "the app was not destroyed"
}

# start_redis: redis-server on 127.0.0.1:$REDIS_PORT, its default user's password adminpw.
start_redis() {
  command -v redis-server >/dev/null || skip "redis-server is not installed (apt-get install redis-server)"
  REDIS_PORT=$(free_port)
  mkdir -p "$SCRATCH/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --requirepass adminpw --dir "$SCRATCH/redis" \
    --save "" --appendonly no >"$SCRATCH/redis/out" 2>&1 &
  REDIS_PID=$!
  trap stop_servers EXIT
  wait_for "redis-server" redis_as_admin PING
}

redis_as_admin() { REDISCLI_AUTH=adminpw redis-cli -p "$REDIS_PORT" "$@"; }

# redis_with URL COMMAND...: COMMAND as the user and password URL names.
redis_with() { local url=$1; shift; redis-cli --no-auth-warning -u "$url" "$@" 2>&1; }

test_the_redis_script_provider_example() {
  start_redis
  APP=redis-addons
  new_app $APP release-knobs
  push >/dev/null
  local dir; dir=$(provider_dir redis)
  sw addons:providers:set redis --script "$dir" --url "redis://default:adminpw@127.0.0.1:$REDIS_PORT" >set.out
  assert_eq "Setting add-on provider redis... done ($dir answers)" "$(cat set.out)"
  sw addons:create redis -a $APP >create.out 2>&1 || { cat create.out; fail "addons:create redis failed"; }
  local name; name=$(addon_name redis)
  assert_contains create.out "^Attached $name as REDIS \(REDIS_URL\)$"
  assert_contains create.out "Running release command: bin/release-task"
  local url; url=$(config_of $APP REDIS_URL)
  [[ $url =~ ^redis://slipway-$name:[0-9a-f]{64}@127\.0\.0\.1:$REDIS_PORT$ ]] || fail "REDIS_URL is '$url'"
  assert_eq OK "$(redis_with "$url" SET "$name:greeting" hello)"
  assert_eq hello "$(redis_with "$url" GET "$name:greeting")"
  assert_contains <(redis_with "$url" SET other:key x) "NOPERM"

  sw addons:credentials:rotate "$name" >rotate.out 2>&1
  assert_contains rotate.out "^REDIS on $APP: v3 \(release command not run: an add-on's own config change\)$"
  local new; new=$(config_of $APP REDIS_URL)
  [ "$new" != "$url" ] || fail "REDIS_URL did not change"
  assert_contains <(redis_with "$url" GET "$name:greeting") "WRONGPASS"
  assert_eq hello "$(redis_with "$new" GET "$name:greeting")"

  sw addons:destroy "$name" --confirm $APP >destroy.out 2>&1 || { cat destroy.out; fail "destroy failed"; }
  assert_contains destroy.out "^Destroying $name on $APP\.\.\. done$"
  assert_eq "" "$(redis_as_admin ACL LIST | grep "slipway-$name" || true)"
}

# A provider directory whose `provision` is the script given on stdin.
broken_provider() {
  local dir="$SCRATCH/providers/$1"
  mkdir -p "$dir"
  cat >"$dir/provision"
  printf '#!/bin/sh\nexit 0\n' >"$dir/rotate"
  printf '#!/bin/sh\nexit 0\n' >"$dir/deprovision"
  chmod 755 "$dir"/*
  chmod -R go-w "$SCRATCH/providers"
  sw addons:providers:set "$1" --script "$dir" >/dev/null
}

test_a_script_provider_that_misbehaves_changes_nothing() {
  APP=script-refusals
  new_app $APP release-knobs
  push >/dev/null
  sw settings:set --server addon_timeout=1 >/dev/null
  printf '#!/bin/sh\necho "quota exceeded" >&2\nexit 3\n' | broken_provider failing
  refused exit.out 1 "slipway: error: add-on provider 'failing': provision exited with status 3; it said: quota exceeded" \
    addons:create failing -a $APP
  printf '#!/bin/sh\ncat >/dev/null\necho "URL=redis://x"\n' | broken_provider notjson
  refused json.out 1 "slipway: error: add-on provider 'notjson': provision printed no JSON object of config vars (it printed 'URL=redis://x')" \
    addons:create notjson -a $APP
  printf '#!/bin/sh\necho "{}"\n' | broken_provider novars
  refused novars.out 1 "slipway: error: add-on provider 'novars': provision printed no config vars (an empty JSON object)" \
    addons:create novars -a $APP
  printf '#!/bin/sh\necho "{\\"url\\": 3}"\n' | broken_provider badvars
  refused badvars.out 1 "slipway: error: add-on provider 'badvars': provision printed 'url': config vars are NAME: \"string\" with NAME in capitals (URL)" \
    addons:create badvars -a $APP
  printf '#!/bin/sh\nsleep 30\n' | broken_provider hangs
  local started=$SECONDS
  refused hang.out 1 "slipway: error: add-on provider 'hangs': provision timed out after 1s; it printed nothing on stderr" \
    addons:create hangs -a $APP
  [ $((SECONDS - started)) -lt 20 ] || fail "the hanging provider was not stopped at its timeout"
  # Root runs these programs: one anybody may write is refused.
  local dir="$SCRATCH/providers/open"
  mkdir -p "$dir" && cp "$SCRATCH/providers/novars/"* "$dir/" && chmod 777 "$dir/provision"
  refused open.out 1 "slipway: error: add-on provider 'open': $dir/provision must belong to root and be writable by no one else (root runs it)" \
    addons:providers:set open --script "$dir"
  refused relative.out 2 "slipway: error: provider 'relative' needs --script DIR, an absolute directory with provision, rotate and deprovision" \
    addons:providers:set relative --script providers/novars
}
