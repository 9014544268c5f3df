# The SSH front door: a real sshd on a loopback port, with its own host key and config, lets
# each user's key run only `slipway ssh-command` (through sudo, as a real server does); users
# push, fetch and run commands as their roles allow, and nothing they type reaches a shell.

# start_sshd: sshd for the account `slipway` on a free loopback port ($SSH_PORT), reading
# the root's authorized_keys; sudo lets that account run ssh-command as root.
start_sshd() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to run sshd and make the SSH account"
  id slipway >/dev/null 2>&1 || useradd --system --user-group --create-home --home-dir /home/slipway \
    --shell /bin/sh slipway 2>/dev/null || id slipway >/dev/null
  usermod -p '*' slipway # no password, but not locked: sshd lets keys in
  mkdir -p /run/sshd "$SCRATCH/sshd"
  ssh-keygen -q -t ed25519 -N '' -f "$SCRATCH/sshd/host_key"
  SSH_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat > "$SCRATCH/sshd/config" <<CONF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $SCRATCH/sshd/host_key
PidFile $SCRATCH/sshd/sshd.pid
AllowUsers slipway
AuthorizedKeysFile $SLIPWAY_ROOT/ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitUserEnvironment no
LogLevel VERBOSE
CONF
  /usr/sbin/sshd -D -e -f "$SCRATCH/sshd/config" 2> "$SCRATCH/sshd/log" &
  SSHD_PID=$!
  local engine; engine=$(readlink -f "$(dirname "$SLIPWAY_BIN")/slipway-engine")
  SUDOERS=/etc/sudoers.d/slipway-test-${SCRATCH##*.}
  printf 'Defaults!%s env_keep += "SSH_ORIGINAL_COMMAND"\nslipway ALL=(root) NOPASSWD: %s --root %s ssh-command --user *\n' \
    "$engine" "$engine" "$SLIPWAY_ROOT" > "$SCRATCH/sshd/sudoers"
  visudo -cqf "$SCRATCH/sshd/sudoers" || fail "the sudoers lines do not parse"
  install -m 0440 "$SCRATCH/sshd/sudoers" "$SUDOERS"
  trap stop_sshd EXIT
  wait_for "sshd to listen" bash -c "exec 3<>/dev/tcp/127.0.0.1/$SSH_PORT"
}

stop_sshd() {
  [ -z "${SSHD_PID:-}" ] || kill "$SSHD_PID" 2>/dev/null || true
  rm -f "${SUDOERS:-/nonexistent}"
}

# make_user NAME [users:add options]: a user with a key pair of their own (keys/NAME).
make_user() {
  local name=$1
  shift
  sw users:add "$name" "$@" > /dev/null
  mkdir -p "$SCRATCH/keys"
  ssh-keygen -q -t ed25519 -N '' -C "$name@laptop" -f "$SCRATCH/keys/$name"
  sw keys:add "$name" "$SCRATCH/keys/$name.pub" > /dev/null
}

ssh_options() {
  echo "-F /dev/null -i $SCRATCH/keys/$1 -p $SSH_PORT -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR"
}

# ssh_as USER OUT COMMAND...: run COMMAND over SSH with USER's key; stdout+stderr in OUT,
# the status in $SSH_STATUS.
ssh_as() {
  local who=$1 out=$2
  shift 2
  set +e
  # shellcheck disable=SC2046
  ssh $(ssh_options "$who") slipway@127.0.0.1 "$@" < /dev/null > "$out" 2>&1
  SSH_STATUS=$?
  set -e
}

# git_as USER OUT GIT-ARGS...: git over SSH with USER's key; output in OUT, status in $GIT_STATUS.
git_as() {
  local who=$1 out=$2
  shift 2
  set +e
  GIT_SSH_COMMAND="ssh $(ssh_options "$who")" git "$@" > "$out" 2>&1
  GIT_STATUS=$?
  set -e
}

# releases_of APP: how many releases APP has.
releases_of() { ls "$(app_dir "$1")/releases" | wc -l; }

