//! The earlier rusteron's record-and-replay example (the README of rusteron-archive 0.x, kept in the
//! project's seed documents), ported with only the changes that buy safety. Every changed line is marked
//! `CHANGED(n)`; docs/migrating.md gives the reason for each n. Lines marked `TEST SETUP` only point the
//! example at this test's own media driver and archive server. Everything else is the seed's text.

use rusteron_archive::bindings::*;
use rusteron_archive::*;
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering}; // CHANGED(2)
use std::sync::Arc;
use std::thread::sleep;
use std::time::Duration;
use std::time::Instant; // CHANGED(2)

#[test]
#[allow(unused_variables)]
fn the_seed_example_runs() -> Result<(), AeronCError> {
    let request_port = find_unused_udp_port(8000).expect("Could not find port");
    let response_port = find_unused_udp_port(request_port + 1).expect("Could not find port");
    let request_control_channel = &format!("aeron:udp?endpoint=localhost:{}", request_port);
    let response_control_channel = &format!("aeron:udp?endpoint=localhost:{}", response_port);
    let recording_events_channel = &format!("aeron:udp?endpoint=localhost:{}", response_port + 1);
    assert_ne!(request_control_channel, response_control_channel);
    // TEST SETUP: a media driver and an archive server listening on the seed's request channel.
    let server = rusteron_archive_server::test_util::TestArchive::start_with(|c| {
        c.control_channel = Some(request_control_channel.clone());
    })
    .expect("archive server starts");

    let error_handler = || {
        AeronErrorHandlerClosure::from(|error_code, msg| {
            // CHANGED(1)
            panic!("error {} {}", error_code, msg)
        })
    };

    let aeron_context = AeronContext::new()?;
    aeron_context.set_dir(server.aeron_dir())?; // TEST SETUP
    aeron_context.set_client_name("test")?;
    aeron_context.set_publication_error_frame_handler(Some(
        // CHANGED(1)
        AeronPublicationErrorFrameHandlerLogger,
    ))?;
    aeron_context.set_error_handler(Some(error_handler()))?; // CHANGED(1)
    let aeron = Aeron::new(&aeron_context)?;
    aeron.start()?;
    println!("connected to aeron");

    let archive_context = AeronArchiveContext::new_with_no_credentials_supplier(
        &aeron,
        request_control_channel,
        response_control_channel,
        recording_events_channel,
    )?;
    let found_recording_signal = Arc::new(AtomicBool::new(false)); // CHANGED(2)
    let found = found_recording_signal.clone(); // CHANGED(2)
    archive_context.set_recording_signal_consumer(Some(
        // CHANGED(1)
        AeronArchiveRecordingSignalConsumerFuncClosure::from(
            move |signal: &AeronArchiveRecordingSignal| {
                // CHANGED(2, 3)
                println!("signal {:?}", signal);
                found.store(true, Ordering::Release); // CHANGED(2)
            },
        ),
    ))?; // CHANGED(1)
    archive_context.set_idle_strategy(Some(
        // CHANGED(1)
        AeronIdleStrategyFuncClosure::from(|work_count| {}),
    ))?; // CHANGED(1)
    archive_context.set_error_handler(Some(error_handler()))?; // CHANGED(1)

    let connect = AeronArchiveAsyncConnect::new(&archive_context.clone())?;
    let archive = connect.poll_blocking(Duration::from_secs(5))?;

    let channel = "aeron:ipc";
    let stream_id = 10;

    let subscription_id = archive.start_recording(
        channel,
        stream_id,
        aeron_archive_source_location_t::AERON_ARCHIVE_SOURCE_LOCATION_LOCAL,
        true,
    )?;

    println!("subscription id {}", subscription_id);

    let publication = aeron
        .async_add_exclusive_publication(channel, stream_id)?
        .poll_blocking(Duration::from_secs(5))?;

    let start = Instant::now();
    while !found_recording_signal.load(Ordering::Acquire) && start.elapsed().as_secs() < 5 {
        // CHANGED(2)
        sleep(Duration::from_millis(50));
        archive.poll_for_recording_signals()?;
        if let Some(err) = archive.poll_for_error()? {
            // CHANGED(4)
            panic!("{}", err);
        }
    }
    assert!(start.elapsed().as_secs() < 5);

    for i in 0..11 {
        while publication.offer(
            "123456".as_bytes(),
            Handlers::no_reserved_value_supplier_handler(),
        ) <= 0
        {
            sleep(Duration::from_millis(50));
            archive.poll_for_recording_signals()?;
            if let Some(err) = archive.poll_for_error()? {
                // CHANGED(4)
                panic!("{}", err);
            }
        }
        println!("sent message");
    }
    archive.stop_recording_channel_and_stream(channel, stream_id)?;
    drop(publication);

    println!("list recordings");
    let found_recording_id = Cell::new(-1);
    let start_pos = Cell::new(-1);
    let end_pos = Cell::new(-1);
    let mut handler = // CHANGED(5)
            |d: &AeronArchiveRecordingDescriptor| { // CHANGED(3)
                println!("found recording {:?}", d);
                found_recording_id.set(d.recording_id);
                start_pos.set(d.start_position);
                end_pos.set(d.stop_position);
            };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5)
        && found_recording_id.get() == -1
        && archive.list_recordings_for_uri(0, i32::MAX, channel, stream_id, &mut handler)? // CHANGED(5)
            <= 0
    {
        sleep(Duration::from_millis(50));
        archive.poll_for_recording_signals()?;
        if let Some(err) = archive.poll_for_error()? {
            // CHANGED(4)
            panic!("{}", err);
        }
    }
    assert!(start.elapsed() < Duration::from_secs(5));
    println!("start replay");
    let params = AeronArchiveReplayParams::new(
        0,
        i32::MAX,
        start_pos.get(),
        end_pos.get() - start_pos.get(),
        0,
        0,
    )?;
    let replay_stream_id = 45;
    let replay_session_id =
        archive.start_replay(found_recording_id.get(), channel, replay_stream_id, &params)?;
    let session_id = replay_session_id as i32;

    println!("replay session id {}", replay_session_id);
    println!("session id {}", session_id);
    let channel_replay = format!("{}?session-id={}", channel, session_id);
    println!("archive id: {}", archive.get_archive_id());

    println!("add subscription {}", channel_replay);
    let subscription = aeron
        .async_add_subscription(
            &channel_replay,
            replay_stream_id,
            Some(AeronAvailableImageLogger),   // CHANGED(1)
            Some(AeronUnavailableImageLogger), // CHANGED(1)
        )?
        .poll_blocking(Duration::from_secs(10))?;

    let count = Cell::new(0);
    let mut poll = AeronFragmentHandlerClosure::from(|msg, header| {
        // CHANGED(5)
        assert_eq!(msg, "123456".as_bytes().to_vec());
        count.set(count.get() + 1);
    }); // CHANGED(5)

    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) && subscription.poll(&mut poll, 100)? <= 0
    // CHANGED(5)
    {
        archive.poll_for_recording_signals()?;
        if let Some(err) = archive.poll_for_error()? {
            // CHANGED(4)
            panic!("{}", err);
        }
    }
    assert!(start.elapsed() < Duration::from_secs(5));
    println!("aeron {:?}", aeron);
    println!("ctx {:?}", archive_context);
    assert_eq!(11, count.get());
    Ok::<(), AeronCError>(())
}
