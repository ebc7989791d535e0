#!/usr/bin/env bash
# buf breaking: the contracts in the work tree against those of the previous
# release — the commit named in .ci/previous-release (the last landed main,
# also what the version-skew test runs against), else HEAD~1; set
# BUF_BREAKING_AGAINST to a tag or commit to compare with another.
set -euo pipefail
cd "$(dirname "$0")/.."
BUF=node_modules/.bin/buf
default=HEAD~1
if [ -s .ci/previous-release ]; then
  default=$(tr -d '[:space:]' < .ci/previous-release)
fi
against=${BUF_BREAKING_AGAINST:-$default}

if ! git rev-parse -q --verify "$against^{commit}" >/dev/null; then
  echo "buf breaking: no commit $against (first commit): nothing to compare"
  exit 0
fi
if ! git cat-file -e "$against:buf.yaml" 2>/dev/null; then
  echo "buf breaking: $against has no buf.yaml: nothing to compare"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/prev/.build"
git archive "$against" buf.yaml api | tar -x -C "$tmp/prev"
# The previous commit pinned protovalidate in its go.mod; its validate.proto
# only adds options, so the current copy resolves the old imports.
cp -r .build/protovalidate "$tmp/prev/.build/"
"$BUF" breaking . --against "$tmp/prev"
echo "buf breaking: no breaking change against $(git rev-parse --short "$against")"