test_users_push_fetch_and_run_commands_as_their_roles_allow() {
  start_sshd
  make_user ada --admin --email ada@example.com
  make_user dev
  make_user vic
  make_user eve
  SRC=$SCRATCH/src
  cp -a "$FIXTURES/apps/release-knobs" "$SRC"
  git -C "$SRC" init -q; git -C "$SRC" add -A; git -C "$SRC" commit -qm initial
  # An admin's push creates the app (its owner) and deploys; the release names the pusher.
  git_as ada push.out -C "$SRC" push slipway@127.0.0.1:hello HEAD:main
  assert_eq 0 "$GIT_STATUS" "ada's push"
  assert_contains push.out "Created app hello for ada"
  assert_current hello v1
  assert_eq "ada@example.com" "$(record_field hello v1 user)"
  assert_eq "ada: owner" "$(cat "$(app_dir hello)/access.yml")"
  sw access:add dev -a hello > /dev/null
  sw access:add vic -a hello --role viewer > /dev/null
  # A deployer pushes (with .git and a leading slash) and changes config over SSH.
  commit README more "from dev"
  git_as dev push2.out -C "$SRC" push slipway@127.0.0.1:/hello.git HEAD:main
  assert_eq 0 "$GIT_STATUS" "dev's push"
  assert_current hello v2
  assert_eq "dev" "$(record_field hello v2 user)"
  ssh_as dev set.out config:set GREETING=hi -a hello
  assert_eq 0 "$SSH_STATUS" "dev's config:set"
  assert_eq "dev" "$(record_field hello v3 user)"
  # run with a terminal when asked (ssh -t), as a console; without one, plain output.
  set +e
  printf 'typed\n' | ssh -tt $(ssh_options dev) slipway@127.0.0.1 run -a hello -- bash -c "'tty; read x; echo got \$x \$DYNO'" > tty.out 2>&1
  set -e
  assert_contains tty.out "^/dev/pts/[0-9]+"
  assert_contains tty.out "^got typed run\.[0-9]+"
  ssh_as dev notty.out run -a hello -- tty
  assert_contains notty.out "^not a tty$"
  ssh_as dev rel.out slipway releases -a hello
  assert_contains rel.out "v3 .*Set GREETING config vars.*dev"
  assert_contains rel.out "v1 .*ada@example.com"
  # A viewer reads and fetches, and changes nothing.
  ssh_as vic vrel.out releases -a hello
  assert_eq 0 "$SSH_STATUS" "vic's releases"
  assert_contains vrel.out "v3"
  git_as vic clone.out clone -q slipway@127.0.0.1:hello "$SCRATCH/vic-clone"
  assert_eq 0 "$GIT_STATUS" "vic's clone"
  [ -f "$SCRATCH/vic-clone/README" ] || fail "the viewer's clone is empty"
  ssh_as vic vset.out config:set GREETING=no -a hello
  assert_eq 3 "$SSH_STATUS"
  assert_eq "slipway: error: vic may not run config:set on hello (a viewer of it; config:set needs deployer); ask an admin (slipway access:add)" "$(cat vset.out)"
  commit README again "from vic"
  git_as vic vpush.out -C "$SRC" push slipway@127.0.0.1:hello HEAD:main
  [ "$GIT_STATUS" -ne 0 ] || fail "a viewer's push went through"
  assert_contains vpush.out "^slipway: error: vic may not push to hello \(a viewer of it; a push needs deployer\); ask an admin \(slipway access:add\)$"
  # A user without access: no push, no fetch, no command.
  git_as eve epush.out -C "$SRC" push slipway@127.0.0.1:hello HEAD:main
  assert_contains epush.out "^slipway: error: eve may not push to hello \(no access to it\); ask an admin \(slipway access:add\)$"
  git_as eve eclone.out clone -q slipway@127.0.0.1:hello "$SCRATCH/eve-clone"
  [ "$GIT_STATUS" -ne 0 ] || fail "eve fetched"
  assert_contains eclone.out "^slipway: error: eve may not fetch hello \(no access to it\); ask an admin \(slipway access:add\)$"
  local kind
  for kind in "releases -a hello" "logs -a hello" "config:set A=1 -a hello" "run -a hello -- id" "access -a hello"; do
    ssh_as eve eve.out $kind
    [ "$SSH_STATUS" -ne 0 ] || fail "eve ran $kind"
    assert_contains eve.out "^slipway: error: eve may not run ${kind%% *} on hello \(no access to it\); ask an admin \(slipway access:add\)$"
  done
  # A user's words are checked before anything runs.
  ssh_as dev semi.out "releases -a 'hello;id'"
  assert_eq "slipway: error: invalid app name 'hello;id': use only lowercase letters, digits and dashes" "$(cat semi.out)"
  ssh_as dev noapp.out releases
  assert_eq "slipway: error: name the app with -a APP" "$(cat noapp.out)"
  ssh_as dev subst.out '$(id) -a hello'
  assert_eq "slipway: error: '\$(id)' is not a command you can run over SSH; try releases, config:set, logs, run, ps or git push" "$(cat subst.out)"
  # Admin-only commands, and apps: each sees only their own.
  ssh_as dev users.out users:add mallory --admin
  assert_eq 3 "$SSH_STATUS"
  assert_eq "slipway: error: only admins may run users:add over SSH" "$(cat users.out)"
  [ ! -e "$SLIPWAY_ROOT/users/mallory.yml" ] || fail "a deployer added a user"
  ssh_as ada made.out apps:create other
  assert_eq "Creating other... done
Push to it with: git push slipway@HOST:other main" "$(cat made.out)"
  assert_eq "ada: owner" "$(cat "$(app_dir other)/access.yml")"
  ssh_as ada admin-users.out users
  assert_contains admin-users.out "^eve "
  ssh_as dev apps.out apps
  assert_eq "=== Apps
hello" "$(cat apps.out)"
  ssh_as eve eve-apps.out apps
  assert_eq "=== Apps" "$(cat eve-apps.out)"
  ssh_as ada all-apps.out apps
  assert_eq "=== Apps
hello
other" "$(cat all-apps.out)"
  # Only an admin creates apps by pushing.
  git_as dev new.out -C "$SRC" push slipway@127.0.0.1:fresh HEAD:main
  assert_contains new.out "^slipway: error: no app 'fresh' on this server \(only an admin can create one by pushing; ask one, or see 'ssh slipway@HOST apps'\)$"
  [ ! -e "$(app_dir fresh)" ] || fail "a deployer's push created an app"
  assert_eq 3 "$(releases_of hello)"
  assert_current hello v3
  # Every change names who made it in the audit log.
  ssh_as dev scale.out ps:scale web=0 -a hello
  assert_eq 0 "$SSH_STATUS" "dev's ps:scale"
  sw audit -a hello > audit.out
  assert_contains audit.out "^[0-9T:-]+Z  ada@example.com  hello  Created app hello$"
  assert_contains audit.out "  ada@example.com  hello  Gave ada owner access$"
  assert_contains audit.out "  ada@example.com  hello  Release v1 created: Deploy [0-9a-f]{8}$"
  assert_contains audit.out "  tester@example.com  hello  Gave dev deployer access$"
  assert_contains audit.out "  dev  hello  Release v2 created: Deploy [0-9a-f]{8}$"
  assert_contains audit.out "  dev  hello  Release v3 created: Set GREETING config vars$"
  assert_contains audit.out "  dev  hello  Scaled to web=0$"
  assert_not_contains audit.out "  (vic|eve)  "
  sw audit > all.out
  assert_contains all.out "  tester@example.com  -  Added user ada \(admin\)$"
  assert_contains all.out "  tester@example.com  -  Added key SHA256:[^ ]+ to eve$"
  assert_eq 3 "$(sw audit -n 3 | wc -l)"
  [ "$(stat -c %a "$SLIPWAY_ROOT/audit.log")" = 600 ] || fail "the audit log is not root's alone"
}

