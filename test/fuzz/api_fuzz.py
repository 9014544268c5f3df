#!/usr/bin/env python3
"""Fuzz the Platform API over real HTTP, one route family at a time.

Usage: api_fuzz.py HOST PORT APP TOKEN SECONDS SEED FAMILY...

Sends requests of FAMILY's routes with mutated path parts, query strings, headers (Range,
Content-Type, Authorization, Cookie) and bodies (JSON of every type, wrong types, huge
numbers, random bytes), for SECONDS per family, with the random SEED (the same seed sends the
same requests). A request fails the run when the server answers 500 (an exception reached
the handler's guard), does not answer in 10 s, or drops the connection. Prints one line per
family, "fuzz_api FAMILY: N requests, M failures", and the first failing requests; exits 1 on
any failure. Never creates or destroys apps (that would make unix users): those routes are
sent only app names that cannot exist.
"""
import http.client
import json
import random
import sys
import time
import urllib.parse

host, port, app, token = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
seconds, seed, families = float(sys.argv[5]), int(sys.argv[6]), sys.argv[7:]
rng = random.Random(seed)

NUMBERS = [0, 1, -1, 2, 10, 99, 2**31, 2**32, 2**53, 2**53 + 1, 2**63, 2**64, 2**64 + 1, 10**30, -(2**63), 1.5, -0.0, 1e308]
WORDS = ["", "web", "worker", "v1", "v0", "1", "-1", "99999999999999999999999", "..", "../..", "%00", "a" * 300,
         "null", "true", "Ω", "web.1", "DATABASE", "SHA256:" + "0" * 64, "00000000-0000-5000-8000-000000000000", app]


