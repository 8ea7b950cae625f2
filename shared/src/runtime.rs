//! Process start-up shared by the binaries: logging and the shutdown signal.

use tokio_util::sync::CancellationToken;

/// Libraries whose verbose levels print what they carry (whole WebSocket frames with resume
/// tokens, request lines with tokens in the query): capped whatever `RUST_LOG` says.
const CAPPED: [&str; 5] = [
    "tungstenite=info",
    "tokio_tungstenite=info",
    "hyper=info",
    "hyper_util=info",
    "warp=info",
];

/// The log filter: `RUST_LOG` (`info` when unset or invalid), with [`CAPPED`] on top.
pub fn log_filter(rust_log: Option<&str>) -> tracing_subscriber::EnvFilter {
    let mut filter = rust_log
        .and_then(|s| tracing_subscriber::EnvFilter::try_new(s).ok())
        .unwrap_or_else(|| "info".into());
    for directive in CAPPED {
        filter = filter.add_directive(directive.parse().expect("a valid directive"));
    }
    filter
}

/// Logs to standard error through `tracing`, filtered by [`log_filter`]. Call once, at
/// start-up.
pub fn init_tracing() {
    let rust_log = std::env::var("RUST_LOG").ok();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(log_filter(rust_log.as_deref()))
        .init();
}

/// A token cancelled on the first SIGTERM or Ctrl-C (SIGINT). Call from within a Tokio runtime:
/// the signals are awaited on a spawned task.
pub fn shutdown_on_signals() -> CancellationToken {
    let shutdown = CancellationToken::new();
    let signal = shutdown.clone();
    tokio::spawn(async move {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        signal.cancel();
    });
    shutdown
}

#[cfg(test)]
mod tests {
    // Shows RUST_LOG=trace still leaves the WebSocket and HTTP libraries at info.
    #[test]
    fn trace_is_capped_for_the_libraries() {
        let filter = super::log_filter(Some("trace")).to_string();
        for capped in super::CAPPED {
            assert!(filter.contains(capped), "{filter}");
        }
        assert!(filter.contains("trace"));
    }
}
