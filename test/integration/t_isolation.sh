# App isolation: code pushed to one app runs as that app's user and must never make root
# follow a path that user controls. Each test is an attack by a hostile buildpack or app
# (test/fixtures/buildpacks/hostile) against a root-only canary directory and another app's
# secrets; none may change, leak into the attacker's slug, tree or logs, or gain a file.

# A root-only directory with a secret, and another app whose config holds a secret.
setup_targets() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to create app users"
  CANARY=$SCRATCH/canary
  mkdir -m 0700 "$CANARY"
  echo canary-secret > "$CANARY/secret"
  chmod 0600 "$CANARY/secret"
  sw apps:create victim >/dev/null
  sw config:set SECRET=victim-secret -a victim >/dev/null
}

# The hostile buildpack in MODE against TARGET, for app 'hello'.
hostile_app() { # MODE TARGET
  new_app hello plain
  printf 'MODE=%s\nTARGET=%s\n' "$1" "$2" >"$SRC/attack.conf"
  git -C "$SRC" add -A
  git -C "$SRC" commit -qm "attack $1"
  use_buildpacks hostile
}

# Nothing reached the canary or the victim, and no secret reached anything of 'hello'.
assert_targets_intact() {
  assert_eq "root 700" "$(stat -c '%U %a' "$CANARY")" "canary directory"
  assert_eq "secret" "$(ls -A "$CANARY" | tr '\n' ' ' | sed 's/ $//')" "canary contents"
  assert_eq "root 600 canary-secret" "$(stat -c '%U %a' "$CANARY/secret") $(cat "$CANARY/secret")" "canary secret"
  assert_eq "root 600" "$(stat -c '%U %a' "$(app_dir victim)/env")" "victim's env"
  local app; app=$(app_dir hello)
  ! grep -rqa -e canary-secret -e victim-secret "$app/releases" "$app/builds" "$SCRATCH/push.out" ||
    fail "a secret reached the attacker's releases, logs or push output"
  local slug
  for slug in "$app"/slugs/*.tar.zst; do
    [ -e "$slug" ] || continue
    ! zstd -dcq "$slug" | grep -qa -e canary-secret -e victim-secret || fail "a secret reached the slug $slug"
  done
  [ -z "$(ls -A "$app/tmp")" ] || fail "the build left staging behind: $(ls -A "$app/tmp")"
}

test_a_swapped_build_dir_is_never_followed() {
  setup_targets
  hostile_app swap-build-dir "$CANARY"
  push
  assert_targets_intact
  assert_contains push.out "attack denied: swap"
  assert_not_contains push.out "ATTACK"
  assert_current hello v1
  assert_contains "$(app_dir hello)/releases/v1/app/.profile.d/00_config_vars.sh" "LEGACY"
  assert_targets_intact
  # The same, aimed at another app's release: its tree and env keep owner and mode.
  printf 'MODE=swap-build-dir\nTARGET=%s\n' "$(app_dir victim)" >"$SRC/attack.conf"
  git -C "$SRC" commit -qam "attack the victim"
  push
  assert_contains push.out "attack denied: swap"
  assert_eq "root 750" "$(stat -c '%U %a' "$(app_dir victim)")" "victim's app directory"
  assert_targets_intact
}

test_buildpack_staging_cannot_be_planted() {
  setup_targets
  hostile_app plant-buildpacks "$CANARY"
  use_buildpacks hostile recorder
  push
  assert_targets_intact
  assert_contains push.out "attack denied: buildpacks/1"
  assert_contains push.out "attack denied: buildpacks/2"
  assert_contains push.out "Recorder build number 1"
  assert_current hello v1
  assert_targets_intact
}

test_buildpacks_by_path_only_from_allowed_directories() {
  setup_targets
  new_app hello plain
  # Root-only sources the app's user must not get root to copy for it.
  local private=$SCRATCH/private
  mkdir -m 0700 "$private"
  mkdir -p "$private/bp/bin"
  cp "$FIXTURES/buildpacks/recorder/bin/"* "$private/bp/bin/"
  git clone -q --bare "$SRC" "$private/repo.git"
  local bad
  for bad in "$private/bp" "file://$private/repo.git" "$SCRATCH/buildpacks/../private/bp"; do
    allow_buildpacks "$SCRATCH/buildpacks"
    printf '%s\n' "$bad" >"$SRC/.buildpacks"
    git -C "$SRC" add -A
    git -C "$SRC" commit -qm "buildpack $bad"
    push
    assert_contains push.out "Push rejected, failed to build: buildpack '$bad' is not in a directory the server allows; a sysadmin can allow its directory with 'slipway settings:set --server buildpack_dirs=DIR', or use a built-in or a git URL"
    [ ! -e "$(app_dir hello)/current" ] || fail "a refused buildpack deployed"
    [ -z "$(ls -A "$(app_dir hello)/buildpacks" 2>/dev/null)" ] || fail "a refused buildpack was fetched"
  done
  # Another app's repository, allowed or not, is never read.
  printf 'file://%s\n' "$(app_dir victim)/repo.git" >"$SRC/.buildpacks"
  git -C "$SRC" commit -qam "victim repo"
  push
  assert_contains push.out "failed to build: buildpack 'file://$(app_dir victim)/repo.git' lies inside Slipway's apps; name a buildpack outside them"
  allow_buildpacks "$SLIPWAY_ROOT"
  commit README "allowed root" "allowed root"
  push
  assert_contains push.out "failed to build: buildpack 'file://$(app_dir victim)/repo.git' lies inside Slipway's apps; name a buildpack outside them"
  # An app cannot widen the list itself.
  run_sw set.out settings:set buildpack_dirs=/ -a hello
  assert_eq 2 "$SW_STATUS" "settings:set buildpack_dirs for an app"
  assert_contains set.out "^slipway: error: setting 'buildpack_dirs' is for the whole server; set it with 'slipway settings:set --server buildpack_dirs=...'$"
  assert_not_contains "$(app_dir hello)/settings.yml" "buildpack_dirs"
  # An allowed directory named through a link allows what really lies in it.
  mkdir -p "$SCRATCH/buildpacks"
  cp -a "$FIXTURES/buildpacks/recorder" "$SCRATCH/buildpacks/recorder"
  ln -s "$SCRATCH/buildpacks" "$SCRATCH/bp-link"
  allow_buildpacks "$SCRATCH/bp-link"
  echo "$SCRATCH/buildpacks/recorder" >"$SRC/.buildpacks"
  git -C "$SRC" commit -qam "an allowed buildpack"
  push
  assert_contains push.out "Recorder build number 1"
  assert_current hello v1
  assert_targets_intact
}

test_git_buildpack_fetches_are_limited() {
  new_app hello plain
  local bp=$SCRATCH/bp-src
  cp -a "$FIXTURES/buildpacks/recorder" "$bp"
  head -c 3000000 /dev/urandom >"$bp/blob"
  git -C "$bp" init -q; git -C "$bp" add -A; git -C "$bp" commit -qm big
  git clone -q --bare "$bp" "$SCRATCH/bp.git"
  allow_buildpacks "$SCRATCH"
  sw settings:set --server buildpack_dirs="$SCRATCH" buildpack_fetch_size=1M >/dev/null
  printf 'file://%s\n' "$SCRATCH/bp.git" >"$SRC/.buildpacks"
  git -C "$SRC" add -A; git -C "$SRC" commit -qm url
  push
  assert_contains push.out "failed to build: cannot fetch buildpack 'file://$SCRATCH/bp.git': the fetch is larger than 1 MiB"
  [ ! -e "$(app_dir hello)/current" ] || fail "an oversized buildpack deployed"
  sw settings:set --server buildpack_fetch_size=10M >/dev/null
  push
  assert_current hello v1
}

test_hard_links_are_copied_or_refused_before_root_changes_them() {
  setup_targets
  hostile_app hardlink-own "$CANARY"
  push
  assert_contains push.out "hard-linked a cache file into the build"
  assert_current hello v1
  # The cache's file keeps its owner and mode; the release got a copy.
  assert_eq "slipway-hello 600" "$(stat -c '%U %a' "$(app_dir hello)/cache/own")" "the user's cache file"
  assert_eq "root 644 1" "$(stat -c '%U %a %h' "$(app_dir hello)/releases/v1/app/own-link")" "the release's copy"
  # A hard link to a root-only file (possible where fs.protected_hardlinks=0) is refused.
  local was; was=$(cat /proc/sys/fs/protected_hardlinks)
  echo 0 >/proc/sys/fs/protected_hardlinks || skip "cannot turn off fs.protected_hardlinks here"
  printf 'MODE=hardlink-root\nTARGET=%s\n' "$CANARY" >"$SRC/attack.conf"
  git -C "$SRC" commit -qam "steal"
  chmod 0755 "$CANARY"; chmod 0644 "$CANARY/secret" # readable only so the user may link it
  push
  echo "$was" >/proc/sys/fs/protected_hardlinks
  chmod 0700 "$CANARY"; chmod 0600 "$CANARY/secret"
  assert_contains push.out "hard-linked the root-only secret into the build"
  assert_contains push.out "failed to build: 'app/stolen' belongs to uid 0, not to the app's user; a build may only leave files of its own"
  assert_current hello v1
  assert_targets_intact
}

test_profile_d_links_are_never_written_through() {
  setup_targets
  hostile_app profile-link "$CANARY"
  push
  assert_targets_intact
  assert_contains push.out "linked .profile.d to the target"
  assert_contains push.out "failed to build: app/.profile.d is not a directory; bin/release's config_vars need one"
  assert_targets_intact
  printf 'MODE=inner-link\nTARGET=%s\n' "$CANARY" >"$SRC/attack.conf"
  git -C "$SRC" commit -qam "inner"
  push
  assert_contains push.out "failed to build: app/.profile.d is not a directory"
  [ -z "$(ls -A "$(app_dir hello)/releases")" ] || fail "a refused build made a release"
  assert_targets_intact
}

test_builds_and_release_phase_run_with_no_new_privs() {
  setup_targets
  hostile_app privileges "$CANARY"
  printf 'web: bin/web\nrelease: grep ^NoNewPrivs: /proc/self/status\n' >"$SRC/Procfile"
  git -C "$SRC" commit -qam procfile
  push
  assert_current hello v1
  [ "$(grep -c 'NoNewPrivs:[[:space:]]*1' push.out)" -eq 2 ] || fail "compile and the release phase must both have no_new_privs"
}

test_blob_reuse_never_follows_links_in_a_release_tree() {
  setup_targets
  new_app hello plain
  mkdir -p "$SRC/sub"
  echo "the app's own file" >"$SRC/sub/env"
  git -C "$SRC" add -A; git -C "$SRC" commit -qm sub
  push >/dev/null
  assert_current hello v1
  # A release tree whose directory became a link to another app (as an old attack left it):
  # the next build must not copy the victim's env as the blob of sub/env.
  local tree; tree=$(app_dir hello)/releases/v1/app
  mv "$tree/sub" "$tree/sub.orig"
  ln -s "$(app_dir victim)" "$tree/sub"
  commit README again again
  push
  assert_current hello v2
  assert_eq "the app's own file" "$(cat "$(app_dir hello)/releases/v2/app/sub/env")" "sub/env in v2"
  assert_targets_intact
}

test_release_trees_are_checked_when_shared_and_by_doctor() {
  setup_targets
  new_app hello plain
  push >/dev/null
  sw config:set A=1 -a hello >/dev/null
  assert_eq "../v1/app" "$(readlink "$(app_dir hello)/releases/v2/app")" "a config release shares v1's tree"
  # v2's tree replaced by a link out of the app: never shared, and doctor repairs it.
  ln -sfn "$CANARY" "$(app_dir hello)/releases/v2/app"
  run_sw doctor.out doctor -a hello
  assert_contains doctor.out "releases/v2/app is neither a directory nor a link to another release's tree"
  run_sw fix.out doctor -a hello --fix
  assert_eq "../v1/app" "$(readlink "$(app_dir hello)/releases/v2/app")" "doctor --fix points v2 back at v1's tree"
  run_sw doctor2.out doctor -a hello
  assert_not_contains doctor2.out "releases/v2/app"
  sw config:set A=2 -a hello >/dev/null
  assert_eq "../v1/app" "$(readlink "$(app_dir hello)/releases/v3/app")" "v3 shares v1's tree"
  assert_targets_intact
}

test_a_racing_process_of_the_apps_user_never_redirects_root() {
  setup_targets
  new_app hello plain
  # A build slow enough for the racer to get in while the buildpack runs.
  mkdir -p "$SRC/deep/a/b"
  for i in $(seq 1 40); do echo "$i" >"$SRC/deep/a/b/f$i"; done
  git -C "$SRC" add -A; git -C "$SRC" commit -qm deep
  use_buildpacks recorder
  local app; app=$(app_dir hello)
  # The racer: the app's own user, swapping every entry it can reach for links to the canary.
  setpriv --reuid=slipway-hello --regid=slipway-hello --clear-groups bash -c '
    end=$((SECONDS + 120))
    while [ $SECONDS -lt $end ] && [ ! -e "$0/stop" ]; do
      for d in "$1"/tmp/build-*/app "$1"/tmp/build-*/app/deep "$1"/tmp/build-*/app/deep/a; do
        [ -d "$d" ] || continue
        for e in "$d"/*; do
          mv "$e" "$e.x" 2>/dev/null && ln -s "$2" "$e" 2>/dev/null
        done
        ln -s "$2/secret" "$d/zz-secret" 2>/dev/null
      done
    done' "$SCRATCH" "$app" "$CANARY" &
  local racer=$!
  local i ok=0
  for i in $(seq 1 20); do
    commit README "race $i" "race $i"
    push >/dev/null
    grep -q "Push rejected" push.out || ok=$((ok + 1))
    assert_targets_intact
  done
  touch "$SCRATCH/stop"
  wait "$racer" || true
  echo "builds that succeeded despite the racer: $ok of 20"
  [ "$ok" -lt 20 ] || fail "the racer never reached a build: this test showed nothing"
  # Whatever the racer did, every live tree is root's and holds no link out of the app.
  ! find "$app/releases" -path '*/app/*' -type l -lname '/*' | grep -q . || fail "a release tree links out of the app"
  ! find "$app/releases" -path '*/app/*' ! -user root | grep -q . || fail "a release tree has files not owned by root"
}

test_shell_output_is_quoted_so_sourcing_runs_nothing() {
  new_app hello plain
  push >/dev/null
  local nl=$'\n'
  sw config:set "A=\$(touch $SCRATCH/pwned)" "B=line1${nl}touch $SCRATCH/pwned2" "C=it's \`id\`" -a hello >/dev/null
  sw config --shell -a hello >config.sh
  sw releases:info --shell -a hello >info.sh
  local f
  for f in config.sh info.sh; do
    (
      set -e
      . "./$f"
      [ "$A" = "\$(touch $SCRATCH/pwned)" ] || fail "$f: A is '$A'"
      [ "$B" = "line1${nl}touch $SCRATCH/pwned2" ] || fail "$f: B is '$B'"
      [ "$C" = "it's \`id\`" ] || fail "$f: C is '$C'"
    )
  done
  [ ! -e "$SCRATCH/pwned" ] && [ ! -e "$SCRATCH/pwned2" ] || fail "sourcing --shell output ran a command"
}

# Issue 21, item 7: a build runs at the app's dyno_size (standard-1X: killed past 1 GB), and
# says so in one line; the next push with a larger size builds.
test_a_build_past_twice_its_size_is_stopped_and_says_why() {
  [ "$(id -u)" -eq 0 ] || skip "needs root: limits are cgroups"
  hostile_app memory-hog /nonexistent
  push >/dev/null
  assert_contains push.out "Push rejected, failed to build: failed to compile app with buildpack '[^']*/hostile': bin/compile ran out of memory: Error R15 \(Memory quota vastly exceeded\), past twice its dyno size's; give the app a larger one \(settings:set dyno_size=...\); see the output above *$"
  ! grep "the hog survived" push.out | grep -qv "print(" || fail "the build went past its size"
  [ ! -e "$(app_dir hello)/current" ] || fail "a build past its size made a release"
  sw settings:set dyno_size=standard-2X -a hello >/dev/null
  commit attack.conf "# again" "again"
  push >/dev/null
  assert_contains push.out "the hog survived"
  assert_current hello v1
}
