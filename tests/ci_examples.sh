#!/usr/bin/env bash
# Runs the copy-paste CI examples of docs/ci/ locally against two generated repositories — a
# clean one and one with a new fake GitHub token — using the built binary, and checks:
#   * each example's gate exits exactly like the reference `stagegate scan` invocation
#     (0 pass / 1 block / 2 error), and never passes the leaky repository;
#   * the files the examples hand to their CI (SARIF, GitLab report, JUnit XML, step summary)
#     exist even when the gate blocks, and have the expected shape;
#   * with the real scanners present, the clean repository passes and the leaky one blocks.
# Steps that need the network or the CI service itself (installing stagegate, `uses:` actions)
# are skipped and listed.
#
# Usage: tests/ci_examples.sh [path/to/stagegate]   (default: target/debug/stagegate)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$repo/target/debug/stagegate}"
[ -x "$bin" ] || cargo build --quiet --manifest-path "$repo/Cargo.toml" --bin stagegate
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
ln -s "$bin" "$work/bin/stagegate"
export PATH="$work/bin:$PATH"
export CI=true
fail() { echo "ci_examples.sh: FAIL: $*"; exit 1; }
step() { printf -- '--- %s\n' "$*"; }

python3 -c 'import yaml' 2>/dev/null || {
  python3 -m venv "$work/venv" && "$work/venv/bin/pip" install --quiet pyyaml
  export PATH="$work/venv/bin:$PATH"
}

# ---- sample repositories -------------------------------------------------------------------
make_repo() { # name
  local r="$work/$1"
  mkdir -p "$r/app"
  git init -q "$r"
  printf '# %s\n' "$1" >"$r/README.md"
  printf 'LOG_LEVEL=info\nFEATURE_SEARCH=on\n' >"$r/.env.uat"
  printf 'LOG_LEVEL=info\nFEATURE_SEARCH=on\n' >"$r/.env.production"
  printf 'print("hello")\n' >"$r/app/main.py"
  # Accept today's state; what comes after is new.
  stagegate baseline "$r" --quiet || true
  [ -f "$r/.stagegate-baseline.json" ] || fail "stagegate baseline wrote nothing in $1"
}
make_repo clean
make_repo leaky
token="$(python3 - <<'EOF'
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
printf 'GITHUB_TOKEN = "%s"\n' "$token" >"$work/leaky/app/settings.py"

reference() { # root fail_on → exit code of the documented stage
  local rc=0
  stagegate scan "$1" --fail-on "$2" --baseline "$1/.stagegate-baseline.json" --quiet >/dev/null 2>&1 || rc=$?
  echo "$rc"
}
real=1
probe="$(stagegate scan "$work/clean" --format json 2>/dev/null || true)"
if grep -q "not built yet" <<<"$probe"; then
  real=0
  echo "note: some scanners are still stubs (exit 2): checking consistency, not pass/block"
fi

check_expectations() { # name rc
  case "$1" in
    clean) [ "$2" != 1 ] || fail "clean repository blocked" ;;
    leaky) [ "$2" != 0 ] || fail "leaky repository passed the gate" ;;
  esac
  if [ "$real" = 1 ]; then
    case "$1" in
      clean) [ "$2" = 0 ] || fail "clean repository: exit $2, expected 0" ;;
      leaky) [ "$2" = 1 ] || fail "leaky repository: exit $2, expected 1" ;;
    esac
  fi
}

check_sarif() {
  [ -s "$1" ] || fail "missing SARIF $1"
  jq -e '.version == "2.1.0" and (.runs | length == 1) and (.runs[0].tool.driver.name == "stagegate")' "$1" >/dev/null ||
    fail "$1 is not stagegate SARIF"
  if grep -qF "$token" "$1"; then fail "token in clear in $1"; fi
}

# ---- GitHub Actions ------------------------------------------------------------------------
run_github() { # root → prints the job's exit code (first failing step), checks artifacts
  python3 - "$repo/docs/ci/github-actions.yml" "$1" <<'EOF'
import os, subprocess, sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
root = sys.argv[2]
steps = wf["jobs"]["stagegate"]["steps"]
env = dict(os.environ,
           GITHUB_STEP_SUMMARY=os.path.join(root, ".summary.md"),
           GITHUB_OUTPUT=os.path.join(root, ".output"),
           GITHUB_REF="refs/heads/main", GITHUB_WORKSPACE=root)
job_rc = 0
for s in steps:
    name = s.get("name", s.get("uses", "?"))
    cond = s.get("if", "")
    if "run" not in s or s.get("id") == "install":
        print(f"  skip (CI service / network): {name}", file=sys.stderr)
        continue
    if "startsWith(github.ref, 'refs/tags/" in cond:
        print(f"  skip (tags only): {name}", file=sys.stderr)
        continue
    if job_rc != 0 and "always()" not in cond:
        continue
    rc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s["run"]],
                        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).returncode
    print(f"  run: {name} -> exit {rc}", file=sys.stderr)
    if rc != 0 and job_rc == 0:
        job_rc = rc
