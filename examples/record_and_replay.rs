//! Record and replay: an archive client records 11 messages published on `aeron:ipc` stream 10, lists the
//! recording, and replays it on stream 45. Exits non-zero unless exactly the 11 messages come back, in order.
//!
//! By default it uses the media driver of Aeron's default directory (`--dir` / `AERON_DIR` name another)
//! and the archive at Aeron's default control channel, as Aeron's samples do. With `--embedded-driver`
//! everything runs in this process: an embedded C media driver and the embedded Rust archive server on a
//! temporary directory (`cargo xtask demo` runs it that way).
//!
//! `cargo run -p rusteron-examples --example record_and_replay -- --help`

use std::error::Error;
use std::time::{Duration, Instant};

use clap::Parser;
use rusteron_archive::*;
use rusteron_archive_server::{ArchiveConfig, ArchiveServer};
use rusteron_media_driver::{MediaDriverBuilder, ThreadingMode};

const DEADLINE: Duration = Duration::from_secs(10);

/// Records a stream in an Aeron Archive, lists the recording and replays it.
#[derive(Parser, Debug)]
#[command(version)]
struct Options {
    /// Channel to publish and record
    #[arg(short = 'c', long, default_value = "aeron:ipc")]
    channel: String,
    /// Stream id to publish and record
    #[arg(short = 's', long, default_value_t = 10)]
    stream_id: i32,
    /// Stream id to replay on (same channel)
    #[arg(long, default_value_t = 45)]
    replay_stream_id: i32,
    /// Number of messages to record
    #[arg(short = 'm', long, default_value_t = 11)]
    messages: usize,
    /// Aeron directory of the media driver to use [default: Aeron's default, /dev/shm/aeron-<user> on Linux]
    #[arg(short = 'p', long = "dir", env = "AERON_DIR", value_name = "DIR")]
    dir: Option<String>,
    /// Control request channel of the archive (aeron.archive.control.channel)
    #[arg(long, default_value = "aeron:udp?endpoint=localhost:8010")]
    control_channel: String,
    /// Control request stream id of the archive (aeron.archive.control.stream.id)
    #[arg(long, default_value_t = 10)]
    control_stream_id: i32,
    /// Control response channel: where the archive answers us
    #[arg(long, default_value = "aeron:udp?endpoint=localhost:0")]
    control_response_channel: String,
    /// Run a media driver and the Rust archive server inside this process, on a temporary directory
    /// (ignores --dir and the control channel options)
    #[arg(long)]
    embedded_driver: bool,
}

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

/// The embedded media driver and archive server, kept alive while the demo runs.
struct Embedded {
    _driver: rusteron_media_driver::MediaDriver,
    _archive: ArchiveServer,
    _tmp: tempfile::TempDir,
}

