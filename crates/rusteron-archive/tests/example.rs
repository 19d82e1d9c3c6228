//! Runs the README's main demo (`examples/record_and_replay.rs`) and checks that it succeeds.

use std::process::Command;

#[test]
fn record_and_replay_demo_succeeds() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(cargo)
        .current_dir(&root)
        .args([
            "run",
            "--quiet",
            "--package",
            "rusteron-examples",
            "--example",
            "record_and_replay",
            "--",
            "--embedded-driver",
        ])
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the demo failed");
    assert!(
        stdout.contains("OK: all 11 messages replayed in order"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("replayed \"message").count(), 11, "{stdout}");
}

#[test]
fn record_and_replay_explains_its_options() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(cargo)
        .current_dir(&root)
        .args([
            "run",
            "--quiet",
            "--package",
            "rusteron-examples",
            "--example",
            "record_and_replay",
            "--",
            "--help",
        ])
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for option in [
        "--embedded-driver",
        "-p, --dir <DIR>",
        "[env: AERON_DIR",
        "/dev/shm/aeron-<user>",
        "[default: aeron:udp?endpoint=localhost:8010]",
        "--control-stream-id",
        "-m, --messages",
    ] {
        assert!(
            stdout.contains(option),
            "--help lacks {option:?}:\n{stdout}"
        );
    }
}
