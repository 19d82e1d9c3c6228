//! Crash recovery end to end: the server binary records a stream published by this test through the
//! official C archive client, is killed with SIGKILL mid-recording, and is restarted on the same
//! directories. The catalog must then hold a recovered stop position (not NULL), at least the position
//! the archive had reported before the kill, and a replay of everything below it must return exactly the
//! bytes that were published.

mod ops_support;

use std::time::{Duration, Instant};

use ops_support::*;
use rusteron_client::Handlers;

const STREAM: i32 = 1001;
const REPLAY_STREAM: i32 = 2002;
const CHANNEL: &str = "aeron:ipc?term-length=64k";
/// Payload length; with the 32-byte header every frame is exactly 256 bytes (no padding in 64 KiB terms).
const PAYLOAD: usize = 224;
const FRAME: i64 = 256;

fn payload(i: u64) -> Vec<u8> {
    let mut p = vec![0u8; PAYLOAD];
    p[..8].copy_from_slice(&i.to_le_bytes());
    for (j, b) in p[8..].iter_mut().enumerate() {
        *b = (i as usize * 31 + j) as u8;
    }
    p
}

#[test]
fn kill_9_mid_recording_then_restart_recovers_the_stop_position_and_the_bytes() {
    let base = tempfile::tempdir().unwrap();
    let setup = Setup::new(base.path());
    let server = ServerProcess::start(&setup.drop_in_args(&["-Daeron.archive.file.sync.level=0"]));

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
    let recording_id = client.list_recordings().unwrap()[0].0;

    // Publish until the archive has recorded more than 4 segments (128 KiB each), then kill it while the
    // publication is still open, i.e. the recording is active.
    let mut sent = 0u64;
    let mut recorded = 0;
    let deadline = Instant::now() + WAIT;
    while recorded < 4 * 128 * 1024 + 3000 {
        assert!(Instant::now() < deadline, "recording stalled at {recorded}");
        for _ in 0..64 {
            if publication.offer(
                &payload(sent),
                Handlers::no_reserved_value_supplier_handler(),
            ) > 0
            {
                sent += 1;
            }
        }
        recorded = client.recording_position(recording_id).unwrap();
    }
    assert_eq!(
        client.list_recordings().unwrap()[0].2,
        -1,
        "still active before the kill"
    );
    server.kill9();
    // The old clients talk to a dead driver now: leak them rather than wait for their timeouts.
    std::mem::forget(publication);
    std::mem::forget(client);

    // Restart on the same dirs: the stale mark file (dead pid) is taken over and the catalog recovered.
    let server = ServerProcess::start(&setup.drop_in_args(&[]));
    let client = CArchive::connect(&setup).expect("connect after restart");
    let recordings = client.list_recordings().unwrap();
    assert_eq!(recordings.len(), 1);
    let (id, start, stop) = recordings[0];
    assert_eq!((id, start), (recording_id, 0));
    assert_ne!(stop, -1, "stop position recovered");
    assert!(
        stop >= recorded,
        "recovered stop {stop} below the position reported before the kill {recorded}"
    );
    assert!(
        stop <= sent as i64 * FRAME,
        "recovered stop {stop} beyond what was published"
    );
    assert_eq!(stop % FRAME, 0, "stop at a frame boundary");

    // Every byte below the stop position replays identically.
    let expected = (stop / FRAME) as u64;
    let replay = client
        .replay(id, "aeron:ipc", REPLAY_STREAM, 0, stop)
        .unwrap();
    let mut next = 0u64;
    let deadline = Instant::now() + WAIT;
    while next < expected {
        assert!(
            Instant::now() < deadline,
            "replayed {next} of {expected} messages"
        );
        replay
            .poll_once(
                |msg: &[u8], _h| {
                    assert_eq!(msg, &payload(next)[..], "message {next} differs");
                    next += 1;
                },
                256,
            )
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(200));
    replay
        .poll_once(
            |_: &[u8], _h| panic!("replayed past the stop position"),
            256,
        )
        .unwrap();
    drop(replay);
    drop(client);
    assert_eq!(server.terminate(), Some(0));
}