test_nothing_but_allowed_commands_gets_through() {
  start_sshd
  make_user ada --admin
  sw apps:create hello > /dev/null
  local n; n=$(releases_of hello)
  # What a command that reached a shell would create: in a directory anyone may write to (the
  # shell would run as the SSH account or an app's user), inside this test's scratch.
  mkdir -m 1777 "$SCRATCH/open"
  local canary=$SCRATCH/open/pwned
  local bad checked=""
  while IFS='|' read -r bad message; do
    bad=${bad//CANARY/$canary} message=${message//CANARY/$canary}
    ssh_as ada bad.out "$bad"
    [ "$SSH_STATUS" -ne 0 ] || fail "'$bad' went through"
    assert_eq "slipway: error: $message" "$(cat bad.out)" "the answer to '$bad'"
    checked+="$bad"$'\n'
  done <<'CASES'
bash|'bash' is not a command you can run over SSH; try releases, config:set, logs, run, ps or git push
git-receive-pack '../other'|invalid app name '../other': it must start with a lowercase letter
git-receive-pack 'a;b'|invalid app name 'a;b': use only lowercase letters, digits and dashes
git-receive-pack '$(touch CANARY)'|invalid app name '$(touch CANARY)': at most 30 characters
git-receive-pack hello other|git-receive-pack takes one repository, the app's name
slipway --root /tmp apps|--root is not for remote commands: each server has one root
serve|only admins may run serve over SSH
releases -a hello; touch CANARY|too many arguments for 'releases': 'touch' (see 'slipway releases --help')
$(touch CANARY) -a hello|'$(touch' is not a command you can run over SSH; try releases, config:set, logs, run, ps or git push
releases -a `touch CANARY`|too many arguments for 'releases': 'CANARY`' (see 'slipway releases --help')
releases -a 'hello|unfinished quote in the command
hook post-receive|'hook' is not a command you can run over SSH; try releases, config:set, logs, run, ps or git push
CASES
  [ "$(grep -c . <<< "$checked")" -ge 12 ] || fail "not every case ran: $checked"
  ssh_as ada empty.out
  [ "$SSH_STATUS" -ne 0 ] || fail "a login without a command got in"
  assert_contains empty.out "^slipway: error: no shell here; push with git \(git push slipway@HOST:APP main\) or run a command \(ssh slipway@HOST releases -a APP\)$"
  ssh_as ada long.out "releases -a hello $(head -c 70000 /dev/zero | tr '\0' x)"
  assert_eq "slipway: error: the command is longer than 64 KiB" "$(cat long.out)"
  ssh_as ada nl.out "releases -a hello
touch $canary"
  assert_eq "slipway: error: the command has a line break in it; give one command on one line" "$(cat nl.out)"
  # Metacharacters in an argument stay one argument of a Slipway command.
  ssh_as ada meta.out config:set "'A=\$(touch $canary);\`id\`|x&&y'" -a hello
  assert_eq 0 "$SSH_STATUS" "config:set with metacharacters"
  assert_eq "\$(touch $canary);\`id\`|x&&y" "$(sw config:get A -a hello)"
  [ ! -e "$canary" ] || fail "something reached a shell"
  # Keys not in the store, and removed keys, do not get in at all.
  ssh-keygen -q -t ed25519 -N '' -f "$SCRATCH/keys/stranger"
  ssh_as stranger stranger.out releases -a hello
  assert_eq 255 "$SSH_STATUS"
  assert_contains stranger.out "Permission denied \(publickey\)"
  sw keys:remove "$(ssh-keygen -lf "$SCRATCH/keys/ada.pub" | cut -d' ' -f2)" > /dev/null
  ssh_as ada removed.out releases -a hello
  assert_eq 255 "$SSH_STATUS"
  assert_contains removed.out "Permission denied \(publickey\)"
  assert_eq "$n" "$(releases_of hello)" "releases after refused commands"
  [ ! -e "$(app_dir other)" ] || fail "an app 'other' appeared"
}

# doctor_ssh OUT: run doctor (whole server) against the test's sshd config; status in $SW_STATUS.
doctor_ssh() { run_sw "$1" doctor --sshd-config "$SCRATCH/sshd_config"; }

# advice_after OUT TEXT: the indented lines doctor printed below the finding matching TEXT.
advice_after() { awk -v t="$2" 'index($0, t) { on = 1; next } on && /^    / { sub(/^    /, ""); print; next } { on = 0 }' "$1"; }

test_doctor_checks_the_ssh_setup_and_its_advice_works() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to make accounts and sudo rules"
  local account=swtest-doctor
  userdel "$account" 2>/dev/null || true
  sw settings:set --server ssh_user=$account > /dev/null
  : > "$SCRATCH/sshd_config"
  doctor_ssh none.out
  assert_not_contains none.out "^ssh:"
  sw users:add ada --admin > /dev/null
  doctor_ssh d1.out
  assert_eq 1 "$SW_STATUS"
  assert_contains d1.out "^ssh: problem: the SSH account '$account' is missing; create it:$"
  assert_contains d1.out "^ssh: problem: sshd does not read $SLIPWAY_ROOT/ssh/authorized_keys for '$account'; add to the end of $SCRATCH/sshd_config, then reload sshd:$"
  assert_contains d1.out "^ssh: problem: no sudo rule lets '$account' run ssh-command as root; put these lines in /etc/sudoers.d/slipway \(mode 0440; check with visudo -c\):$"
  # Each piece of advice, followed to the letter, clears its finding.
  advice_after d1.out "account '$account' is missing" | sed 's/ *#.*//' > make-account.sh
  assert_eq 2 "$(wc -l < make-account.sh)"
  bash -e make-account.sh > /dev/null 2>&1 || fail "the advice to make the account failed: $(cat make-account.sh)"
  trap 'userdel -r '$account' 2>/dev/null || true; rm -f /etc/sudoers.d/slipway-test-${SCRATCH##*.}' EXIT
  advice_after d1.out "sshd does not read" >> "$SCRATCH/sshd_config"
  advice_after d1.out "no sudo rule" > sudoers
  visudo -cqf sudoers || fail "doctor's sudo lines do not parse"
  install -m 0440 sudoers "/etc/sudoers.d/slipway-test-${SCRATCH##*.}"
  doctor_ssh d2.out
  assert_not_contains d2.out "^ssh:"
  assert_eq "Match User $account" "$(grep -m1 Match "$SCRATCH/sshd_config")"
  # A locked account, a shell that runs nothing, a store others can read.
  usermod -L -s /usr/sbin/nologin $account
  chmod 0755 "$SLIPWAY_ROOT/users"
  doctor_ssh d3.out
  assert_contains d3.out "^ssh: problem: the SSH account '$account' has the shell '/usr/sbin/nologin': sshd cannot run its forced command$"
  assert_contains d3.out "^ssh: problem: the SSH account '$account' is locked: sshd refuses its keys$"
  assert_contains d3.out "^ssh: problem: $SLIPWAY_ROOT/users must be root's alone \(mode 0700\)$"
  for what in "has the shell" "is locked" "must be root's alone"; do
    advice_after d3.out "$what" | sed 's/ *#.*//' | bash -e > /dev/null 2>&1 || fail "the advice for '$what' failed"
  done
  doctor_ssh d4.out
  assert_not_contains d4.out "^ssh:"
  assert_eq 0 "$SW_STATUS"
}

