#!/usr/bin/env bash
# dev.sh (make run): the platform's API on :4000 (SQLite under ./var) and the
# shop, the Next.js app in web/, on :3000 as a dev server, together. Ctrl-C
# stops both; if either exits, the other is stopped too.
#
# The shop offers "Pay with test card" for the embedded payment provider: it
# signs the provider's webhook with the secret the API keeps in
# var/keys/webhook-secret (HARNESS_TEST_PAYMENTS_SECRET_FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
set -m # each child in its own process group, so a stop reaches its workers

go build -o bin/harness ./cmd/harness

pids=()
stop() {
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The shop may be opened as localhost or 127.0.0.1: the API allows both.
HARNESS_CORS_ORIGINS="${HARNESS_CORS_ORIGINS:-http://localhost:3000,http://127.0.0.1:3000}" bin/harness serve "$@" &
pids+=($!)

(
	cd web
	export HARNESS_API_URL="${HARNESS_API_URL:-http://localhost:4000}"
	export HARNESS_TEST_PAYMENTS_SECRET_FILE="${HARNESS_TEST_PAYMENTS_SECRET_FILE:-$PWD/../var/keys/webhook-secret}"
	export NEXT_TELEMETRY_DISABLED=1
	exec ../node_modules/.bin/next dev --port 3000
) &
pids+=($!)

echo "dev: API on http://localhost:4000, shop on http://localhost:3000 (Ctrl-C stops both)" >&2
wait -n
