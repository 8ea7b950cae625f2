use clap::Parser;
use gateway::{Cli, Command};

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
    if let Some(Command::Revoke(args)) = &cli.command {
        println!("{}", gateway::revoke(&cli.config, args).await?);
        return Ok(());
    }
    shared::runtime::init_tracing();
    cli.config.validate()?;
    let listener = tokio::net::TcpListener::bind(cli.config.listen).await?;
    let shutdown = shared::runtime::shutdown_on_signals();
    Ok(gateway::run(listener, cli.config, shutdown).await?)
}
