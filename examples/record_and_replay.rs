//! Record and replay, all in one process: an embedded C media driver and an embedded Rust archive server on
//! a temporary directory, an archive client recording 11 messages published on `aeron:ipc` stream 10,
//! listing the recording, and replaying it on stream 45. Exits non-zero unless exactly the 11 messages come
//! back, in order.

use std::error::Error;
use std::time::{Duration, Instant};

use rusteron_archive::*;
use rusteron_archive_server::{ArchiveConfig, ArchiveServer};
use rusteron_media_driver::{MediaDriverBuilder, ThreadingMode};

const CHANNEL: &str = "aeron:ipc";
const STREAM_ID: i32 = 10;
const REPLAY_STREAM_ID: i32 = 45;
const MESSAGES: usize = 11;
const DEADLINE: Duration = Duration::from_secs(10);

fn free_udp_port() -> std::io::Result<u16> {
    Ok(std::net::UdpSocket::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Repeats `step` until it returns `Some`, or fails after the deadline.
fn retry<T>(
    what: &str,
    mut step: impl FnMut() -> Result<Option<T>, AeronCError>,
) -> Result<T, Box<dyn Error>> {
    let start = Instant::now();
    loop {
        if let Some(v) = step()? {
            return Ok(v);
        }
        if start.elapsed() > DEADLINE {
            return Err(format!("gave up waiting for {what}").into());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let tmp = tempfile::Builder::new()
        .prefix("rusteron-demo-")
        .tempdir()?;
    let aeron_dir = tmp.path().join("aeron").to_string_lossy().into_owned();

    // 1. The media driver: one shared thread that sleeps when idle.
    let _driver = MediaDriverBuilder::new()
        .dir(aeron_dir.as_str())
        .threading_mode(ThreadingMode::Shared)
        .shared_idle_strategy("sleeping")
        .dir_delete_on_start(true)
        .dir_delete_on_shutdown(true)
        .launch()?;
    println!("[1] media driver running in {aeron_dir}");

    // 2. The archive server, controlled over UDP on a free port of 127.0.0.1.
    let control = format!("aeron:udp?endpoint=127.0.0.1:{}", free_udp_port()?);
    let config = ArchiveConfig {
        aeron_dir: Some(aeron_dir.clone().into()),
        archive_dir: tmp.path().join("archive"),
        delete_archive_dir_on_start: true,
        control_channel: Some(control.clone()),
        control_response_channel: Some("aeron:udp?endpoint=127.0.0.1:0".to_owned()),
        ..ArchiveConfig::default()
    };
    let control_stream_id = config.control_stream_id;
    let _archive_server = ArchiveServer::launch(config)?;
    println!("[2] archive server listening on {control} stream {control_stream_id}");

    // 3. The client and the archive connection.
    let aeron_ctx = AeronContext::new()?;
    aeron_ctx.set_dir(&aeron_dir)?;
    aeron_ctx.set_client_name("record-and-replay")?;
    let aeron = Aeron::connect(&aeron_ctx)?;
    let archive_ctx = AeronArchiveContext::new_with_no_credentials_supplier(
        &aeron,
        &control,
        "aeron:udp?endpoint=127.0.0.1:0",
        "aeron:udp?endpoint=127.0.0.1:0",
    )?;
    archive_ctx.set_control_request_stream_id(control_stream_id)?;
    let signals = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = signals.clone();
    archive_ctx.set_recording_signal_consumer(Some(
        AeronArchiveRecordingSignalConsumerFuncClosure::from(
            move |s: &AeronArchiveRecordingSignal| {
                println!(
                    "    signal {:?} recording {} position {}",
                    s.signal(),
                    s.recording_id,
                    s.position
                );
                sink.lock().unwrap().push(*s);
            },
        ),
    ))?;
    let archive = AeronArchiveAsyncConnect::new(&archive_ctx)?.poll_blocking(DEADLINE)?;
    println!("[3] connected to archive {}", archive.get_archive_id());

    // 4. Record the stream and publish the messages.
    let subscription_id = archive.start_recording(
        CHANNEL,
        STREAM_ID,
        AeronArchiveSourceLocation::AERON_ARCHIVE_SOURCE_LOCATION_LOCAL,
        true,
    )?;
    let publication = aeron
        .async_add_exclusive_publication(CHANNEL, STREAM_ID)?
        .poll_blocking(DEADLINE)?;
    let recording_id = retry("the recording to start", || {
        archive.poll_for_recording_signals()?;
        Ok(signals
            .lock()
            .unwrap()
            .iter()
            .find(|s| s.subscription_id == subscription_id)
            .map(|s| s.recording_id))
    })?;
    println!("[4] recording {recording_id} started (subscription {subscription_id})");
    let mut position = 0;
    for i in 0..MESSAGES {
        let text = format!("message {i}");
        position = retry("an offer to succeed", || {
            let r = publication.offer(
                text.as_bytes(),
                Handlers::no_reserved_value_supplier_handler(),
            );
            Ok((r > 0).then_some(r))
        })?;
        println!("    sent {text:?}");
    }
    retry("the archive to record everything", || {
        Ok((archive.get_recording_position(recording_id)? >= position).then_some(()))
    })?;
    archive.stop_recording_subscription(subscription_id)?;
    drop(publication);
    println!("[5] recording stopped at position {position}");

    // 5. List the recording.
    let mut found = None;
    archive.list_recordings_for_uri(0, i32::MAX, CHANNEL, STREAM_ID, |d| {
        println!(
            "    recording {} {}: positions {}..{}",
            d.recording_id, d.original_channel, d.start_position, d.stop_position
        );
        found = Some(d.clone());
    })?;
    let descriptor = found.ok_or("the recording is not listed")?;
    println!("[6] listed recording {}", descriptor.recording_id);

    // 6. Replay it on another stream and check every message.
    let params = AeronArchiveReplayParams::range(
        descriptor.start_position,
        descriptor.stop_position - descriptor.start_position,
    );
    let replay = archive.replay(descriptor.recording_id, CHANNEL, REPLAY_STREAM_ID, &params)?;
    println!("[7] replaying on {CHANNEL} stream {REPLAY_STREAM_ID}");
    let mut received: Vec<String> = Vec::new();
    retry("the replayed messages", || {
        replay.poll_once(
            |msg: &[u8], _h: AeronHeader<'_>| {
                received.push(String::from_utf8_lossy(msg).into_owned())
            },
            10,
        )?;
        Ok((received.len() >= MESSAGES).then_some(()))
    })?;
    // Anything beyond the 11 would be a bug too.
    std::thread::sleep(Duration::from_millis(100));
    replay.poll_once(
        |msg: &[u8], _h: AeronHeader<'_>| received.push(String::from_utf8_lossy(msg).into_owned()),
        10,
    )?;
    for m in &received {
        println!("    replayed {m:?}");
    }
    let expected: Vec<String> = (0..MESSAGES).map(|i| format!("message {i}")).collect();
    if received != expected {
        return Err(format!("expected {expected:?}, replayed {received:?}").into());
    }
    println!("[8] OK: all {MESSAGES} messages replayed in order");
    Ok(())
}
