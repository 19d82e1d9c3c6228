//! Authenticated connects through a credentials supplier, against an archive running Java's sample
//! authenticator (`admin:admin` accepted; `admin:adminC` challenged with `challenge!`, accepted if it
//! answers `admin:CSadmin`; anything else rejected).

mod support;

use std::sync::{Arc, Mutex};

use rusteron_archive::*;
use rusteron_archive_server::test_util::TestArchive;
use rusteron_archive_server::SampleAuthenticator;
use support::*;

fn server() -> TestArchive {
    TestArchive::start_with_authenticator(|_| {}, Box::new(SampleAuthenticator))
        .expect("archive server starts")
}

/// A context on `server` with a short message timeout, so a rejected connect fails quickly.
fn context(server: &TestArchive, aeron: &Aeron) -> AeronArchiveContext {
    let ctx = context_for(server, aeron);
    ctx.set_message_timeout_ns(5_000_000_000).unwrap();
    ctx
}

fn connect_with(
    server: &TestArchive,
    credentials: AeronArchiveStaticCredentials,
) -> Result<AeronArchive, AeronCError> {
    let aeron = aeron_for(server);
    let ctx = context(server, &aeron);
    ctx.set_credentials_supplier(Some(credentials)).unwrap();
    AeronArchiveAsyncConnect::new(&ctx)?.poll_blocking(DEADLINE)
}

/// What a supplier was asked, shared with the test.
#[derive(Default)]
struct Calls {
    credentials: usize,
    challenges: Vec<Vec<u8>>,
}

struct RecordingSupplier {
    calls: Arc<Mutex<Calls>>,
    credentials: &'static [u8],
    answer: Option<&'static [u8]>,
}

impl AeronArchiveCredentialsSupplier for RecordingSupplier {
    fn encoded_credentials(&mut self) -> Option<Vec<u8>> {
        self.calls.lock().unwrap().credentials += 1;
        Some(self.credentials.to_vec())
    }

    fn on_challenge(&mut self, encoded_challenge: &[u8]) -> Option<Vec<u8>> {
        self.calls
            .lock()
            .unwrap()
            .challenges
            .push(encoded_challenge.to_vec());
        self.answer.map(<[u8]>::to_vec)
    }
}

fn assert_rejected(result: Result<AeronArchive, AeronCError>) {
    let err = result.expect_err("the archive must reject the session");
    println!("rejected: {err}");
    // The wrapper tells the refusal from other connect failures (C reports it as EINVAL, 22, without the
    // archive's AUTHENTICATION_REJECTED code, so no `ArchiveErrorCode` is possible).
    assert_eq!(
        err.kind(),
        AeronErrorType::ArchiveConnectRejected,
        "the C connect must fail by itself, with the archive's refusal: {err}"
    );
    assert_eq!(err.code, 22, "C's code is kept: {err}");
    assert_eq!(err.archive_code(), None, "{err}");
    assert!(
        err.msg.to_lowercase().contains("authentication rejected"),
        "{err}"
    );
}

#[test]
fn accepted_credentials_connect_and_work() {
    let server = server();
    let archive = connect_with(
        &server,
        AeronArchiveStaticCredentials {
            credentials: b"admin:admin".to_vec(),
            challenge_response: None,
        },
    )
    .expect("admin:admin is accepted");
    assert!(archive.get_archive_id() != 0);
    let sub_id = archive
        .start_recording("aeron:ipc", 80, LOCAL, false)
        .unwrap();
    archive.stop_recording_subscription(sub_id).unwrap();
    assert_eq!(archive.list_recordings(0, 10, |_| {}).unwrap(), 0);
}

#[test]
fn challenge_is_answered_by_the_supplier() {
    let server = server();
    let aeron = aeron_for(&server);
    let ctx = context(&server, &aeron);
    let calls = Arc::new(Mutex::new(Calls::default()));
    ctx.set_credentials_supplier(Some(RecordingSupplier {
        calls: calls.clone(),
        credentials: b"admin:adminC",
        answer: Some(b"admin:CSadmin"),
    }))
    .unwrap();
    let archive = AeronArchiveAsyncConnect::new(&ctx)
        .unwrap()
        .poll_blocking(DEADLINE)
        .expect("the right challenge response is accepted");
    {
        let calls = calls.lock().unwrap();
        assert_eq!(calls.credentials, 1);
        assert_eq!(calls.challenges, vec![b"challenge!".to_vec()]);
    }
    assert!(archive.get_archive_id() != 0);
    assert_eq!(archive.list_recordings(0, 10, |_| {}).unwrap(), 0);
}

#[test]
fn static_credentials_answer_a_challenge() {
    let server = server();
    let archive = connect_with(
        &server,
        AeronArchiveStaticCredentials {
            credentials: b"admin:adminC".to_vec(),
            challenge_response: Some(b"admin:CSadmin".to_vec()),
        },
    )
    .expect("challenge answered");
    assert!(archive.get_archive_id() != 0);
}

