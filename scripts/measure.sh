#!/usr/bin/env bash
# Figures for docs/measurements.md, on release binaries, everything on this machine:
#  1. compute-to-client latency (client clock minus the update's `timestamp`) with the simulator
#     running: 5 symbols at TICK_RATE ticks/s each, CLIENTS connections watching 3 indicators;
#  2. gateway RSS with no connection, then with 1,000 idle subscribed connections.
# ONLY=memory or ONLY=latency runs one of the two.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || true
DIR=$(mktemp -d)
PORT=${REDIS_PORT:-6399}
LISTEN=127.0.0.1:${GATEWAY_PORT:-8091}
TICK_RATE=${TICK_RATE:-10}
CLIENTS=${CLIENTS:-100}
DURATION=${DURATION:-30}
export REDIS_URL=redis://127.0.0.1:$PORT JWT_SECRET=measure-secret-0123456789 LISTEN_ADDR=$LISTEN
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$DIR" >/dev/null &
pids+=($!)
sleep 0.5
target/release/computer >"$DIR/computer.log" 2>&1 & pids+=($!)
MAX_CONNS_PER_USER=0 target/release/gateway >"$DIR/gateway.log" 2>&1 & gw=$!; pids+=($gw)
sleep 1
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
TOKEN=$(target/release/gateway token --email measure@example.com --session m)
URL="ws://$LISTEN/indicators/v2/stream?token=$TOKEN"

if [ "${ONLY:-}" != latency ]; then
echo "== idle gateway memory"
idle0=$(rss "$gw")
target/release/isc-client --url "$URL" --connections 1000 --subscribe IDLE:1min:RSI_14 --duration 8 --quiet 2>/dev/null &
cl=$!
sleep 7
idle1=$(rss "$gw")
wait "$cl" || true
echo "gateway RSS: ${idle0} KiB with 0 connections, ${idle1} KiB with 1000 connections" \
     "=> $(( (idle1 - idle0) / 1000 )) KiB per connection"
fi
[ "${ONLY:-}" = memory ] && exit 0

echo "== latency: 5 symbols x ${TICK_RATE} ticks/s, ${CLIENTS} clients x 3 indicators, ${DURATION}s"
target/release/computer simulate --symbols NIFTY50,BANKNIFTY,RELIANCE,TCS,INFY --tick-rate "$TICK_RATE" >/dev/null 2>&1 &
pids+=($!)
sleep 2
target/release/isc-client --url "$URL" --connections "$CLIENTS" --stats --duration "$DURATION" \
  --subscribe NIFTY50:1min:RSI_14,SMA_20,MACD_12_26_9 2>/dev/null
echo "gateway RSS after the latency run: $(rss "$gw") KiB"
