#!/usr/bin/env bash
# Secrets scanner throughput and memory, side by side with Kingfisher, ripsecrets, a ripgrep
# keyword pass (the floor for any keyword-gated scanner) and one `git cat-file` pass (the floor
# for reading a history).
#
#   benches/secrets.sh [TREE] [HISTORY_REPO]
#
# TREE defaults to ~/.cargo/registry/src (hundreds of MB of real source; run `cargo fetch`
# first on a fresh machine; `../shared/bench-corpus/fetch.sh` gives the 855 MB corpus).
# HISTORY_REPO defaults to a synthetic repository of HISTORY_COMMITS (default 23000) commits
# generated from TREE by benches/secrets_history_gen.py (no network needed).
# Also measured: adversarial inputs (benches/secrets_adversarial.py: one-line bundles with
# 20k–180k keyword hits, a 64 MiB dump, deep nesting) and a 10-file staged commit.
# Every tool is run once to warm the page cache, then measured with /usr/bin/time -v.
# Reported: wall seconds, MB/s over wall time, MB per CPU-second (user+sys: fair on a busy
# machine), peak RSS. Needs: /usr/bin/time (apt-get install -y time), git, python3.
# Optional: kingfisher (pip install kingfisher-bin), ripsecrets (cargo install ripsecrets).
set -euo pipefail
cd "$(dirname "$0")/.."

TREE=${1:-$HOME/.cargo/registry/src}
HIST=${2:-${TMPDIR:-/tmp}/stagegate-bench-history}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "install GNU time: apt-get install -y time" >&2; exit 2; }

CLI= BIN=
# shellcheck source=benches/build_bins.sh
. benches/build_bins.sh

if [ ! -d "$HIST/.git" ]; then
  echo "generating synthetic history in $HIST ..." >&2
  python3 benches/secrets_history_gen.py "$TREE" "$HIST" "${HISTORY_COMMITS:-23000}"
fi
ADV=${TMPDIR:-/tmp}/stagegate-adversarial
[ -d "$ADV/bundle-8mb" ] || python3 benches/secrets_adversarial.py "$ADV"
# The keyword pass of issue 12: 20 secret keywords, case-insensitive, every file.
KW=$(mktemp)
printf '%s\n' password passwd secret token api_key apikey private_key "BEGIN RSA" AKIA ghp_ \
  github_pat_ xoxb- sk_live_ AIza glpat- npm_ access_key client_secret bearer credential >"$KW"

TREE_BYTES=$(find "$TREE" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
HIST_BYTES=$(git -C "$HIST" rev-list --all --objects | cut -d' ' -f1 | git -C "$HIST" cat-file --batch-check='%(objecttype) %(objectsize)' \
  | awk '$1=="blob"{s+=$2} END {print s}')
HIST_COMMITS=$(git -C "$HIST" rev-list --all --count)

# measure NAME BYTES CMD...: warm run, then a timed run.
measure() {
  local name=$1 bytes=$2; shift 2
  "$@" >/dev/null 2>&1 || true
  local out; out=$(mktemp)
  "$TIME" -v "$@" >/dev/null 2>"$out" || true
  python3 - "$name" "$bytes" "$out" <<'PY'
import re, sys
name, nbytes, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t = open(path, errors="replace").read()
def g(pat, conv=float):
    m = re.search(pat, t)
    return conv(m.group(1)) if m else 0
wall = t and re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
parts = [float(x) for x in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
cpu = g(r"User time \(seconds\): (\S+)") + g(r"System time \(seconds\): (\S+)")
rss = g(r"Maximum resident set size \(kbytes\): (\d+)", int) / 1024
mb = nbytes / 1e6
print(f"| {name:<34} | {secs:8.2f} | {mb / max(secs, 1e-9):9.1f} | {mb / max(cpu, 1e-9):10.1f} | {rss:8.1f} |")
PY
  rm -f "$out"
}

echo
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); tree: $TREE ($((TREE_BYTES / 1000000)) MB);"
echo "history: $HIST ($HIST_COMMITS commits, $((HIST_BYTES / 1000000)) MB of blobs)"
echo
echo "| run                                | wall (s) | MB/s wall | MB/CPU-s   | RSS MiB  |"
echo "|------------------------------------|----------|-----------|------------|----------|"
measure "stagegate tree" "$TREE_BYTES" "$BIN" tree "$TREE"
if command -v rg >/dev/null; then
  measure "rg -c -F -i -f keywords (20)" "$TREE_BYTES" rg -c -F -i -f "$KW" --no-ignore "$TREE"
fi
if command -v ripsecrets >/dev/null; then
  measure "ripsecrets tree" "$TREE_BYTES" ripsecrets "$TREE"
fi
if command -v kingfisher >/dev/null; then
  measure "kingfisher tree" "$TREE_BYTES" kingfisher scan "$TREE" --no-validate --no-update-check --git-history none
fi
measure "stagegate history" "$HIST_BYTES" "$BIN" history "$HIST"
for c in bundle-8mb dump-64mb; do "$BIN" tree "$ADV/$c"; done
measure "git cat-file --batch-all-objects" "$HIST_BYTES" git -C "$HIST" cat-file --batch-all-objects --batch --unordered
# The history scan's reading stage alone (every packed blob decoded in-process, nothing scanned).
measure "stagegate pack walk (decode only)" "$HIST_BYTES" "$BIN" packwalk "$HIST"
if command -v kingfisher >/dev/null; then
  measure "kingfisher history" "$HIST_BYTES" kingfisher scan "$HIST" --no-validate --no-update-check --git-history full
fi
echo
echo "Adversarial inputs (one file each; wall includes process start):"
echo
echo "| input                              | wall (s) | MB/s wall | MB/CPU-s   | RSS MiB  |"
echo "|------------------------------------|----------|-----------|------------|----------|"
for c in bundle-1.4mb bundle-8mb bundle-12mb dump-64mb nested-json long-lines; do
  b=$(find "$ADV/$c" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
  measure "$c" "$b" "$BIN" tree "$ADV/$c"
done
echo
CLI=$CLI BIN=$BIN bash benches/secrets_staged.sh "$TREE"
rm -f "$KW"
echo
echo "stagegate details:"
"$BIN" tree "$TREE"
"$BIN" history "$HIST"
for c in bundle-8mb dump-64mb; do "$BIN" tree "$ADV/$c"; done
