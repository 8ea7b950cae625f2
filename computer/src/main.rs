use clap::Parser;
use computer::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::runtime::init_tracing();
    let cli = Cli::parse();
    let shutdown = shared::runtime::shutdown_on_signals();
    match cli.command {
        Some(Command::Compute(args)) => match computer::compute(&args) {
            Ok(()) => {}
            // A bad name, parameter, range or row: one line naming it, exit 2.
            Err(e) if e.is_usage() => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
            Err(e) => return Err(e.into()),
        },
        Some(Command::Catalogue(args)) => {
            if args.json {
                println!("{:#}", shared::catalogue::doc::json());
            } else {
                print!("{}", shared::catalogue::doc::markdown());
            }
        }
        Some(Command::Simulate(args)) => {
            computer::simulate(args, &cli.config.redis_url, shutdown).await?;
        }
        None => computer::run(cli.config, shutdown).await?,
    }
    Ok(())
}
