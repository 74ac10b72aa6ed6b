#!/usr/bin/env sh
# Drift throughput: a pair of 100 000-key configurations (target: < 1 s per pair).
# Usage: benches/drift.sh   (builds the bench profile, i.e. release + thin LTO)
set -eu
cd "$(dirname "$0")/.."
exec cargo bench --bench drift "$@"
