//! `cargo xtask`: project automation for rusteron.
//!
//! - `cargo xtask codegen [--check]`: regenerate (or verify) every committed generated file.
//! - `cargo xtask lint`: `cargo fmt --all --check`, `cargo clippy --workspace --all-targets -- -D warnings` and
//!   `codegen --check`; installs missing rustfmt/clippy with rustup (docs/building.md).
//! - `cargo xtask test`: install missing build tools into `target/tools/`, check codegen drift, run the tests.
//! - `cargo xtask demo`: install missing build tools, then run the main demo.
//! - `cargo xtask test-driver [-- <command>]`: media driver + Rust archive server on a temp dir.
//! - `cargo xtask bench [--callgrind]`: latency, throughput and instructions per message against the Aeron C client
//!   (docs/benchmarks.md).
//! - `cargo xtask bench-archive`: who limits the archive server: disk, publisher or archive (docs/archive-server.md).
//! - `cargo xtask package-check`: `cargo package`/`publish --dry-run` of every crate, docs.rs build (docs/releasing.md).
//! - `cargo xtask memcheck [--ci]`: safety tests and a bounded fuzzer run under valgrind memcheck (docs/safety.md).
//! - `cargo xtask conformance`: Aeron's C archive client test suites against rusteron-archive-server.
//! - `cargo xtask soak [--minutes N]`: fault soak of the archive server (kill -9, ENOSPC, slow disk).

mod bench;
mod bench_archive;
mod codegen;
mod conformance;
mod demo;
mod lint;
mod memcheck;
mod package_check;
mod paths;
mod sbe;
mod soak;
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
    /// The style gate: `cargo fmt --all --check`, `cargo clippy --workspace --all-targets -- -D warnings`, codegen drift.
    Lint,
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
    /// Who limits the archive server's recording and replay: disk, publisher or archive (docs/archive-server.md).
    BenchArchive(bench_archive::Options),
    /// Package and verify every published crate, check the packages' contents, dry-run the release, build docs as docs.rs.
    PackageCheck,
    /// The safety tests and a bounded API-sequence fuzzer run under valgrind memcheck (docs/safety.md).
    Memcheck(memcheck::Options),
    /// Aeron's own C archive client test suites against rusteron-archive-server (every test, serially).
    Conformance(conformance::Options),
    /// Fault soak of the archive server: kill -9 while recording, replaying and replicating; ENOSPC; slow disk.
    Soak(soak::Options),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Codegen { check } => {
            let env = tools::ensure(tools::Need {
                cmake: false,
                libclang: true,
            })?;
            codegen::run(&env, check)
        }
        Command::Lint => lint::run(),
        Command::Test { cargo_args } => test::run(&cargo_args),
        Command::Demo => demo::run(),
        Command::TestDriver(opts) => test_driver::run(&opts),
        Command::Bench(opts) => bench::run(&opts),
        Command::BenchArchive(opts) => bench_archive::run(&opts),
        Command::PackageCheck => package_check::run(),
        Command::Memcheck(opts) => memcheck::run(&opts),
        Command::Conformance(opts) => conformance::run(&opts),
        Command::Soak(opts) => soak::run(&opts),
    }
}
