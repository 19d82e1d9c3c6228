//! Authentication of control sessions: the [`Authenticator`] hook, the default that accepts everyone, and
//! [`SampleAuthenticator`], the behaviour of Java's `io.aeron.samples.archive.SampleAuthenticator` that the
//! official client tests use.

/// What an authenticator decides about a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthDecision {
    /// Let the session in, with an empty encoded principal.
    Accept,
    /// Let the session in with this encoded principal (Java's `SessionProxy.authenticate(encodedPrincipal)`),
    /// which the [`Authoriser`](super::Authoriser) is given with each request of the session.
    AcceptWithPrincipal(Vec<u8>),
    /// Send these challenge bytes; the client answers with a ChallengeResponse.
    Challenge(Vec<u8>),
    /// Refuse the session ("authentication rejected").
    Reject,
    /// Not decided yet: ask again on a later duty cycle (every 200 ms while connected).
    Pending,
}

/// Decides which control sessions may use the archive. Called on the archive's conductor thread.
pub trait Authenticator: Send {
    /// A session's response publication is connected: decide on its connect credentials.
    fn on_connect(
        &mut self,
        control_session_id: i64,
        encoded_credentials: &[u8],
        now_ms: i64,
    ) -> AuthDecision;

    /// A challenged session answered with `encoded_credentials`. [`AuthDecision::Challenge`] here is treated
    /// as a rejection. The default rejects.
    fn on_challenge_response(
        &mut self,
        control_session_id: i64,
        encoded_credentials: &[u8],
        now_ms: i64,
    ) -> AuthDecision {
        let _ = (control_session_id, encoded_credentials, now_ms);
        AuthDecision::Reject
    }
}

/// The default authenticator: accepts every session (Java's `NullAuthenticator`).
#[derive(Debug, Default, Clone, Copy)]
pub struct AcceptAllAuthenticator;

impl Authenticator for AcceptAllAuthenticator {
    fn on_connect(&mut self, _: i64, _: &[u8], _: i64) -> AuthDecision {
        AuthDecision::Accept
    }
}

/// Java's sample authenticator: `admin:admin` is accepted; `admin:adminC` is challenged with `challenge!`
/// and accepted if it answers `admin:CSadmin`; everything else is rejected.
#[derive(Debug, Default, Clone, Copy)]
pub struct SampleAuthenticator;

impl Authenticator for SampleAuthenticator {
    fn on_connect(&mut self, _: i64, credentials: &[u8], _: i64) -> AuthDecision {
        match credentials {
            b"admin:admin" => AuthDecision::Accept,
            b"admin:adminC" => AuthDecision::Challenge(b"challenge!".to_vec()),
            _ => AuthDecision::Reject,
        }
    }

    fn on_challenge_response(&mut self, _: i64, credentials: &[u8], _: i64) -> AuthDecision {
        if credentials == b"admin:CSadmin" {
            AuthDecision::Accept
        } else {
            AuthDecision::Reject
        }
    }
}
