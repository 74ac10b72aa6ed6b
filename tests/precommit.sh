#!/usr/bin/env bash
# End-to-end check of .pre-commit-hooks.yaml with the real `pre-commit` (PyPI, in a venv):
# in a throw-away git repository, a commit holding a fake GitHub token is blocked with a message
# naming the file (and never the token), a clean commit passes, and the drift hook runs only when
# environment config files are committed.
#
# Usage: tests/precommit.sh [path/to/stagegate]
#   The binary defaults to target/debug/stagegate (built if missing).
#   PRECOMMIT_LANGUAGE=system (default): the hooks of .pre-commit-hooks.yaml (id, entry, files,
#     pass_filenames…) are copied into a `repo: local` config with `language: system` and the
#     given binary on PATH — seconds.
#   PRECOMMIT_LANGUAGE=rust: the config points at this checkout (its committed HEAD) and the
#     hooks build stagegate themselves with `cargo install --locked`, exactly as users get it —
#     minutes.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
mode="${PRECOMMIT_LANGUAGE:-system}"
bin="${1:-}"
if [ -z "$bin" ]; then
  bin="$repo/target/debug/stagegate"
  [ -x "$bin" ] || cargo build --quiet --manifest-path "$repo/Cargo.toml" --bin stagegate
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
[ -x "$bin" ] || { echo "precommit.sh: $bin is not an executable"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "precommit.sh: FAIL: $*"; exit 1; }
step() { printf -- '--- %s\n' "$*"; }
stub_hint() {
  if grep -q "not built yet" <<<"$1"; then
    fail "a clean commit was blocked because a scanner is still a stub (merge the secrets and drift scanners first)"
  fi
}

step "installing pre-commit in a venv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
pc="$work/venv/bin/pre-commit"
"$pc" --version

# Keep pre-commit's cache out of $HOME so the test leaves nothing behind.
export PRE_COMMIT_HOME="$work/cache"
export CI=true # no progress spinner, plain logs

step "test repository (hooks: $mode)"
git init -q "$work/repo"
cd "$work/repo"
git config user.email "dev@example.com"
git config user.name "Dev"
git config commit.gpgsign false

if [ "$mode" = "rust" ]; then
  rev="$(git -C "$repo" rev-parse HEAD)"
  cat >.pre-commit-config.yaml <<EOF
repos:
  - repo: $repo
    rev: $rev
    hooks:
      - id: stagegate-secrets
      - id: stagegate-drift
EOF
else
  mkdir "$work/bin"
  ln -s "$bin" "$work/bin/stagegate"
  export PATH="$work/bin:$PATH"
  # pre-commit ships PyYAML: translate the published hooks into a local, prebuilt-binary config.
  "$work/venv/bin/python" - "$repo/.pre-commit-hooks.yaml" >.pre-commit-config.yaml <<'EOF'
import sys, yaml
hooks = yaml.safe_load(open(sys.argv[1]))
for h in hooks:
    # The published hooks build with `cargo install --locked` through the wrapper script.
    assert h["language"] == "script", h
    assert h["entry"].startswith("scripts/pre-commit-hook "), h
    assert "--locked" in open(sys.argv[1].replace(".pre-commit-hooks.yaml", "scripts/pre-commit-hook")).read()
    h["entry"] = h["entry"].replace("scripts/pre-commit-hook", "stagegate", 1)
    h["language"] = "system"
    h.pop("minimum_pre_commit_version", None)
print(yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False))
EOF
fi
cat .pre-commit-config.yaml
"$pc" install --install-hooks >/dev/null
git add .pre-commit-config.yaml
if ! out="$(git commit -q -m "pre-commit config" 2>&1)"; then
  echo "$out"
  stub_hint "$out"
  fail "committing the config itself was blocked"
fi

step "a clean commit passes"
printf '# demo\n\nNothing secret here.\n' >README.md
git add README.md
start=$(date +%s)
if ! out="$(git commit -m "readme" 2>&1)"; then
  echo "$out"
  stub_hint "$out"
  fail "a clean commit was blocked"
fi
echo "$out"
echo "(first hook run: $(($(date +%s) - start))s)"
grep -q "stagegate secrets.*Passed" <<<"$out" || fail "the secrets hook did not run and pass"
grep -q "stagegate drift.*Skipped" <<<"$out" || fail "the drift hook must skip commits without config files"

step "a commit with a fake GitHub token is blocked, naming the file"
# ghp_ + 30 random base62 + base62 CRC32 of those 30 (GitHub's documented checksum), so the
# token passes a checksum validator; it is random on every run, and was never a real token.
token="$("$work/venv/bin/python" - <<'EOF'
import random, zlib
A = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
body = "".join(random.SystemRandom().choice(A) for _ in range(30))
n, out = zlib.crc32(body.encode()), ""
for _ in range(6):
    out = A[n % 62] + out
    n //= 62
print("ghp_" + body + out)
EOF
)"
[ "${#token}" = 40 ] || fail "token generator: ${#token} chars"
mkdir -p app
printf 'import os\n\nGITHUB_TOKEN = "%s"\n' "$token" >app/settings.py
git add app/settings.py
before="$(git rev-parse HEAD)"
if out="$(git commit -m "add settings" 2>&1)"; then
  echo "$out"
  fail "a commit with a GitHub token was not blocked"
fi
echo "$out"
[ "$(git rev-parse HEAD)" = "$before" ] || fail "the commit was created anyway"
grep -q "stagegate secrets.*Failed" <<<"$out" || fail "the secrets hook did not fail"
grep -q "app/settings.py" <<<"$out" || fail "the blocking message does not name app/settings.py"
grep -qi "github" <<<"$out" || fail "the blocking message does not say what was found"
if grep -qF "$token" <<<"$out"; then fail "the token appears in clear in the hook output"; fi

step "unstaging the token lets the commit through"
git rm -q --cached app/settings.py
rm app/settings.py
printf 'print("hello")\n' >app.py
git add app.py
out="$(git commit -m "app" 2>&1)" || { echo "$out"; fail "clean commit after removing the token was blocked"; }

step "the drift hook runs when environment config changes"
printf 'LOG_LEVEL=info\nFEATURE_SEARCH=on\n' >.env.uat
printf 'LOG_LEVEL=info\nFEATURE_SEARCH=on\n' >.env.production
git add .env.uat .env.production
if ! out="$(git commit -m "env" 2>&1)"; then
  echo "$out"
  fail "identical UAT/production config was blocked"
fi
echo "$out"
grep -q "stagegate drift.*Passed" <<<"$out" || fail "the drift hook did not run on .env files"

echo "precommit.sh: OK ($mode hooks)"
