//! `rusteron-archive-tool`: Java's `ArchiveTool` commands for the files of a stopped Aeron Archive. See
//! `rusteron-archive-tool --help` and `docs/archive-server.md` ("Operations").

use std::process::ExitCode;

use clap::Parser;
use rusteron_archive_server::tool::{self, args::ToolArgs};

fn main() -> ExitCode {
    let args = ToolArgs::parse_from(tool::args::java_compatible(std::env::args_os()));
    match tool::run(&args) {
        Ok(report) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report.json).unwrap_or_default()
                );
            } else {
                print!("{}", report.text);
            }
            if report.found_damage {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            if args.json {
                println!("{}", serde_json::json!({ "error": e.to_string() }));
            }
            eprintln!("ERROR: {e}");
            ExitCode::from(3)
        }
    }
}
