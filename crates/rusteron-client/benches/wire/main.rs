//! `wire`: the rusteron side of `cargo xtask bench` (see docs/benchmarks.md).
//!
//! Four programs in one executable, each a line-by-line counterpart of an Aeron C sample so that the two
//! measure the same thing, talking to an external media driver:
//!
//! | command | C counterpart | what it does |
//! |---|---|---|
//! | `ping` | `cping` | timestamps each message, records the echo's round trip in an HdrHistogram |
//! | `pong` | `cpong` | echoes every message from the ping channel to the pong channel |
//! | `publisher` | `streaming_exclusive_publisher` | `try_claim` + commit in a loop, prints msgs/sec |
//! | `subscriber` | `rate_subscriber` | polls and counts until every message arrived |
//!
//! `cargo bench` runs this target without a command; it then only says how it is meant to be used.

mod args;
mod client;
mod histogram;
mod ping;
mod pong;
mod publisher;
mod subscriber;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = args::Args::from_env();
    let result = match args.command.as_deref() {
        Some("ping") => ping::run(&args),
        Some("pong") => pong::run(&args),
        Some("publisher") => publisher::run(&args),
        Some("subscriber") => subscriber::run(&args),
        _ => {
            println!(
                "wire: ping | pong | publisher | subscriber [options]; run by `cargo xtask bench`"
            );
            return ExitCode::SUCCESS;
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wire: {e}");
            ExitCode::FAILURE
        }
    }
}
