#!/bin/sh
# Parse throughput of the drift config parsers (100 000 keys per format), release mode.
set -eu
cd "$(dirname "$0")/.."
exec cargo run --quiet --release --example drift_parse_throughput