/// Starts a media driver and the archive server on a temporary directory; points `o` at them.
fn start_embedded(o: &mut Options) -> Result<Embedded, Box<dyn Error>> {
    let tmp = tempfile::Builder::new()
        .prefix("rusteron-demo-")
        .tempdir()?;
    let aeron_dir = tmp.path().join("aeron").to_string_lossy().into_owned();

    // The media driver: one shared thread that sleeps when idle.
    let driver = MediaDriverBuilder::new()
        .dir(aeron_dir.as_str())
        .threading_mode(ThreadingMode::Shared)
        .shared_idle_strategy("sleeping")
        .dir_delete_on_start(true)
        .dir_delete_on_shutdown(true)
        .launch()?;
    println!("[1] media driver running in {aeron_dir}");

    // The archive server, controlled over UDP on a free port of 127.0.0.1.
    let control = format!("aeron:udp?endpoint=127.0.0.1:{}", free_udp_port()?);
    let config = ArchiveConfig {
        aeron_dir: Some(aeron_dir.clone().into()),
        archive_dir: tmp.path().join("archive"),
        delete_archive_dir_on_start: true,
        control_channel: Some(control.clone()),
        control_response_channel: Some("aeron:udp?endpoint=127.0.0.1:0".to_owned()),
        ..ArchiveConfig::default()
    };
    o.control_stream_id = config.control_stream_id;
    let archive = ArchiveServer::launch(config)?;
    println!(
        "[2] archive server listening on {control} stream {}",
        o.control_stream_id
    );
    o.dir = Some(aeron_dir);
    o.control_channel = control;
    o.control_response_channel = "aeron:udp?endpoint=127.0.0.1:0".to_owned();
    Ok(Embedded {
        _driver: driver,
        _archive: archive,
        _tmp: tmp,
    })
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut o = Options::parse();
    let _embedded = if o.embedded_driver {
        Some(start_embedded(&mut o)?)
    } else {
        None
    };
    let (channel, stream_id, replay_stream_id, messages) = (
        o.channel.as_str(),
        o.stream_id,
        o.replay_stream_id,
        o.messages,
    );

    // 3. The client and the archive connection.
    let aeron_ctx = AeronContext::new()?;
    if let Some(dir) = &o.dir {
        aeron_ctx.set_dir(dir)?;
    }
    aeron_ctx.set_client_name("record-and-replay")?;
    let aeron = Aeron::connect(&aeron_ctx).map_err(|e| {
        format!(
            "no media driver in {} ({e}); start one or pass --embedded-driver",
            aeron_ctx.get_dir()
        )
    })?;
    let archive_ctx = AeronArchiveContext::new_with_no_credentials_supplier(
        &aeron,
        &o.control_channel,
        &o.control_response_channel,
        "aeron:udp?endpoint=localhost:0",
    )?;
    archive_ctx.set_control_request_stream_id(o.control_stream_id)?;
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
    let archive = AeronArchiveAsyncConnect::new(&archive_ctx)?
        .poll_blocking(DEADLINE)
        .map_err(|e| {
            format!(
                "connecting to the archive on {} stream {} failed ({e}); is one running there? Or pass --embedded-driver",
                o.control_channel, o.control_stream_id
            )
        })?;
    println!("[3] connected to archive {}", archive.get_archive_id());

    // 4. Record the stream and publish the messages.
    let subscription_id = archive.start_recording(
        channel,
        stream_id,
        AeronArchiveSourceLocation::AERON_ARCHIVE_SOURCE_LOCATION_LOCAL,
        true,
    )?;
    let publication = aeron
        .async_add_exclusive_publication(channel, stream_id)?
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
    for i in 0..messages {
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
    archive.list_recordings_for_uri(0, i32::MAX, channel, stream_id, |d| {
        println!(
            "    recording {} {}: positions {}..{}",
            d.recording_id, d.original_channel, d.start_position, d.stop_position
        );
        if d.recording_id == recording_id {
            found = Some(d.clone()); // an external archive may hold earlier recordings of the stream too
        }
    })?;
    let descriptor = found.ok_or("the recording is not listed")?;
    println!("[6] listed recording {}", descriptor.recording_id);

    // 6. Replay it on another stream and check every message.
    let params = AeronArchiveReplayParams::range(
        descriptor.start_position,
        descriptor.stop_position - descriptor.start_position,
    );
    let replay = archive.replay(descriptor.recording_id, channel, replay_stream_id, &params)?;
    println!("[7] replaying on {channel} stream {replay_stream_id}");
    let mut received: Vec<String> = Vec::new();
    retry("the replayed messages", || {
        replay.poll_once(
            |msg: &[u8], _h: AeronHeader<'_>| {
                received.push(String::from_utf8_lossy(msg).into_owned())
            },
            10,
        )?;
        Ok((received.len() >= messages).then_some(()))
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
    let expected: Vec<String> = (0..messages).map(|i| format!("message {i}")).collect();
    if received != expected {
        return Err(format!("expected {expected:?}, replayed {received:?}").into());
    }
    println!("[8] OK: all {messages} messages replayed in order");
    Ok(())
}
