#!/usr/bin/env bash
# bench/compare.sh COMMIT [run.js options…]: this checkout against COMMIT in one interleaved
# benchmark (node dist/bench/run.js --compare), to show no ratio got more than 5 % worse.
# COMMIT is checked out in a temporary git worktree that shares this checkout's node_modules,
# both are built, and the worktree is removed afterwards (also on failure or Ctrl-C).
# Writes bench/compare-results.md. Example: bench/compare.sh main --quick --only get-one,put-card
set -euo pipefail

if [[ $# -lt 1 || $1 == -* ]]; then
  echo "usage: bench/compare.sh COMMIT [--quick] [--only get-one,put-card] [other bench/run.ts options]" >&2
  exit 2
fi
commit=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
sha=$(git -C "$root" rev-parse --verify --quiet "$commit^{commit}") || {
  echo "not a commit: $commit" >&2
  exit 2
}
[[ -e $root/node_modules ]] || {
  echo "$root/node_modules is missing: install the dependencies first" >&2
  exit 2
}

parent=$(mktemp -d "${TMPDIR:-/tmp}/a2gen-compare.XXXXXX")
dir=$parent/a2gen-${sha:0:7}
remove_worktree() {
  git -C "$root" worktree remove --force "$dir" 2>/dev/null || true
  rm -rf "$parent"
  git -C "$root" worktree prune
}
trap remove_worktree EXIT

# --detach: COMMIT may be a branch that is checked out elsewhere.
git -C "$root" worktree add --detach --quiet "$dir" "$sha"
# The same dependencies for both: only the code differs.
ln -s "$(readlink -f "$root/node_modules")" "$dir/node_modules"
echo "building $commit (${sha:0:7}) in $dir"
(cd "$dir" && npx tsc -p tsconfig.json)
echo "building this checkout ($root)"
(cd "$root" && npx tsc -p tsconfig.json)
cd "$root"
node dist/bench/run.js --compare "$dir" "$@"
