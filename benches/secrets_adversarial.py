#!/usr/bin/env python3
"""Adversarial inputs for the secrets engine (issue 12: linear time on any input).

    secrets_adversarial.py OUTDIR

Writes one folder per case under OUTDIR, so each is scanned on its own by
`secrets_throughput tree OUTDIR/<case>`:

* bundle-1.4mb / bundle-8mb / bundle-12mb: minified JavaScript on ONE line, a keyword hit every
  ~66 bytes (20 000 / 120 000 / 180 000 hits), one real-looking credential every 50 hits;
* dump-64mb: a 64 MiB SQL dump (many short lines, over the old 10 MiB limit) with a
  credential in its last kilobyte;
* nested-json: 2 MB of JSON nested 200 000 levels deep with secrets-shaped keys;
* long-lines: 4 MB of 1 MB lines of base64-ish text (no keyword).
Deterministic (fixed seed), no network.
"""
import os
import random
import sys

out = sys.argv[1]
rng = random.Random(12)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def rand(n):
    return "".join(rng.choice(ALNUM) for _ in range(n))


def case(name, fname, data):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


def bundle(hits):
    """One line of ~66 bytes per keyword hit; one quoted password every 50 hits."""
    parts = []
    pieces = ["a.password=e||t;", "var n=o.token||r;", "s.secret=i.x;", "t.passphrase=0;", "u.apikey=v;"]
    for i in range(hits):
        p = pieces[i % len(pieces)] + "function q%d(e){return e+1};" % i
        parts.append(p + "x" * max(0, 66 - len(p)))
        if i % 50 == 0:
            parts.append('l={"password":"%s"};' % rand(16))
    return "".join(parts).encode()


for name, hits in [("bundle-1.4mb", 20000), ("bundle-8mb", 120000), ("bundle-12mb", 180000)]:
    case(name, "app.min.js", bundle(hits))

rows = []
size = 0
i = 0
while size < 64 << 20:
    row = "INSERT INTO events VALUES (%d,'%s','ok',%d);\n" % (i, rand(40), i * 7)
    rows.append(row)
    size += len(row)
    i += 1
rows.append("-- db_password = '%s'\n" % rand(20))
rows.append("INSERT INTO creds VALUES ('AKIA%s');\n" % "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)))
case("dump-64mb", "dump.sql", "".join(rows).encode())

depth = 200000
case("nested-json", "deep.json", ('{"api_key":' * depth + '"%s"' % rand(32) + "}" * depth).encode())

case("long-lines", "blob.txt", "\n".join(rand(1 << 20) for _ in range(4)).encode())
