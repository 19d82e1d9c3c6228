//! One control session: the response publication, its connect/authenticate state machine (as Java's
//! `ControlSession`), liveness pings and an ordered queue of responses that could not be sent yet.

use std::collections::VecDeque;

use rusteron_archive_codecs::{ControlResponseCode, RecordingSignal};
use rusteron_client::{AeronCounter, AeronExclusivePublication, Handlers};

use super::auth::{AuthDecision, Authenticator};
use super::proxy;

/// Interval at which connect responses and rejections are re-sent.
const RESEND_INTERVAL_MS: i64 = 200;
/// Error code for a rejected session (`AUTHENTICATION_REJECTED`).
const AUTHENTICATION_REJECTED: i64 = 10;

/// Identifies the request image a session was opened from: (control subscription index, image session id).
pub(crate) type ImageKey = (usize, i32);

/// States of a control session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionState {
    /// Waiting for the response publication to connect.
    Connecting,
    /// Connected; the authenticator has not decided yet (or the version is invalid).
    Connected,
    /// A challenge was sent; waiting for the response.
    Challenged,
    /// Accepted; the OK is re-sent until the first request arrives.
    Authenticated,
    /// Serving requests.
    Active,
    /// Rejected; the rejection is re-sent until the session times out.
    Rejected,
    /// Finished; to be removed.
    Done,
}

/// A control session.
pub(crate) struct ControlSession {
    pub id: i64,
    pub image: ImageKey,
    /// Correlation id of the connect request (or of the challenge response).
    pub correlation_id: i64,
    pub state: SessionState,
    publication: AeronExclusivePublication,
    credentials: Vec<u8>,
    /// What the authenticator supplied on accepting the session (empty if nothing).
    encoded_principal: Vec<u8>,
    pending_challenge_response: Option<Vec<u8>>,
    invalid_version: Option<String>,
    queue: VecDeque<Vec<u8>>,
    resend_deadline_ms: i64,
    activity_deadline_ms: Option<i64>,
    liveness_deadline_ms: i64,
    connect_timeout_ms: i64,
    liveness_interval_ms: i64,
    _counter: Option<AeronCounter>,
    pub done_reason: String,
}

