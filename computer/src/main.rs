use clap::Parser;
use computer::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::runtime::init_tracing();
    let cli = Cli::parse();
    let shutdown = shared::runtime::shutdown_on_signals();
    match cli.command {
        Some(Command::Compute(args)) => computer::compute(&args)?,
        Some(Command::Simulate(args)) => {
            computer::simulate(args, &cli.config.redis_url, shutdown).await?;
        }
        None => computer::run(cli.config, shutdown).await?,
    }
    Ok(())
}
