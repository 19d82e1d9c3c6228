//! The Aeron client side of `cargo xtask soak` (xtask/src/soak): `load` publishes, records, replays and
//! replicates until it is killed; `check` replays recordings after a restart and compares them with the
//! reference. The reference is [`payload`]: every message is a function of the seed, so what a publisher
//! sent never has to be stored.

mod check;
mod client;
mod load;
mod payload;
mod replay;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "rusteron-soak-worker",
    about = "client side of cargo xtask soak"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Record, publish, replay and replicate until killed.
    Load(load::Options),
    /// Replay recordings and compare them with what was sent (JSON lines).
    Check(check::Options),
}

fn main() {
    let result = match Cli::parse().command {
        Command::Load(o) => load::run(&o),
        Command::Check(o) => check::run(&o),
    };
    if let Err(e) = result {
        eprintln!("rusteron-soak-worker: {e}");
        std::process::exit(2);
    }
}