impl ControlSession {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: i64,
        image: ImageKey,
        correlation_id: i64,
        publication: AeronExclusivePublication,
        credentials: Vec<u8>,
        invalid_version: Option<String>,
        counter: Option<AeronCounter>,
        now_ms: i64,
        connect_timeout_ms: i64,
        liveness_interval_ms: i64,
    ) -> ControlSession {
        ControlSession {
            id,
            image,
            correlation_id,
            state: SessionState::Connecting,
            publication,
            credentials,
            encoded_principal: Vec::new(),
            pending_challenge_response: None,
            invalid_version,
            queue: VecDeque::new(),
            resend_deadline_ms: 0,
            activity_deadline_ms: Some(now_ms + connect_timeout_ms),
            liveness_deadline_ms: now_ms + liveness_interval_ms,
            connect_timeout_ms,
            liveness_interval_ms,
            _counter: counter,
            done_reason: String::new(),
        }
    }

    /// Registration id of the response publication.
    #[allow(dead_code)]
    pub fn publication_registration_id(&self) -> i64 {
        self.publication.registration_id()
    }

    /// The encoded principal the authenticator accepted the session with (empty if none).
    pub fn encoded_principal(&self) -> &[u8] {
        &self.encoded_principal
    }

    /// Ends the session (the response publication is revoked when the session is dropped).
    pub fn abort(&mut self, reason: &str) {
        if self.state != SessionState::Done {
            log::debug!("control session {} done: {reason}", self.id);
            self.state = SessionState::Done;
            self.done_reason = reason.to_owned();
        }
    }

    /// A request arrived for this session: moves AUTHENTICATED to ACTIVE. Returns whether requests may be
    /// served.
    pub fn on_request(&mut self) -> bool {
        if self.state == SessionState::Authenticated && self.invalid_version.is_none() {
            self.state = SessionState::Active;
        }
        self.state == SessionState::Active
    }

    /// A ChallengeResponse arrived for this session.
    pub fn on_challenge_response(&mut self, correlation_id: i64, credentials: &[u8]) {
        if self.state == SessionState::Challenged {
            self.correlation_id = correlation_id;
            self.pending_challenge_response = Some(credentials.to_vec());
        }
    }

    /// Sends (or queues, preserving order) an encoded message.
    pub fn send(&mut self, message: Vec<u8>) {
        if self.state == SessionState::Done || message.is_empty() {
            return;
        }
        if !self.queue.is_empty() {
            self.queue.push_back(message);
            return;
        }
        if !self.offer(&message) {
            self.queue.push_back(message);
        }
    }

    /// Sends an OK response.
    pub fn send_ok(&mut self, correlation_id: i64, relevant_id: i64) {
        let m = proxy::control_response(
            self.id,
            correlation_id,
            relevant_id,
            ControlResponseCode::Ok,
            "",
        );
        self.send(m);
    }

    /// Sends an ERROR response with an archive error code in `relevantId`.
    pub fn send_error(&mut self, correlation_id: i64, error_code: i64, message: &str) {
        log::debug!(
            "control session {}: error {error_code} for {correlation_id}: {message}",
            self.id
        );
        let m = proxy::control_response(
            self.id,
            correlation_id,
            error_code,
            ControlResponseCode::Error,
            message,
        );
        self.send(m);
    }

    /// Sends a response with another code (RECORDING_UNKNOWN, SUBSCRIPTION_UNKNOWN).
    pub fn send_code(&mut self, correlation_id: i64, relevant_id: i64, code: ControlResponseCode) {
        let m = proxy::control_response(self.id, correlation_id, relevant_id, code, "");
        self.send(m);
    }

    /// Sends a recording signal.
    pub fn send_signal(
        &mut self,
        correlation_id: i64,
        recording_id: i64,
        subscription_id: i64,
        position: i64,
        signal: RecordingSignal,
    ) {
        let m = proxy::recording_signal(
            self.id,
            correlation_id,
            recording_id,
            subscription_id,
            position,
            signal,
        );
        self.send(m);
    }

    /// Tries up to three offers. `true` when sent; `false` when back-pressured (the session is aborted on
    /// a fatal result).
    fn offer(&mut self, message: &[u8]) -> bool {
        for _ in 0..3 {
            let r = self
                .publication
                .offer(message, Handlers::no_reserved_value_supplier_handler());
            if r > 0 {
                return true;
            }
            match r {
                -2 | -3 => continue,
                -1 if self.state != SessionState::Active
                    && self.state != SessionState::Authenticated =>
                {
                    return false
                }
                _ => {
                    self.abort(&format!("response publication offer failed: {r}"));
                    return true;
                }
            }
        }
        false
    }

    fn update_activity_deadline(&mut self, now_ms: i64) {
        if self.activity_deadline_ms.is_none() {
            self.activity_deadline_ms = Some(now_ms + self.connect_timeout_ms);
        }
    }

    /// One duty cycle. Returns the amount of work done.
    pub fn do_work(&mut self, now_ms: i64, authenticator: &mut dyn Authenticator) -> usize {
        if let Some(deadline) = self.activity_deadline_ms {
            if now_ms > deadline {
                let reason = if self.state == SessionState::Active {
                    format!(
                        "failed to send response for more than connectTimeoutMs={}",
                        self.connect_timeout_ms
                    )
                } else {
                    format!(
                        "failed to establish initial connection: state={:?}",
                        self.state
                    )
                };
                self.abort(&reason);
                return 1;
            }
        }
        match self.state {
            SessionState::Connecting => {
                if self.publication.is_connected() {
                    self.state = SessionState::Connected;
                    return 1;
                }
                0
            }
            SessionState::Connected => {
                if now_ms <= self.resend_deadline_ms {
                    return 0;
                }
                self.resend_deadline_ms = now_ms + RESEND_INTERVAL_MS;
                if let Some(msg) = self.invalid_version.clone() {
                    let m = proxy::control_response(
                        self.id,
                        self.correlation_id,
                        self.id,
                        ControlResponseCode::Error,
                        &msg,
                    );
                    self.offer(&m);
                    return 1;
                }
                let credentials = std::mem::take(&mut self.credentials);
                let decision = authenticator.on_connect(self.id, &credentials, now_ms);
                self.credentials = credentials;
                self.apply(decision, now_ms);
                1
            }
            SessionState::Challenged => match self.pending_challenge_response.take() {
                Some(credentials) => {
                    let decision =
                        match authenticator.on_challenge_response(self.id, &credentials, now_ms) {
                            AuthDecision::Challenge(_) => AuthDecision::Reject,
                            d => d,
                        };
                    if decision == AuthDecision::Pending {
                        self.pending_challenge_response = Some(credentials);
                    }
                    self.apply(decision, now_ms);
                    1
                }
                None => 0,
            },
            SessionState::Authenticated => {
                if now_ms > self.resend_deadline_ms {
                    self.resend_deadline_ms = now_ms + RESEND_INTERVAL_MS;
                    let m = proxy::control_response(
                        self.id,
                        self.correlation_id,
                        self.id,
                        ControlResponseCode::Ok,
                        "",
                    );
                    if self.offer(&m) {
                        self.activity_deadline_ms = None;
                    }
                    return 1;
                }
                0
            }
            SessionState::Active => {
                let mut work = 0;
                if now_ms >= self.liveness_deadline_ms {
                    self.liveness_deadline_ms = now_ms + self.liveness_interval_ms;
                    let ping = proxy::ping(self.id);
                    if self.queue.is_empty() && self.offer(&ping) {
                        self.activity_deadline_ms = None;
                    } else {
                        self.update_activity_deadline(now_ms);
                    }
                    work += 1;
                }
                if !self.publication.is_connected() {
                    self.abort("control response publication is not connected");
                    return work + 1;
                }
                while let Some(front) = self.queue.pop_front() {
                    if self.offer(&front) {
                        self.activity_deadline_ms = None;
                        work += 1;
                    } else {
                        self.queue.push_front(front);
                        self.update_activity_deadline(now_ms);
                        break;
                    }
                }
                work
            }
            SessionState::Rejected => {
                if now_ms > self.resend_deadline_ms {
                    self.resend_deadline_ms = now_ms + RESEND_INTERVAL_MS;
                    let m = proxy::control_response(
                        self.id,
                        self.correlation_id,
                        AUTHENTICATION_REJECTED,
                        ControlResponseCode::Error,
                        "authentication rejected",
                    );
                    self.offer(&m);
                    return 1;
                }
                0
            }
            SessionState::Done => 0,
        }
    }

    fn apply(&mut self, decision: AuthDecision, now_ms: i64) {
        match decision {
            AuthDecision::Accept => self.authenticate(Vec::new()),
            AuthDecision::AcceptWithPrincipal(principal) => self.authenticate(principal),
            AuthDecision::Challenge(bytes) => {
                let m = proxy::challenge(self.id, self.correlation_id, &bytes);
                if self.offer(&m) {
                    self.state = SessionState::Challenged;
                }
            }
            AuthDecision::Reject => {
                self.state = SessionState::Rejected;
                self.resend_deadline_ms = 0;
                self.activity_deadline_ms = Some(now_ms + self.connect_timeout_ms);
            }
            AuthDecision::Pending => {}
        }
    }

    /// Accepts the session with `encoded_principal` (Java's `ControlSession.authenticate`).
    fn authenticate(&mut self, encoded_principal: Vec<u8>) {
        self.encoded_principal = encoded_principal;
        self.state = SessionState::Authenticated;
        self.resend_deadline_ms = 0;
    }

    /// Revokes the response publication (no linger), as Java's `revokeOnClose`.
    pub fn close(self) {
        self.publication.revoke_on_close();
        drop(self);
    }
}