# door_as USER OUT COMMAND...: what USER's key runs (ssh-command, as sshd's forced command
# runs it through sudo) for COMMAND; output in OUT, status in $DOOR_STATUS. sshd itself is
# the other tests' business: this is the door's decision alone, so a table stays fast.
door_as() {
  local who=$1 out=$2
  shift 2
  set +e
  SSH_ORIGINAL_COMMAND="$*" "$(dirname "$SLIPWAY_BIN")/slipway-engine" --root "$SLIPWAY_ROOT" ssh-command --user "$who" \
    < /dev/null > "$out" 2>&1
  DOOR_STATUS=$?
  set -e
}

# Every command over SSH × viewer, deployer, owner and a stranger: each role below the
# command's need gets the exact refusal and changes nothing; each role at or above it is let
# through (whatever the command then says).
test_every_ssh_command_against_every_role() {
  [ "$(id -u)" -eq 0 ] || skip "needs root: ssh-command runs commands as the apps' users"
  new_app hello release-knobs
  push > /dev/null
  local u
  for u in vic dev own eve; do sw users:add "$u" > /dev/null; done
  sw access:add vic -a hello --role viewer > /dev/null
  sw access:add dev -a hello --role deployer > /dev/null
  sw access:add own -a hello --role owner > /dev/null
  snapshot() { (cd "$(app_dir hello)" && find . -path ./repo.git -prune -o -path ./logs -prune -o -print | sort; cat env access.yml formation.yml domains 2>/dev/null || true) > "$1"; }
  rank() { case $1 in eve) echo 0 ;; vic|viewer) echo 1 ;; dev|deployer) echo 2 ;; own|owner) echo 3 ;; esac; }
  # NEED COMMAND: the role each command needs, as cmd_ssh_command.cpp's table says.
  cat > table.txt <<'TABLE'
