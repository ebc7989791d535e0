#!/usr/bin/env bash
# topology.sh start|stop|status
# topology.sh haproxy-config LISTEN SOCKET NAME=HOST:PORT...
# topology.sh edge-config LISTEN NAME=HOST:PORT...
#
# The compose topology (deploy/compose.yaml) as local processes on this
# machine's Postgres and Redis:
#   backend          role all on :4000 (BACKEND_PORT), BUILDER_SERVICE_URL → haproxy
#   builder-service  two replicas, role builder, on :4012 and :4022 (BUILDER_PORTS)
#   haproxy          Debian's haproxy on :4002 (BUILDER_PROXY_PORT), in front of
#                    the replicas as the Service is in a cluster: a replica is in
#                    rotation while its /readyz answers 200 (checked every 500 ms);
#                    and the edge on :4001 (EDGE_PORT), as the cluster's Ingress:
#                    /harness.builder.v1.* to the replicas, the rest to the backend
#   web              skipped until web/ exists
# Pid files, logs and haproxy.cfg go to $TOPOLOGY_DIR (./var/topology), with
# haproxy's stats socket haproxy.sock. `stop` sends SIGTERM (haproxy:
# SIGUSR1, a soft stop), waits for the drain, then SIGKILLs what is left: no
# process outlives it.
#
# haproxy-config prints deploy/haproxy/haproxy.cfg.tmpl rendered: listening
# on LISTEN, its stats socket at SOCKET, one server per NAME=HOST:PORT.
# edge-config prints deploy/haproxy/edge.cfg.tmpl rendered: the edge
# listening on LISTEN, one platform server per NAME=HOST:PORT; haproxy loads
# it after the first (-f haproxy.cfg -f edge.cfg).
#
# Environment: DATABASE_URL (default: the local Postgres, database harness,
# created if missing), REDIS_URL (redis://127.0.0.1:6379/0), and anything
# else the server reads (HARNESS_EVENT_STREAM_PREFIX, HARNESS_LOG_LEVEL, ...);
# HAPROXY, the haproxy binary (default: haproxy on PATH, else /usr/sbin/haproxy;
# `make haproxy` installs Debian's).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DIR="${TOPOLOGY_DIR:-$ROOT/var/topology}"
BACKEND_PORT="${BACKEND_PORT:-4000}"
BUILDER_PROXY_PORT="${BUILDER_PROXY_PORT:-4002}"
EDGE_PORT="${EDGE_PORT:-4001}"
read -r -a BUILDER_PORTS <<< "${BUILDER_PORTS:-4012 4022}"
READY_TIMEOUT="${TOPOLOGY_READY_TIMEOUT:-30}"
STOP_TIMEOUT="${TOPOLOGY_STOP_TIMEOUT:-20}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"

log() { printf 'topology: %s\n' "$*" >&2; }

