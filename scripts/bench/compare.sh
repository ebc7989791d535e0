#!/usr/bin/env bash
# compare.sh HARNESS_BIN [DURATION=10s] [CONNECTIONS=64] [ROUNDS=3]
#   Quote side by side in one run, on this machine: the platform over Connect
#   JSON, Connect binary proto (both wrk, HTTP/1.1) and gRPC (h2load, h2c,
#   one stream per connection), and the bare-Go peer of ../shared/bench
#   (net/http + encoding/json, wrk). Rounds alternate the four; the last
#   lines are each variant's median req/s and p99 and its ratio to bare Go's
#   medians. h2floor (cmd/h2floor: a fixed gRPC answer from net/http's h2c,
#   no work) is loaded as gRPC is: the ceiling of gRPC in Go's net/http
#   here. With TRPC=1 the tRPC + Fastify + Zod peer (the original plan's
#   stack, installed from the shared folder into a temporary one) is loaded
#   too, as "trpc". With BEFORE=path/to/another/harness, that binary serves
#   too and its JSON Quote is loaded as "before" (a before/after pair in one
#   run). Servers listen on free ports; the platform runs on a fresh
#   SQLite, logging at warn. Needs wrk and h2load (apt-get install -y wrk
#   nghttp2-client) and the shared peers in $BENCH_PEERS (default
#   ../shared/bench from the repository root).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
peers="${BENCH_PEERS:-$root/../shared/bench}"
hb="$(realpath "$1")" duration="${2:-10s}" conns="${3:-64}" rounds="${4:-3}"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
freeport() { # a port nothing listens on
  local p
  while :; do p=$((20000 + RANDOM % 30000)); ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }; done
}
wait_up() { for _ in $(seq 500); do curl -sf "$1" >/dev/null 2>&1 && return; sleep 0.02; done; echo "not up: $1" >&2; exit 1; }

go -C "$peers/bare-go" build -o "$work/baregoquote" .
go build -o "$work/h2floor" "$here/../../cmd/h2floor"
hport="$(freeport)" bport="$(freeport)" fport="$(freeport)"
mkdir "$work/data"
(cd "$work/data" && exec env -u DATABASE_URL -u REDIS_URL -u BUILDER_SERVICE_URL PORT="$hport" HARNESS_LOG_LEVEL=warn "$hb" serve) 2>"$work/harness.log" & pids+=($!)
PORT="$bport" "$work/baregoquote" >/dev/null & pids+=($!)
PORT="$fport" "$work/h2floor" & pids+=($!)
wait_up "http://127.0.0.1:$hport/healthz"; wait_up "http://127.0.0.1:$bport/healthz"; wait_up "http://127.0.0.1:$fport/healthz"
variants=(json proto grpc bare h2floor)
if [[ -n ${BEFORE:-} ]]; then
  oport="$(freeport)"; mkdir "$work/before"
  (cd "$work/before" && exec env -u DATABASE_URL -u REDIS_URL -u BUILDER_SERVICE_URL PORT="$oport" HARNESS_LOG_LEVEL=warn "$(realpath "$BEFORE")" serve) 2>"$work/before.log" & pids+=($!)
  wait_up "http://127.0.0.1:$oport/healthz"
  variants+=(before)
fi
if [[ ${TRPC:-0} == 1 ]]; then
  mkdir "$work/trpc"; cp -r "$peers/trpc-fastify/." "$work/trpc/"; rm -rf "$work/trpc/node_modules"
  npm --prefix "$work/trpc" ci --no-audit --no-fund --loglevel=error >/dev/null
  tport="$(freeport)"
  NODE_ENV=production PORT="$tport" node "$work/trpc/src/server.js" >/dev/null & pids+=($!)
  wait_up "http://127.0.0.1:$tport/healthz"
  variants+=(trpc)
fi
quote="http://127.0.0.1:$hport/harness.builder.v1.CatalogService/Quote"

# one VARIANT DURATION: prints "rps p50 p99 errors" for one load run.
one() {
  local out
  case "$1" in
  json|proto|bare|trpc|before)
    local url="$quote" body="$here/bodies/quote.json" ct=application/json
    [[ $1 == before ]] && url="http://127.0.0.1:$oport/harness.builder.v1.CatalogService/Quote"
    [[ $1 == proto ]] && body="$here/bodies/quote.binpb" ct=application/proto
    [[ $1 == bare ]] && url="http://127.0.0.1:$bport/builder.quote" body="$peers/bodies/bare-go-quote.json"
    [[ $1 == trpc ]] && url="http://127.0.0.1:$tport/builder.quote" body="$peers/bodies/trpc-quote.json"
    out="$(WRK_BODY_FILE="$body" WRK_CONTENT_TYPE="$ct" wrk -t2 -c"$conns" -d"$2" -s "$here/post.lua" "$url" | grep '^RESULT ')"
    get() { echo "$out" | tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
    echo "$(get rps) $(get p50_ms) $(get p99_ms) $(( $(get non2xx) + $(get socket_errors) ))"
    ;;
  grpc|h2floor)
    local target="$quote"
    [[ $1 == h2floor ]] && target="http://127.0.0.1:$fport/harness.builder.v1.CatalogService/Quote"
    # h2load prints no percentiles: it logs each request (start, status,
    # duration in µs) and they are read from the log.
    rm -f "$work/h2.log"
    out="$(h2load -t2 -c"$conns" -m1 -D"${2%s}" -d "$here/bodies/quote.grpc" \
      -H 'content-type: application/grpc' -H 'te: trailers' --log-file="$work/h2.log" "$target")"
    local rps bad
    rps="$(echo "$out" | sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p')"
    bad="$(echo "$out" | sed -n 's/^requests: .* \([0-9]*\) failed, \([0-9]*\) errored.*/\1 + \2/p')"
    cut -f3 "$work/h2.log" | sort -n >"$work/lat"
    local n; n="$(wc -l <"$work/lat")"
    pct() { sed -n "$(( ($1 * n + 99) / 100 ))p" "$work/lat"; }
    printf '%.0f %.3f %.3f %d\n' "$rps" "$(echo "$(pct 50)/1000" | bc -l)" "$(echo "$(pct 99)/1000" | bc -l)" "$(( bad ))"
    ;;
  esac
}

for v in "${variants[@]}"; do one "$v" 3s >/dev/null; done # warm up
for r in $(seq "$rounds"); do
  for v in "${variants[@]}"; do
    read -r rps p50 p99 errs < <(one "$v" "$duration")
    echo "round $r $v: req/s=$rps p50=${p50}ms p99=${p99}ms errors=$errs" | tee -a "$work/results"
    sleep 1
  done
done
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { grep " $1: " "$work/results" | sed -n "s|.* $2=\([0-9.]*\).*|\1|p" | median; }
brps="$(col bare req/s)" bp99="$(col bare p99)"
for v in "${variants[@]}"; do
  rps="$(col "$v" req/s)" p99="$(col "$v" p99)"
  printf 'median %-5s req/s=%-7s p99=%-7sms  ÷ bare-go: req/s %.2f, p99 %.2f\n' "$v" "$rps" "$p99" \
    "$(echo "$rps/$brps" | bc -l)" "$(echo "$p99/$bp99" | bc -l)"
done
if [[ ${TRPC:-0} == 1 ]]; then
  t="$(col trpc req/s)"
  for v in json proto grpc ${BEFORE:+before}; do printf 'median %-5s ÷ trpc: req/s %.1f×\n' "$v" "$(echo "$(col "$v" req/s)/$t" | bc -l)"; done
fi
