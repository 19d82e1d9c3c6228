//! Record and replay checksums (`aeron.archive.record.checksum`, `aeron.archive.replay.checksum`) through the
//! official C client: the CRC-32C of each recorded frame's payload sits in its header's session id field in the
//! segment file (and each catalog descriptor carries the checksum of its body), a verified replay returns the
//! published bytes, and a corrupted payload byte ends a verified replay with Java's error while an unverified
//! replay delivers the corrupted bytes.

mod support;

use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

use rusteron_archive_server::test_util::TestArchive;
use rusteron_client::{AeronExclusivePublication, Handlers};
use support::*;

const T: Duration = Duration::from_secs(5);
const CHANNEL: &str = "aeron:ipc?term-length=64k";
const HEADER: usize = 32;

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF), bit by bit:
/// written here independently of the archive's implementation.
fn crc32c(bytes: &[u8]) -> i32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc as i32
}

fn align(n: usize) -> usize {
    (n + 31) & !31
}

fn i32_at(bytes: &[u8], at: usize) -> i32 {
    i32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

/// The bytes a frame carrying `msg` checksums: the payload and the zeros up to the frame alignment.
fn aligned_payload(msg: &[u8]) -> Vec<u8> {
    let mut bytes = msg.to_vec();
    bytes.resize(align(HEADER + msg.len()) - HEADER, 0);
    bytes
}

fn messages(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            (0..50 + (i * 7) % 250)
                .map(|j| (i * 31 + j) as u8)
                .collect()
        })
        .collect()
}

/// Records `msgs` on a new IPC stream and stops: `(recording id, stop position, publication session id)`.
fn record(client: &ArchiveClient, stream_id: i32, msgs: &[Vec<u8>]) -> (i64, i64, i32) {
    let sub_id = client
        .start_recording(CHANNEL, stream_id, true, false)
        .unwrap();
    let publication: AeronExclusivePublication = client
        .aeron
        .add_exclusive_publication(CHANNEL, stream_id, T)
        .unwrap();
    let session_id = publication.constants().unwrap().session_id;
    let counter_id = client.recording_counter_id(session_id);
    for m in msgs {
        wait_until(
            || publication.offer(m, Handlers::no_reserved_value_supplier_handler()) > 0,
            "offer",
        );
    }
    let end = publication.position();
    client.wait_recorded(counter_id, end);
    client.stop_recording_subscription(sub_id).unwrap();
    let d = client
        .list_recordings_for_uri(0, 10, "aeron:ipc", stream_id)
        .unwrap()
        .pop()
        .expect("recording");
    client.wait_for_signal(d.recording_id, signal::STOP);
    assert_eq!(client.stop_position(d.recording_id).unwrap(), end);
    assert_eq!(d.start_position, 0);
    (d.recording_id, end, session_id)
}

/// `(file offset, frame type)` of every frame of a segment file up to `stop`.
fn frames(segment: &[u8], stop: usize) -> Vec<(usize, u16)> {
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < stop {
        let length = i32_at(segment, offset);
        assert!(
            length > 0,
            "frame at {offset} before the stop position {stop}"
        );
        out.push((
            offset,
            u16::from_le_bytes(segment[offset + 6..offset + 8].try_into().unwrap()),
        ));
        offset += align(length as usize);
    }
    out
}

fn start_archive(properties: &[(&str, &str)]) -> TestArchive {
    TestArchive::start_with(|c| {
        for (name, value) in properties {
            c.set_property(name, value).unwrap();
        }
    })
    .unwrap()
}

#[test]
fn the_reference_crc32c_gives_the_standard_check_value() {
    assert_eq!(crc32c(b"123456789"), 0xE306_9283_u32 as i32);
    assert_eq!(crc32c(&[0u8; 32]), 0x8A91_36AA_u32 as i32, "RFC 3720 B.4");
}

