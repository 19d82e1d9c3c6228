//! `rusteron-archive-tool` run as a binary on archive dirs written by the real server (an embedded media driver
//! and archive, recording IPC streams published through the official C client, then stopped), intact and
//! damaged: torn last frame, truncated segment, corrupted checksum, missing segment file, invalid descriptor.
//! The text output is compared whole (timestamps masked where they are the tool's own), the JSON by fields.

mod support;

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use rusteron_archive_server::test_util::TestArchive;
use rusteron_client::{AeronExclusivePublication, Handlers};
use serde_json::Value;
use support::*;

const TOOL: &str = env!("CARGO_BIN_EXE_rusteron-archive-tool");
const CHANNEL: &str = "aeron:ipc?term-length=64k";
const T: Duration = Duration::from_secs(5);
/// Payload of every message: frames are 32 + 1024 = 1056 bytes (already 32-aligned).
const PAYLOAD: usize = 1024;
const FRAME: i64 = 1056;

/// Output of one run of the tool.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn tool(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(TOOL)
        .arg(dir)
        .args(args)
        .output()
        .expect("run rusteron-archive-tool");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn tool_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let run = tool(dir, &all);
    let json = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:?}"));
    (run.code, json)
}

/// Replaces every ISO 8601 UTC timestamp (`2026-12-03T15:04:05.678Z`) by `<ts>`.
fn mask_timestamps(text: &str) -> String {
    let shape = "dddd-dd-ddTdd:dd:dd.dddZ";
    let b = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let fits = b.len() - i >= shape.len()
            && shape.bytes().zip(&b[i..]).all(|(s, &c)| {
                if s == b'd' {
                    c.is_ascii_digit()
                } else {
                    s == c
                }
            });
        if fits {
            out.push_str("<ts>");
            i += shape.len();
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn payload(i: usize) -> Vec<u8> {
    (0..PAYLOAD).map(|j| (i * 31 + j) as u8).collect()
}

/// Records `count` messages on `stream_id` and stops the recording; returns its id.
fn record(client: &ArchiveClient, stream_id: i32, count: usize) -> i64 {
    let sub_id = client
        .start_recording(CHANNEL, stream_id, true, false)
        .unwrap();
    let publication: AeronExclusivePublication = client
        .aeron
        .add_exclusive_publication(CHANNEL, stream_id, T)
        .unwrap();
    let counter_id = client.recording_counter_id(publication.constants().unwrap().session_id);
    for i in 0..count {
        wait_until(
            || publication.offer(&payload(i), Handlers::no_reserved_value_supplier_handler()) > 0,
            "offer",
        );
    }
    client.wait_recorded(counter_id, publication.position());
    client.stop_recording_subscription(sub_id).unwrap();
    let d = client
        .list_recordings_for_uri(0, 100, "aeron:ipc", stream_id)
        .unwrap()
        .pop()
        .expect("recording");
    client.wait_for_signal(d.recording_id, signal::STOP);
    d.recording_id
}

/// An archive dir written by the server and left by a clean stop.
struct Recorded {
    _base: tempfile::TempDir,
    dir: PathBuf,
    /// The valid recordings as the C client listed them before the stop.
    descriptors: Vec<Descriptor>,
}

/// Records, with the archive `properties`: recording 0 on stream 1001 (300 messages: three 128 KiB segments),
/// recording 1 on stream 1002 (4 messages: the last frame, [3168, 4224), straddles the 4 KiB page boundary),
/// and recording 2 on stream 1003 (purged: DELETED). Then stops the archive.
fn record_archive(properties: &[(&str, &str)]) -> Recorded {
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("archive");
    let archive = TestArchive::start_with(|c| {
        c.archive_dir = dir.clone();
        for (name, value) in properties {
            c.set_property(name, value).unwrap();
        }
    })
    .unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    assert_eq!(record(&client, 1001, 300), 0);
    assert_eq!(record(&client, 1002, 4), 1);
    assert_eq!(record(&client, 1003, 10), 2);
    client.purge_recording(2).unwrap();
    // A listing carries the lister's control session and correlation id; the catalog holds 0 for both.
    let descriptors: Vec<Descriptor> = client
        .list_recordings(0, 100)
        .unwrap()
        .into_iter()
        .map(|d| Descriptor {
            control_session_id: 0,
            correlation_id: 0,
            ..d
        })
        .collect();
    assert_eq!(descriptors.len(), 2);
    assert_eq!(descriptors[1].stop_position, 4 * FRAME);
    assert!(
        descriptors[0].stop_position > 2 * 128 * 1024,
        "three segments"
    );
    drop(client);
    drop(archive);
    Recorded {
        _base: base,
        dir,
        descriptors,
    }
}

/// A copy of `from` (a flat archive dir) in a new temporary dir.
fn copy_dir(from: &Path) -> (tempfile::TempDir, PathBuf) {
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("archive");
    std::fs::create_dir(&dir).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    (base, dir)
}

fn descriptor_line(state: &str, d: &Descriptor) -> String {
    format!(
        "{state} recordingId={} controlSessionId={} correlationId={} startTimestamp={} stopTimestamp={} \
         startPosition={} stopPosition={} initialTermId={} segmentFileLength={} termBufferLength={} mtuLength={} \
         sessionId={} streamId={} strippedChannel={} originalChannel={} sourceIdentity={}",
        d.recording_id,
        d.control_session_id,
        d.correlation_id,
        d.start_timestamp,
        d.stop_timestamp,
        d.start_position,
        d.stop_position,
        d.initial_term_id,
        d.segment_file_length,
        d.term_buffer_length,
        d.mtu_length,
        d.session_id,
        d.stream_id,
        d.stripped_channel,
        d.original_channel,
        d.source_identity
    )
}

/// Catalog offset of the entry of `recording_id` (from `describe --all --json`).
fn entry_offset(dir: &Path, recording_id: i64) -> u64 {
    let (_, json) = tool_json(dir, &["describe", &recording_id.to_string()]);
    json["offset"].as_u64().unwrap()
}

fn write_at(path: &Path, offset: u64, bytes: &[u8]) {
    OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .write_all_at(bytes, offset)
        .unwrap();
}

/// Sets the stop position of an entry in the catalog (body offset 48), as a crash mid-recording leaves it: -1.
fn set_stop_position(dir: &Path, recording_id: i64, stop: i64) {
    let at = entry_offset(dir, recording_id) + 32 + 48;
    write_at(&dir.join("archive.catalog"), at, &stop.to_le_bytes());
}

/// Damages recording 1 as a crash mid-write does: stop position NULL, and the page after the 4 KiB boundary
/// inside its last frame never reached the disk.
fn tear_last_frame(dir: &Path) {
    set_stop_position(dir, 1, -1);
    write_at(
        &dir.join("1-0.rec"),
        4096,
        &[0u8; (4 * FRAME - 4096) as usize],
    );
}

const CLEAN_VERIFY: &str =
    "(recordingId=0) OK\n(recordingId=1) OK\n(recordingId=2) skipping: DELETED\n\
                            verified 3 recording(s): 2 VALID, 0 INVALID, 1 skipped\n";

#[test]
fn inspection_commands_on_an_archive_the_server_wrote() {
    let a = record_archive(&[]);
    let dir = a.dir.as_path();
    let (d0, d1) = (&a.descriptors[0], &a.descriptors[1]);

    let pid = tool(dir, &["pid"]);
    assert_eq!(
        (pid.code, pid.stdout.as_str()),
        (0, format!("{}\n", std::process::id()).as_str()),
        "{pid:?}"
    );
    assert_eq!(
        tool_json(dir, &["pid"]).1["pid"],
        i64::from(std::process::id())
    );
    assert_eq!(tool(dir, &["count-entries"]).stdout, "2\n");
    assert_eq!(tool(dir, &["capacity"]).stdout, "1048576\n");
    assert_eq!(
        tool(dir, &["max-entries"]).stdout,
        "max-entries is deprecated please use capacity.\n"
    );

    // describe: mark file, catalog header, the valid descriptors exactly as the C client listed them.
    let describe = tool(dir, &["describe"]);
    assert_eq!(describe.code, 0, "{describe:?}");
    let lines: Vec<&str> = describe.stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!("Mark file: {}", dir.join("archive-mark.dat").display())
    );
    assert!(
        lines[1].starts_with(&format!(
            "  version=3.1.0 pid={} archiveId=",
            std::process::id()
        )),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with(" running=no"), "{}", lines[1]);
    assert!(
        lines[2].ends_with("activityTimestamp=-1 (stopped cleanly)"),
        "{}",
        lines[2]
    );
    let catalog_at = lines
        .iter()
        .position(|l| l.starts_with("Catalog: "))
        .unwrap();
    assert_eq!(
        lines[catalog_at..].join("\n"),
        [
            format!("Catalog: {}", dir.join("archive.catalog").display()),
            "  version=3.1.0 capacity=1048576 nextRecordingId=3 alignment=64 entries=3 (VALID 2, INVALID 0, DELETED 1)"
                .to_owned(),
            descriptor_line("VALID", d0),
            descriptor_line("VALID", d1),
        ]
        .join("\n")
    );
    let all = tool(dir, &["describe-all"]).stdout;
    assert!(
        all.lines()
            .last()
            .unwrap()
            .starts_with("DELETED recordingId=2 "),
        "{all}"
    );
    assert_eq!(
        tool(dir, &["describe", "1"]).stdout,
        format!("{}\n", descriptor_line("VALID", d1))
    );
    let (_, json) = tool_json(dir, &["describe"]);
    assert_eq!(
        json["catalog"]["entries"][0]["descriptor"]["stopPosition"],
        d0.stop_position
    );
    assert_eq!(json["catalog"]["nextRecordingId"], 3);
    assert_eq!(json["markFile"]["activityTimestamp"], -1);

    // dump: the frames of recording 1, their headers as the server recorded them.
    let dump = tool(dir, &["dump", "1", "--limit", "3"]);
    let mut expected = format!("{}\n", descriptor_line("VALID", d1));
    for i in 0..3i64 {
        expected.push_str(&format!(
            "  frame position={} length=1056 type=DATA flags=UNFRAGMENTED termOffset={} termId={} sessionId={} \
             streamId=1002\n",
            i * FRAME,
            i * FRAME,
            d1.initial_term_id,
            d1.session_id
        ));
    }
    expected.push_str("3 frame(s)\n");
    assert_eq!(dump.stdout, expected);
    let (_, json) = tool_json(dir, &["dump", "1"]);
    assert_eq!(json["frames"].as_array().unwrap().len(), 4);
    assert_eq!(json["frames"][3]["position"], 3 * FRAME);
    let hex = tool(dir, &["dump", "1", "--limit", "1", "--hex"]).stdout;
    assert!(
        hex.contains("    00000000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n"),
        "{hex}"
    );

    // verify, plain and with every segment file: all valid, the purged entry skipped.
    let verify = tool(dir, &["verify"]);
    assert_eq!(
        (verify.code, verify.stdout.as_str()),
        (0, CLEAN_VERIFY),
        "{verify:?}"
    );
    assert_eq!(tool(dir, &["verify", "-a"]).stdout, CLEAN_VERIFY);
    let (code, json) = tool_json(dir, &["verify", "-a"]);
    assert_eq!(code, 0);
    assert_eq!(
        (
            json["valid"].as_i64(),
            json["invalid"].as_i64(),
            json["skipped"].as_i64()
        ),
        (Some(2), Some(0), Some(1))
    );
    assert_eq!(json["recordings"][0]["status"], "VALID");
    assert_eq!(json["recordings"][0]["segmentsChecked"], 3);
    assert_eq!(json["recordings"][0]["bytesChecked"], d0.stop_position);
    assert_eq!(json["recordings"][1]["framesChecked"], 4);
    assert_eq!(json["recordings"][2]["status"], "SKIPPED");

    // errors: the archive's log is empty; the driver is gone with its directory.
    let errors = tool(dir, &["errors"]);
    assert!(errors.stdout.starts_with("Archive error log:\n\n0 distinct errors observed.\n\nAeron driver error log (directory: "), "{errors:?}");

    // An error log with one error seen twice, written as the archive writes it (Agrona's format).
    let mark = dir.join("archive-mark.dat");
    let mut bytes = std::fs::read(&mark).unwrap();
    let log = rusteron_archive_server::storage::mark_file::HEADER_LENGTH;
    let mut area = bytes[log..log + 4096].to_vec();
    let mut errors = rusteron_archive_server::storage::error_log::DistinctErrorLog::new(&mut area);
    assert!(errors.record("java.io.IOException: boom", 1_796_310_245_678));
    assert!(errors.record("java.io.IOException: boom", 1_796_310_246_000));
    bytes[log..log + 4096].copy_from_slice(&area);
    std::fs::write(&mark, &bytes).unwrap();
    let run = tool(dir, &["errors"]);
    assert!(
        run.stdout.starts_with(
            "Archive error log:\n\n2 observations from 2026-12-03T15:04:05.678Z to 2026-12-03T15:04:06.000Z for:\n\
             java.io.IOException: boom\n\n1 distinct errors observed.\n\nAeron driver error log (directory: "
        ),
        "{run:?}"
    );
    let (_, json) = tool_json(dir, &["errors"]);
    assert_eq!(json["archive"][0]["observationCount"], 2);
    assert_eq!(json["archive"][0]["error"], "java.io.IOException: boom");

    // Bad input: clear errors and exit codes, no panic.
    let unknown = tool(dir, &["describe", "7"]);
    assert_eq!(
        (unknown.code, unknown.stderr.as_str()),
        (3, "ERROR: no recording found with recordingId: 7\n")
    );
    assert_eq!(
        tool(dir, &["verify", "7"]).stderr,
        "ERROR: no recording found with recordingId: 7\n"
    );
    assert_eq!(tool(dir, &["frobnicate"]).code, 2);
    let missing = tool(&dir.join("nope"), &["describe"]);
    assert_eq!(missing.code, 3);
    assert!(
        missing
            .stderr
            .starts_with("ERROR: archive folder not found: "),
        "{missing:?}"
    );
    let help = Command::new(TOOL).arg("--help").output().unwrap();
    assert!(String::from_utf8(help.stdout)
        .unwrap()
        .contains("delete-orphaned-segments"));
}

#[test]
fn verify_names_the_damage_of_damaged_archives() {
    let a = record_archive(&[]);
    let stop0 = a.descriptors[0].stop_position;

    // Torn last frame of a recording left active: reported (dry run), then cut as the server's recovery does.
    let (_t, torn) = copy_dir(&a.dir);
    tear_last_frame(&torn);
    let dry = tool(&torn, &["verify", "--dry-run"]);
    assert_eq!(
        (dry.code, dry.stdout.as_str()),
        (
            0,
            "(recordingId=0) OK\n(recordingId=1) OK\n  would cut torn last frame at position 3168 (1056 bytes) in 1-0.rec\n  \
             would set stopPosition -1 -> 3168\n(recordingId=2) skipping: DELETED\n\
             verified 3 recording(s): 2 VALID, 0 INVALID, 1 skipped (dry run: nothing changed)\n"
        ),
        "{dry:?}"
    );
    let (_, json) = tool_json(&torn, &["verify", "--dry-run", "1"]);
    assert_eq!(json["recordings"][0]["tornFrame"]["action"], "would cut");
    assert_eq!(json["recordings"][0]["tornFrame"]["position"], 3168);
    assert_eq!(json["recordings"][0]["stopPosition"], -1);
    assert_eq!(json["recordings"][0]["newStopPosition"], 3168);
    assert!(
        tool(&torn, &["describe", "1"])
            .stdout
            .contains("stopPosition=-1 "),
        "dry run changed nothing"
    );
    let fixed = tool(&torn, &["verify"]);
    assert_eq!(
        fixed.stdout,
        "(recordingId=0) OK\n(recordingId=1) OK\n  cut torn last frame at position 3168 (1056 bytes) in 1-0.rec\n  \
         set stopPosition -1 -> 3168\n(recordingId=2) skipping: DELETED\n\
         verified 3 recording(s): 2 VALID, 0 INVALID, 1 skipped\n"
    );
    assert!(tool(&torn, &["describe", "1"])
        .stdout
        .contains(" stopPosition=3168 "));
    let segment = std::fs::read(torn.join("1-0.rec")).unwrap();
    assert_eq!(
        segment.len(),
        128 * 1024,
        "re-extended to the segment length"
    );
    assert!(
        segment[3168..4224].iter().all(|&b| b == 0),
        "torn frame erased"
    );
    // Afterwards verify keeps reporting what was cut, from the recovery log.
    let again = tool(&torn, &["verify", "1"]);
    assert_eq!(
        mask_timestamps(&again.stdout),
        "(recordingId=1) OK\n  recovered at <ts>: stopPosition=3168, cut torn last frame at position 3168 (1056 bytes) \
         in 1-0.rec\nverified 1 recording(s): 1 VALID, 0 INVALID, 0 skipped\n"
    );
    let (_, json) = tool_json(&torn, &["verify", "1"]);
    assert_eq!(
        json["recordings"][0]["recoveryLog"][0]["cut"]["position"],
        3168
    );

    // Truncated segment file below the stop position.
    let (_t, truncated) = copy_dir(&a.dir);
    OpenOptions::new()
        .write(true)
        .open(truncated.join("0-0.rec"))
        .unwrap()
        .set_len(100_000)
        .unwrap();
    let run = tool(&truncated, &["verify"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            "(recordingId=0) ERR: segment file 0-0.rec is truncated: 100000 bytes, positions up to 131072 need 131072\n  \
             mark INVALID\n(recordingId=1) OK\n(recordingId=2) skipping: DELETED\n\
             verified 3 recording(s): 1 VALID, 1 INVALID, 1 skipped\n"
        ),
        "{run:?}"
    );
    assert!(tool(&truncated, &["describe", "0"])
        .stdout
        .starts_with("INVALID recordingId=0 "));
    assert_eq!(tool(&truncated, &["count-entries"]).stdout, "1\n");
    let (code, json) = tool_json(&truncated, &["verify", "0"]);
    assert_eq!(code, 1);
    assert_eq!(json["recordings"][0]["status"], "INVALID");
    assert_eq!(json["recordings"][0]["stateBefore"], "INVALID");
    assert_eq!(
        json["recordings"][0]["reason"],
        "segment file 0-0.rec is truncated: 100000 bytes, positions up to 131072 need 131072"
    );

    // Missing segment file in the middle of a recording.
    let (_t, missing) = copy_dir(&a.dir);
    std::fs::remove_file(missing.join("0-131072.rec")).unwrap();
    let run = tool(&missing, &["verify", "0"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (1, "(recordingId=0) ERR: missing segment file 0-131072.rec\n  mark INVALID\nverified 1 recording(s): 0 VALID, 1 INVALID, 0 skipped\n")
    );

    // Last segment cut short: the data ends before the stop position.
    let (_t, short) = copy_dir(&a.dir);
    let last_base = 2 * 128 * 1024;
    let cut = stop0 - 2 * FRAME;
    let f = OpenOptions::new()
        .write(true)
        .open(short.join(format!("0-{last_base}.rec")))
        .unwrap();
    f.set_len((cut - last_base) as u64).unwrap();
    f.set_len(128 * 1024).unwrap();
    let run = tool(&short, &["verify", "--dry-run", "0"]);
    assert_eq!(
        run.stdout,
        format!(
            "(recordingId=0) ERR: recorded data ends at position {cut}, before stopPosition={stop0}\n  would mark INVALID\n\
             verified 1 recording(s): 0 VALID, 1 INVALID, 0 skipped (dry run: nothing changed)\n"
        )
    );
    assert!(
        tool(&short, &["describe", "0"])
            .stdout
            .starts_with("VALID "),
        "dry run changed nothing"
    );

    // Invalid descriptors: one that does not decode, one with a stop position off the frame alignment.
    let (_t, bad) = copy_dir(&a.dir);
    let offset = entry_offset(&bad, 1);
    write_at(
        &bad.join("archive.catalog"),
        offset + 32 + 80,
        &i32::MAX.to_le_bytes(),
    );
    let run = tool(&bad, &["verify", "1"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            format!(
                "(recordingId=1) ERR: descriptor cannot be decoded (catalog offset {offset}, length 160)\n  mark INVALID\n\
                 verified 1 recording(s): 0 VALID, 1 INVALID, 0 skipped\n"
            )
            .as_str()
        )
    );
    assert!(tool(&bad, &["describe-all"]).stdout.contains(&format!(
        "INVALID recordingId=1: descriptor cannot be decoded (entry at offset {offset}, length 160)\n"
    )));
    set_stop_position(&bad, 0, stop0 + 1);
    let run = tool(&bad, &["verify", "0"]);
    assert_eq!(
        run.stdout,
        format!("(recordingId=0) ERR: Non-aligned stopPosition={}\n  mark INVALID\nverified 1 recording(s): 0 VALID, 1 INVALID, 0 skipped\n", stop0 + 1)
    );
}

#[test]
fn the_server_cuts_a_torn_frame_at_start_and_verify_reports_it() {
    let a = record_archive(&[]);
    tear_last_frame(&a.dir);
    let archive = TestArchive::start_with(|c| {
        c.archive_dir = a.dir.clone();
        c.delete_archive_dir_on_start = false;
    })
    .unwrap();
    // While it runs: changes are refused, a dry-run verify is allowed.
    let refused = tool(&a.dir, &["mark-invalid", "0"]);
    assert_eq!(refused.code, 3);
    assert!(
        refused.stderr.starts_with(&format!(
            "ERROR: mark-invalid: the archive is running (mark file {}: pid {}, activity ",
            a.dir.join("archive-mark.dat").display(),
            std::process::id()
        )),
        "{refused:?}"
    );
    assert_eq!(tool(&a.dir, &["verify", "1"]).code, 3);
    assert_eq!(tool(&a.dir, &["compact", "--yes"]).code, 3);
    let client = ArchiveClient::connect(&archive).unwrap();
    assert_eq!(
        client.stop_position(1).unwrap(),
        3 * FRAME,
        "recovery cut the torn frame off"
    );
    let segment = std::fs::read(a.dir.join("1-0.rec")).unwrap();
    assert_eq!(
        segment.len(),
        128 * 1024,
        "re-extended to the segment length"
    );
    assert!(
        segment[3168..4224].iter().all(|&b| b == 0),
        "the torn frame is erased from the file"
    );
    let dry = tool(&a.dir, &["verify", "--dry-run", "1"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    drop(client);
    drop(archive);

    let run = tool(&a.dir, &["verify", "1"]);
    assert_eq!(
        mask_timestamps(&run.stdout),
        "(recordingId=1) OK\n  recovered at <ts>: stopPosition=3168, cut torn last frame at position 3168 (1056 bytes) \
         in 1-0.rec\nverified 1 recording(s): 1 VALID, 0 INVALID, 0 skipped\n"
    );
    let log = std::fs::read_to_string(a.dir.join("archive-recovery.log")).unwrap();
    let words: Vec<&str> = log.split_whitespace().collect();
    assert_eq!(
        words[1..],
        ["recording=1", "stop=3168", "cut=3168+1056", "file=1-0.rec"]
    );
}

#[test]
fn checksums_are_written_and_verified() {
    // Recorded with CRC-32C: every data frame carries its checksum, each descriptor the checksum of its body.
    let a = record_archive(&[("aeron.archive.record.checksum", "CRC-32C")]);
    let run = tool(&a.dir, &["verify", "-a", "-checksum", "CRC-32C"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, CLEAN_VERIFY),
        "{run:?}"
    );
    assert_eq!(
        tool(
            &a.dir,
            &[
                "verify",
                "-a",
                "--checksum",
                "io.aeron.archive.checksum.Crc32c"
            ]
        )
        .stdout,
        CLEAN_VERIFY
    );
    let wrong = tool(&a.dir, &["verify", "--dry-run", "0", "-checksum", "CRC-32"]);
    assert_eq!(wrong.code, 1);
    assert!(
        wrong
            .stdout
            .starts_with("(recordingId=0) ERR: invalid Catalog checksum: expected="),
        "{wrong:?}"
    );

    // A corrupted payload byte in the first segment: found with -a.
    let (_t, corrupt) = copy_dir(&a.dir);
    let segment = corrupt.join("0-0.rec");
    let bytes = std::fs::read(&segment).unwrap();
    let position = 5 * FRAME;
    let recorded = i32::from_le_bytes(
        bytes[position as usize + 12..position as usize + 16]
            .try_into()
            .unwrap(),
    );
    write_at(
        &segment,
        position as u64 + 100,
        &[bytes[position as usize + 100] ^ 0xFF],
    );
    let frame =
        std::fs::read(&segment).unwrap()[position as usize..(position + FRAME) as usize].to_vec();
    let computed = crc32c::crc32c(&frame[32..]) as i32;
    assert_eq!(
        tool(&corrupt, &["verify", "--dry-run", "-checksum", "CRC-32C"]).code,
        0,
        "only the last segment by default"
    );
    let run = tool(&corrupt, &["verify", "-a", "-checksum", "CRC-32C", "0"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            format!(
                "(recordingId=0) ERR: checksum failed recorded={recorded} (expected={computed}) at position {position} in \
                 0-0.rec\n  mark INVALID\nverified 1 recording(s): 0 VALID, 1 INVALID, 0 skipped\n"
            )
            .as_str()
        )
    );

    // An archive recorded without checksums: `checksum` writes them, then they verify.
    let b = record_archive(&[]);
    assert_eq!(
        tool(
            &b.dir,
            &["verify", "--dry-run", "-a", "-checksum", "CRC-32", "1"]
        )
        .code,
        1,
        "no checksums yet"
    );
    let run = tool(&b.dir, &["checksum", "CRC-32", "-a"]);
    assert_eq!(
        run.stdout,
        "(recordingId=0) checksums written: 300 frame(s) in 3 segment file(s)\n\
         (recordingId=1) checksums written: 4 frame(s) in 1 segment file(s)\n\
         (recordingId=2) checksums written: 0 frame(s) in 0 segment file(s)\n"
    );
    assert_eq!(
        tool(&b.dir, &["verify", "-a", "-checksum", "CRC-32"]).stdout,
        CLEAN_VERIFY
    );
}

#[test]
fn maintenance_commands_change_the_catalog_and_files_as_java_does() {
    let a = record_archive(&[]);
    let stop0 = a.descriptors[0].stop_position;

    // mark-invalid / mark-valid, and the transitions Java refuses.
    let (_t, dir) = copy_dir(&a.dir);
    assert_eq!(
        tool(&dir, &["mark-invalid", "1"]).stdout,
        "(recordingId=1) changed state to INVALID\n"
    );
    assert_eq!(
        tool(&dir, &["mark-invalid", "1"]).stdout,
        "",
        "already INVALID"
    );
    assert_eq!(tool(&dir, &["count-entries"]).stdout, "1\n");
    assert_eq!(
        tool(&dir, &["mark-valid", "1"]).stdout,
        "(recordingId=1) changed state to VALID\n"
    );
    let refused = tool(&dir, &["mark-valid", "2"]);
    assert_eq!(
        (refused.code, refused.stderr.as_str()),
        (
            3,
            "ERROR: (recordingId=2) state transition DELETED -> VALID is not allowed\n"
        )
    );
    assert_eq!(
        tool(&dir, &["mark-valid", "9"]).stderr,
        "ERROR: no recording found with recordingId: 9\n"
    );
    // verify revives an INVALID recording whose files check out (Java's rule).
    tool(&dir, &["mark-invalid", "1"]);
    assert_eq!(
        tool(&dir, &["verify", "1"]).stdout,
        "(recordingId=1) OK\n  mark VALID\nverified 1 recording(s): 1 VALID, 0 INVALID, 0 skipped\n"
    );

    // compact: non-VALID entries and their files go; the server's catalog reads the result.
    tool(&dir, &["mark-invalid", "1"]);
    let refused = tool(&dir, &["compact"]);
    assert_eq!(refused.stderr, "ERROR: compact removes every non-VALID entry and deletes its segment files; pass --yes to confirm\n");
    let run = tool(&dir, &["compact", "--yes"]);
    assert_eq!(
        run.stdout,
        "deleted 1-0.rec\nCompaction result: deleted 2 records and reclaimed 384 bytes\n",
        "{run:?}"
    );
    assert!(!dir.join("1-0.rec").exists());
    assert_eq!(
        tool(&dir, &["describe"])
            .stdout
            .lines()
            .filter(|l| l.contains("recordingId="))
            .count(),
        1
    );
    assert!(tool(&dir, &["describe"])
        .stdout
        .contains("nextRecordingId=3 alignment=64 entries=1 (VALID 1, INVALID 0, DELETED 0)"));
    assert_eq!(tool(&dir, &["capacity"]).stdout, "1048576\n");
    assert_eq!(
        tool(&dir, &["verify"]).stdout,
        "(recordingId=0) OK\nverified 1 recording(s): 1 VALID, 0 INVALID, 0 skipped\n"
    );
    {
        let archive = TestArchive::start_with(|c| {
            c.archive_dir = dir.clone();
            c.delete_archive_dir_on_start = false;
        })
        .unwrap();
        let client = ArchiveClient::connect(&archive).unwrap();
        let listed = client.list_recordings(0, 10).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            Descriptor {
                control_session_id: 0,
                correlation_id: 0,
                ..listed[0].clone()
            },
            a.descriptors[0]
        );
    }

    // delete-orphaned-segments: files outside a recording's segments, and unparseable names, go.
    let (_t, dir) = copy_dir(&a.dir);
    std::fs::write(dir.join("0-1048576.rec"), b"x").unwrap();
    std::fs::write(dir.join("1-junk.rec"), b"x").unwrap();
    std::fs::write(dir.join("7-0.rec"), b"x").unwrap();
    let run = tool(&dir, &["delete-orphaned-segments", "--yes"]);
    assert_eq!(
        run.stdout,
        "deleted 0-1048576.rec\ndeleted 1-junk.rec\ndeleted 2 orphaned segment file(s)\n",
        "{run:?}"
    );
    assert!(
        dir.join("7-0.rec").exists(),
        "not in the catalog: left alone"
    );
    assert!(dir.join("0-262144.rec").exists());

    // truncate: the segment holding the position is cut there, later ones deleted, the stop position set.
    let (_t, dir) = copy_dir(&a.dir);
    let position = 10 * FRAME;
    assert_eq!(
        tool(&dir, &["truncate", "0", "100", "--yes"]).stderr,
        format!("ERROR: invalid position 100: start=0 stop={stop0} alignment=32\n")
    );
    assert_eq!(
        tool(&dir, &["truncate", "0", "64", "--yes"]).stderr,
        "ERROR: position 64 does not match a frame header of recording 0\n"
    );
    let run = tool(&dir, &["truncate", "0", &position.to_string(), "--yes"]);
    assert_eq!(run.stdout, format!("(recordingId=0) truncated: stopPosition {stop0} -> {position}, deleted 2 segment file(s)\n"));
    assert!(!dir.join("0-131072.rec").exists() && !dir.join("0-262144.rec").exists());
    assert!(tool(&dir, &["describe", "0"])
        .stdout
        .contains(&format!(" stopPosition={position} ")));
    assert_eq!(
        tool(&dir, &["verify", "-a", "0"]).stdout,
        "(recordingId=0) OK\nverified 1 recording(s): 1 VALID, 0 INVALID, 0 skipped\n"
    );
    let (_, json) = tool_json(&dir, &["dump", "0"]);
    assert_eq!(json["frames"].as_array().unwrap().len(), 10);

    // purge: DELETED and no files left.
    let run = tool(&dir, &["purge", "1", "--yes"]);
    assert_eq!(
        run.stdout,
        "(recordingId=1) purged: state DELETED, deleted 1 segment file(s)\n"
    );
    assert!(!dir.join("1-0.rec").exists());
    assert_eq!(
        tool(&dir, &["purge", "1", "--yes"]).stderr,
        "ERROR: (recordingId=1) is DELETED, not VALID\n"
    );
    set_stop_position(&dir, 0, -1);
    assert_eq!(
        tool(&dir, &["purge", "0", "--yes"]).stderr,
        "ERROR: (recordingId=0) is active (stopPosition=-1): run `verify` to recover its stop position first\n"
    );

    // truncate inside a later segment: the segment after it goes, it is cut at the position (zeros after it,
    // full length), the first segment is untouched. Inside a frame: refused, nothing changes.
    let seg = 131072i64;
    let original = |base: i64| std::fs::read(a.dir.join(format!("0-{base}.rec"))).unwrap();
    let (_t, dir) = copy_dir(&a.dir);
    let inside_frame = seg + 5 * FRAME + 32;
    assert_eq!(
        tool(&dir, &["truncate", "0", &inside_frame.to_string(), "--yes"]).stderr,
        format!("ERROR: position {inside_frame} does not match a frame header of recording 0\n")
    );
    assert_eq!(
        std::fs::read(dir.join("0-131072.rec")).unwrap(),
        original(seg)
    );
    let position = seg + 5 * FRAME;
    let run = tool(&dir, &["truncate", "0", &position.to_string(), "--yes"]);
    assert_eq!(run.stdout, format!("(recordingId=0) truncated: stopPosition {stop0} -> {position}, deleted 1 segment file(s)\n"));
    assert!(!dir.join("0-262144.rec").exists());
    let cut = std::fs::read(dir.join("0-131072.rec")).unwrap();
    assert_eq!(cut.len(), seg as usize);
    assert_eq!(
        cut[..5 * FRAME as usize],
        original(seg)[..5 * FRAME as usize]
    );
    assert!(
        cut[5 * FRAME as usize..].iter().all(|b| *b == 0),
        "zeros from the position on"
    );
    assert_eq!(std::fs::read(dir.join("0-0.rec")).unwrap(), original(0));
    assert_eq!(
        tool(&dir, &["verify", "-a", "0"]).stdout,
        "(recordingId=0) OK\nverified 1 recording(s): 1 VALID, 0 INVALID, 0 skipped\n"
    );

    // truncate on a segment boundary: the segment starting there and the later ones go, the one before is whole.
    let (_t, dir) = copy_dir(&a.dir);
    let run = tool(&dir, &["truncate", "0", &seg.to_string(), "--yes"]);
    assert_eq!(
        run.stdout,
        format!(
            "(recordingId=0) truncated: stopPosition {stop0} -> {seg}, deleted 2 segment file(s)\n"
        )
    );
    assert!(!dir.join("0-131072.rec").exists() && !dir.join("0-262144.rec").exists());
    assert_eq!(std::fs::read(dir.join("0-0.rec")).unwrap(), original(0));
    assert!(tool(&dir, &["describe", "0"])
        .stdout
        .contains(&format!(" stopPosition={seg} ")));
    assert_eq!(
        tool(&dir, &["verify", "-a", "0"]).stdout,
        "(recordingId=0) OK\nverified 1 recording(s): 1 VALID, 0 INVALID, 0 skipped\n"
    );

    // truncate at the start: every segment file goes.
    let run = tool(&dir, &["truncate", "0", "0", "--yes"]);
    assert_eq!(
        run.stdout,
        format!("(recordingId=0) truncated: stopPosition {seg} -> 0, deleted 1 segment file(s)\n")
    );
    assert!(!dir.join("0-0.rec").exists());

    // capacity grows (never shrinks).
    let (_t, dir) = copy_dir(&a.dir);
    assert_eq!(tool(&dir, &["capacity", "2097152"]).stdout, "2097152\n");
    assert_eq!(tool(&dir, &["capacity", "4096"]).stdout, "2097152\n");
    assert_eq!(
        std::fs::metadata(dir.join("archive.catalog"))
            .unwrap()
            .len(),
        2_097_152
    );

    // migrate: nothing for 3.1.0; a catalog in the 2.x layout (no alignment, 1024-byte entries from offset
    // 1024) is rewritten in the 3.x layout with the same descriptors.
    let run = tool(&dir, &["migrate"]);
    assert_eq!(
        run.stdout,
        "MarkFile version=3.1.0\nCatalog version=3.1.0\nLatest version=3.1.0\nnothing to migrate\n"
    );
    let catalog = std::fs::read(dir.join("archive.catalog")).unwrap();
    let mut old = vec![0u8; 1024 * 4];
    old[0..4].copy_from_slice(&(2i32 << 16).to_le_bytes());
    old[4..8].copy_from_slice(&32i32.to_le_bytes());
    old[8..16].copy_from_slice(&3i64.to_le_bytes());
    let mut at = 32;
    for slot in 1..4 {
        let length = i32::from_le_bytes(catalog[at..at + 4].try_into().unwrap()) as usize;
        let entry = &catalog[at..at + 32 + length];
        old[slot * 1024..slot * 1024 + entry.len()].copy_from_slice(entry);
        old[slot * 1024..slot * 1024 + 4].copy_from_slice(&(1024i32 - 32).to_le_bytes());
        at += 32 + length;
    }
    std::fs::write(dir.join("archive.catalog"), &old).unwrap();
    assert!(tool(&dir, &["describe"])
        .stderr
        .contains("incompatible catalog file version 2.0.0"));
    assert_eq!(tool(&dir, &["migrate"]).code, 3, "needs --yes");
    let run = tool(&dir, &["migrate", "--yes"]);
    assert_eq!(
        run.stdout,
        "MarkFile version=3.1.0\nCatalog version=2.0.0\nLatest version=3.1.0\nMigration step to 3.0.0: catalog rewritten, 3 entries\n"
    );
    assert_eq!(tool(&dir, &["verify"]).stdout, CLEAN_VERIFY);
    let (_, json) = tool_json(&dir, &["describe", "--all"]);
    assert_eq!(json["catalog"]["version"], "3.0.0");
    assert_eq!(json["catalog"]["entries"][1]["offset"], 32 + 192);
    assert_eq!(
        json["catalog"]["entries"][0]["descriptor"]["stopPosition"],
        stop0
    );
}

#[test]
fn catalog_damage_that_stops_the_archive_is_named_by_verify() {
    let a = record_archive(&[]);
    let start = |dir: &Path| {
        TestArchive::start_with(|c| {
            c.archive_dir = dir.to_path_buf();
            c.delete_archive_dir_on_start = false;
        })
    };

    // An entry after the last one whose length runs past the end of the file.
    let (_t, dir) = copy_dir(&a.dir);
    write_at(
        &dir.join("archive.catalog"),
        32 + 3 * 192,
        &2_000_000i32.to_le_bytes(),
    );
    let error = start(&dir)
        .expect_err("the archive refuses to start")
        .to_string();
    assert!(error.contains("runs past the end of the file"), "{error}");
    // The failed start left its mark file stopped (activity -1): verify may change the files at once,
    // although the process that wrote it (this one) is alive.
    assert!(tool(&dir, &["describe"])
        .stdout
        .contains("activityTimestamp=-1 (stopped cleanly)"));
    let run = tool(&dir, &["verify"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            1,
            "ERR: entry at offset 608 has length 2000000, running past the end of the file (1048576 bytes): the \
             archive refuses to start\n(recordingId=0) OK\n(recordingId=1) OK\n(recordingId=2) skipping: DELETED\n\
             verified 3 recording(s): 2 VALID, 0 INVALID, 1 skipped\n"
        ),
        "{run:?}"
    );
    let (_, json) = tool_json(&dir, &["verify", "--dry-run"]);
    assert_eq!(json["catalogProblems"].as_array().unwrap().len(), 1);

    // A header alignment the archive does not accept.
    let (_t, dir) = copy_dir(&a.dir);
    write_at(&dir.join("archive.catalog"), 16, &128i32.to_le_bytes());
    assert!(start(&dir).is_err(), "the archive refuses to start");
    let run = tool(&dir, &["verify", "--dry-run", "1"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .starts_with("ERR: catalog alignment 128, expected 64: the archive refuses to start\n"),
        "{run:?}"
    );
}
