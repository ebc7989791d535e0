#!/usr/bin/env bash
# topology.sh start|stop|status
#
# The compose topology (deploy/compose.yaml) as local processes on this
# machine's Postgres and Redis:
#   backend          role all on :4000 (BACKEND_PORT), BUILDER_SERVICE_URL → the proxy
#   builder-service  two replicas, role builder, on :4012 and :4022 (BUILDER_PORTS)
#   roundrobin       scripts/roundrobin on :4002 (BUILDER_PROXY_PORT), in front of
#                    the replicas as the Service is in a cluster
#   web              skipped until web/ exists
# Pid files and logs go to $TOPOLOGY_DIR (./var/topology). `stop` sends
# SIGTERM, waits for the drain, then SIGKILLs what is left: no process
# outlives it.
#
# Environment: DATABASE_URL (default: the local Postgres, database harness,
# created if missing), REDIS_URL (redis://127.0.0.1:6379/0), and anything
# else the server reads (HARNESS_EVENT_STREAM_PREFIX, HARNESS_LOG_LEVEL, ...).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DIR="${TOPOLOGY_DIR:-$ROOT/var/topology}"
BACKEND_PORT="${BACKEND_PORT:-4000}"
BUILDER_PROXY_PORT="${BUILDER_PROXY_PORT:-4002}"
read -r -a BUILDER_PORTS <<< "${BUILDER_PORTS:-4012 4022}"
READY_TIMEOUT="${TOPOLOGY_READY_TIMEOUT:-30}"
STOP_TIMEOUT="${TOPOLOGY_STOP_TIMEOUT:-20}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"

log() { printf 'topology: %s\n' "$*" >&2; }

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
	log "building"
	go build -o "$DIR/bin/harness" ./cmd/harness
	go build -o "$DIR/bin/roundrobin" ./scripts/roundrobin
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
	local targets=() i=0 port
	for port in "${BUILDER_PORTS[@]}"; do
		i=$((i + 1))
		mkdir -p "$DIR/builder-$i"
		start_proc "builder-$i" env -u BUILDER_SERVICE_URL HARNESS_DATA_DIR="$DIR/builder-$i" \
			HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE="$DIR/backend/keys/access-token-ed25519.pub.pem" \
			"$DIR/bin/harness" serve --role builder --port "$port"
		targets+=("http://127.0.0.1:$port")
	done
	start_proc roundrobin "$DIR/bin/roundrobin" -listen "127.0.0.1:$BUILDER_PROXY_PORT" "${targets[@]}"
	i=0
	for port in "${BUILDER_PORTS[@]}"; do
		i=$((i + 1))
		wait_ready "builder-$i" "http://127.0.0.1:$port/readyz"
	done
	wait_ready roundrobin "http://127.0.0.1:$BUILDER_PROXY_PORT/readyz"
	if [[ -d web ]]; then
		log "web/ exists but the topology does not start it yet"
	else
		log "web skipped: no web/ yet"
	fi
	trap - ERR
	log "up: backend http://127.0.0.1:$BACKEND_PORT, builder-service http://127.0.0.1:$BUILDER_PROXY_PORT → ${targets[*]}"
}

# stop: SIGTERM to every process with a pid file, wait for them to drain,
# SIGKILL the rest, remove the pid files.
stop() {
	local f pid pids=()
	for f in "$DIR"/*.pid; do
		[[ -e $f ]] || continue
		pid=$(cat "$f")
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
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
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