#[test]
fn crc32c_recording_stamps_each_data_frame_and_a_verified_replay_returns_the_published_bytes() {
    let archive = start_archive(&[
        (
            "aeron.archive.record.checksum",
            "io.aeron.archive.checksum.Crc32c",
        ),
        ("aeron.archive.replay.checksum", "CRC-32C"),
    ]);
    let client = ArchiveClient::connect(&archive).unwrap();
    // About 84 KiB: the first term (64 KiB) ends with a padding frame.
    let msgs = messages(400);
    let (recording_id, stop, session_id) = record(&client, 1101, &msgs);

    let segment =
        std::fs::read(archive.archive_dir().join(format!("{recording_id}-0.rec"))).unwrap();
    let mut data = msgs.iter();
    let mut paddings = 0;
    for (offset, frame_type) in frames(&segment, stop as usize) {
        match frame_type {
            1 => {
                let msg = data.next().expect("more data frames than messages");
                let length = i32_at(&segment, offset) as usize;
                assert_eq!(
                    &segment[offset + HEADER..offset + length],
                    &msg[..],
                    "payload at {offset}"
                );
                assert_eq!(
                    i32_at(&segment, offset + 12),
                    crc32c(&aligned_payload(msg)),
                    "CRC-32C of the payload in the session id field of the frame at {offset}"
                );
                assert_eq!(i32_at(&segment, offset + 16), 1101, "stream id kept");
            }
            0 => {
                paddings += 1;
                assert_eq!(
                    i32_at(&segment, offset + 12),
                    session_id,
                    "padding frames keep their session id"
                );
            }
            t => panic!("frame type {t} at {offset}"),
        }
    }
    assert!(data.next().is_none(), "every message recorded");
    assert_eq!(
        paddings, 1,
        "the padding frame at the end of the first term"
    );

    // The catalog descriptor header carries the CRC-32C of the descriptor body (Java's Catalog).
    let catalog = std::fs::read(archive.archive_dir().join("archive.catalog")).unwrap();
    let mut entry = 32;
    while i64::from_le_bytes(catalog[entry + 48..entry + 56].try_into().unwrap()) != recording_id {
        entry += 32 + i32_at(&catalog, entry) as usize;
    }
    let body_length = i32_at(&catalog, entry) as usize;
    assert_eq!(
        i32_at(&catalog, entry + 8),
        crc32c(&catalog[entry + 32..entry + 32 + body_length])
    );

    let replay = client
        .replay(recording_id, "aeron:ipc", 2101, 0, -1)
        .unwrap();
    assert_eq!(receive(&replay, msgs.len()), msgs);
    assert_eq!(client.poll_for_error(), None);
}

