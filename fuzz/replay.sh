#!/usr/bin/env bash
# CI replay of the fuzzing results (fast; it does not fuzz):
#  1. always: the regression test, which feeds every saved crash input
#     (tests/bad_inputs/fuzz-regressions/<target>/) and every seed (fuzz/seeds/<target>/) to the
#     same harness functions the fuzz targets call (fuzz/harness.rs) — plain `cargo test`;
#  2. with FUZZ_REPLAY_CORPUS=1 and cargo-fuzz installed: builds the targets and runs each over
#     its local corpus (fuzz/corpus/<target>, gitignored) with -runs=0, i.e. every input once.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --quiet --test it fuzz_regressions
if [ "${FUZZ_REPLAY_CORPUS:-0}" = 1 ] && cargo fuzz --version >/dev/null 2>&1; then
  export RUSTC_BOOTSTRAP=1
  cd fuzz
  cargo fuzz build -s none
  for dir in seeds/*/; do
    t=$(basename "$dir")
    dirs=("seeds/$t")
    [ -d "corpus/$t" ] && dirs+=("corpus/$t")
    echo "== $t"
    cargo fuzz run -s none "$t" "${dirs[@]}" -- -runs=0 2>&1 | grep -E "^#[0-9]+\s+DONE|ERROR|panicked" || true
  done
fi
