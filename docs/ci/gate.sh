#!/usr/bin/env bash
# Generic stagegate release gate for Jenkins or any shell-based CI.
#
#   docs/ci/gate.sh dev|uat|production [SCAN_ROOT]
#
# Writes stagegate-junit.xml (publish with Jenkins `junit`, Azure DevOps PublishTestResults)
# and stagegate.sarif (archive it, or upload it to a code-scanning dashboard), prints the
# human report, and exits with stagegate's contract: 0 pass, 1 the gate blocks, 2 error.
set -u
stage="${1:-dev}"
root="${2:-.}"
case "$stage" in
  dev | uat) fail_on=high ;;
  production) fail_on=medium ;; # the release itself: block on medium too
  *) echo "usage: $0 dev|uat|production [SCAN_ROOT]" >&2; exit 2 ;;
esac
baseline=()
if [ -f "$root/.stagegate-baseline.json" ]; then
  baseline=(--baseline "$root/.stagegate-baseline.json")
fi

stagegate scan "$root" --fail-on "$fail_on" "${baseline[@]}" \
  --format junit --output stagegate-junit.xml --sarif stagegate.sarif
rc=$?
stagegate scan "$root" --fail-on "$fail_on" "${baseline[@]}" --format text --color never >&2 || true
case "$rc" in
  0) echo "stagegate: $stage gate PASSED" ;;
  1) echo "stagegate: $stage gate BLOCKED: new findings at or above $fail_on (see stagegate-junit.xml)" ;;
  *) echo "stagegate: $stage gate ERROR (exit $rc): the scan is incomplete; fix the reported input error" ;;
esac
exit "$rc"
