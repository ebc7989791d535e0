#!/usr/bin/env bash
# coldstart.sh HARNESS_BIN [RUNS=5] [IDLE=30]
#   The platform's cold start on a fresh SQLite (migrations included) to its
#   first 200 from /readyz, then its memory idle: RSS (and the anonymous part:
#   heap and stacks, without the executable's pages mapped from the page
#   cache) 1 s after ready and IDLE s after ready, and the CPU it spent idle
#   in between. One line per run, then the medians.
set -euo pipefail
hb="$(realpath "$1")" runs="${2:-5}" idle="${3:-30}"
clk="$(getconf CLK_TCK)"
results="$(mktemp)"
for _ in $(seq "$runs"); do
  d="$(mktemp -d)" port=$((20000 + RANDOM % 30000))
  t0=$(date +%s%N)
  (cd "$d" && exec env -u DATABASE_URL -u REDIS_URL -u BUILDER_SERVICE_URL PORT="$port" HARNESS_LOG_LEVEL=warn "$hb" serve 2>"$d/log") & pid=$!
  for _ in $(seq 2000); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.005; done
  t1=$(date +%s%N)
  sleep 1
  rss1=$(awk '/^Rss/{print $2}' /proc/$pid/smaps_rollup) anon1=$(awk '/^Anonymous/{print $2}' /proc/$pid/smaps_rollup)
  c1=$(awk '{print $14+$15}' /proc/$pid/stat)
  sleep "$((idle - 1))"
  rss2=$(awk '/^Rss/{print $2}' /proc/$pid/smaps_rollup) anon2=$(awk '/^Anonymous/{print $2}' /proc/$pid/smaps_rollup)
  c2=$(awk '{print $14+$15}' /proc/$pid/stat)
  kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$d"
  echo "ready_ms=$(( (t1 - t0) / 1000000 )) rss_1s_kB=$rss1 anon_1s_kB=$anon1 rss_${idle}s_kB=$rss2 anon_${idle}s_kB=$anon2 idle_cpu_ms_per_s=$(( (c2 - c1) * 1000 / clk / (idle - 1) ))" | tee -a "$results"
done
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
printf 'median:'
for k in ready_ms rss_1s_kB anon_1s_kB "rss_${idle}s_kB" "anon_${idle}s_kB" idle_cpu_ms_per_s; do
  printf ' %s=%s' "$k" "$(grep -o "$k=[0-9]*" "$results" | cut -d= -f2 | median)"
done
echo; rm -f "$results"
