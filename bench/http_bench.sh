#!/usr/bin/env bash
# The portal and API under load (issue 7): wrk on loopback against an archive of SEGMENTS
# segments (default 1,000,000: 5,000 public text records of 200 paragraphs, sentences of the
# UDHR samples in four languages, each file marked as a sample). Measures, at 64 connections:
# the search API (queries in four languages, rotated), a record page, and a log tile, the tile
# compared in the same run with the same file served by nginx (Debian's nginx-light, its
# own configuration on another port) as the practical limit. The search API is measured three
# ways: the ten queries asked again and again (answered from the results cache once asked;
# doc/search.md "In the server"), half of the requests a query never asked before (each one
# of the ten plus the exclusion of a made-up word, which costs the same search and cannot be
# cached), and a second server with the cache turned off, asked the corpus's own words, word
# pairs and triples (below) after a warm-up on 500 others; wrk counts what it asked, so the
# CSV says how many were asked twice in a round.
# The servers (attest, and nginx with one worker) run on CPU 0 and wrk (one thread) on CPU 1,
# so the client never takes the servers' core. RUNS rounds, the order of the measurements
# rotated each round; each figure the median with min and max (bench/lib.sh's columns).
#   bash bench/http_bench.sh [SEGMENTS] [SECONDS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
SEGMENTS=${1:-1000000}
SECONDS_EACH=${2:-10}
RUNS=${3:-3}
bench_provenance "bash bench/http_bench.sh $SEGMENTS $SECONDS_EACH $RUNS"
echo "# peer: nginx-light $(nginx -v 2>&1 | sed 's|.*/||'), one worker on CPU 0, the tile as a static file with" \
  "sendfile on, tcp_nopush on, open_file_cache and keepalive_requests 1000000 (nginx's own static-file" \
  "tuning; the defaults turn sendfile and the file cache off and close a connection after 1,000 requests)"
echo "# same: CPU 0 for every server, wrk -t1 -c64 on CPU 1, the same tile bytes (checked), rounds rotated"
ATTEST=${ATTEST:-$PWD/build/attest}
bench_build attest
for tool in wrk nginx python3 taskset; do
  command -v $tool > /dev/null || { echo "http_bench: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
work=$(mktemp -d /var/tmp/attest-http-bench-XXXXXX)
trap 'kill $(jobs -p) $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -s stop 2>/dev/null || true; sleep 0.5; rm -rf "$work"' EXIT
PER_FILE=200
FILES=$(( (SEGMENTS + PER_FILE - 1) / PER_FILE ))

python3 bench/udhr_corpus.py "$work/corpus" "$FILES" "$PER_FILE"

"$ATTEST" init "$work/archive" --origin bench.attest.invalid/http > /dev/null
"$ATTEST" --archive "$work/archive" import "$work/corpus/manifest.csv" > /dev/null
"$ATTEST" --archive "$work/archive" worker --jobs 2 --until-idle > /dev/null 2>&1
segs=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from segments').fetchone()[0])" "$work/archive/attest.db")
record=$("$ATTEST" --archive "$work/archive" list --json | python3 -c "import json,sys; print(json.load(sys.stdin)['records'][0]['id'])")

start_server() {  # name [options]: prints the port
  local name=$1
  shift
  taskset -c 0 "$ATTEST" --archive "$work/archive" serve --listen 127.0.0.1:0 "$@" > "$work/$name.out" 2>&1 &
  echo $! > "$work/$name.pid"
  for _ in $(seq 100); do grep -q "http://" "$work/$name.out" && break; sleep 0.1; done
  sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/$name.out"
}
port=$(start_server serve)
nocache_port=$(start_server serve-nocache --search-cache-mb 0)

# nginx's workers run as nobody, who may not read the archive (its directories are the
# operator's only): nginx serves a copy of the log's files, the same bytes, from a directory
# anyone may read. Both answers are checked (200, the same bytes) before they are measured.
mkdir -p "$work/nginx/logs" "$work/www"
chmod 755 "$work" "$work/www"
cp -r "$work/archive/log" "$work/www/log"
chmod -R a+rX "$work/www"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
worker_cpu_affinity 01;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=1000 inactive=60s;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:18089;
    location /log/ { alias $work/www/log/; }
  }
}
NGINX
taskset -c 0 nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"