def value(depth=0):
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice(NUMBERS)
    if kind == 3:
        return rng.randrange(-1000, 100000)
    if kind in (4, 5):
        return rng.choice(WORDS) if rng.random() < 0.7 else "".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randrange(40)))
    if kind == 6:
        return [value(depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(KEYS + WORDS[:6]): value(depth + 1) for _ in range(rng.randrange(4))}


KEYS = ["release", "slug", "lines", "tail", "dyno", "dyno_name", "source", "updates", "type", "quantity", "size",
        "process_types", "checksum", "commit", "commit_description", "stack", "plan", "name", "attachment",
        "config", "confirm", "web", "A", "GREETING"]


def body_for(keys):
    r = rng.random()
    if r < 0.1:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
    if r < 0.2:
        return json.dumps(value()).encode()
    if r < 0.25:
        return b'{"lines": 1' + b"0" * rng.randrange(1, 400) + b"}"
    obj = {}
    for k in keys:
        if rng.random() < 0.7:
            obj[k] = value()
    if rng.random() < 0.2:
        obj[rng.choice(KEYS)] = value()
    return json.dumps(obj).encode()


def part(default, words=WORDS):
    r = rng.random()
    if r < 0.6:
        return default
    return urllib.parse.quote(str(rng.choice(words + [str(n) for n in NUMBERS])), safe="")


def query(keys):
    pairs = []
    for k in keys:
        if rng.random() < 0.6:
            pairs.append((k, str(rng.choice(WORDS + [str(n) for n in NUMBERS]))))
    if rng.random() < 0.3 and pairs:
        pairs.append(rng.choice(pairs))  # a parameter given twice
    return ("?" + urllib.parse.urlencode(pairs)) if pairs else ""


def range_header():
    grammar = ["version ..", "version ..; max={n}", "version {n}..{m}; max={n}, order={o}", "version ]{n}..; order={o}",
               "id ..{n}", "version {n}..", "bytes={n}-{m}", "version ..; max", "version ..; max={n}, order",
               "name ..; order={o}", "version {n}..{m}..{n}", "version ]..[", "version ..; max={n}, max={m}"]
    text = rng.choice(grammar).format(n=rng.choice(NUMBERS + [5, 1]), m=rng.choice(NUMBERS + [3]),
                                      o=rng.choice(["asc", "desc", "up", ""]))
    return text if rng.random() < 0.9 else text + "".join(chr(rng.randrange(32, 127)) for _ in range(rng.randrange(10)))


# Each family: (method, path maker, body keys or None, query keys).
FAMILIES = {
    "apps": [("GET", lambda: "/account", None, []), ("GET", lambda: "/apps", None, []),
             ("GET", lambda: "/users/~/apps", None, []), ("GET", lambda: f"/apps/{part(app)}", None, []),
             ("GET", lambda: f"/apps/{part(app)}/pipeline-couplings", None, []),
             ("GET", lambda: f"/apps/{part(app)}/collaborators", None, []),
             ("POST", lambda: "/apps", ["name"], []),  # bodies only with names that cannot be apps (below)
             ("DELETE", lambda: f"/apps/{part('no-such-app', [w for w in WORDS if w != app])}", None, [])],
    "releases": [("GET", lambda: f"/apps/{part(app)}/releases", None, []),
                 ("GET", lambda: f"/apps/{part(app)}/releases/{part('1')}", None, []),
                 ("POST", lambda: f"/apps/{part(app)}/releases", ["release", "slug", "description"], [])],
    "config_vars": [("GET", lambda: f"/apps/{part(app)}/config-vars", None, []),
                    ("PATCH", lambda: f"/apps/{part(app)}/config-vars", ["A", "GREETING", "PORT"], []),
                    ("GET", lambda: f"/apps/{part(app)}/releases/{part('1')}/config-vars", None, [])],
    "formation": [("GET", lambda: f"/apps/{part(app)}/formation", None, []),
                  ("PATCH", lambda: f"/apps/{part(app)}/formation", ["updates"], []),
                  ("GET", lambda: f"/apps/{part(app)}/dynos", None, []),
                  ("DELETE", lambda: f"/apps/{part(app)}/dynos/{part('web.1')}", None, [])],
    "slugs": [("POST", lambda: f"/apps/{part(app)}/slugs", ["process_types", "checksum", "commit", "stack"], []),
              ("GET", lambda: f"/apps/{part(app)}/slugs/{part('00000000-0000-5000-8000-000000000000')}", None, []),
              ("PUT", lambda: f"/uploads/slugs/{part(app)}/{part('00000000-0000-5000-8000-000000000000')}", [], ["token"])],
    "addons": [("GET", lambda: "/addons", None, []), ("GET", lambda: f"/apps/{part(app)}/addon-attachments", None, []),
               ("POST", lambda: f"/apps/{part(app)}/addons", ["plan", "attachment", "name", "config", "confirm"], [])],
    "logs": [("POST", lambda: f"/apps/{part(app)}/log-sessions", ["lines", "tail", "dyno", "dyno_name", "source"], []),
             ("GET", lambda: f"/streams/logs/{part(app)}", None,
              ["lines", "tail", "dyno", "source", "expires", "user", "token_id", "sig"]),
             ("GET", lambda: f"/streams/releases/{part(app)}/{part('1')}", None, ["expires", "user", "token_id", "sig"])],
    "activity": [("GET", lambda: "/login", None, ["next"]), ("POST", lambda: "/login", None, []),
                 ("GET", lambda: f"/apps/{part(app)}/activity", None, []),
                 ("GET", lambda: f"/apps/{part(app)}/activity/releases/{part('1')}", None, []),
                 ("POST", lambda: f"/apps/{part(app)}/activity/rollback", None, [])],
}


def one(method, path, body, headers):
    c = http.client.HTTPConnection(host, port, timeout=10)
    try:
        # Header values as UTF-8 bytes: the client library would refuse what is not Latin-1.
        c.request(method, path, body=body, headers={k: v.encode() for k, v in headers.items()})
        r = c.getresponse()
        r.read()
        return r.status, ""
    except Exception as e:  # a dropped connection or a time-out
        return None, f"{type(e).__name__}: {e}"
    finally:
        c.close()


failed_any = False
for family in families:
    routes = FAMILIES[family]
    end = time.monotonic() + seconds
    n = failures = 0
    shown = []
    while time.monotonic() < end:
        method, make_path, keys, qkeys = rng.choice(routes)
        path = make_path() + query(qkeys)
        headers = {}
        if rng.random() < 0.9:
            headers["Authorization"] = "Bearer " + (token if rng.random() < 0.85 else rng.choice(WORDS))
        if rng.random() < 0.4:
            headers["Range"] = range_header()
        if rng.random() < 0.2:
            headers["Cookie"] = f"slipway_session={rng.choice(WORDS)}; slipway_login={rng.choice(WORDS)}"
        body = None
        if method in ("POST", "PATCH", "PUT"):
            if family == "activity" or (family == "apps" and method == "POST"):
                form = {"token": rng.choice([token] + WORDS), "next": rng.choice(WORDS), "csrf": rng.choice(WORDS),
                        "version": str(rng.choice(NUMBERS)), "name": "9-not-an-app-" + str(rng.randrange(9))}
                body = (json.dumps(form) if family == "apps" else urllib.parse.urlencode(form)).encode()
                headers["Content-Type"] = "application/json" if family == "apps" else "application/x-www-form-urlencoded"
            else:
                body = body_for(keys or [])
                headers["Content-Type"] = rng.choice(["application/json", "text/plain", "application/json"])
        status, error = one(method, path, body, headers)
        n += 1
        if status is None or status >= 500:
            failures += 1
            if len(shown) < 5:
                shown.append(f"  {method} {path} headers={headers} body={body[:200] if body else b''!r} -> {status or error}")
    print(f"fuzz_api {family}: {n} requests, {failures} failures")
    for line in shown:
        print(line)
    failed_any |= failures > 0
sys.exit(1 if failed_any else 0)
