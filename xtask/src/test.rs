//! `cargo xtask test`: the whole set-up of a fresh machine, then the workspace tests.

use anyhow::Result;
use std::process::Command;

use crate::{codegen, paths, tools};

/// Installs what is missing, checks generated code for drift, and runs `cargo test --workspace`.
pub fn run(cargo_args: &[String]) -> Result<()> {
    println!("xtask test: step 1/3: build tools");
    let env = tools::ensure(tools::Need { cmake: true, libclang: true })?;
    println!("xtask test: step 2/3: cargo xtask codegen --check");
    codegen::run(&env, true)?;
    println!("xtask test: step 3/3: cargo test --workspace");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(paths::root()).args(["test", "--workspace"]).args(cargo_args);
    env.apply(&mut cmd);
    tools::run(&mut cmd)?;
    println!("xtask test: all passed");
    Ok(())
}
