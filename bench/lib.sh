# Sourced by every bench script: provenance lines, the CSV columns, and medians with spread.
#
# Every CSV a bench prints is
#   # command: ...            (how to measure it again)
#   # commit: ...             (HEAD, and whether the tree had uncommitted changes other
#                               than bench/results/, which run-all.sh rewrites)
#   # date, cpu, cores, kernel, load_before   (load_after is the CSV's last line)
#   benchmark,median,min,max,runs,unit,target,note
#   rows...
#   # load_after: ...
# A figure is the median of RUNS alternating runs (never one engine always first); min and max
# are its spread. A row whose runs column is 1 is a single measurement (a size, a count).

BENCH_COLUMNS="benchmark,median,min,max,runs,unit,target,note"
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# bench_build TARGET...: builds what a bench runs, so the commit its CSV names is the code
# it ran (a program left from an older build would not be).
bench_build() {
  cmake --build "$BENCH_ROOT/build" --target "$@" > /dev/null || {
    echo "bench: building $* failed (cmake --build build --target $*)" >&2
    exit 1
  }
}

# bench_provenance COMMAND...: the header lines. Call it before anything is measured.
bench_provenance() {
  local commit dirty cpu
  commit=$(git -C "$BENCH_ROOT" rev-parse HEAD 2>/dev/null || echo unknown)
  dirty=""
  if [ -n "$(git -C "$BENCH_ROOT" status --porcelain --untracked-files=no -- . ":!bench/results" 2>/dev/null)" ]; then
    dirty=" (with uncommitted changes)"
  fi
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
  echo "# command: $*"
  echo "# commit: $commit$dirty"
  echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# cpu: $cpu"
  echo "# cores: $(nproc)"
  echo "# kernel: $(uname -sr)"
  echo "# load_before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
}

# bench_load_after: the closing line (was other work running while this measured?).
bench_load_after() {
  echo "# load_after: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
}

# bench_stats V...: "median,min,max,runs" of the values (the median of an even count is the
# mean of the middle two).
bench_stats() {
  printf '%s\n' "$@" | sort -g | awk '
    { v[NR] = $1 }
    END {
      if (NR == 0) { print "nan,nan,nan,0"; exit }
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.6g,%.6g,%.6g,%d\n", m, v[1], v[NR], NR
    }'
}

# bench_median V...: the median alone.
bench_median() { bench_stats "$@" | cut -d, -f1; }

# bench_row NAME UNIT TARGET NOTE V...: one CSV row from the runs' values.
bench_row() {
  local name=$1 unit=$2 target=$3 note=$4
  shift 4
  echo "$name,$(bench_stats "$@"),$unit,$target,\"${note//\"/\"\"}\""
}

# bench_seconds COMMAND...: wall seconds of one run (its output discarded).
bench_seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > /dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
