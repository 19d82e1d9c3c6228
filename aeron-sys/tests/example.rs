//! Runs the example `ipc_smoke`: its `--help`, and a short run over IPC and over UDP on 127.0.0.1.

use std::process::Command;

fn ipc_smoke(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "--quiet",
            "-p",
            "aeron-sys",
            "--example",
            "ipc_smoke",
            "--",
        ])
        .args(args)
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "ipc_smoke {args:?} failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn ipc_smoke_explains_its_options_and_runs() {
    let help = ipc_smoke(&["--help"]);
    for option in [
        "-c, --channel",
        "[default: aeron:ipc]",
        "-s, --stream-id",
        "-m, --messages",
    ] {
        assert!(help.contains(option), "--help lacks {option:?}:\n{help}");
    }
    let out = ipc_smoke(&["-m", "3", "-s", "1077"]);
    assert!(
        out.contains("done: 3 messages sent and received on aeron:ipc stream 1077"),
        "{out}"
    );
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let udp = format!("aeron:udp?endpoint=127.0.0.1:{port}");
    let out = ipc_smoke(&["-c", &udp, "-m", "2"]);
    assert!(
        out.contains(&format!("done: 2 messages sent and received on {udp}")),
        "{out}"
    );
}
