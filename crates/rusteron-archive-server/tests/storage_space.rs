//! Storage through the official C client: the low-storage-space check refuses start and extend recording
//! with STORAGE_SPACE (11) and Java's message, and recording at file sync level 2 (segment and directory
//! syncs) records and replays across segments.

mod support;

use std::path::Path;
use std::time::Duration;

use rusteron_archive_server::storage::SyncLevel;
use rusteron_archive_server::test_util::TestArchive;
use rusteron_archive_server::ArchiveConfig;
use rusteron_client::{AeronExclusivePublication, Handlers};
use support::*;

const T: Duration = Duration::from_secs(5);
/// A threshold larger than any disk.
const HUGE: u64 = 1 << 60;

fn offer(p: &AeronExclusivePublication, msg: &[u8]) {
    wait_until(
        || p.offer(msg, Handlers::no_reserved_value_supplier_handler()) > 0,
        "offer",
    );
}

/// Records `n` messages of `size` bytes on `channel`/`stream` and stops; returns (recording id, stop
/// position, payloads).
fn record(
    client: &ArchiveClient,
    channel: &str,
    stream: i32,
    n: usize,
    size: usize,
) -> (i64, i64, Vec<Vec<u8>>) {
    let sub_id = client
        .start_recording(channel, stream, true, false)
        .unwrap();
    let p = client
        .aeron
        .add_exclusive_publication(channel, stream, T)
        .unwrap();
    let counter = client.recording_counter_id(p.constants().unwrap().session_id);
    let payloads: Vec<Vec<u8>> = (0..n).map(|i| vec![(i % 251) as u8; size]).collect();
    for m in &payloads {
        offer(&p, m);
    }
    let end = p.position();
    client.wait_recorded(counter, end);
    let key = client
        .aeron
        .counters_reader()
        .metadata_key(counter)
        .unwrap();
    let id = i64::from_le_bytes(key[0..8].try_into().unwrap());
    client.stop_recording_subscription(sub_id).unwrap();
    client.wait_for_signal(id, signal::STOP);
    (id, end, payloads)
}

fn on_dir(dir: &Path) -> impl FnOnce(&mut ArchiveConfig) + '_ {
    move |c| {
        c.archive_dir = dir.to_path_buf();
        c.delete_archive_dir_on_start = false;
    }
}

fn assert_storage_space_error(e: &CError) {
    assert_eq!(e.code, -211, "STORAGE_SPACE maps to -(200 + 11): {e}");
    let expected = format!("errorCode=11, error: low storage threshold={HUGE} <= usableSpace=");
    let at = e.message.find(&expected).unwrap_or_else(|| panic!("{e}"));
    let usable = &e.message[at + expected.len()..];
    let digits: String = usable.chars().take_while(char::is_ascii_digit).collect();
    assert!(
        digits.parse::<u64>().is_ok_and(|n| n > 0),
        "usable space in {e}"
    );
}

#[test]
fn low_storage_space_refuses_start_and_extend_recording() {
    let dirs = tempfile::tempdir().unwrap();
    let archive_dir = dirs.path().join("archive");
    let channel = "aeron:ipc?term-length=64k";

    // With the default threshold (128 MiB) the disk has room: a recording is made.
    let (id, stop) = {
        let archive = TestArchive::start_with(on_dir(&archive_dir)).unwrap();
        let client = ArchiveClient::connect(&archive).unwrap();
        let (id, stop, _) = record(&client, channel, 30, 10, 100);
        (id, stop)
    };

    // The same archive dir with a threshold no disk reaches: start and extend recording are refused.
    let archive = TestArchive::start_with(|c| {
        on_dir(&archive_dir)(c);
        c.low_storage_space_threshold = Some(HUGE);
    })
    .unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    assert_storage_space_error(
        &client
            .start_recording("aeron:ipc?alias=low", 31, true, false)
            .unwrap_err(),
    );
    assert_storage_space_error(
        &client
            .extend_recording(id, "aeron:ipc?alias=low", 30, true)
            .unwrap_err(),
    );

    // Nothing was subscribed or changed, and the session still serves requests.
    assert!(client
        .list_recording_subscriptions(0, 10, "", 0, false)
        .unwrap()
        .is_empty());
    assert_eq!(client.stop_position(id).unwrap(), stop);
    assert_eq!(client.list_recordings(0, 10).unwrap().len(), 1);
    // Checks that come first in Java still win: an unknown recording is reported as such.
    let e = client
        .extend_recording(99, "aeron:ipc?alias=low", 30, true)
        .unwrap_err();
    assert_eq!(e.code, -205, "{e}");
}

#[test]
fn recording_at_file_sync_level_2_records_and_replays_across_segments() {
    let archive = TestArchive::start_with(|c| {
        c.file_sync_level = SyncLevel::DataAndMetadata;
        c.catalog_file_sync_level = SyncLevel::DataAndMetadata;
    })
    .unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    // 300 messages of 992 bytes (1024 with headers, 64 to a term, no padding) reach into a third 128 KiB segment.
    let (id, stop, payloads) = record(&client, "aeron:ipc?term-length=64k", 32, 300, 992);
    assert_eq!(stop, 300 * 1024);
    for base in [0, 128 * 1024, 256 * 1024] {
        let segment = archive.archive_dir().join(format!("{id}-{base}.rec"));
        assert_eq!(
            std::fs::metadata(&segment).unwrap().len(),
            128 * 1024,
            "{}",
            segment.display()
        );
    }
    let replay = client.replay(id, "aeron:ipc", 33, -1, -1).unwrap();
    assert_eq!(receive(&replay, payloads.len()), payloads);
}
