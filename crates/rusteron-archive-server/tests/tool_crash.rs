//! The recovery contract end to end with the tool: the server binary records, is killed with SIGKILL
//! mid-recording, and before it restarts `rusteron-archive-tool verify --dry-run` says which stop position
//! recovery will give the recording; the restarted server gives exactly that one; while it runs the tool
//! refuses changes; after a clean stop `verify` passes every segment file and reports the recovery.

mod ops_support;

use std::process::Command;
use std::time::{Duration, Instant};

use ops_support::*;
use rusteron_client::Handlers;
use serde_json::Value;

const TOOL: &str = env!("CARGO_BIN_EXE_rusteron-archive-tool");
const STREAM: i32 = 1001;
const CHANNEL: &str = "aeron:ipc?term-length=64k";
const FRAME: i64 = 512;

fn tool(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(TOOL).arg(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn verify_predicts_the_recovered_stop_position_after_kill_9() {
    let base = tempfile::tempdir().unwrap();
    let setup = Setup::new(base.path());
    let server = ServerProcess::start(&setup.drop_in_args(&[]));
    let killed_pid = server.child.id();
    let client = CArchive::connect(&setup).expect("connect");
    client.start_recording(CHANNEL, STREAM).unwrap();
    let publication = client
        .aeron
        .add_publication(CHANNEL, STREAM, Duration::from_secs(10))
        .unwrap();
    wait_until(
        || {
            client
                .list_recordings()
                .map(|r| !r.is_empty())
                .unwrap_or(false)
        },
        "recording to start",
    );
    let payload = vec![7u8; FRAME as usize - 32];
    let mut recorded = 0;
    let deadline = Instant::now() + WAIT;
    while recorded < 3 * 128 * 1024 + 5000 {
        assert!(Instant::now() < deadline, "recording stalled at {recorded}");
        for _ in 0..64 {
            publication.offer(&payload, Handlers::no_reserved_value_supplier_handler());
        }
        recorded = client.recording_position(0).unwrap();
    }
    server.kill9();
    std::mem::forget(publication);
    std::mem::forget(client);

    // The dead archive: the tool reads it (the pid in the mark file no longer exists) and predicts recovery.
    let dir = setup.archive_dir.as_path();
    assert_eq!(tool(dir, &["pid"]).1, format!("{killed_pid}\n"));
    let (code, out, err) = tool(dir, &["--json", "verify", "--dry-run", "-a"]);
    assert_eq!(code, 0, "{out}{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let r = &json["recordings"][0];
    assert_eq!(
        (r["status"].as_str(), r["stopPosition"].as_i64()),
        (Some("VALID"), Some(-1))
    );
    let predicted = r["newStopPosition"].as_i64().unwrap();
    assert!(
        predicted >= recorded,
        "predicted {predicted} below the reported position {recorded}"
    );
    assert_eq!(predicted % FRAME, 0);
    assert_eq!(
        r["tornFrame"],
        Value::Null,
        "SIGKILL leaves the page cache whole: nothing torn"
    );

    // Restarted: recovery gives exactly the predicted stop position. Changes are refused while it runs.
    let server = ServerProcess::start(&setup.drop_in_args(&[]));
    let client = CArchive::connect(&setup).expect("connect after restart");
    assert_eq!(client.list_recordings().unwrap(), vec![(0, 0, predicted)]);
    let (code, _, err) = tool(dir, &["mark-invalid", "0"]);
    assert_eq!(code, 3);
    assert!(err.contains("the archive is running"), "{err}");
    drop(client);
    assert_eq!(server.terminate(), Some(0));

    let (code, out, _) = tool(dir, &["verify", "-a"]);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "(recordingId=0) OK");
    assert!(lines[1].starts_with("  recovered at "), "{out}");
    assert!(
        lines[1].ends_with(&format!(": stopPosition={predicted}, no frame cut")),
        "{out}"
    );
    assert_eq!(
        lines[2],
        "verified 1 recording(s): 1 VALID, 0 INVALID, 0 skipped"
    );
}