# upload-sarif runs `if: always() && hashFiles('stagegate.sarif') != ''`: the file must be there.
print(job_rc)
EOF
}

for name in clean leaky; do
  root="$work/$name"
  ref="$(reference "$root" high)"
  check_expectations "$name" "$ref"
  step "GitHub Actions example on $name (reference exit $ref)"
  rc="$(run_github "$root")"
  [ "$rc" = "$ref" ] || fail "github-actions.yml on $name: job exit $rc, reference $ref"
  check_sarif "$root/stagegate.sarif"
  grep -q "stagegate" "$root/.summary.md" || fail "step summary not written"
  rm -f "$root/stagegate.sarif" "$root/stagegate-summary.md" "$root/.summary.md" "$root/.output"
done
# The annotation step's stdout is GitHub workflow commands naming the file.
if [ "$real" = 1 ]; then
  out="$(cd "$work/leaky" && stagegate scan . --fail-on high --baseline .stagegate-baseline.json --format github || true)"
  grep -q '^::error file=app/settings.py,line=1' <<<"$out" || fail "no annotation for app/settings.py: $out"
fi

# ---- GitLab CI -----------------------------------------------------------------------------
run_gitlab() { # root job → exit code of the job's script (stops at the first failing line)
  python3 - "$repo/docs/ci/gitlab-ci.yml" "$1" "$2" <<'EOF'
import subprocess, sys, yaml
ci = yaml.safe_load(open(sys.argv[1]))
job = ci[sys.argv[3]]
print(f"  skip (network): before_script {job.get('before_script')}", file=sys.stderr)
rc = 0
for line in job["script"]:
    rc = subprocess.run(["bash", "-c", line], cwd=sys.argv[2], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode
    print(f"  run: {line} -> exit {rc}", file=sys.stderr)
    if rc != 0:
        break
for kind, path in job["artifacts"].get("reports", {}).items():
    print(f"  report {kind}: {path}", file=sys.stderr)
print(rc)
EOF
}

for name in clean leaky; do
  root="$work/$name"
  ref="$(reference "$root" high)"
  step "GitLab CI example on $name (reference exit $ref)"
  rc="$(run_gitlab "$root" stagegate)"
  [ "$rc" = "$ref" ] || fail "gitlab-ci.yml on $name: job exit $rc, reference $ref"
  jq -e '(.version | startswith("15.")) and .scan.type == "sast" and (.vulnerabilities | type == "array")' \
    "$root/gl-sast-report.json" >/dev/null || fail "gl-sast-report.json has the wrong shape"
  check_sarif "$root/stagegate.sarif"
  rc="$(run_gitlab "$root" stagegate-secrets)"
  jq -e '.scan.type == "secret_detection"' "$root/gl-secret-detection-report.json" >/dev/null ||
    fail "gl-secret-detection-report.json has the wrong type"
  if [ "$real" = 1 ] && [ "$name" = leaky ]; then
    jq -e '[.vulnerabilities[] | select(.location.file == "app/settings.py")] | length == 1' \
      "$root/gl-secret-detection-report.json" >/dev/null || fail "token missing from the GitLab report"
  fi
  if grep -qF "$token" "$root"/gl-*.json; then fail "token in clear in the GitLab reports"; fi
  rm -f "$root"/gl-*.json "$root/stagegate.sarif"
done

# ---- generic shell gate (Jenkins) ----------------------------------------------------------
for name in clean leaky; do
  root="$work/$name"
  for stage in dev uat production; do
    fail_on=high
    [ "$stage" = production ] && fail_on=medium
    ref="$(reference "$root" "$fail_on")"
    out="$work/out-$name-$stage"
    mkdir "$out"
    rc=0
    (cd "$out" && bash "$repo/docs/ci/gate.sh" "$stage" "$root" >"$out/log" 2>&1) || rc=$?
    step "gate.sh $stage on $name -> exit $rc (reference $ref): $(tail -n 1 "$out/log")"
    [ "$rc" = "$ref" ] || fail "gate.sh $stage on $name: exit $rc, reference $ref"
    python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert r.tag == "testsuites", r.tag' \
      "$out/stagegate-junit.xml" || fail "gate.sh: stagegate-junit.xml is not JUnit XML"
    check_sarif "$out/stagegate.sarif"
    case "$rc" in
      0) grep -q "PASSED" "$out/log" ;;
      1) grep -q "BLOCKED" "$out/log" ;;
      *) grep -q "ERROR" "$out/log" ;;
    esac || fail "gate.sh printed the wrong verdict"
  done
done
bash "$repo/docs/ci/gate.sh" staging "$work/clean" >/dev/null 2>&1 && fail "gate.sh accepted an unknown stage"

echo "ci_examples.sh: OK"
