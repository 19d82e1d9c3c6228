//! Connecting the official C archive client: archive id, control session counter, authentication, version
//! mismatch (a ConnectRequest with a wrong major version sent with our codecs).

mod support;

use std::time::{Duration, Instant};

use rusteron_archive_codecs::{
    AuthConnectRequestEncoder, ControlResponseCode, ControlResponseDecoder,
};
use rusteron_archive_server::test_util::TestArchive;
use rusteron_archive_server::SampleAuthenticator;
use rusteron_client::Handlers;
use support::*;

#[test]
fn connects_and_reports_archive_id() {
    let archive = TestArchive::start_with(|c| c.archive_id = Some(42)).unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    assert_eq!(client.archive_id(), 42);
    assert!(client.control_session_id() >= 0);
    assert_eq!(client.list_recordings(0, 10).unwrap(), vec![]);
    let second = ArchiveClient::connect(&archive).unwrap();
    assert_ne!(second.control_session_id(), client.control_session_id());
}

#[test]
fn archive_id_defaults_to_the_client_id() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    assert_eq!(client.archive_id(), archive.server().archive_id());
}

#[test]
fn connects_over_the_local_ipc_control_channel() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect_with(
        &archive,
        ConnectOptions {
            request_channel: Some("aeron:ipc?term-length=64k".into()),
            response_channel: Some("aeron:ipc?term-length=64k".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(client.archive_id(), archive.server().archive_id());
}

#[test]
fn control_session_counter_carries_client_info() {
    let archive = TestArchive::start_with(|c| c.archive_id = Some(7)).unwrap();
    let client = ArchiveClient::connect_with(
        &archive,
        ConnectOptions {
            client_name: Some("tester".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let reader = client.aeron.counters_reader();
    let mut found = None;
    reader.foreach_counter(|value, id, type_id, key, label| {
        if type_id == 113 {
            found = Some((value, id, key.to_vec(), label.to_owned()));
        }
    });
    let (value, _, key, label) = found.expect("control session counter");
    assert_eq!(value, client.control_session_id());
    assert_eq!(i64::from_le_bytes(key[0..8].try_into().unwrap()), 7);
    assert_eq!(
        i64::from_le_bytes(key[8..16].try_into().unwrap()),
        client.control_session_id()
    );
    assert!(label.contains("name=tester"), "{label}");
    assert!(label.contains("archiveId=7"), "{label}");
}

#[test]
fn sample_authenticator_accepts_challenges_and_rejects() {
    let archive =
        TestArchive::start_with_authenticator(|_| {}, Box::new(SampleAuthenticator)).unwrap();
    let admin = ConnectOptions {
        credentials: Some(("admin:admin".into(), String::new())),
        ..Default::default()
    };
    assert!(ArchiveClient::connect_with(&archive, admin).is_ok());
    let challenged = ConnectOptions {
        credentials: Some(("admin:adminC".into(), "admin:CSadmin".into())),
        ..Default::default()
    };
    assert!(ArchiveClient::connect_with(&archive, challenged).is_ok());
    let bad_answer = ConnectOptions {
        credentials: Some(("admin:adminC".into(), "admin:wrong".into())),
        ..Default::default()
    };
    let e = ArchiveClient::connect_with(&archive, bad_answer)
        .err()
        .expect("rejected");
    assert!(e.message.contains("authentication rejected"), "{e}");
    let e = ArchiveClient::connect_with(&archive, ConnectOptions::default())
        .err()
        .expect("rejected");
    assert!(e.message.contains("authentication rejected"), "{e}");
}

#[test]
fn wrong_major_version_gets_an_error_response() {
    let archive = TestArchive::start().unwrap();
    let aeron = aeron_client(&archive);
    let response_channel = format!("aeron:udp?endpoint=127.0.0.1:{}", free_port());
    let responses = aeron
        .add_subscription(&response_channel, 21, Duration::from_secs(5))
        .unwrap();
    let requests = aeron
        .add_exclusive_publication(
            archive.control_request_channel(),
            archive.control_request_stream_id(),
            Duration::from_secs(5),
        )
        .unwrap();
    wait_until(|| requests.is_connected(), "request publication");
    let mut buf = [0u8; 256];
    let len = AuthConnectRequestEncoder::wrap_and_apply_header(&mut buf)
        .unwrap()
        .correlation_id(99)
        .response_stream_id(21)
        .version(2 << 16)
        .response_channel(&response_channel)
        .unwrap()
        .encoded_credentials(&[])
        .unwrap()
        .client_info("")
        .unwrap()
        .finish()
        .unwrap();
    wait_until(
        || requests.offer(&buf[..len], Handlers::no_reserved_value_supplier_handler()) > 0,
        "offer",
    );
    let mut got = None;
    let deadline = Instant::now() + WAIT;
    while got.is_none() {
        responses
            .poll_once(
                |msg: &[u8], _h| {
                    if let Ok(r) = ControlResponseDecoder::decode(msg) {
                        got = Some((
                            r.correlation_id(),
                            r.relevant_id(),
                            r.code().unwrap(),
                            r.control_session_id(),
                            r.error_message().unwrap().to_owned(),
                        ));
                    }
                },
                10,
            )
            .unwrap();
        assert!(Instant::now() < deadline, "no response");
        std::thread::sleep(Duration::from_millis(1));
    }
    let (corr, relevant, code, csid, msg) = got.unwrap();
    assert_eq!(corr, 99);
    assert_eq!(code, ControlResponseCode::Error);
    assert_eq!(relevant, csid);
    assert!(msg.contains("invalid client version 2.0.0"), "{msg}");
    // The archive still serves a valid client.
    assert!(ArchiveClient::connect(&archive).is_ok());
}
