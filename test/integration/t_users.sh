# Users, their SSH keys and per-app access (slipway users/keys/access): the store under the
# root, and every bad input refused with one line and nothing changed.

# store_state: a digest of the users store and the authorized_keys file.
store_state() { cat "$SLIPWAY_ROOT"/users/*.yml "$SLIPWAY_ROOT/ssh/authorized_keys" 2>/dev/null | sha256sum; }

# refused OUT STATUS MESSAGE ARGS...: slipway ARGS fails with STATUS and exactly MESSAGE, and
# the store is unchanged.
refused() {
  local out=$1 status=$2 message=$3 before
  shift 3
  before=$(store_state)
  run_sw "$out" "$@"
  assert_eq "$status" "$SW_STATUS" "status of slipway $*"
  assert_eq "$message" "$(grep -v '^ !' "$out")" "slipway $*"
  assert_eq "$before" "$(store_state)" "the store after slipway $*"
}

test_users_keys_and_access() {
  sw users:add ada --admin --email ada@example.com > add.out
  assert_eq "Added user ada (admin); give them a key with 'slipway keys:add ada FILE'" "$(cat add.out)"
  sw users:add dev > /dev/null
  mkdir -p keys
  ssh-keygen -q -t ed25519 -N '' -C ada@laptop -f keys/ada
  ssh-keygen -q -t ecdsa -b 384 -N '' -C dev@laptop -f keys/dev
  ssh-keygen -q -t rsa -b 3072 -N '' -C dev@desk -f keys/dev-rsa
  local fp; fp=$(ssh-keygen -lf keys/ada.pub | cut -d' ' -f2)
  sw keys:add ada keys/ada.pub > key.out
  assert_eq "Added key $fp (ssh-ed25519) to ada" "$(cat key.out)"
  sw keys:add dev - < keys/dev.pub > /dev/null
  sw keys:add dev keys/dev-rsa.pub > /dev/null
  sw keys > keys.out
  assert_eq 3 "$(wc -l < keys.out)"
  assert_contains keys.out "^ada $(re_escape "$fp") ssh-ed25519 ada@laptop$"
  assert_contains keys.out "^dev SHA256:[A-Za-z0-9+/]{43} ecdsa-sha2-nistp384 dev@laptop$"
  assert_eq 2 "$(sw keys -u dev | wc -l)"
  sw users > users.out
  assert_contains users.out "^ada +admin +1 key +ada@example.com$"
  assert_contains users.out "^dev +2 keys$"
  # Root's alone; authorized_keys forces every key to ssh-command for its user.
  assert_eq "700" "$(stat -c %a "$SLIPWAY_ROOT/users")"
  assert_eq "600" "$(stat -c %a "$SLIPWAY_ROOT/users/ada.yml")"
  assert_eq "644" "$(stat -c %a "$SLIPWAY_ROOT/ssh/authorized_keys")"
  assert_contains "$SLIPWAY_ROOT/ssh/authorized_keys" "^command=\"(sudo -n )?[^\"]*slipway-engine --root $SLIPWAY_ROOT ssh-command --user ada\",restrict,pty $(re_escape "$(cut -d' ' -f1-2 keys/ada.pub)") ada$"
  assert_eq 3 "$(grep -c '^command=' "$SLIPWAY_ROOT/ssh/authorized_keys")"
  # Access per app.
  sw apps:create hello > /dev/null
  sw access:add dev -a hello > access.out
  assert_eq "Giving dev deployer access to hello... done" "$(cat access.out)"
  sw access:add ada -a hello --role viewer > /dev/null
  sw access -a hello > list.out
  assert_contains list.out "^ada +viewer$"
  assert_contains list.out "^dev +deployer$"
  assert_eq "600" "$(stat -c %a "$(app_dir hello)/access.yml")"
  run_sw role.out access:add dev -a hello --role boss
  assert_eq 2 "$SW_STATUS"
  assert_eq "slipway: error: --role takes deployer, viewer or owner, not 'boss'" "$(cat role.out)"
  run_sw who.out access:add nobody -a hello
  assert_eq "slipway: error: no user 'nobody'; see 'slipway users', or add one with 'slipway users:add nobody'" "$(cat who.out)"
  sw access:remove ada -a hello > /dev/null
  assert_not_contains "$(app_dir hello)/access.yml" "ada"
  # Removing a key, then a user, takes them out of authorized_keys.
  sw keys:remove "$fp" > rm.out
  assert_eq "Removed key $fp from ada" "$(cat rm.out)"
  assert_not_contains "$SLIPWAY_ROOT/ssh/authorized_keys" "$(re_escape "$(cut -d' ' -f2 keys/ada.pub)")"
  sw users:remove dev > /dev/null
  assert_eq 0 "$(grep -c '^command=' "$SLIPWAY_ROOT/ssh/authorized_keys")"
}

test_bad_users_and_keys_are_refused_and_change_nothing() {
  sw users:add ada --admin > /dev/null
  sw users:add bob > /dev/null
  mkdir -p keys
  ssh-keygen -q -t ed25519 -N '' -C ada@laptop -f keys/ada
  sw keys:add ada keys/ada.pub > /dev/null
  local name
  for name in Ada 1ada ada_b "" "$(printf 'a%.0s' {1..33})" "a b" "../x"; do
    refused bad-name.out 2 "slipway: error: invalid user name '$name': use a lowercase letter, then up to 31 lowercase letters, digits or dashes" users:add "$name"
  done
  refused dup-user.out 1 "slipway: error: user 'bob' already exists" users:add bob
  refused last-admin.out 1 "slipway: error: 'ada' is the last admin; make another admin first (slipway users:add NAME --admin)" users:remove ada
  refused no-user.out 1 "slipway: error: no user 'carol'; see 'slipway users', or add one with 'slipway users:add carol'" users:remove carol
  # Keys.
  refused private.out 1 "slipway: error: this is a PRIVATE key: it must never leave your machine (if it was sent anywhere, make a new one); add the public key, the .pub file beside it" keys:add bob keys/ada
  assert_contains private.out "^ !     !!! keys/ada holds a PRIVATE key\. Never hand it to a server"
  refused dup.out 1 "slipway: error: key $(ssh-keygen -lf keys/ada.pub | cut -d' ' -f2) already belongs to ada; one key names one person: make a key of their own" keys:add bob keys/ada.pub
  refused dup-own.out 1 "slipway: error: key $(ssh-keygen -lf keys/ada.pub | cut -d' ' -f2) already belongs to ada" keys:add ada keys/ada.pub
  ssh-keygen -q -t rsa -b 1024 -N '' -f keys/short
  refused short.out 1 "slipway: error: an RSA key of 1024 bits is too weak; use at least 2048 bits, or better ed25519: ssh-keygen -t ed25519" keys:add bob keys/short.pub
  printf 'ssh-dss AAAAB3NzaC1kc3MAAACBAP bob@old\n' > keys/dsa.pub
  refused dsa.out 1 "slipway: error: DSA keys are refused (OpenSSH no longer accepts them); make an ed25519 key: ssh-keygen -t ed25519" keys:add bob keys/dsa.pub
  printf 'command="/bin/sh" %s\n' "$(cat keys/ada.pub)" > keys/options.pub
  refused options.out 1 "slipway: error: the key has options in front of it ('command=\"/bin/sh\"'); give the key alone: Slipway writes the options itself" keys:add bob keys/options.pub
  printf 'ssh-ed25519 not-base64!! bob\n' > keys/garbled.pub
  refused garbled.out 1 "slipway: error: the key's data is not base64 (damaged in copying?)" keys:add bob keys/garbled.pub
  printf 'ssh-ed25519 %s bob\n' "$(cut -d' ' -f2 keys/short.pub)" > keys/mismatch.pub
  refused mismatch.out 1 "slipway: error: the key's data is not a valid ssh-ed25519 key (damaged in copying?)" keys:add bob keys/mismatch.pub
  printf 'hello world\n' > keys/junk.pub
  refused junk.out 1 "slipway: error: not an OpenSSH public key; expected a line like 'ssh-ed25519 AAAA... you@host' (types: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa)" keys:add bob keys/junk.pub
  cat keys/ada.pub keys/ada.pub > keys/two.pub
  refused two.out 1 "slipway: error: give one key at a time, not 2 lines" keys:add bob keys/two.pub
  refused none.out 1 "slipway: error: no key given; give an OpenSSH public key like 'ssh-ed25519 AAAA... you@host'" keys:add bob /dev/null
  refused missing.out 1 "slipway: error: cannot read keys/nope.pub; name a public key file like ~/.ssh/id_ed25519.pub" keys:add bob keys/nope.pub
  refused nokey.out 1 "slipway: error: no key SHA256:nope; see 'slipway keys'" keys:remove SHA256:nope
  ssh-keygen -q -t ed25519 -N '' -f keys/bob
  refused nouser.out 1 "slipway: error: no user 'carol'; see 'slipway users', or add one with 'slipway users:add carol'" keys:add carol keys/bob.pub
}
