//! Process counters, exported at `/metrics` in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

#[derive(Default, Debug)]
pub(crate) struct Metrics {
    pub(crate) connections_opened: AtomicU64,
    pub(crate) connections_closed: AtomicU64,
    pub(crate) auth_failures: AtomicU64,
    pub(crate) token_refreshes: AtomicU64,
    pub(crate) handshakes_refused: AtomicU64,
    pub(crate) handshake_timeouts: AtomicU64,
    pub(crate) client_messages: AtomicU64,
    pub(crate) client_errors: AtomicU64,
    pub(crate) pubsub_messages: AtomicU64,
    pub(crate) pubsub_decode_errors: AtomicU64,
    pub(crate) updates_delivered: AtomicU64,
    pub(crate) slow_disconnects: AtomicU64,
    pub(crate) redis_errors: AtomicU64,
    pub(crate) pubsub_reconnects: AtomicU64,
    pub(crate) stale_publications: AtomicU64,
    pub(crate) pubsub_dropped: AtomicU64,
    pub(crate) gaps_repaired: AtomicU64,
    pub(crate) resyncs: AtomicU64,
    pub(crate) resumes: AtomicU64,
    pub(crate) resumes_refused: AtomicU64,
    pub(crate) replayed_updates: AtomicU64,
    pub(crate) sessions_detached: AtomicU64,
    pub(crate) sessions_expired: AtomicU64,
    pub(crate) reregistrations: AtomicU64,
}

impl Metrics {
    pub(crate) fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }

    /// Renders counters plus the gauges passed in.
    pub(crate) fn render(&self, gauges: &[(&str, &str, u64)]) -> String {
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
                "gateway_token_refreshes_total",
                "connection tokens replaced by refresh",
                &self.token_refreshes,
            ),
            (
                "gateway_handshakes_refused_total",
                "connections refused before HTTP: too many pending, too long, or over the per-address rate",
                &self.handshakes_refused,
            ),
            (
                "gateway_handshake_timeouts_total",
                "connections closed for not sending their request head in time",
                &self.handshake_timeouts,
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
            (
                "gateway_pubsub_dropped_total",
                "cluster publications dropped for a full receive queue (repaired from history)",
                &self.pubsub_dropped,
            ),
            (
                "gateway_stale_publications_total",
                "publications dropped for a seq already delivered",
                &self.stale_publications,
            ),
            (
                "gateway_gaps_repaired_total",
                "missed publications found and replayed from history",
                &self.gaps_repaired,
            ),
            (
                "gateway_resyncs_total",
                "pairs resynced (recovered: false) after a gap history could not cover",
                &self.resyncs,
            ),
            ("gateway_resumes_total", "sessions resumed", &self.resumes),
            (
                "gateway_resumes_refused_total",
                "resume requests refused (unknown, expired, other user, bad token)",
                &self.resumes_refused,
            ),
            (
                "gateway_replayed_updates_total",
                "publications replayed from history to resuming connections",
                &self.replayed_updates,
            ),
            (
                "gateway_sessions_detached_total",
                "sessions kept for resume after their connection ended",
                &self.sessions_detached,
            ),
            (
                "gateway_sessions_expired_total",
                "detached sessions removed after the resume window",
                &self.sessions_expired,
            ),
            (
                "gateway_reregistrations_total",
                "times this gateway wrote back its sessions (Redis lost them)",
                &self.reregistrations,
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
