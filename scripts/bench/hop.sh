#!/usr/bin/env bash
# hop.sh HARNESS_BIN [DURATION=10s] [ROUNDS=3] [CONNECTIONS=1]
#   What the platform → builder-service hop adds to a Quote: the same
#   Connect JSON Quote, one connection, against (a) the whole platform in one
#   process and (b) a platform forwarding builder calls to a builder service
#   (--role builder) in another process, alternating; then each one's median
#   p50 and the difference, and the CPU each topology's processes spent per
#   request. Servers listen on free ports, SQLite, logging at warn; the split
#   needs Redis for its events (REDIS_URL, default redis://127.0.0.1:6379/0,
#   under a stream prefix of its own).
#   VIA=edge: both behind the local topology's edge HAProxy, as in a cluster
#   behind its Ingress (deploy/haproxy/edge.cfg.tmpl): the one process behind
#   its own, the split behind one that routes /harness.builder.v1.* straight
#   to the builder service and the rest to the entry. Each topology's CPU
#   then includes its HAProxy's.
#   PROFILE_DIR=dir: then also a 15 s CPU profile of each process under the
#   same load (dir/one-process.prof, dir/entry.prof, dir/builder.prof; read
#   them with `go tool pprof -top -cum dir/entry.prof`).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
hb="$(realpath "$1")" duration="${2:-10s}" rounds="${3:-3}" conns="${4:-1}"
redis="${REDIS_URL:-redis://127.0.0.1:6379/0}"
work="$(mktemp -d)"
pids=()
prefix="hopbench-$$:"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
  # the split's streams and groups on the shared Redis
  if command -v redis-cli >/dev/null; then redis-cli -u "$redis" --scan --pattern "$prefix*" | xargs -r redis-cli -u "$redis" del >/dev/null; fi
}
trap cleanup EXIT
fail() { echo "$1; its log:" >&2; tail -5 "$work/$2.log" >&2; exit 1; }
freeport() { local p; while :; do p=$((20000 + RANDOM % 30000)); ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }; done; }
up() { for _ in $(seq 500); do curl -sf "$1/healthz" >/dev/null 2>&1 && return; sleep 0.02; done; return 1; }
serve() { # NAME PORT ENV... : start one process in its own data directory
  local name=$1 port=$2; shift 2
  mkdir -p "$work/$name"
  (cd "$work/$name" && exec env -u DATABASE_URL -u BUILDER_SERVICE_URL -u REDIS_URL PORT="$port" HARNESS_LOG_LEVEL=warn "$@" "$hb" serve) 2>"$work/$name.log" &
  pids+=($!); echo $! >"$work/$name.pid"
}
mono=$(freeport) svc=$(freeport) entry=$(freeport)
madmin= badmin=${BUILDER_ADMIN_ADDR:-} eadmin=${ENTRY_ADMIN_ADDR:-}
if [ -n "${PROFILE_DIR:-}" ]; then
  mkdir -p "$PROFILE_DIR"
  madmin=127.0.0.1:$(freeport) badmin=127.0.0.1:$(freeport) eadmin=127.0.0.1:$(freeport)
fi
serve mono "$mono" HARNESS_ADMIN_ADDR="$madmin"
up "http://127.0.0.1:$mono" || fail "platform not up" mono
serve builder "$svc" HARNESS_ADMIN_ADDR="$badmin" REDIS_URL="$redis" HARNESS_EVENT_STREAM_PREFIX="$prefix" HARNESS_ROLE=builder \
  HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE="$work/mono/var/keys/access-token-ed25519.pub.pem"
up "http://127.0.0.1:$svc" || fail "builder service not up" builder
serve entry "$entry" HARNESS_ADMIN_ADDR="$eadmin" REDIS_URL="$redis" HARNESS_EVENT_STREAM_PREFIX="$prefix" BUILDER_SERVICE_URL="http://127.0.0.1:$svc"
up "http://127.0.0.1:$entry" || fail "entry not up" entry
mono_url="http://127.0.0.1:$mono" mono_pids=("$(cat "$work/mono.pid")")
split_url="http://127.0.0.1:$entry" split_pids=("$(cat "$work/entry.pid")" "$(cat "$work/builder.pid")")
if [ "${VIA:-}" = edge ]; then
  haproxy="${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}"
  edge() { # NAME PLATFORM BUILDER : an edge HAProxy on a free port, $port
    local name=$1; port=$(freeport)
    { "$here/../topology.sh" haproxy-config "127.0.0.1:$(freeport)" "$work/$name.sock" "builder=$3"
      "$here/../topology.sh" edge-config "127.0.0.1:$port" "platform=$2"; } >"$work/$name.cfg"
    # quiet: no log line per request
    sed -i '/option httplog/d; /^    log global/d' "$work/$name.cfg"
    "$haproxy" -db -f "$work/$name.cfg" >"$work/$name.log" 2>&1 &
    pids+=($!); echo $! >"$work/$name.pid"
    up "http://127.0.0.1:$port" || fail "$name not up" "$name"
  }
  edge edge-mono "127.0.0.1:$mono" "127.0.0.1:$mono"
  mono_url="http://127.0.0.1:$port" mono_pids+=("$(cat "$work/edge-mono.pid")")
  edge edge-split "127.0.0.1:$entry" "127.0.0.1:$svc"
  split_url="http://127.0.0.1:$port" split_pids+=("$(cat "$work/edge-split.pid")")