# haproxy_config LISTEN SOCKET NAME=HOST:PORT...: prints the rendered template.
haproxy_config() {
	if (($# < 3)); then
		echo "usage: $0 haproxy-config LISTEN SOCKET NAME=HOST:PORT..." >&2; return 2
	fi
	render haproxy.cfg.tmpl "$@"
}

# edge_config LISTEN NAME=HOST:PORT...: prints the rendered edge template.
edge_config() {
	if (($# < 2)); then
		echo "usage: $0 edge-config LISTEN NAME=HOST:PORT..." >&2; return 2
	fi
	local listen=$1
	shift
	render edge.cfg.tmpl "$listen" "" "$@"
}

# render TEMPLATE LISTEN SOCKET NAME=HOST:PORT...: prints deploy/haproxy/TEMPLATE
# with @LISTEN@ and @EDGE_LISTEN@ as LISTEN, @STATS_SOCKET@ as SOCKET, and a
# server line per NAME=HOST:PORT at @SERVERS@.
render() {
	local template=$1 listen=$2 socket=$3 line server
	shift 3
	while IFS= read -r line; do
		if [[ $line == @SERVERS@ ]]; then
			for server in "$@"; do
				printf '    server %s %s\n' "${server%%=*}" "${server#*=}"
			done
			continue
		fi
		line=${line//@LISTEN@/"$listen"}
		line=${line//@EDGE_LISTEN@/"$listen"}
		printf '%s\n' "${line//@STATS_SOCKET@/"$socket"}"
	done <"$ROOT/deploy/haproxy/$template"
}

# haproxy_bin prints the haproxy binary to run.
haproxy_bin() {
	if [[ -n ${HAPROXY:-} ]]; then echo "$HAPROXY"
	elif command -v haproxy >/dev/null 2>&1; then command -v haproxy
	elif [[ -x /usr/sbin/haproxy ]]; then echo /usr/sbin/haproxy
	else log "haproxy not found: run 'make haproxy' (Debian's package)"; return 1
	fi
}

# start_proc NAME CMD...: starts CMD in the background with its log and pid file.
start_proc() {
	local name=$1; shift
	"$@" >"$DIR/$name.log" 2>&1 &
	echo $! >"$DIR/$name.pid"
	log "$name started (pid $!, log $DIR/$name.log)"
}

# wait_ready NAME URL: polls URL until it answers 200, failing when NAME died.
wait_ready() {
	local name=$1 url=$2 deadline=$((SECONDS + READY_TIMEOUT))
	until curl -fs -o /dev/null --max-time 2 "$url" 2>/dev/null; do
		if ! kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
			log "$name exited; its log:"; tail -n 30 "$DIR/$name.log" >&2; return 1
		fi
		if ((SECONDS >= deadline)); then
			log "$name not ready at $url after ${READY_TIMEOUT}s"; return 1
		fi
		sleep 0.2
	done
	# Another process may own the port: NAME itself must still be running.
	sleep 0.2
	if ! kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
		log "$name exited (is $url another process's?); its log:"; tail -n 30 "$DIR/$name.log" >&2; return 1
	fi
}

start() {
	if compgen -G "$DIR/*.pid" >/dev/null; then
		log "already running (pid files in $DIR): run '$0 stop' first"; exit 1
	fi
	mkdir -p "$DIR/bin"
	local haproxy
	haproxy=$(haproxy_bin)
	log "building"
	go build -o "$DIR/bin/harness" ./cmd/harness
	if [[ -z "${DATABASE_URL:-}" ]]; then
		export DATABASE_URL="postgres://postgres@127.0.0.1:5432/harness?sslmode=disable"
		psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'harness'" | grep -q 1 ||
			psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE harness"
	fi
	trap 'log "start failed: stopping what started"; stop' ERR
	# Migrations once, before the replicas start together (the Job in k8s).
	"$DIR/bin/harness" migrate >"$DIR/migrate.log" 2>&1
	# The backend serves the user module: it signs tokens with the key it
	# generates in its data directory; the builders get the public key only.
	mkdir -p "$DIR/backend"
	start_proc backend env HARNESS_DATA_DIR="$DIR/backend" \
		BUILDER_SERVICE_URL="http://127.0.0.1:$BUILDER_PROXY_PORT" \
		"$DIR/bin/harness" serve --port "$BACKEND_PORT"
	wait_ready backend "http://127.0.0.1:$BACKEND_PORT/readyz"
	local servers=() i=0 port
	for port in "${BUILDER_PORTS[@]}"; do
		i=$((i + 1))
		mkdir -p "$DIR/builder-$i"
		start_proc "builder-$i" env -u BUILDER_SERVICE_URL HARNESS_DATA_DIR="$DIR/builder-$i" \
			HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE="$DIR/backend/keys/access-token-ed25519.pub.pem" \
			"$DIR/bin/harness" serve --role builder --port "$port"
		servers+=("builder-$i=127.0.0.1:$port")
	done
	haproxy_config "127.0.0.1:$BUILDER_PROXY_PORT" "$DIR/haproxy.sock" "${servers[@]}" >"$DIR/haproxy.cfg"
	edge_config "127.0.0.1:$EDGE_PORT" "backend=127.0.0.1:$BACKEND_PORT" >"$DIR/edge.cfg"
	"$haproxy" -c -q -f "$DIR/haproxy.cfg" -f "$DIR/edge.cfg"
	start_proc haproxy "$haproxy" -db -f "$DIR/haproxy.cfg" -f "$DIR/edge.cfg"
	i=0
	for port in "${BUILDER_PORTS[@]}"; do
		i=$((i + 1))
		wait_ready "builder-$i" "http://127.0.0.1:$port/readyz"
	done
	wait_ready haproxy "http://127.0.0.1:$BUILDER_PROXY_PORT/readyz"
	wait_ready haproxy "http://127.0.0.1:$EDGE_PORT/readyz"
	if [[ -d web ]]; then
		log "web/ exists but the topology does not start it yet"
	else
		log "web skipped: no web/ yet"
	fi
	trap - ERR
	log "up: edge http://127.0.0.1:$EDGE_PORT, backend http://127.0.0.1:$BACKEND_PORT, builder-service http://127.0.0.1:$BUILDER_PROXY_PORT → ${servers[*]}"
}

# stop: SIGTERM to every process with a pid file (haproxy: SIGUSR1, its
# soft stop), wait for them to drain, SIGKILL the rest, remove the pid files.
stop() {
	local f pid sig pids=()
	for f in "$DIR"/*.pid; do
		[[ -e $f ]] || continue
		pid=$(cat "$f")
		sig=TERM
		[[ $(basename "$f") == haproxy.pid ]] && sig=USR1
		if kill -0 "$pid" 2>/dev/null; then
			kill -"$sig" "$pid" 2>/dev/null || true
			pids+=("$pid")
		fi
	done
	local deadline=$((SECONDS + STOP_TIMEOUT))
	for pid in "${pids[@]}"; do
		while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then
			log "pid $pid still running after ${STOP_TIMEOUT}s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	rm -f "$DIR"/*.pid
	log "stopped"
}

status() {
	local f
	for f in "$DIR"/*.pid; do
		[[ -e $f ]] || { log "not running"; return 0; }
		if kill -0 "$(cat "$f")" 2>/dev/null; then echo "$(basename "$f" .pid) running (pid $(cat "$f"))"
		else echo "$(basename "$f" .pid) exited"; fi
	done
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
haproxy-config) shift; haproxy_config "$@" ;;
edge-config) shift; edge_config "$@" ;;
*) echo "usage: $0 start|stop|status|haproxy-config LISTEN SOCKET NAME=HOST:PORT...|edge-config LISTEN NAME=HOST:PORT..." >&2; exit 2 ;;
esac
