//! The channels a replication builds from its replication channel, as Java's `ReplicationSession` does:
//! the destination recording's (extend) channel, the replay destination of a multi-destination recording
//! subscription, the replay channel sent to the source archive, and the publication a response-channel
//! replay request goes out on.

use crate::channel::{ChannelError, ChannelUri};

/// Term length of the publication a response-channel replay request is sent on (as Java's 64 KiB).
const RESPONSE_PUBLICATION_TERM_LENGTH: &str = "65536";

/// `true` if the channel is in `control-mode=response` (Java's `ChannelUri.hasControlModeResponse`).
pub(super) fn is_response_mode(uri: &ChannelUri) -> bool {
    uri.get("control-mode") == Some("response")
}

/// The channel the destination recording is extended on (Java's `ReplicationSession.extend`).
///
/// `rejoin=false`; `session-id` of the replayed stream unless in response mode; for a multi-destination
/// subscription (`mds_tags` = channel tag and subscription tag, used for live-destination replication) the
/// endpoint is removed and `tags` plus `control-mode=manual` are added.
pub(super) fn extend_channel(
    replication_channel: &str,
    replay_session_id: i32,
    mds_tags: Option<(i64, i64)>,
) -> Result<String, ChannelError> {
    let mut uri = ChannelUri::parse(replication_channel)?;
    uri.set("rejoin", "false");
    if !is_response_mode(&uri) {
        uri.set("session-id", replay_session_id.to_string());
    }
    if let Some((channel_tag, subscription_tag)) = mds_tags {
        uri.remove("endpoint");
        uri.set("tags", format!("{channel_tag},{subscription_tag}"));
        uri.set("control-mode", "manual");
    }
    Ok(uri.to_string())
}

/// The replay destination added to a multi-destination recording subscription: the replication channel's
/// endpoint (and interface, if any) only (Java's `ChannelUri.createDestinationUri`).
pub(super) fn replay_destination(replication_channel: &str) -> Result<String, ChannelError> {
    let uri = ChannelUri::parse(replication_channel)?;
    let mut out = format!(
        "aeron:{}?endpoint={}",
        uri.media,
        uri.get("endpoint").unwrap_or("null")
    );
    if let Some(interface) = uri.get("interface") {
        out.push_str("|interface=");
        out.push_str(interface);
    }
    Ok(out)
}

/// Replaces a wildcard port (`:0`) of the endpoint with the port of `resolved`, or sets the endpoint to
/// `resolved` when there is none (Java's `ChannelUri.replaceEndpointWildcardPort`).
fn replace_endpoint_wildcard_port(uri: &mut ChannelUri, resolved: &str) {
    let Some(port_at) = resolved.rfind(':') else {
        return;
    };
    match uri.get("endpoint") {
        None => uri.set("endpoint", resolved),
        Some(existing) if existing.ends_with(":0") => {
            let endpoint = format!(
                "{}{}",
                &existing[..existing.len() - 2],
                &resolved[port_at..]
            );
            uri.set("endpoint", endpoint);
        }
        Some(_) => {}
    }
}

/// What the replay channel sent to the source archive carries besides the replication channel.
pub(super) struct ReplayChannelParams<'a> {
    /// The resolved endpoint of the recording subscription.
    pub resolved_endpoint: &'a str,
    /// Live-destination replication: `linger=0|eos=false`, so the replay ends without end of stream.
    pub live: bool,
    /// Registration id of the recording subscription (the response correlation id in response mode).
    pub subscription_registration_id: i64,
    /// Session id the replay publication must use (not in response mode).
    pub replay_session_id: i32,
}

/// The replay channel of the replay request (Java's `ReplicationSession.replay`).
pub(super) fn replay_channel(
    replication_channel: &str,
    p: &ReplayChannelParams<'_>,
) -> Result<String, ChannelError> {
    let mut uri = ChannelUri::parse(replication_channel)?;
    if uri.get("endpoint").is_some() {
        replace_endpoint_wildcard_port(&mut uri, p.resolved_endpoint);
    }
    if p.live {
        uri.set("linger", "0");
        uri.set("eos", "false");
    }
    if is_response_mode(&uri) {
        uri.set(
            "response-correlation-id",
            p.subscription_registration_id.to_string(),
        );
    } else {
        uri.set("session-id", p.replay_session_id.to_string());
    }
    Ok(uri.to_string())
}