fi
ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo $t; }
run() { # URL PIDS... → "p50_ms rps cpu_us_per_request each_pid_cpu_us,..."
  local url=$1; shift
  local a; a=$(ticks "$@")
  local each_a=(); for p in "$@"; do each_a+=("$(ticks "$p")"); done
  local out; out="$(WRK_BODY_FILE="$here/bodies/quote.json" wrk -t1 -c"$conns" -d"$duration" -s "$here/post.lua" "$url/harness.builder.v1.CatalogService/Quote" | grep '^RESULT ')"
  local b; b=$(ticks "$@")
  local rps p50; rps=$(echo "$out" | sed -n 's/.*rps=\([0-9]*\).*/\1/p'); p50=$(echo "$out" | sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p')
  local per=() i=0
  for p in "$@"; do per+=("$(echo "($(ticks "$p") - ${each_a[$i]}) * 1000000 / $(getconf CLK_TCK) / ($rps * ${duration%s})" | bc)"); i=$((i + 1)); done
  echo "$p50 $rps $(echo "($b - $a) * 1000000 / $(getconf CLK_TCK) / ($rps * ${duration%s})" | bc) $(IFS=,; echo "${per[*]}")"
}
run "$mono_url" "${mono_pids[@]}" >/dev/null; run "$split_url" "${split_pids[@]}" >/dev/null
idle() { local a b; a=$(ticks "$@"); sleep 5; b=$(ticks "$@"); echo "$(( (b - a) * 1000 / $(getconf CLK_TCK) / 5 ))"; }
echo "idle CPU: one process $(idle "${mono_pids[@]}") ms/s, split $(idle "${split_pids[@]}") ms/s"
for r in $(seq "$rounds"); do
  read -r p50 rps cpu _ < <(run "$mono_url" "${mono_pids[@]}")
  echo "round $r one-process: p50=${p50}ms req/s=$rps cpu=${cpu}us/req" | tee -a "$work/results"
  read -r p50 rps cpu each < <(run "$split_url" "${split_pids[@]}")
  IFS=, read -r entry_cpu builder_cpu edge_cpu <<<"$each"
  echo "round $r split: p50=${p50}ms req/s=$rps cpu=${cpu}us/req (entry ${entry_cpu}, builder ${builder_cpu}${edge_cpu:+, edge $edge_cpu})" | tee -a "$work/results"
done
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { grep " $1: " "$work/results" | sed -n "s|.* $2=\([0-9.]*\).*|\1|p" | median; }
m=$(col one-process p50) s=$(col split p50)
echo "median p50: one process ${m} ms, split ${s} ms: the hop adds $(echo "($s - $m) * 1000" | bc) µs; CPU per request $(col one-process cpu) → $(col split cpu) µs"
part() { grep " split: " "$work/results" | sed -n "s|.*($1 \([0-9]*\).*|\1|p;s|.*, $1 \([0-9]*\).*|\1|p" | median; }
echo "of the split's CPU per request: entry $(part entry) µs, builder $(part builder) µs"
if [ -n "${PROFILE_DIR:-}" ]; then
  profile() { # URL NAME=ADMIN... : 15 s profiles of each process under load
    local url=$1; shift
    WRK_BODY_FILE="$here/bodies/quote.json" wrk -t1 -c"$conns" -d20s -s "$here/post.lua" "$url/harness.builder.v1.CatalogService/Quote" >/dev/null &
    local waiting=($!); sleep 2
    for na in "$@"; do curl -sf -o "$PROFILE_DIR/${na%%=*}.prof" "http://${na#*=}/debug/pprof/profile?seconds=15" & waiting+=($!); done
    wait "${waiting[@]}" || true
  }
  profile "$mono_url" one-process="$madmin"
  profile "$split_url" entry="$eadmin" builder="$badmin"
  for f in one-process entry builder; do
    echo "$f: $(go tool pprof -top -nodecount=1 "$PROFILE_DIR/$f.prof" 2>/dev/null | grep -o 'Total samples = [^(]*')"
  done
fi
