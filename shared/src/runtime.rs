//! Process start-up shared by the binaries: logging and the shutdown signal.

use tokio_util::sync::CancellationToken;

/// Logs to standard error through `tracing`, filtered by `RUST_LOG` (`info` when unset or
/// invalid). Call once, at start-up.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
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
