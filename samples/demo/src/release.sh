#!/bin/sh
# Tags a release and notifies the team. FAKE token for the stagegate demo
# (random body with a valid checksum, so stagegate reports it as validated).
set -eu
export GITHUB_TOKEN=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
gh release create "$1" --generate-notes
