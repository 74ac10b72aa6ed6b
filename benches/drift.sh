#!/usr/bin/env sh
# Drift throughput and peak RSS: one process per section (pair, layouts, corpus, large, deep),
# so each peak RSS line is that section's own. Target: < 1 s per pair.
# Usage: benches/drift.sh [SECTION...]   (builds the bench profile, i.e. release + thin LTO)
set -eu
cd "$(dirname "$0")/.."
cargo bench --no-run --bench drift
sections=${*:-pair layouts corpus large deep}
for s in $sections; do
  cargo bench --quiet --bench drift -- "$s"
done
