#!/usr/bin/env bash
# with-server.sh CMD [ARG...]
#
# Starts the Harness Hero platform (an already built binary) on a free local
# port with a fresh, throw-away data directory, waits until it is ready, then
# runs CMD with HARNESS_URL pointing at it. The server is stopped and the data
# directory removed when CMD ends, whatever happens. The script exits with
# CMD's exit code.
#
# It builds nothing: run `make build` (or `go build -o bin/harness
# ./cmd/harness`) first, or point HARNESS_BIN at another binary (relative
# paths are taken from the repository root). Every other variable of the
# environment (DATABASE_URL, REDIS_URL, HARNESS_LOG_LEVEL, ...) reaches the
# server untouched.
#
# CMD runs from the repository root.
#
# Example: ./scripts/with-server.sh bash -c 'cd clients/ts && npm test'
set -euo pipefail

if [[ $# -eq 0 ]]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BIN="${HARNESS_BIN:-bin/harness}"
if [[ ! -x "$BIN" ]]; then
	echo "with-server: $BIN is not an executable; build it first (make build)" >&2
	exit 1
fi

READY_TIMEOUT="${HARNESS_READY_TIMEOUT:-30}"

# free_port asks the kernel for an unused port. There is a short window
# between closing the probe socket and the server binding the port; the
# readiness check below catches the rare case where another process wins it.
free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
	else
		node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
	fi
}

DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/harness-test.XXXXXX")"
SERVER_PID=""

cleanup() {
	if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill "$SERVER_PID" 2>/dev/null || true
		# Give it a moment to shut down cleanly, then insist.
		for _ in $(seq 1 50); do
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$SERVER_PID" 2>/dev/null; then
			kill -9 "$SERVER_PID" 2>/dev/null || true
		fi
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$(free_port)"
URL="http://127.0.0.1:$PORT"

"$BIN" serve --addr "127.0.0.1:$PORT" --data-dir "$DATA_DIR" >"$DATA_DIR/server.log" 2>&1 &
SERVER_PID=$!

fail_start() {
	echo "with-server: $1" >&2
	echo "---- server log ($DATA_DIR/server.log) ----" >&2
	cat "$DATA_DIR/server.log" >&2 || true
	echo "---- end of server log ----" >&2
	exit 1
}

deadline=$((SECONDS + READY_TIMEOUT))
until curl -fsS -o /dev/null --max-time 2 "$URL/readyz" 2>/dev/null; do
	if ! kill -0 "$SERVER_PID" 2>/dev/null; then
		fail_start "the server exited before it was ready"
	fi
	if ((SECONDS >= deadline)); then
		fail_start "the server was not ready at $URL/readyz within ${READY_TIMEOUT}s"
	fi
	sleep 0.2
done

export HARNESS_URL="$URL"
# For tests that act as the payment provider (`harness dev pay` needs the
# server's data directory and binary).
export HARNESS_TEST_DATA_DIR="$DATA_DIR"
export HARNESS_TEST_BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
echo "with-server: harness ready at $HARNESS_URL (data dir $DATA_DIR)" >&2

status=0
"$@" || status=$?
exit "$status"
