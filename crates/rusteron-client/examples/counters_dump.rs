//! Prints every counter of the driver (`--dir` / `AERON_DIR`, or an embedded driver).

#[path = "support/mod.rs"]
mod support;

use support::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let c = connect()?;
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
