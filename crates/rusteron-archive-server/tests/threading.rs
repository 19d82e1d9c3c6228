//! The three threading modes end to end: in SHARED, DEDICATED and INVOKER mode the archive records and
//! replays, and closing it while a recording is still active leaves no archive thread running and the
//! recording's stop position in the catalog (= what was recorded, nothing lost).
//!
//! One test walks the modes in turn (not in parallel), so that the thread count it checks is its own.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rusteron_archive_server::storage::catalog::Catalog;
use rusteron_archive_server::storage::SyncLevel;
use rusteron_archive_server::test_util::TestArchive;
use rusteron_archive_server::ThreadingMode;
use rusteron_client::Handlers;
use support::*;

const T: Duration = Duration::from_secs(5);

/// Names of this process's threads that belong to an archive.
fn archive_threads() -> Vec<String> {
    let mut names = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        if let Ok(name) = std::fs::read_to_string(task.path().join("comm")) {
            if name.trim().starts_with("archive-") {
                names.push(name.trim().to_owned());
            }
        }
    }
    names.sort();
    names
}

fn run(mode: ThreadingMode) {
    let archive = TestArchive::start_with(|c| c.threading_mode = mode).unwrap();
    assert_eq!(archive.server().threading_mode(), mode);
    let expected_threads = match mode {
        ThreadingMode::Dedicated => {
            vec!["archive-conductor", "archive-recorder", "archive-replayer"]
        }
        ThreadingMode::Shared => vec!["archive-conductor"],
        ThreadingMode::Invoker => vec![],
    };
    // Linux keeps the first 15 bytes of a thread name.
    let expected_threads: Vec<String> = expected_threads
        .iter()
        .map(|n| n[..n.len().min(15)].to_owned())
        .collect();
    // The mark file keeper (activity timestamp) has its own thread in every mode: not an agent.
    let agents: Vec<String> = archive_threads()
        .into_iter()
        .filter(|n| n != "archive-mark")
        .collect();
    assert_eq!(agents, expected_threads, "{mode}");
    let invoking = AtomicBool::new(mode == ThreadingMode::Invoker);
    let (recording_id, live_id, live_end) = std::thread::scope(|scope| {
        if mode == ThreadingMode::Invoker {
            // The application's duty-cycle thread.
            scope.spawn(|| {
                while invoking.load(Ordering::Acquire) {
                    if archive.server().invoke() == 0 {
                        std::thread::sleep(Duration::from_micros(200));
                    }
                }
            });
        }
        let client = ArchiveClient::connect(&archive).unwrap();
        let channel = "aeron:ipc?term-length=64k";
        // One recording stopped by request, replayed byte for byte.
        let sub_id = client.start_recording(channel, 1001, true, false).unwrap();
        let publication = client
            .aeron
            .add_exclusive_publication(channel, 1001, T)
            .unwrap();
        let counter_id = client.recording_counter_id(publication.constants().unwrap().session_id);
        let messages: Vec<Vec<u8>> = (0..200)
            .map(|i| format!("{mode} message {i}").into_bytes())
            .collect();
        for m in &messages {
            wait_until(
                || publication.offer(m, Handlers::no_reserved_value_supplier_handler()) > 0,
                "offer",
            );
        }
        let end = publication.position();
        client.wait_recorded(counter_id, end);
        let recording_id = client.list_recordings(0, 10).unwrap()[0].recording_id;
        client.stop_recording_subscription(sub_id).unwrap();
        // Answered once the recorder stopped it: the stop position is already in the catalog.
        assert_eq!(client.stop_position(recording_id).unwrap(), end, "{mode}");
        let replay = client
            .replay(recording_id, "aeron:ipc", 2001, 0, end)
            .unwrap();
        assert_eq!(receive(&replay, messages.len()), messages, "{mode}");

        // One recording still active when the archive closes.
        client.start_recording(channel, 1002, true, false).unwrap();
        let live = client
            .aeron
            .add_exclusive_publication(channel, 1002, T)
            .unwrap();
        let live_counter = client.recording_counter_id(live.constants().unwrap().session_id);
        for m in &messages {
            wait_until(
                || live.offer(m, Handlers::no_reserved_value_supplier_handler()) > 0,
                "offer",
            );
        }
        let live_end = live.position();
        client.wait_recorded(live_counter, live_end);
        let live_id = client
            .list_recordings(0, 10)
            .unwrap()
            .iter()
            .map(|d| d.recording_id)
            .max()
            .unwrap();
        assert_eq!(
            client.stop_position(live_id).unwrap(),
            -1,
            "{mode}: still active"
        );
        drop(client);
        invoking.store(false, Ordering::Release);
        (recording_id, live_id, live_end)
    });
    // Close (INVOKER: the agents' close runs on this thread), then look at what is left.
    let kept = archive.close_keeping_files();
    assert_eq!(
        archive_threads(),
        Vec::<String>::new(),
        "{mode}: archive threads left running"
    );
    let catalog =
        Catalog::open(&kept.path().join("archive"), 1024 * 1024, SyncLevel::None).unwrap();
    assert!(catalog.get(recording_id).is_some());
    assert_eq!(
        catalog.get(live_id).unwrap().stop_position,
        live_end,
        "{mode}: stop position after close"
    );
}

#[test]
fn every_threading_mode_records_replays_and_closes_cleanly() {
    for mode in [
        ThreadingMode::Shared,
        ThreadingMode::Dedicated,
        ThreadingMode::Invoker,
    ] {
        run(mode);
    }
}
