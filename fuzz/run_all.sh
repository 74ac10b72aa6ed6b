#!/usr/bin/env bash
# Fuzzes every target in turn for SECONDS each (default 150), growing fuzz/corpus/<target>
# from fuzz/seeds/<target>. Crashes land in fuzz/artifacts/<target>/.
# Stable toolchain: RUSTC_BOOTSTRAP=1 enables the nightly flags cargo-fuzz needs.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET="${1:-150}"
TARGETS="${TARGETS:-config secrets_rules lockfile drift_parse secrets_engine sarif baseline advisory}"
export RUSTC_BOOTSTRAP=1
cargo fuzz build -s none
for t in $TARGETS; do
  mkdir -p "corpus/$t"
  echo "== $t (${SECONDS_PER_TARGET}s)"
  cargo fuzz run -s none "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 2>&1 | grep -E "^#[0-9]+.*(DONE|pulse)|stat::|ERROR|panicked|SUMMARY|Test unit written|cov:" | tail -8 || true
done
