# Sourced by the secrets benchmarks: builds the release CLI and the throughput bench binary and
# sets CLI and BIN to their paths (kept when the caller already set both).
if [ -z "${CLI:-}" ] || [ -z "${BIN:-}" ]; then
  cargo build --profile bench --bench secrets_throughput --quiet
  cargo build --profile bench --bin stagegate --quiet
  CLI=$PWD/target/release/stagegate
  BIN=$(cargo build --profile bench --bench secrets_throughput --message-format=json 2>/dev/null \
    | python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m.get("executable") and "secrets_throughput" in m["executable"]:
        print(m["executable"])' | tail -1)
fi
