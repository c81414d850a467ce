#!/usr/bin/env bash
# A before-and-after check: one bench run by an older commit's tree and by this one, side by
# side on this machine, alternating (base, head, head, base, …), so a refactor's cost (or
# gain) is measured against the code it replaced under the same load, not against a CSV from
# another day. The older commit is checked out in a worktree under /var/tmp and built there
# (ccache makes it quick); the worktree is removed at the end.
#
# Usage: bash bench/ab.sh BASE_COMMIT PAIRS BENCH [BENCH ARGS...]
#   BENCH: search (bench/search_bench.sh) or http (bench/http_bench.sh)
# Prints the bench's CSV rows of attest's own figures from each tree, each row's name
# prefixed with "base/" or "head/", then one summary row a figure: head's median of medians
# over base's (1.00: the same; the spread of both beside it).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
base=$1 pairs=$2 which=$3
shift 3
case "$which" in
  search) script=bench/search_bench.sh; target=search_bench; pattern='^search_[a-z0-9_]*attest' ;;
  http) script=bench/http_bench.sh; target=attest; pattern='^http\.' ;;  # nginx's rows too: the noise
  *) echo "ab: BENCH must be search or http, not '$which'" >&2; exit 2 ;;
esac
base_commit=$(git rev-parse --verify "$base^{commit}")
head_commit=$(git rev-parse HEAD)
tree=$(mktemp -d /var/tmp/attest-ab.XXXXXX)
out=$(mktemp -d /var/tmp/attest-ab-out.XXXXXX)
trap 'git worktree remove --force "$tree/src" > /dev/null 2>&1 || rm -rf "$tree"; rm -rf "$tree" "$out"' EXIT
git worktree add -q --detach "$tree/src" "$base_commit"
ln -s "$BENCH_ROOT/third_party/_src" "$tree/src/third_party/_src"
cmake -S "$tree/src" -B "$tree/src/build" -G Ninja > /dev/null
cmake --build "$tree/src/build" --target "$target" > /dev/null
bench_build "$target"

bench_provenance "bash bench/ab.sh $base $pairs $which $*"
echo "# base: $base_commit; head: $head_commit$( [ -n "$(git status --porcelain --untracked-files=no -- . ':!bench/results')" ] && echo ' (with uncommitted changes)')"
echo "# pairs: $pairs, each run of $script $*; runs alternate base, head, head, base, …"
echo "$BENCH_COLUMNS"
for i in $(seq "$pairs"); do
  if (( i % 2 )); then order="base head"; else order="head base"; fi
  for side in $order; do
    root=$([ "$side" = base ] && echo "$tree/src" || echo "$BENCH_ROOT")
    bash "$root/$script" "$@" > "$out/$side.$i.csv" 2> "$out/$side.$i.err" || {
      echo "ab: the $side run $i failed:" >&2; tail -5 "$out/$side.$i.err" >&2; exit 1; }
  done
done
# Every run's attest rows, then head over base per figure (the medians of the runs' medians).
for side in base head; do
  cat "$out"/$side.*.csv | grep -E "$pattern" | sed "s|^|$side/|"
done
python3 - "$out" "$pairs" "$pattern" <<'PY'
import csv, glob, re, statistics, sys
out, pairs, pattern = sys.argv[1], int(sys.argv[2]), re.compile(sys.argv[3])
def medians(side):
    by = {}
    for path in sorted(glob.glob(f"{out}/{side}.*.csv")):
        for row in csv.reader(l for l in open(path) if not l.startswith("#")):
            if len(row) < 6 or not pattern.match(row[0]):
                continue
            try:
                by.setdefault(row[0], []).append((float(row[1]), row[5]))
            except ValueError:
                pass
    return by
base, head = medians("base"), medians("head")
for name in sorted(set(base) & set(head)):
    b = statistics.median(v for v, _ in base[name])
    h = statistics.median(v for v, _ in head[name])
    unit = base[name][0][1]
    ratio = h / b if b else float("nan")
    spread = (f"base {min(v for v, _ in base[name]):.6g}..{max(v for v, _ in base[name]):.6g}, "
              f"head {min(v for v, _ in head[name]):.6g}..{max(v for v, _ in head[name]):.6g}")
    print(f'head-over-base/{name},{ratio:.3f},{min(v for v,_ in head[name])/b if b else 0:.3f},'
          f'{max(v for v,_ in head[name])/b if b else 0:.3f},{len(head[name])},ratio of {unit},,"{spread}"')
PY
bench_load_after