/// The publication a response-channel replay request is sent on: the source's control request channel
/// with `response-correlation-id` = the recording subscription, no initial position, 64 KiB terms
/// (Java's `ReplicationSession.getArchiveProxy`).
pub(super) fn response_publication_channel(
    control_request_channel: &str,
    subscription_registration_id: i64,
) -> Result<String, ChannelError> {
    let mut uri = ChannelUri::parse(control_request_channel)?;
    uri.remove("session-id");
    uri.set(
        "response-correlation-id",
        subscription_registration_id.to_string(),
    );
    for key in ["term-id", "init-term-id", "term-offset"] {
        uri.remove(key);
    }
    uri.set("term-length", RESPONSE_PUBLICATION_TERM_LENGTH);
    Ok(uri.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extend_channel_plain_and_multi_destination() {
        let plain = extend_channel("aeron:udp?endpoint=localhost:0", 7, None).unwrap();
        assert_eq!(
            plain,
            "aeron:udp?endpoint=localhost:0|rejoin=false|session-id=7"
        );
        let mds = extend_channel("aeron:udp?endpoint=localhost:0", 7, Some((3, 4))).unwrap();
        assert_eq!(
            mds,
            "aeron:udp?rejoin=false|session-id=7|tags=3,4|control-mode=manual"
        );
        let response = extend_channel(
            "aeron:udp?control-mode=response|control=localhost:9",
            7,
            None,
        )
        .unwrap();
        assert_eq!(
            response,
            "aeron:udp?control-mode=response|control=localhost:9|rejoin=false"
        );
    }

    #[test]
    fn replay_destination_keeps_endpoint_and_interface_only() {
        assert_eq!(
            replay_destination("aeron:udp?endpoint=localhost:0|term-length=64k").unwrap(),
            "aeron:udp?endpoint=localhost:0"
        );
        assert_eq!(
            replay_destination("aeron:udp?interface=127.0.0.1|endpoint=localhost:5").unwrap(),
            "aeron:udp?endpoint=localhost:5|interface=127.0.0.1"
        );
    }

    #[test]
    fn replay_channel_resolves_wildcard_port_and_marks_live_replays() {
        let p = ReplayChannelParams {
            resolved_endpoint: "127.0.0.1:4567",
            live: false,
            subscription_registration_id: 99,
            replay_session_id: -5,
        };
        assert_eq!(
            replay_channel("aeron:udp?endpoint=localhost:0", &p).unwrap(),
            "aeron:udp?endpoint=localhost:4567|session-id=-5"
        );
        assert_eq!(
            replay_channel("aeron:udp?endpoint=localhost:8000", &p).unwrap(),
            "aeron:udp?endpoint=localhost:8000|session-id=-5"
        );
        let live = ReplayChannelParams { live: true, ..p };
        assert_eq!(
            replay_channel("aeron:udp?endpoint=localhost:0", &live).unwrap(),
            "aeron:udp?endpoint=localhost:4567|linger=0|eos=false|session-id=-5"
        );
        let response = ReplayChannelParams {
            live: false,
            ..live
        };
        assert_eq!(
            replay_channel(
                "aeron:udp?control-mode=response|control=localhost:9",
                &response
            )
            .unwrap(),
            "aeron:udp?control-mode=response|control=localhost:9|response-correlation-id=99"
        );
    }

    #[test]
    fn response_publication_channel_has_no_initial_position() {
        assert_eq!(
            response_publication_channel(
                "aeron:udp?endpoint=localhost:8010|session-id=3|term-id=5|init-term-id=1|term-offset=0",
                42
            )
            .unwrap(),
            "aeron:udp?endpoint=localhost:8010|response-correlation-id=42|term-length=65536"
        );
    }
}
