# Real apps on the built-in buildpacks, modelled on Heroku's getting-started apps: they build,
# run their release phase, and serve a page when their `web` command is started by hand as
# the app's user from current/app, the way a process manager would.

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# get URL: the body, or fail after 30 s.
get() {
  python3 - "$1" <<'PY'
import sys, time, urllib.request
for _ in range(300):
    try:
        print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode(), end="")
        sys.exit(0)
    except Exception as e:
        err = e
        time.sleep(0.1)
print("no answer from %s: %s" % (sys.argv[1], err), file=sys.stderr)
sys.exit(1)
PY
}

# start_web APP PORT: the Procfile's web command as the app's user, in current/app, with the
# app's config vars, HOME, PORT and .profile.d, as a process manager would run it. Sets WEB_PID.
start_web() {
  local app=$1 port=$2 dir
  dir=$(app_dir "$1")/current/app
  local web; web=$(sed -n 's/^web: *//p' "$dir/Procfile")
  sw config --shell -a "$app" >"$SCRATCH/$app.env"
  chmod 644 "$SCRATCH/$app.env"
  setsid setpriv --reuid="slipway-$app" --regid="slipway-$app" --clear-groups \
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$dir" PORT="$port" DYNO=web.1 CI=true \
    bash -c 'set -a; . "$0"; set +a; cd "$HOME"; for f in .profile.d/*.sh; do [ -f "$f" ] && . "$f"; done; exec bash -c "$1"' \
    "$SCRATCH/$app.env" "$web" >"$SCRATCH/$app.web.log" 2>&1 &
  WEB_PID=$!
}

# stop_web: end the web command and every process it started (its own session: setsid
# does not fork in a background job, which leads no process group).
stop_web() {
  kill -- -"$WEB_PID" 2>/dev/null || true
  wait "$WEB_PID" 2>/dev/null || true
}

test_django_getting_started_builds_migrates_and_serves() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to create app users"
  python3 -c 'import django' 2>/dev/null || /usr/bin/python3 -c 'import django' || fail "python3-django is missing (make deps)"
  new_app django django
  django_db django
  push
  assert_eq 0 "$PUSH_STATUS" "push status"
  assert_contains push.out "Python app detected"
  assert_contains push.out "The virtualenv sees the system's Python packages"
  assert_contains push.out 'python manage.py collectstatic --noinput'
  assert_contains push.out "Applying hello.0001_initial\.\.\. OK"
  assert_current django v1
  local app; app=$(app_dir django)/current/app
  [ -f "$app/staticfiles/site.css" ] || fail "collectstatic did not run"
  # Entry points run the venv's python without .profile.d.
  setpriv --reuid=slipway-django --regid=slipway-django --clear-groups env -i PATH=/usr/bin:/bin \
    "$app/.venv/bin/pip" --version >pip.out
  assert_contains pip.out "/\.venv/lib/python3[.0-9]*/site-packages/pip"
  local port; port=$(free_port)
  start_web django "$port"
  get "http://127.0.0.1:$port/" >page.out || { cat "$SCRATCH/django.web.log"; fail "the web command did not serve"; }
  get "http://127.0.0.1:$port/" >page2.out
  stop_web
  assert_contains page.out "^Hello from Django on Slipway: 1 greetings$"
  assert_contains page2.out "^Hello from Django on Slipway: 2 greetings$"
  # DISABLE_COLLECTSTATIC=1 skips it.
  sw config:set DISABLE_COLLECTSTATIC=1 -a django >/dev/null
  commit README again again
  push
  assert_current django v3
  assert_not_contains push.out "collectstatic"
  [ ! -e "$(app_dir django)/current/app/staticfiles" ] || fail "collectstatic ran with DISABLE_COLLECTSTATIC=1"
}

