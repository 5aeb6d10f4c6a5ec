#!/usr/bin/env bash
# The Sanad half of the Request Tracker comparison: the same load driver (bench/peers/loadgen.py)
# against a release-built `sanad serve` on a fresh SQLite (or PostgreSQL) database, so the
# figures sit next to bench/peers/rt5.sh's. Run by hand, not in CI:
#
#     cargo build --release
#     bench/peers/sanad.sh                         # SQLite, 1000 requests at 1, 8 and 64
#     SANAD_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bench/peers/sanad.sh
#
# It creates an organization and an API token with the CLI (as `sanad bench api` does), starts
# the server with SANAD_LOG_FILTER=warn, runs the driver (creates, then reads of the tickets just
# created; see loadgen.py's header for what is counted), and prints the server's resident memory.
# For PostgreSQL, pass a URL whose schema is fresh: the migration runs and the org is created.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
SANAD="${SANAD_BIN:-$HERE/../../target/release/sanad}"
REQUESTS="${SANAD_REQUESTS:-1000}"
CONCURRENCY="${SANAD_CONCURRENCY:-1 8 64}"
WORK="$(mktemp -d /tmp/sanad-peer-bench.XXXXXX)"
DATABASE_URL="${SANAD_BENCH_DATABASE_URL:-sqlite://$WORK/bench.db}"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export SANAD_ATTACHMENTS="$WORK/attachments" SANAD_LOG_FILTER=warn

"$SANAD" --version 2>/dev/null || true
"$SANAD" migrate --database-url "$DATABASE_URL" >/dev/null
"$SANAD" org create --slug bench --name Benchmark --prefix BN --database-url "$DATABASE_URL" >/dev/null
TOKEN="$("$SANAD" token create --org bench --name bench --database-url "$DATABASE_URL")"

STARTED="$(date +%s.%N)"
"$SANAD" serve --listen "127.0.0.1:$PORT" --database-url "$DATABASE_URL" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.1
done
echo "sanad serve answered /healthz $(python3 -c "print(f'{$(date +%s.%N) - $STARTED:.2f}')") s after launch (polled every 0.1 s)"
sleep 0.5
echo "sanad serve pid $SERVER on port $PORT; idle RSS $(awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' /proc/$SERVER/status)"

python3 "$HERE/loadgen.py" sanad --base "http://127.0.0.1:$PORT" --token "$TOKEN" \
  --requests "$REQUESTS" --concurrency $CONCURRENCY
echo "sanad RSS after load $(awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' /proc/$SERVER/status)," \
  "peak $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$SERVER/status)"
