use clap::Parser;
use gateway::{Cli, Command};
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Token {
        email,
        session,
        ttl,
    }) = cli.command
    {
        anyhow::ensure!(
            !cli.config.jwt_secret.is_empty(),
            "no JWT key: set --jwt-secret or JWT_SECRET"
        );
        let now = shared::auth::now_secs();
        println!(
            "{}",
            shared::auth::issue(cli.config.jwt_secret.as_bytes(), &email, &session, now, ttl)
        );
        return Ok(());
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    cli.config.validate()?;
    let listener = tokio::net::TcpListener::bind(cli.config.listen).await?;
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
    Ok(gateway::run(listener, cli.config, shutdown).await?)
}