# make_wheel DIR: a one-module wheel, slipwaydemo 1.0, for pip to find without an index.
make_wheel() {
  mkdir -p "$1"
  python3 - "$1" <<'PY'
import sys, zipfile
info = "slipwaydemo-1.0.dist-info/"
files = {
    "slipwaydemo.py": "GREETING = 'installed from a local wheel'\n",
    info + "METADATA": "Metadata-Version: 2.1\nName: slipwaydemo\nVersion: 1.0\n",
    info + "WHEEL": "Wheel-Version: 1.0\nGenerator: slipway-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
files[info + "RECORD"] = "".join("%s,,\n" % name for name in files) + info + "RECORD,,\n"
with zipfile.ZipFile(sys.argv[1] + "/slipwaydemo-1.0-py3-none-any.whl", "w") as z:
    for name, text in files.items():
        z.writestr(name, text)
PY
  chmod -R a+rX "$1"
}

test_python_versions_and_pip_settings_are_honoured_or_said() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to create app users"
  new_app py python
  local have; have=$(/usr/bin/python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
  # pip's settings come from config vars: no index, a directory of wheels.
  make_wheel "$SCRATCH/wheels"
  sw config:set PIP_NO_INDEX=1 PIP_FIND_LINKS="$SCRATCH/wheels" -a py >/dev/null
  echo "slipwaydemo==1.0" >>"$SRC/requirements.txt"
  printf 'web: python app.py\nrelease: python -c "import slipwaydemo; print(slipwaydemo.GREETING)"\n' >"$SRC/Procfile"
  echo "3.99" >"$SRC/.python-version"
  git -C "$SRC" add -A; git -C "$SRC" commit -qm "a dependency from a local wheel"
  push
  assert_contains push.out " !     \.python-version asks for Python 3\.99; this server has only Python $have: building with $have"
  assert_contains push.out "Successfully installed slipwaydemo-1\.0"
  assert_contains push.out "^remote: installed from a local wheel"
  assert_current py v1
  # A major version the server cannot run fails the build, saying why.
  echo "2.7" >"$SRC/.python-version"
  git -C "$SRC" commit -qam py2
  push
  assert_contains push.out " !     \.python-version asks for Python 2\.7; this server has only Python $have, which cannot run it"
  assert_contains push.out "failed to compile app with buildpack"
  assert_current py v1
  # Comments and blank lines are skipped (Heroku's getting-started app starts with one); a
  # .python-version with no version leaves runtime.txt to say.
  printf '# The Python version this app runs on\n\n2.7\n' >"$SRC/.python-version"
  git -C "$SRC" commit -qam "py2 after a comment"
  push
  assert_contains push.out " !     \.python-version asks for Python 2\.7; this server has only Python $have, which cannot run it"
  printf '# no version here\n' >"$SRC/.python-version"
  echo "python-3.99.1" >"$SRC/runtime.txt"
  git -C "$SRC" add -A; git -C "$SRC" commit -qm "runtime.txt"
  push
  assert_contains push.out " !     runtime\.txt asks for Python 3\.99\.1; this server has only Python $have: building with $have"
  assert_current py v2
}

test_node_getting_started_builds_prunes_and_serves() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to create app users"
  command -v npm >/dev/null || fail "npm is missing (make deps)"
  new_app node nodejs
  push
  assert_eq 0 "$PUSH_STATUS" "push status"
  assert_contains push.out "Node.js app detected"
  assert_contains push.out "Installing dependencies with npm ci \(NODE_ENV=production\)"
  assert_contains push.out "build script ran"
  assert_contains push.out "Pruning devDependencies"
  assert_contains push.out "release phase on Node.js v[0-9.]*, NODE_ENV=production"
  assert_not_contains push.out "asks for Node.js"
  assert_current node v1
  local app; app=$(app_dir node)/current/app
  [ -d "$app/node_modules/express" ] || fail "express is missing from the slug"
  [ ! -e "$app/node_modules/is-number" ] || fail "a devDependency stayed in the slug"
  local port; port=$(free_port)
  start_web node "$port"
  get "http://127.0.0.1:$port/" >page.out || { cat "$SCRATCH/node.web.log"; fail "the web command did not serve"; }
  stop_web
  assert_contains page.out "^Hello from Node.js on Slipway \(NODE_ENV=production, built with is-number: true\)$"
  # NPM_CONFIG_PRODUCTION=false keeps devDependencies; an engines.node the server lacks is said.
  sed -i 's/"node": ">=18"/"node": "<1"/' "$SRC/package.json"
  git -C "$SRC" commit -qam "old node"
  sw config:set NPM_CONFIG_PRODUCTION=false -a node >/dev/null
  push
  assert_contains push.out " !     package.json asks for Node.js <1; this server has v[0-9.]*: building with it"
  assert_contains push.out "Keeping devDependencies \(NPM_CONFIG_PRODUCTION=false\)"
  assert_current node v3
  [ -d "$(app_dir node)/current/app/node_modules/is-number" ] || fail "NPM_CONFIG_PRODUCTION=false pruned devDependencies"
}
