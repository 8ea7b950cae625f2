#!/usr/bin/env bash
# The whole system on one machine: Redis, a computer, the market simulator and a gateway.
# `scripts/run-local.sh` runs in the foreground (Ctrl-C stops everything);
# `scripts/run-local.sh stop` stops what an earlier run left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_DIR=.run
mkdir -p "$RUN_DIR"

stop() {
  # Gateway first (drains its clients), Redis last (the others hand over through it).
  for name in gateway simulator computer redis; do
    if [ -f "$RUN_DIR/$name.pid" ]; then
      pid=$(cat "$RUN_DIR/$name.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$RUN_DIR/$name.pid"
    fi
  done
}
if [ "${1:-}" = "stop" ]; then stop; exit 0; fi

bash scripts/ensure-redis.sh
echo "building release binaries (the first build takes a few minutes)..."
cargo build --release --bins --quiet

REDIS_PORT="${REDIS_PORT:-6379}"
LISTEN_ADDR="${LISTEN_ADDR:-127.0.0.1:8081}"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export JWT_SECRET="${JWT_SECRET:-local-dev-secret-change-me}"
export LISTEN_ADDR
SYMBOLS="${SYMBOLS:-NIFTY50,BANKNIFTY,RELIANCE,TCS,INFY}"

trap 'stop; exit 0' INT TERM
if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "using the Redis already listening on port $REDIS_PORT"
else
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >"$RUN_DIR/redis.log" 2>&1 &
  echo $! >"$RUN_DIR/redis.pid"
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
target/release/computer >"$RUN_DIR/computer.log" 2>&1 &
echo $! >"$RUN_DIR/computer.pid"
target/release/computer simulate --symbols "$SYMBOLS" --tick-rate "${TICK_RATE:-5}" >"$RUN_DIR/simulator.log" 2>&1 &
echo $! >"$RUN_DIR/simulator.pid"
target/release/gateway >"$RUN_DIR/gateway.log" 2>&1 &
echo $! >"$RUN_DIR/gateway.pid"
for _ in $(seq 100); do
  if command -v curl >/dev/null; then curl -fs "http://$LISTEN_ADDR/readyz" >/dev/null 2>&1 && break; fi
  sleep 0.1
done
TOKEN=$(target/release/gateway token --email demo@example.com --session tab1)
URL="ws://$LISTEN_ADDR/indicators/v2/stream?token=$TOKEN"
cat <<MSG

The indicator stream cluster is running (logs in $RUN_DIR/, Ctrl-C stops everything).
  symbols: $SYMBOLS   gateway: http://$LISTEN_ADDR   redis: $REDIS_URL

Connect and subscribe (prints every frame):
  target/release/isc-client --url '$URL' --subscribe NIFTY50:1min:RSI_14,SMA_20,MACD_12_26_9

Or with any WebSocket client (websocat, wscat, a browser console):
  URL:  $URL
  send: {"action":"subscribe","symbol":"NIFTY50","timeframe":"1min","indicators":["RSI_14","SMA_20"]}

Cluster health: curl http://$LISTEN_ADDR/indicators/v2/health
MSG
wait
