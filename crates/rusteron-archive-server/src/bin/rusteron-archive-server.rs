//! `rusteron-archive-server`: a JVM-free Aeron Archive. Run with `--help` for the options, or with a Java
//! `ArchivingMediaDriver` command line (`-Dname=value ...`) as a drop-in replacement.
//!
//! Exit codes: 0 after a clean stop (SIGTERM / SIGINT), 1 if the archive could not start, 2 for bad usage.

use std::process::ExitCode;

use rusteron_archive_server::cli::{self, CliError};

fn main() -> ExitCode {
    cli::logger::init();
    let args: Vec<String> = std::env::args().collect();
    let launch = match cli::parse(&args) {
        Ok(launch) => launch,
        Err(CliError::Usage(e)) => e.exit(),
        Err(e) => {
            eprintln!("rusteron-archive-server: {e}");
            return ExitCode::from(2);
        }
    };
    match cli::run::run(launch) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rusteron-archive-server: {e}");
            ExitCode::from(1)
        }
    }
}
