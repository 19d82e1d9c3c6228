//! The authorisation hook through the official C client: a refused request gets UNAUTHORISED_ACTION (13)
//! "unauthorised action" while the session keeps serving other requests, the authoriser sees the principal
//! the authenticator accepted the session with, and connect, challenge response and close are not asked about.

mod support;

use std::sync::{Arc, Mutex};

use rusteron_archive_codecs::{
    AuthConnectRequestDecoder, ChallengeResponseDecoder, CloseSessionRequestDecoder,
    ListRecordingsRequestDecoder, SCHEMA_ID,
};
use rusteron_archive_server::server::CONTROL_SESSIONS_TYPE_ID;
use rusteron_archive_server::test_util::TestArchive;
use rusteron_archive_server::{AuthDecision, Authenticator};
use rusteron_client::Aeron;
use support::*;

/// Accepts every session with the principal `principal:<credentials>`; `<name>C` credentials are first
/// challenged (any answer is accepted, with the answer as the principal).
struct PrincipalAuthenticator;

impl Authenticator for PrincipalAuthenticator {
    fn on_connect(&mut self, _: i64, credentials: &[u8], _: i64) -> AuthDecision {
        if credentials.ends_with(b"C") {
            AuthDecision::Challenge(b"who?".to_vec())
        } else {
            AuthDecision::AcceptWithPrincipal([b"principal:", credentials].concat())
        }
    }

    fn on_challenge_response(&mut self, _: i64, credentials: &[u8], _: i64) -> AuthDecision {
        AuthDecision::AcceptWithPrincipal([b"principal:", credentials].concat())
    }
}

/// (protocol id, action id, principal) of every question the authoriser was asked.
type Asked = Arc<Mutex<Vec<(i32, i32, Vec<u8>)>>>;

fn control_sessions(aeron: &Aeron) -> i64 {
    let mut sessions = None;
    aeron
        .counters_reader()
        .foreach_counter(|value, _, type_id, _, _| {
            if type_id == CONTROL_SESSIONS_TYPE_ID {
                sessions = Some(value);
            }
        });
    sessions.expect("control sessions counter")
}

#[test]
fn a_refused_request_gets_unauthorised_action_and_the_session_survives() {
    let asked: Asked = Arc::default();
    let log = asked.clone();
    let denied = i32::from(ListRecordingsRequestDecoder::TEMPLATE_ID);
    let authoriser = move |protocol: i32, action: i32, principal: &[u8]| {
        log.lock()
            .unwrap()
            .push((protocol, action, principal.to_vec()));
        action != denied
    };
    let archive = TestArchive::start_with_auth(
        |_| {},
        Box::new(PrincipalAuthenticator),
        Box::new(authoriser),
    )
    .unwrap();
    let alice = ConnectOptions {
        credentials: Some(("alice".into(), String::new())),
        ..Default::default()
    };
    let client = ArchiveClient::connect_with(&archive, alice).unwrap();

    // The C client's descriptor poller reports a listing's error code as is: 13.
    let e = client.list_recordings(0, 10).unwrap_err();
    assert_eq!(e.code, 13, "UNAUTHORISED_ACTION: {e}");
    assert!(
        e.message.contains("correlation_id=") && e.message.contains(" unauthorised action"),
        "{e}"
    );

    // The same session keeps working for everything else.
    assert!(client
        .list_recordings_for_uri(0, 10, "", 1)
        .unwrap()
        .is_empty());
    assert!(client.list_recording(0).unwrap().is_empty());
    let sub_id = client
        .start_recording("aeron:ipc?alias=auth", 5, true, false)
        .unwrap();
    client.stop_recording_subscription(sub_id).unwrap();
    assert_eq!(
        client.list_recordings(0, 10).unwrap_err().code,
        13,
        "still refused"
    );

    // A challenged session carries the principal from its challenge response.
    let bob = ConnectOptions {
        credentials: Some(("bobC".into(), "bob-answer".into())),
        ..Default::default()
    };
    let challenged = ArchiveClient::connect_with(&archive, bob).unwrap();
    assert!(challenged.list_recording(0).unwrap().is_empty());

    let observer = aeron_client(&archive);
    wait_until(|| control_sessions(&observer) == 2, "both sessions counted");
    drop((client, challenged));
    wait_until(|| control_sessions(&observer) == 0, "both sessions closed");

    let asked = asked.lock().unwrap().clone();
    assert!(
        asked
            .iter()
            .all(|(protocol, _, _)| *protocol == i32::from(SCHEMA_ID)),
        "{asked:?}"
    );
    let principals: Vec<&[u8]> = asked.iter().map(|(_, _, p)| p.as_slice()).collect();
    assert!(
        principals
            .iter()
            .all(|p| *p == b"principal:alice" || *p == b"principal:bob-answer"),
        "{asked:?}"
    );
    assert!(
        principals.contains(&&b"principal:bob-answer"[..]),
        "{asked:?}"
    );
    let refusals = asked
        .iter()
        .filter(|(_, action, p)| *action == denied && p == b"principal:alice")
        .count();
    assert_eq!(refusals, 2, "{asked:?}");
    for excluded in [
        AuthConnectRequestDecoder::TEMPLATE_ID,
        ChallengeResponseDecoder::TEMPLATE_ID,
        CloseSessionRequestDecoder::TEMPLATE_ID,
    ] {
        assert!(
            !asked
                .iter()
                .any(|(_, action, _)| *action == i32::from(excluded)),
            "{excluded} asked: {asked:?}"
        );
    }
}

/// Aeron's own supplier names in the configuration (`aeron.archive.*.supplier`, as the binary and the
/// `-D` drop-in read them) select the Rust authenticator and authoriser.
#[test]
fn supplier_names_in_the_configuration_select_the_sample_authenticator_and_deny_all() {
    use rusteron_archive_server::server::suppliers::*;
    let archive = TestArchive::start_with(|c| {
        c.set_property(AUTHENTICATOR_SUPPLIER_PROP, SAMPLE_AUTHENTICATOR_SUPPLIER)
            .unwrap();
    })
    .unwrap();
    let e = ArchiveClient::connect_with(&archive, ConnectOptions::default())
        .err()
        .expect("rejected");
    assert!(e.message.contains("authentication rejected"), "{e}");
    let admin = ConnectOptions {
        credentials: Some(("admin:admin".into(), String::new())),
        ..Default::default()
    };
    let client = ArchiveClient::connect_with(&archive, admin).unwrap();
    assert!(
        client.list_recordings(0, 10).unwrap().is_empty(),
        "allowed by the default authoriser"
    );

    let denying = TestArchive::start_with(|c| {
        c.set_property(AUTHORISATION_SERVICE_SUPPLIER_PROP, DENY_ALL_AUTHORISATION)
            .unwrap();
    })
    .unwrap();
    // The connect itself is not asked about, but the C client's connect ends with an ArchiveIdRequest,
    // which is refused: the connect fails with the archive's message, as it would against Java's DENY_ALL.
    let e = ArchiveClient::connect(&denying).err().expect("refused");
    assert!(e.message.contains("unauthorised action"), "{e}");

    // A class this archive cannot load is refused when the property is set, not silently accepted.
    let mut config = rusteron_archive_server::ArchiveConfig::default();
    let e = config
        .set_property(
            AUTHENTICATOR_SUPPLIER_PROP,
            "com.acme.LdapAuthenticatorSupplier",
        )
        .unwrap_err();
    assert!(e.to_string().contains(SAMPLE_AUTHENTICATOR_SUPPLIER), "{e}");
    assert!(config.authenticator_supplier.is_none());
}