# Queries a person might type, from the corpus's own text: every word of four letters or more,
# every two adjacent such words, every three adjacent words (of three letters or more), in four
# languages, shuffled. The corpus is made of UDHR sentences, so there are only some thousands:
# 500 warm the server up, the rest (the pool) is timed, each round starting at its own place in
# the pool, and wrk counts how many it asked, so what was asked twice in a round is in the CSV.
python3 - "$work/corpus" "$work" "$RUNS" <<'PY'
import glob, random, re, sys, urllib.parse
corpus, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
found = set()
for path in sorted(glob.glob(corpus + '/sample-*.txt')):
    for line in open(path, encoding='utf-8'):
        ws = [w.lower() for w in re.findall(r'\w+', line)]
        found.update(w for w in ws if len(w) >= 4)
        found.update(a + ' ' + b for a, b in zip(ws, ws[1:]) if len(a) >= 4 and len(b) >= 4)
        found.update(' '.join(t) for t in zip(ws, ws[1:], ws[2:]) if min(map(len, t)) >= 3)
queries = sorted(found)
random.Random(11).shuffle(queries)
queries = [urllib.parse.quote(q) for q in queries]
warmup, pool = queries[:500], queries[500:]
parts = [('warmup', warmup)]
for r in range(runs):
    at = r * len(pool) // runs
    parts.append((f'timed-{r}', pool[at:] + pool[:at]))
for name, part in parts:
    with open(f'{out}/{name}.lua', 'w') as f:
        f.write('local queries = {' + ','.join('"%s"' % q for q in part) + '}\n')
with open(f'{out}/pool.size', 'w') as f:
    f.write(str(len(pool)))
PY
cat > "$work/cycle.lua" <<'LUA'
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/search?q=" .. queries[(i % #queries) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("asked %d of %d distinct queries\n", summary.requests, #queries))
end
LUA
cat "$work/warmup.lua" "$work/cycle.lua" > "$work/warmup_cycle.lua"
for ((r = 0; r < RUNS; r++)); do cat "$work/timed-$r.lua" "$work/cycle.lua" > "$work/timed_cycle-$r.lua"; done
cat > "$work/queries.lua" <<'LUA'
local queries = {"dignity", "libert%C3%A9", "%D7%9B%D7%91%D7%95%D7%93", "%D8%A7%D9%84%D8%AD%D8%B1%D9%8A%D8%A9",
  "%22equal%20in%20dignity%22", "education", "asile", "%D7%97%D7%99%D7%A8%D7%95%D7%AA", "marriage", "nationalit%C3%A9"}
local i = 0
local fresh = os.getenv("FRESH_SHARE") == "half"
request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  if fresh and i % 2 == 0 then
    -- a query never asked before: the same words and the exclusion of a made-up one
    q = q .. "%20-zq" .. tostring(math.random(1, 1e9)) .. "x" .. tostring(i)
  end
  return wrk.format("GET", "/api/v1/search?q=" .. q)
end
LUA

to_ms() { python3 -c "import sys,re; v=sys.argv[1]; m=re.match(r'([0-9.]+)(us|ms|s)',v); print(round(float(m.group(1))*{'us':0.001,'ms':1,'s':1000}[m.group(2)],3))" "$1"; }
# wrk's --latency output: Requests/sec and the 99% line (in us, ms or s).
measure() {  # name url [script] [FRESH_SHARE]
  local name=$1 url=$2 script=${3:-}
  export FRESH_SHARE=${4:-}
  local out
  if [ -n "$script" ]; then
    out=$(taskset -c 1 wrk -t1 -c64 -d"${SECONDS_EACH}s" --latency -s "$script" "$url")
  else
    out=$(taskset -c 1 wrk -t1 -c64 -d"${SECONDS_EACH}s" --latency "$url")
  fi
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  # A cycling script that ran past its queries repeated some: counted, and named in the CSV.
  repeated=$(echo "$out" | awk '$1=="asked" { print ($2 > $4) ? $2 - $4 : 0 }')
  echo "$name $rps $(to_ms "$p50") $(to_ms "$p99") ${errors:-0} ${repeated:-0}"
}

