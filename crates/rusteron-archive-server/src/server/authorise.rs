//! Authorisation of control requests: the [`Authoriser`] hook (Java's `io.aeron.security.AuthorisationService`)
//! and its allow-all and deny-all forms.

/// Decides whether an authenticated control session may make a request. Called on the archive's conductor
/// thread for every request of a session, as Java's `ControlSessionAdapter` asks its `AuthorisationService`:
/// every request template except AuthConnect, ChallengeResponse and CloseSession (KeepAlive included). A
/// replay that arrives on a response channel with a valid replay token is not asked about either.
///
/// A refused request is answered with an ERROR response, error code `UNAUTHORISED_ACTION` (13) and the
/// message "unauthorised action"; the session stays open.
///
/// Any `FnMut(i32, i32, &[u8]) -> bool + Send` closure is an authoriser.
pub trait Authoriser: Send {
    /// `protocol_id` is the SBE schema id of the archive control protocol (101), `action_id` the request's
    /// template id, and `encoded_principal` what the authenticator supplied when it accepted the session
    /// ([`AuthDecision::AcceptWithPrincipal`](super::AuthDecision::AcceptWithPrincipal); empty otherwise).
    fn is_authorised(&mut self, protocol_id: i32, action_id: i32, encoded_principal: &[u8])
        -> bool;
}

impl<F> Authoriser for F
where
    F: FnMut(i32, i32, &[u8]) -> bool + Send,
{
    fn is_authorised(
        &mut self,
        protocol_id: i32,
        action_id: i32,
        encoded_principal: &[u8],
    ) -> bool {
        self(protocol_id, action_id, encoded_principal)
    }
}

/// The default authoriser: allows every request (Java's `AuthorisationService.ALLOW_ALL`).
#[derive(Debug, Default, Clone, Copy)]
pub struct AllowAllAuthoriser;

impl Authoriser for AllowAllAuthoriser {
    fn is_authorised(&mut self, _: i32, _: i32, _: &[u8]) -> bool {
        true
    }
}

/// Refuses every request (Java's `AuthorisationService.DENY_ALL`).
#[derive(Debug, Default, Clone, Copy)]
pub struct DenyAllAuthoriser;

impl Authoriser for DenyAllAuthoriser {
    fn is_authorised(&mut self, _: i32, _: i32, _: &[u8]) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closures_and_the_fixed_authorisers_decide() {
        assert!(AllowAllAuthoriser.is_authorised(101, 8, b""));
        assert!(!DenyAllAuthoriser.is_authorised(101, 8, b""));
        let mut only_alice = |_: i32, _: i32, principal: &[u8]| principal == b"alice";
        assert!(only_alice.is_authorised(101, 8, b"alice"));
        assert!(!only_alice.is_authorised(101, 8, b"bob"));
    }
}
