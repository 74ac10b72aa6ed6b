#!/usr/bin/env bash
# Pre-commit latency: `stagegate secrets --staged` on a commit of 10 changed files, as a hook
# runs it (process start, config, rule loading, git, scan, report), 21 runs after a warm-up:
# median and min wall, CPU; then rule loading alone and the triggered rules' regex compilation
# (the bench binary's staged mode), and rule loading with twice the rules (`compile2x`).
#
#   benches/secrets_staged.sh [TREE]      (benches/secrets.sh runs it as its staged part)
#
# TREE (default ~/.cargo/registry/src) supplies the ten `.rs` files.
set -euo pipefail
cd "$(dirname "$0")/.."
TREE=${1:-$HOME/.cargo/registry/src}
# shellcheck source=benches/build_bins.sh
. benches/build_bins.sh
# The bench binary's staged mode splits out the rule loading (static rules + keyword table) and
# the regexes the scan compiles (its first scan minus a second one).
STAGED=$(mktemp -d)
git -C "$STAGED" init -q
# Distinct names (sources often share one, `lib.rs`): ten files, not fewer.
{ find "$TREE" -name '*.rs' -size -20k || true; } | head -10 | nl -ba | while read -r i f; do cp "$f" "$STAGED/$i-$(basename "$f")"; done
git -C "$STAGED" add -A
python3 - "$CLI" "$BIN" "$STAGED" <<'PY'
import pathlib, resource, statistics, subprocess, sys, time
cli, bin_, repo = sys.argv[1], sys.argv[2], sys.argv[3]
n = len(list(pathlib.Path(repo).glob("*.rs")))
walls, cpus, loads, regexes = [], [], [], []
for i in range(22):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([cli, "secrets", "--staged", "."], cwd=repo, stdout=subprocess.DEVNULL)
    w = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if i:  # the first run warms the page cache
        walls.append(w)
        cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    out = subprocess.run([bin_, "staged", repo], capture_output=True, text=True).stdout
    f = dict(kv.split("=", 1) for kv in out.split() if "=" in kv)
    loads.append(float(f["rule_compile_s"]))
    regexes.append(max(0.0, float(f["seconds"]) - float(f["rescan_s"])))
ms = lambda xs: statistics.median(xs) * 1000
print(f"staged, {n} files (`stagegate secrets --staged`): median wall {ms(walls):.1f} ms "
      f"(min {min(walls) * 1000:.1f} ms), CPU {ms(cpus):.1f} ms; of which rule loading "
      f"{ms(loads):.1f} ms and the triggered rules' regex compilation {ms(regexes):.1f} ms")
PY
"$BIN" compile2x
rm -rf "$STAGED"
