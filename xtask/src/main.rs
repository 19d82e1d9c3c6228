//! `cargo xtask`: project automation for rusteron.
//!
//! - `cargo xtask codegen [--check]`: regenerate (or verify) every committed generated file.
//! - `cargo xtask test`: install missing build tools into `target/tools/`, check codegen drift, run the tests.
//! - `cargo xtask demo`: install missing build tools, then run the main demo.
//! - `cargo xtask test-driver [-- <command>]`: media driver + Rust archive server on a temp dir.
//! - `cargo xtask bench`: latency and throughput against the Aeron C client (docs/benchmarks.md).
//! - `cargo xtask conformance`: Aeron's C archive client test suites against rusteron-archive-server.

mod bench;
mod codegen;
mod conformance;
mod demo;
mod paths;
mod sbe;
mod test;
mod test_driver;
mod tools;

#[path = "../../aeron-sys/build/locate.rs"]
#[allow(dead_code)]
mod locate;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "rusteron project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate all generated code (bindings, codecs, wrappers) from the Aeron headers and schema.
    Codegen {
        /// Do not write anything; fail and name the files if the committed code differs.
        #[arg(long)]
        check: bool,
    },
    /// Set up a fresh machine (tools into target/tools/), check codegen drift, run the workspace tests.
    Test {
        /// Extra arguments passed to `cargo test` (after `--`).
        #[arg(last = true)]
        cargo_args: Vec<String>,
    },
    /// Set up a fresh machine (tools into target/tools/) and run the main demo.
    Demo,
    /// Media driver + Rust archive server on a temp dir; prints the channels, waits for Ctrl-C or runs `-- <command>`.
    TestDriver(test_driver::Options),
    /// Latency and throughput of our client vs the Aeron C samples and rusteron-client 0.2.16.
    Bench(bench::Options),
    /// Aeron's own C archive client test suites against rusteron-archive-server (every test, serially).
    Conformance(conformance::Options),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Codegen { check } => {
            let env = tools::ensure(tools::Need { cmake: false, libclang: true })?;
            codegen::run(&env, check)
        }
        Command::Test { cargo_args } => test::run(&cargo_args),
        Command::Demo => demo::run(),
        Command::TestDriver(opts) => test_driver::run(&opts),
        Command::Bench(opts) => bench::run(&opts),
        Command::Conformance(opts) => conformance::run(&opts),
    }
}
