//! `cargo xtask demo`: the README's main job on a fresh machine.

use anyhow::Result;
use std::process::Command;

use crate::{paths, tools};

/// The package and example that make up the main demo.
const DEMO: (&str, &str) = ("rusteron-examples", "record_and_replay");

/// Installs the build tools if missing, then runs the demo example.
pub fn run() -> Result<()> {
    let env = tools::ensure(tools::Need {
        cmake: true,
        libclang: false,
    })?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    // Everything in one process: the demo needs nothing started beforehand.
    cmd.current_dir(paths::root()).args([
        "run",
        "--package",
        DEMO.0,
        "--example",
        DEMO.1,
        "--",
        "--embedded-driver",
    ]);
    env.apply(&mut cmd);
    tools::run(&mut cmd)
}