#[test]
fn wrong_credentials_are_rejected() {
    let server = server();
    assert_rejected(connect_with(
        &server,
        AeronArchiveStaticCredentials {
            credentials: b"admin:wrong".to_vec(),
            challenge_response: None,
        },
    ));
    // No supplier: empty credentials.
    let aeron = aeron_for(&server);
    assert_rejected(AeronArchive::connect(&context(&server, &aeron)));
    // The archive still serves good sessions afterwards.
    let archive = connect_with(
        &server,
        AeronArchiveStaticCredentials {
            credentials: b"admin:admin".to_vec(),
            challenge_response: None,
        },
    )
    .unwrap();
    assert!(archive.get_archive_id() != 0);
}

#[test]
fn wrong_or_missing_challenge_response_is_rejected() {
    let server = server();
    assert_rejected(connect_with(
        &server,
        AeronArchiveStaticCredentials {
            credentials: b"admin:adminC".to_vec(),
            challenge_response: Some(b"admin:wrong".to_vec()),
        },
    ));
    // A supplier that does not answer sends empty credentials.
    let aeron = aeron_for(&server);
    let ctx = context(&server, &aeron);
    let calls = Arc::new(Mutex::new(Calls::default()));
    ctx.set_credentials_supplier(Some(RecordingSupplier {
        calls: calls.clone(),
        credentials: b"admin:adminC",
        answer: None,
    }))
    .unwrap();
    assert_rejected(AeronArchive::connect(&ctx));
    assert_eq!(calls.lock().unwrap().challenges.len(), 1);
    assert!(!ctx.is_in_use());
}

#[test]
fn supplier_panic_is_resumed_on_the_connecting_thread() {
    struct Panicking;
    impl AeronArchiveCredentialsSupplier for Panicking {
        fn encoded_credentials(&mut self) -> Option<Vec<u8>> {
            panic!("supplier failed")
        }
    }
    let server = server();
    let aeron = aeron_for(&server);
    let ctx = context(&server, &aeron);
    ctx.set_credentials_supplier(Some(Panicking)).unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = AeronArchiveAsyncConnect::new(&ctx)
            .unwrap()
            .poll_blocking(DEADLINE);
    }));
    let payload = r.expect_err("the panic reaches the caller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"supplier failed"));
    // Nothing is left claimed: the context can connect again with a good supplier.
    assert!(!ctx.is_in_use());
    ctx.set_credentials_supplier(Some(AeronArchiveStaticCredentials {
        credentials: b"admin:admin".to_vec(),
        challenge_response: None,
    }))
    .unwrap();
    assert!(AeronArchive::connect(&ctx).is_ok());
}

thread_local! {
    /// The connect of `a_supplier_cannot_poll_its_own_connect`, reachable from its credentials supplier.
    static CONNECT: std::cell::RefCell<Option<AeronArchiveAsyncConnect>> =
        const { std::cell::RefCell::new(None) };
}

/// Asks for its connect to be polled again from inside the poll that called it (through a thread-local).
struct PollsItsConnect(Arc<Mutex<Vec<Result<bool, AeronErrorType>>>>);

impl AeronArchiveCredentialsSupplier for PollsItsConnect {
    fn encoded_credentials(&mut self) -> Option<Vec<u8>> {
        CONNECT.with(|c| {
            if let Some(connect) = c.borrow().as_ref() {
                let r = connect.poll().map(|a| a.is_some()).map_err(|e| e.kind());
                self.0.lock().unwrap().push(r);
            }
        });
        Some(b"admin:admin".to_vec())
    }
}

/// A credentials supplier that polls its own connect from inside the poll that called it is refused with
/// `ReentrantCall`: the nested poll would run C's connect state machine inside itself (and once it
/// completes, C frees the connect the outer poll is still using). The connect then completes normally.
#[test]
fn a_supplier_cannot_poll_its_own_connect() {
    let server = server();
    let aeron = aeron_for(&server);
    let ctx = context(&server, &aeron);
    let nested = Arc::new(Mutex::new(Vec::new()));
    ctx.set_credentials_supplier(Some(PollsItsConnect(nested.clone())))
        .unwrap();
    CONNECT.with(|c| *c.borrow_mut() = Some(AeronArchiveAsyncConnect::new(&ctx).unwrap()));
    let start = std::time::Instant::now();
    let archive = loop {
        let polled = CONNECT.with(|c| c.borrow().as_ref().unwrap().poll());
        if let Some(archive) = polled.unwrap() {
            break archive;
        }
        assert!(start.elapsed() < DEADLINE, "connect did not complete");
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    CONNECT.with(|c| c.borrow_mut().take());
    let nested = nested.lock().unwrap().clone();
    assert!(!nested.is_empty(), "the supplier was not asked");
    assert!(
        nested
            .iter()
            .all(|r| *r == Err(AeronErrorType::ReentrantCall)),
        "{nested:?}"
    );
    assert!(archive.get_archive_id() != 0 || archive.control_session_id() >= 0);
}
