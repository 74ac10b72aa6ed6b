#!/usr/bin/env python3
"""Builds a synthetic git repository with a long history for benches/secrets.sh.

Takes text files from a source tree (a crate registry by default) and replays them as
COMMITS commits through `git fast-import`: each commit adds or rewrites a few files, so the
history holds thousands of distinct blobs, some of them reachable from many commits.
A few fake credentials are planted along the way so that scanners have work to report.

usage: secrets_history_gen.py SOURCE_DIR DEST_REPO [COMMITS]
"""
import os
import random
import subprocess
import sys

src, dest = sys.argv[1], sys.argv[2]
commits = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
random.seed(7)

files = []
for root, _, names in os.walk(src):
    for n in names:
        if n.endswith((".rs", ".toml", ".md", ".txt", ".json", ".yml", ".yaml", ".sh", ".py", ".c", ".h")):
            p = os.path.join(root, n)
            try:
                if os.path.getsize(p) < 200_000:
                    files.append(p)
            except OSError:
                pass
files.sort()
random.shuffle(files)
files = files[: commits * 4]

subprocess.run(["git", "init", "-q", dest], check=True)
fi = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=dest, stdin=subprocess.PIPE)
w = fi.stdin
fake = "DATABASE_URL=postgres://bench:Zq8xR2mK9pLw{:04d}@db.internal/app\n"
t = 1_700_000_000
for i in range(commits):
    w.write(b"commit refs/heads/main\n")
    w.write(f"author Bench <bench@example.com> {t + i * 60} +0000\n".encode())
    w.write(f"committer Bench <bench@example.com> {t + i * 60} +0000\n".encode())
    msg = f"commit {i}\n".encode()
    w.write(b"data %d\n%s" % (len(msg), msg))
    for j in range(4):
        k = i * 4 + j
        if k >= len(files):
            break
        with open(files[k], "rb") as f:
            data = f.read()
        path = f"d{k % 97}/f{k % 1013}_{os.path.basename(files[k])}"
        w.write(b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)))
        w.write(data + b"\n")
    if i % 500 == 0:
        data = fake.format(i).encode()
        w.write(b"M 100644 inline config/app.env\ndata %d\n" % len(data))
        w.write(data + b"\n")
w.close()
fi.wait()
subprocess.run(["git", "checkout", "-q", "main"], cwd=dest, check=False)
