#!/usr/bin/env bash
# Soak under fault injection (tests/src/bin/isc-chaos.rs): a private Redis, the simulator, 2
# gateways, 2 computers and 300 sessions; a random gateway or computer is SIGKILLed (and started
# again) every ~4 s. Prints per-session gaps, the totals, the time back to streaming after a kill
# and the Redis keys against the baseline; exits 1 on any silent gap or leaked key.
#   CHAOS_SECS (180)  CHAOS_SESSIONS (300)  CHAOS_PROFILE (release; CI uses dev)
# Extra arguments go to isc-chaos (`--cluster` for a 3-node Redis Cluster, `--gateways 3`,
# `--verbose`, see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-redis.sh
profile=${CHAOS_PROFILE:-release}
cargo build --profile "$profile" --workspace --bins -q
dir=target/$([ "$profile" = dev ] && echo debug || echo "$profile")
exec "$dir/isc-chaos" --secs "${CHAOS_SECS:-180}" --sessions "${CHAOS_SESSIONS:-300}" "$@"
