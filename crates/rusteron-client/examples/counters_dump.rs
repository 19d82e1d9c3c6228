//! Prints every counter of the media driver (its Aeron directory: `--dir` / `AERON_DIR` / Aeron's default).
//!
//! `cargo run --example counters_dump -- --help`

#[path = "support/mod.rs"]
mod support;

use clap::Parser;
use support::*;

/// Prints the counters of a media driver.
#[derive(Parser, Debug)]
#[command(version)]
struct Options {
    #[command(flatten)]
    driver: DriverArgs,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = Options::parse();
    let c = connect(&o.driver)?;
    let reader = c.aeron.counters_reader();
    let mut n = 0;
    reader.foreach_counter(|value, id, type_id, _key, label| {
        println!("{id:4} [type {type_id:3}] {value:>20}  {label}");
        n += 1;
    });
    println!("{n} counters (max counter id {})", reader.max_counter_id());
    if n == 0 {
        return Err("no counters".into());
    }
    Ok(())
}
