#!/usr/bin/env bash
# Hot paths beside the previous version: runs the Go benchmarks of the
# gateway, the sharing log (appends, exports), search and imports on the current tree and on a
# reference revision (checked out in a temporary git worktree), in
# interleaved rounds so that a change in the machine's load hits both sides,
# then prints the median of each side and how many times better the current
# tree is (above 1: better, whatever the metric's direction).
#
# Environment: REF (default: HEAD when the tree has uncommitted changes,
# else HEAD~1), ROUNDS (default 3), ONLY (a regular expression on the
# package list below, to run a subset).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ -z "${REF:-}" ]; then
	if [ -n "$(git status --porcelain --untracked-files=no)" ]; then REF=HEAD; else REF=HEAD~1; fi
fi
ROUNDS=${ROUNDS:-3}
REV=$(git rev-parse --short "$REF^{commit}")
TMP=$(mktemp -d /tmp/govdx-compare.XXXXXX)
cleanup() { git worktree remove --force "$TMP/ref" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
git worktree add --detach -q "$TMP/ref" "$REV"
go build -o "$TMP/benchcmp" ./bench/benchcmp

# package | benchmark regexp | -benchtime
BENCHES=(
	"./internal/gateway|Call|Project|20000x"
	"./internal/sharelog|Append\$|100000x"
	"./internal/sharelog|Export|2x"
	"./internal/catalog|Search|ImportEntries|200x"
	"./internal/opendata|Search|200x"
	"./internal/directory|ImportAdminUnits|5x"
	"./internal/dbi|Rankings|20x"
)

# run_side DIR OUT PKG RE BENCHTIME: one package's benchmarks on one side.
run_side() {
	local dir=$1 out=$2 pkg=$3 re=$4 bt=$5
	if [ ! -d "$dir/$pkg" ]; then return 0; fi
	# Import benchmarks take few iterations; searches many. A benchtime of
	# N iterations keeps both sides' work equal.
	case "$re" in *Import*) bt=5x ;; esac
	(cd "$dir" && go test -count=1 -run '^$' -bench "$re" -benchtime "$bt" "$pkg" 2>&1) >>"$out" ||
		echo "  (failed: $pkg at $dir; see $out)" >&2
}

echo "comparing the current tree with $REF ($REV), $ROUNDS rounds; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
	for spec in "${BENCHES[@]}"; do
		pkg=${spec%%|*}
		rest=${spec#*|}
		bt=${rest##*|}
		re=${rest%|*}
		if [ -n "${ONLY:-}" ] && ! [[ $pkg =~ $ONLY ]]; then continue; fi
		echo "  round $r/$ROUNDS: $pkg" >&2
		# Alternate which side goes first, so neither always runs on a
		# cooler or warmer machine.
		if [ $((r % 2)) = 1 ]; then
			run_side "$TMP/ref" "$TMP/ref.txt" "$pkg" "$re" "$bt"
			run_side "$ROOT" "$TMP/cur.txt" "$pkg" "$re" "$bt"
		else
			run_side "$ROOT" "$TMP/cur.txt" "$pkg" "$re" "$bt"
			run_side "$TMP/ref" "$TMP/ref.txt" "$pkg" "$re" "$bt"
		fi
	done
done
echo
touch "$TMP/ref.txt" "$TMP/cur.txt"
"$TMP/benchcmp" -ref "$TMP/ref.txt" -cur "$TMP/cur.txt" -ref-name "$REV"
