//! Process counters, exported at `/metrics` in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

#[derive(Default, Debug)]
pub struct Metrics {
    pub connections_opened: AtomicU64,
    pub connections_closed: AtomicU64,
    pub auth_failures: AtomicU64,
    pub client_messages: AtomicU64,
    pub client_errors: AtomicU64,
    pub pubsub_messages: AtomicU64,
    pub pubsub_decode_errors: AtomicU64,
    pub updates_delivered: AtomicU64,
    pub slow_disconnects: AtomicU64,
    pub redis_errors: AtomicU64,
    pub pubsub_reconnects: AtomicU64,
}

impl Metrics {
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }

    /// Renders counters plus the gauges passed in.
    pub fn render(&self, gauges: &[(&str, &str, u64)]) -> String {
        let counters = [
            (
                "gateway_connections_opened_total",
                "WebSocket sessions opened",
                &self.connections_opened,
            ),
            (
                "gateway_connections_closed_total",
                "WebSocket sessions closed",
                &self.connections_closed,
            ),
            (
                "gateway_auth_failures_total",
                "upgrade requests refused with 401",
                &self.auth_failures,
            ),
            (
                "gateway_client_messages_total",
                "client text frames handled",
                &self.client_messages,
            ),
            (
                "gateway_client_errors_total",
                "error replies sent to clients",
                &self.client_errors,
            ),
            (
                "gateway_pubsub_messages_total",
                "update batches received from Redis",
                &self.pubsub_messages,
            ),
            (
                "gateway_pubsub_decode_errors_total",
                "undecodable pub/sub payloads",
                &self.pubsub_decode_errors,
            ),
            (
                "gateway_updates_delivered_total",
                "indicator_update frames queued to clients",
                &self.updates_delivered,
            ),
            (
                "gateway_slow_disconnects_total",
                "connections closed with 4009",
                &self.slow_disconnects,
            ),
            (
                "gateway_redis_errors_total",
                "failed Redis operations",
                &self.redis_errors,
            ),
            (
                "gateway_pubsub_reconnects_total",
                "pub/sub links lost and rebuilt",
                &self.pubsub_reconnects,
            ),
        ];
        let mut out = String::with_capacity(2048);
        for (name, help, c) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                c.load(Relaxed)
            );
        }
        for (name, help, v) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
        out
    }
}