tile=$(cd "$work/archive/log" && find tile/0 -type f ! -path '*.p/*' | sort | head -1)
[ -n "$tile" ] || tile=$(cd "$work/archive/log" && find tile/0 -type f | sort | head -1)
for url in "http://127.0.0.1:$port/log/$tile" "http://127.0.0.1:18089/log/$tile"; do
  code=$(curl -s -o "$work/tile.check" -w '%{http_code}' "$url")
  if [ "$code" != 200 ] || ! cmp -s "$work/tile.check" "$work/archive/log/$tile"; then
    echo "http_bench: $url answered $code, not the tile's bytes" >&2
    exit 1
  fi
done
# Warm-up, not timed: the no-cache server reads its index and the word memo fills with
# words the timed queries do not ask.
taskset -c 1 wrk -t1 -c8 -d3s -s "$work/warmup_cycle.lua" "http://127.0.0.1:$nocache_port/" > /dev/null
taskset -c 1 wrk -t1 -c8 -d3s -s "$work/warmup_cycle.lua" "http://127.0.0.1:$port/" > /dev/null
names=(search_repeated search_half_new search_no_cache record_page tile_attest tile_nginx)
run_one() {
  case $1 in
    search_repeated) measure search_repeated "http://127.0.0.1:$port/" "$work/queries.lua" ;;
    search_half_new) measure search_half_new "http://127.0.0.1:$port/" "$work/queries.lua" half ;;
    search_no_cache) measure search_no_cache "http://127.0.0.1:$nocache_port/" "$work/timed_cycle-$r.lua" ;;
    record_page) measure record_page "http://127.0.0.1:$port/records/$record" ;;
    tile_attest) measure tile_attest "http://127.0.0.1:$port/log/$tile" ;;
    tile_nginx) measure tile_nginx "http://127.0.0.1:18089/log/$tile" ;;
  esac
}
for ((r = 0; r < RUNS; r++)); do
  for ((i = 0; i < ${#names[@]}; i++)); do
    # Rotate, and reverse every other round, so tile_attest and tile_nginx swap places.
    if ((r % 2)); then n=${names[$(((${#names[@]} - 1 - i + r) % ${#names[@]}))]}
    else n=${names[$(((i + r) % ${#names[@]}))]}; fi
    run_one "$n" >> "$work/rounds"
  done
done
echo "$BENCH_COLUMNS"
where="wrk -t1 -c64 -d${SECONDS_EACH}s on CPU 1, the server on CPU 0"
bench_row http.corpus_segments segments "" "$FILES public records of $PER_FILE paragraphs" "$segs"
for n in "${names[@]}"; do
  case $n in
    search_*) target_rps=">= 1000"; target_p99="< 100" ;;
    *) target_rps=""; target_p99="" ;;
  esac
  fresh=""
  if [ "$n" = search_no_cache ]; then
    fresh="; a pool of $(cat "$work/pool.size") distinct queries (words, adjacent pairs and triples of the corpus) after 500 others; asked a second time within a round, over all rounds: $(awk '$1=="search_no_cache" {s+=$6} END {print s+0}' "$work/rounds")"
  fi
  bench_row "http.$n.requests" req/s "$target_rps" "$where; non-2xx: $(awk -v n="$n" '$1==n {s+=$5} END {print s+0}' "$work/rounds")$fresh" \
    $(awk -v n="$n" '$1==n {print $2}' "$work/rounds")
  bench_row "http.$n.p50" ms "" "" $(awk -v n="$n" '$1==n {print $3}' "$work/rounds")
  bench_row "http.$n.p99" ms "$target_p99" "" $(awk -v n="$n" '$1==n {print $4}' "$work/rounds")
done
ratios=()
for ((r = 1; r <= RUNS; r++)); do
  a=$(awk -v r=$r '$1=="tile_attest" && ++c==r {print $2}' "$work/rounds")
  g=$(awk -v r=$r '$1=="tile_nginx" && ++c==r {print $2}' "$work/rounds")
  ratios+=("$(echo "$g / $a" | bc -l)")
done
bench_row http.tile.nginx_over_attest x "<= 2" "the same tile ($tile) served by nginx-light (one worker) from a copy its worker may read; per round" "${ratios[@]}"
bench_load_after