viewer apps:info
viewer releases
deployer releases:info v1
viewer releases:output v1
viewer logs -n 1
viewer ps
viewer domains
deployer config
deployer config:get GREETING
deployer config:set X=1
deployer config:unset X
deployer rollback v1
deployer releases:retry
deployer releases:cancel
deployer ps:scale web=0
deployer ps:resize web=standard-2X
deployer ps:restart
deployer ps:stop web
deployer run -- true
deployer domains:add x.example.com
deployer domains:remove x.example.com
viewer addons
viewer addons:info some-addon
deployer addons:create postgresql
deployer addons:detach DATABASE
deployer addons:credentials:rotate some-addon
owner addons:destroy some-addon
owner access
owner access:add nobody
owner access:remove nobody
TABLE
  local need kind verb role n=0
  while read -r need kind; do
    verb=${kind%% *}
    for u in eve vic dev own; do
      snapshot before.txt
      # shellcheck disable=SC2086
      door_as "$u" door.out ${kind%% -- *} -a hello $([ "${kind#* -- }" = "$kind" ] || echo "-- ${kind#* -- }")
      if [ "$(rank "$u")" -lt "$(rank "$need")" ]; then
        assert_eq 3 "$DOOR_STATUS" "$u: $kind"
        role=$([ "$u" = eve ] && echo "no access to it" || echo "a $([ "$u" = vic ] && echo viewer || echo deployer) of it; $verb needs $need")
        assert_eq "slipway: error: $u may not run $verb on hello ($role); ask an admin (slipway access:add)" "$(cat door.out)"
        snapshot after.txt
        assert_eq "$(cat before.txt)" "$(cat after.txt)" "what $u's refused $kind left"
      else
        assert_not_contains door.out "may not"
      fi
      n=$((n + 1))
    done
  done < table.txt
  assert_eq 120 "$n"
  # The table is every command the door lets through to an app: none missing, none extra.
  assert_eq "$(sed -n 's/^      {"\([a-z:]*\)", core::.*/\1/p' "$FIXTURES/../../lib/cmd/cmd_ssh_command.cpp" | sort)" \
    "$(cut -d' ' -f2 table.txt | sort)"
}

