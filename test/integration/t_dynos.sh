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
