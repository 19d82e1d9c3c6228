//! `rusteron-archive-server`: a JVM-free Aeron Archive. Run with `--help` for the options, or with a Java
//! command line (`-Dname=value ... <main class>`) as a drop-in replacement for
//! `io.aeron.archive.ArchivingMediaDriver`, `io.aeron.archive.Archive` or `io.aeron.driver.MediaDriver`.
//!
//! Exit codes: 0 after a clean stop (SIGTERM / SIGINT), 1 if the archive or driver could not start or the
//! archive lost its media driver (its Aeron client closed itself), 2 for
//! bad usage (unknown option or main class, invalid property value). Failures are explained on stderr.

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