# Issue 21, row 1: the role check and the command read one parse. bob owns bobapp and has no
# access to aliceapp; every command kind he may run, with a second app in each spelling, is
# refused with the same line, and aliceapp is as it was.
test_a_second_app_in_any_spelling_is_refused_for_every_command() {
  start_sshd
  make_user bob
  sw apps:create aliceapp > /dev/null
  sw apps:create bobapp > /dev/null
  sw config:set STRIPE_KEY=sk_alice_secret -a aliceapp > /dev/null
  sw access:add bob -a bobapp --role owner > /dev/null
  snapshot() { (cd "$(app_dir aliceapp)" && find . -path ./repo.git -prune -o -print | sort; cat env access.yml 2>/dev/null || true) > "$1"; }
  snapshot before.txt
  local kind spelling line n=0
  for kind in "apps:info" "releases" "releases:info v1" "releases:output v1" "logs" "ps" "domains" "config" \
    "config:get STRIPE_KEY" "config:set X=1" "config:unset STRIPE_KEY" "rollback v1" "releases:retry" \
    "releases:cancel" "ps:scale web=1" "ps:restart" "ps:stop web" "run -- id" "domains:add x.example.com" \
    "domains:remove x.example.com" "addons" "addons:info some-addon" "addons:create postgresql" \
    "addons:detach DATABASE" "addons:credentials:rotate some-addon" "addons:destroy some-addon" "access" \
    "access:add bob" "access:remove bob"; do
    for spelling in "-a bobapp -a aliceapp" "--app=bobapp --app=aliceapp" "-abobapp -aaliceapp" \
      "--app bobapp -a aliceapp" "-a aliceapp --app=bobapp"; do
      # The door's decision (ssh-command) for each; through sshd itself for the first kind.
      line="${kind%% -- *} $spelling $([ "${kind#* -- }" = "$kind" ] || echo "-- ${kind#* -- }")"
      if [ "$n" -lt 5 ]; then
        # shellcheck disable=SC2086
        ssh_as bob twice.out $line
        DOOR_STATUS=$SSH_STATUS
      else
        # shellcheck disable=SC2086
        door_as bob twice.out $line
      fi
      assert_eq 2 "$DOOR_STATUS" "$kind $spelling"
      assert_eq "slipway: error: option '--app' is given more than once; give it once (see 'slipway ${kind%% *} --help')" \
        "$(cat twice.out)"
      n=$((n + 1))
    done
  done
  assert_eq 145 "$n"
  snapshot after.txt
  assert_eq "$(cat before.txt)" "$(cat after.txt)"
  # One app still works, and alone it is still checked: bob reads his own, not alice's.
  ssh_as bob own.out config -a bobapp
  assert_eq 0 "$SSH_STATUS" "bob's config"
  ssh_as bob theirs.out config --app=aliceapp
  assert_eq 3 "$SSH_STATUS"
  assert_eq "slipway: error: bob may not run config on aliceapp (no access to it); ask an admin (slipway access:add)" "$(cat theirs.out)"
}

# Issue 21, row 3: over SSH too, a viewer reads releases but no config value, in any format.
test_a_viewer_reads_no_config_value_over_ssh() {
  start_sshd
  make_user vic
  new_app hello release-knobs
  push > /dev/null
  sw config:set STRIPE_KEY=sk_alice_secret -a hello > /dev/null
  sw access:add vic -a hello --role viewer > /dev/null
  local kind
  for kind in "releases:info" "releases:info v1" "releases:info --shell" "releases:info --json" "config" \
    "config --shell" "config:get STRIPE_KEY"; do
    # shellcheck disable=SC2086
    ssh_as vic vic.out $kind -a hello
    assert_eq 3 "$SSH_STATUS" "vic's $kind"
    assert_eq "slipway: error: vic may not run ${kind%% *} on hello (a viewer of it; ${kind%% *} needs deployer); ask an admin (slipway access:add)" "$(cat vic.out)"
  done
  ssh_as vic list.out releases -a hello
  assert_eq 0 "$SSH_STATUS" "vic's releases"
  assert_contains list.out "Set STRIPE_KEY config vars"
  assert_not_contains list.out "sk_alice_secret"
}

# Issue 21, row 4: another local user polling every process's argv while config vars are set
# over SSH never sees a value (ssh-command runs the command it parsed in its own process).
test_config_values_set_over_ssh_never_reach_an_argv() {
  start_sshd
  make_user ada
  new_app hello release-knobs
  push > /dev/null
  sw access:add ada -a hello --role owner > /dev/null
  # The poller runs as nobody, as another tenant's dyno would, until told to stop.
  cat > "$SCRATCH/poll.py" <<'PY'
import os, sys
seen, stop = sys.argv[1], sys.argv[2]
with open(seen, "w") as out:
    while not os.path.exists(stop):
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        words = f.read().replace(b"\0", b" ")
                except OSError:
                    continue
                # The test's own ssh client stands for the developer's laptop: not the server's.
                if words.startswith(b"ssh -F /dev/null "):
                    continue
                if b"sk_live_" in words or b"STRIPE_KEY" in words:
                    out.write(words.decode(errors="replace") + "\n")
                    out.flush()
PY
  chmod 755 "$SCRATCH/poll.py"
  : > "$SCRATCH/seen.txt"; chmod 666 "$SCRATCH/seen.txt"
  setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 "$SCRATCH/poll.py" "$SCRATCH/seen.txt" "$SCRATCH/stop" &
  local poller=$! i
  for i in 1 2 3 4 5; do
    ssh_as ada set.out config:set "STRIPE_KEY=sk_live_$i" -a hello
    assert_eq 0 "$SSH_STATUS" "ada's config:set $i"
  done
  touch "$SCRATCH/stop"; wait "$poller"
  assert_eq "sk_live_5" "$(sw config:get STRIPE_KEY -a hello)"
  assert_eq "" "$(cat "$SCRATCH/seen.txt")" "argv seen by another user"
}