#[test]
fn a_corrupted_payload_byte_fails_a_verified_replay_as_java_does_and_not_an_unverified_one() {
    let verified = start_archive(&[
        ("aeron.archive.record.checksum", "CRC-32C"),
        (
            "aeron.archive.replay.checksum",
            "org.agrona.checksum.Crc32c",
        ),
    ]);
    let unverified = start_archive(&[(
        "aeron.archive.record.checksum",
        "io.aeron.archive.checksum.Crc32c",
    )]);
    let msgs = messages(20);
    const BAD: usize = 10;

    for (archive, verifies) in [(&verified, true), (&unverified, false)] {
        let client = ArchiveClient::connect(archive).unwrap();
        let (recording_id, stop, _) = record(&client, 1201, &msgs);
        let path = archive.archive_dir().join(format!("{recording_id}-0.rec"));
        let segment = std::fs::read(&path).unwrap();
        let (bad_offset, _) = frames(&segment, stop as usize)[BAD];
        // Flip one payload byte of message BAD in the segment file.
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.write_all_at(
            &[segment[bad_offset + HEADER + 1] ^ 0x40],
            (bad_offset + HEADER + 1) as u64,
        )
        .unwrap();
        let mut corrupted = msgs[BAD].clone();
        corrupted[1] ^= 0x40;

        if !verifies {
            // No verification: the corrupted bytes are replayed as they are in the file.
            let replay = client
                .replay(recording_id, "aeron:ipc", 2201, 0, -1)
                .unwrap();
            let got = receive(&replay, msgs.len());
            assert_eq!(got[BAD], corrupted);
            assert_eq!(got[..BAD], msgs[..BAD]);
            assert_eq!(got[BAD + 1..], msgs[BAD + 1..]);
            continue;
        }

        // A replay that ends before the corrupted frame is delivered whole.
        let before = client
            .replay(recording_id, "aeron:ipc", 2202, 0, bad_offset as i64)
            .unwrap();
        assert_eq!(receive(&before, BAD), msgs[..BAD]);

        // The whole recording: the first read holds every frame; the corrupted one fails the check, so
        // nothing of that read is sent, the replay publication is revoked and the error response names it.
        let sub = client.aeron.add_subscription("aeron:ipc", 2203, T).unwrap();
        let replay_session_id = client
            .start_replay(recording_id, "aeron:ipc", 2203, 0, -1, -1)
            .unwrap();
        let expected = format!(
            "CRC checksum mismatch at position={bad_offset} (segmentFilePosition=0, segmentOffset=0, termOffset=0, \
             frameOffset={bad_offset}): recorded checksum={}, computed checksum={}, recordingId={recording_id}, \
             replaySessionId={replay_session_id}, segmentFile={recording_id}-0.rec",
            crc32c(&aligned_payload(&msgs[BAD])),
            crc32c(&aligned_payload(&corrupted)),
        );
        let mut received = 0;
        let deadline = Instant::now() + WAIT;
        let error = loop {
            received += sub.poll_once(|_: &[u8], _| {}, 64).unwrap();
            if let Some(e) = client.poll_for_error() {
                break e;
            }
            assert!(
                Instant::now() < deadline,
                "no error response for the corrupted replay"
            );
            std::thread::sleep(Duration::from_millis(1));
        };
        assert_eq!(error, expected);
        let quiet = Instant::now() + Duration::from_millis(300);
        while Instant::now() < quiet {
            received += sub.poll_once(|_: &[u8], _| {}, 64).unwrap();
        }
        assert_eq!(received, 0, "nothing of the failed read is replayed");
        wait_until(|| sub.images().is_empty(), "the revoked replay image to go");
    }
}

#[test]
fn a_replay_checksum_without_a_record_checksum_fails_at_the_first_frame_as_in_java() {
    // Java's conclude accepts a replay checksum alone; the session id field then holds the session id.
    let archive = start_archive(&[("aeron.archive.replay.checksum", "CRC-32C")]);
    let client = ArchiveClient::connect(&archive).unwrap();
    let msgs = messages(3);
    let (recording_id, _, session_id) = record(&client, 1301, &msgs);
    let sub = client.aeron.add_subscription("aeron:ipc", 2301, T).unwrap();
    let replay_session_id = client
        .start_replay(recording_id, "aeron:ipc", 2301, 0, -1, -1)
        .unwrap();
    let deadline = Instant::now() + WAIT;
    let error = loop {
        assert_eq!(
            sub.poll_once(|_: &[u8], _| {}, 64).unwrap(),
            0,
            "nothing replayed"
        );
        if let Some(e) = client.poll_for_error() {
            break e;
        }
        assert!(Instant::now() < deadline, "no error response");
        std::thread::sleep(Duration::from_millis(1));
    };
    assert_eq!(
        error,
        format!(
            "CRC checksum mismatch at position=0 (segmentFilePosition=0, segmentOffset=0, termOffset=0, \
             frameOffset=0): recorded checksum={session_id}, computed checksum={}, recordingId={recording_id}, \
             replaySessionId={replay_session_id}, segmentFile={recording_id}-0.rec",
            crc32c(&aligned_payload(&msgs[0]))
        )
    );
}
