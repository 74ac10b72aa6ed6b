#!/usr/bin/env bash
# OSV path timings: loading every record of RustSec's OSV export (../shared/osv/rustsec),
# auditing the 438-package Cargo.lock fixture with those records only, and auditing a
# synthetic 20,000-package package-lock.json against 2,000 npm records. Peak RSS via
# /usr/bin/time when available.
#
# Usage: benches/osv.sh [OSV_RUSTSEC_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
OSV="${1:-${STAGEGATE_SHARED_DIR:-../shared}/osv/rustsec}"
[ -d "$OSV" ] || { echo "no OSV directory at $OSV" >&2; exit 2; }
BIN=$(cargo bench --bench osv --no-run --message-format=json 2>/dev/null |
  grep '"kind":\["bench"\]' | grep '"name":"osv"' |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
[ -x "$BIN" ] || { echo "could not build the bench binary" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$BIN" gen-npm 20000 "$tmp/big"
rss() { if [ -x /usr/bin/time ]; then /usr/bin/time -f '  peak RSS %M KB' "$@"; else "$@"; fi; }
rss "$BIN" load "$OSV" --iters "${ITERS:-10}"
rss "$BIN" audit --osv "$OSV" --root tests/fixtures/advisories/large --iters "${ITERS:-10}"
rss "$BIN" audit --osv "$tmp/big/osv" --root "$tmp/big" --iters "${ITERS:-10}"
