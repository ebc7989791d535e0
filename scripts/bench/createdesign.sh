#!/usr/bin/env bash
# createdesign.sh HARNESS_BIN [DURATION=10s] [CLIENTS="16 64"] [ROUNDS=2]
#   CreateDesign on Postgres (the design row and its outbox event in one
#   transaction) side by side with pgbench inserting one such row per
#   transaction (insert.sql), and running the statements of a CreateDesign
#   transaction itself (transaction.sql), at the same client counts, in one
#   run.
#   Rounds alternate pgbench and the platform (wrk, Connect JSON, signed in).
#   PGURL (default postgres://postgres@127.0.0.1:5432) names the server; a
#   fresh database is created and dropped. The platform logs at warn and uses
#   the in-process bus.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
hb="$(realpath "$1")" duration="${2:-10s}" clients="${3:-16 64}" rounds="${4:-2}"
pg="${PGURL:-postgres://postgres@127.0.0.1:5432}"
db="bench_createdesign_$$"
work="$(mktemp -d)" pid=""
cleanup() {
  [[ -n $pid ]] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql -q "$pg/postgres" -c "CREATE DATABASE $db" >/dev/null
psql -q "$pg/$db" -c "CREATE TABLE bench_designs (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, name TEXT NOT NULL,
  design TEXT NOT NULL, quote TEXT NOT NULL, unit_price_cents BIGINT NOT NULL, version BIGINT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
  CREATE INDEX ON bench_designs (owner_id, id);
  CREATE TABLE bench_deleted_owners (owner_id TEXT PRIMARY KEY);
  CREATE TABLE bench_outbox (seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
  aggregate_id TEXT NOT NULL, envelope TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, delivered_at TIMESTAMPTZ)" >/dev/null
port=$((20000 + RANDOM % 30000))
(cd "$work" && exec env -u REDIS_URL -u BUILDER_SERVICE_URL HARNESS_ADMIN_ADDR="${ADMIN_ADDR:-}" DATABASE_URL="$pg/$db?sslmode=disable${PGPARAMS:-}" PORT="$port" HARNESS_LOG_LEVEL=warn "$hb" serve) 2>"$work/harness.log" & pid=$!
for _ in $(seq 500); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
base="http://127.0.0.1:$port"
token="$(curl -sf "$base/harness.user.v1.UserService/Register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"correct horse battery","displayName":"Bench"}' | jq -r .session.accessToken)"
url="$base/harness.builder.v1.DesignService/CreateDesign"
harness() { # CLIENTS DURATION → req/s
  WRK_BODY_FILE="$here/bodies/create-design.json" WRK_AUTHORIZATION="Bearer $token" \
    wrk -t2 -c"$1" -d"$2" -s "$here/post.lua" "$url" | sed -n 's/^RESULT rps=\([0-9]*\) .*non2xx=\([0-9]*\).*/\1 non2xx=\2/p'
}
pgb() { # CLIENTS DURATION [SCRIPT] → tps
  pgbench -n -c "$1" -j 2 -T "${2%s}" -f "$here/${3:-insert.sql}" "$pg/$db" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | cut -d. -f1
}
harness 16 3s >/dev/null; pgb 16 3 >/dev/null
for r in $(seq "$rounds"); do for c in $clients; do
  t="$(pgb "$c" "$duration")"; x="$(pgb "$c" "$duration" transaction.sql)"; h="$(harness "$c" "$duration")"
  echo "round $r clients=$c pgbench_insert_tps=$t pgbench_transaction_tps=$x createdesign_rps=${h% *} ${h#* } ÷insert=$(echo "${h% *}/$t" | bc -l | cut -c1-4) ÷transaction=$(echo "${h% *}/$x" | bc -l | cut -c1-4)"
done; done
# How fast the outbox drains (relay → in-process bus → analytics) once the
# load stops: the rate the platform sustains is bounded by it.
pending() { psql -Atq "$pg/$db" -c 'SELECT count(*) FROM events_outbox WHERE delivered_at IS NULL'; }
p0="$(pending)" t0="$(date +%s.%N)" p1="$p0"
for _ in $(seq 240); do p1="$(pending)"; [[ $p1 == 0 ]] && break; sleep 0.25; done
t1="$(date +%s.%N)"
echo "designs saved: $(psql -Atq "$pg/$db" -c 'SELECT count(*) FROM builder_designs'); outbox pending at the end of the load: $p0, drained $((p0 - p1)) in $(echo "$t1 - $t0" | bc | cut -c1-5) s ($(echo "($p0 - $p1) / ($t1 - $t0)" | bc) events/s)"
