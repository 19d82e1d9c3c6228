//! Decoding and dispatch of control requests, and the requests answered from the catalog alone
//! (listings, positions, find last matching, archive id, update channel).

use rusteron_archive_codecs::{
    decode_message, CodecError, ControlResponseCode, DecodedMessage, MessageHeaderDecoder,
    SourceLocation, SCHEMA_ID,
};

use super::Conductor;
use crate::channel::ChannelUri;
use crate::server::codes;
use crate::server::control_session::{ControlSession, ImageKey};
use crate::server::counters;
use crate::server::proxy::{self, PROTOCOL_MAJOR_VERSION};
use crate::storage::catalog::RecordingDescriptor;

/// Where a control request came from (its request image) and its template id, the action an
/// [`Authoriser`](super::Authoriser) is asked about.
#[derive(Debug, Clone, Copy)]
struct Origin {
    image: ImageKey,
    template_id: u16,
}

fn source_location(raw: i32) -> bool {
    raw == SourceLocation::Local as i32
}

impl Conductor {
    /// Handles one whole message received on a control subscription.
    pub(crate) fn on_control_message(&mut self, image: ImageKey, buf: &[u8]) {
        let header = match MessageHeaderDecoder::wrap(buf) {
            Ok(h) => h,
            Err(e) => {
                log::warn!("dropping control message of {} bytes: {e}", buf.len());
                return;
            }
        };
        if header.schema_id() != SCHEMA_ID {
            log::warn!(
                "dropping control message with schema id {}",
                header.schema_id()
            );
            return;
        }
        match decode_message(buf) {
            Ok(message) => {
                let origin = Origin {
                    image,
                    template_id: header.template_id(),
                };
                if let Err(e) = self.dispatch(origin, message) {
                    self.reject_malformed(image, buf, header.template_id(), &e.to_string());
                }
            }
            Err(CodecError::UnknownTemplateId(t)) => {
                self.reject_malformed(image, buf, t, "unknown request");
            }
            Err(e) => self.reject_malformed(image, buf, header.template_id(), &e.to_string()),
        }
    }

    /// Answers an undecodable request with a GENERIC error if it names a session of this image.
    fn reject_malformed(&mut self, image: ImageKey, buf: &[u8], template_id: u16, why: &str) {
        log::warn!(
            "malformed control request templateId={template_id} ({} bytes): {why}",
            buf.len()
        );
        let field = |at: usize| {
            buf.get(at..at + 8)
                .and_then(|b| b.try_into().ok())
                .map(i64::from_le_bytes)
        };
        let (Some(csid), Some(corr)) = (field(8), field(16)) else {
            return;
        };
        if let Some(session) = self.sessions.get_mut(&csid) {
            if session.image == image && session.on_request() {
                session.send_error(
                    corr,
                    codes::GENERIC,
                    &format!("malformed or unknown request templateId={template_id}: {why}"),
                );
            }
        }
    }

    /// The session `csid` if the request came from its image, the authoriser allows the request and the
    /// session may serve requests (Java's `ControlSessionAdapter.getControlSession`, then the session's
    /// activation). A refused request is answered with UNAUTHORISED_ACTION; the session stays.
    fn active(&mut self, csid: i64, corr: i64, origin: Origin) -> bool {
        match self.sessions.get_mut(&csid) {
            Some(s) if s.image == origin.image => {
                let action = i32::from(origin.template_id);
                if !self.authoriser.is_authorised(
                    i32::from(SCHEMA_ID),
                    action,
                    s.encoded_principal(),
                ) {
                    let source = self
                        .control_images
                        .get(&origin.image)
                        .map_or("", |i| i.source_identity.as_str());
                    log::warn!("unauthorised archive action={action} controlSessionId={csid} source={source}");
                    s.send_error(corr, codes::UNAUTHORISED_ACTION, "unauthorised action");
                    return false;
                }
                s.on_request()
            }
            Some(_) => {
                log::debug!("request for control session {csid} from another image ignored");
                false
            }
            None => {
                log::debug!("request for unknown control session {csid} ignored");
                false
            }
        }
    }

    /// Sends OK on session `csid` (if it still exists).
    pub(crate) fn ok(&mut self, csid: i64, corr: i64, relevant_id: i64) {
        if let Some(s) = self.session(csid) {
            s.send_ok(corr, relevant_id);
        }
    }

    /// Sends ERROR on session `csid` (if it still exists).
    pub(crate) fn error(&mut self, csid: i64, corr: i64, code: i64, message: &str) {
        log::debug!("control session {csid} correlation {corr}: error {code}: {message}");
        if let Some(s) = self.session(csid) {
            s.send_error(corr, code, message);
        }
    }

    /// Sends a raw encoded message on session `csid` (if it still exists).
    pub(crate) fn send_to(&mut self, csid: i64, message: Vec<u8>) {
        if let Some(s) = self.session(csid) {
            s.send(message);
        }
    }

    /// The descriptor of recording `recording_id` (VALID in the catalog, and decodable); if there is none,
    /// UNKNOWN_RECORDING ("unknown recording id: N") has been sent on session `csid` and the result is `None`.
    pub(crate) fn known_recording(
        &mut self,
        csid: i64,
        corr: i64,
        recording_id: i64,
    ) -> Option<RecordingDescriptor> {
        let found = self.catalog.get(recording_id);
        if found.is_none() {
            self.error(
                csid,
                corr,
                codes::UNKNOWN_RECORDING,
                &format!("unknown recording id: {recording_id}"),
            );
        }
        found
    }

    /// The validation of a request about one recording: the descriptor of `recording_id` if session `csid`
    /// may make the request ([`active`](Self::active)) and the recording exists
    /// ([`known_recording`](Self::known_recording)); otherwise `None`, the refusal (if any) having been sent.
    fn recording_request(
        &mut self,
        csid: i64,
        corr: i64,
        origin: Origin,
        recording_id: i64,
    ) -> Option<RecordingDescriptor> {
        if !self.active(csid, corr, origin) {
            return None;
        }
        self.known_recording(csid, corr, recording_id)
    }

    fn dispatch(&mut self, origin: Origin, message: DecodedMessage<'_>) -> Result<(), CodecError> {
        use DecodedMessage as M;
        match message {
            M::AuthConnectRequest(r) => {
                let channel = r.response_channel()?.to_owned();
                let credentials = r.encoded_credentials()?.to_vec();
                let client_info = r.client_info()?.to_owned();
                self.on_connect(
                    origin.image,
                    r.correlation_id(),
                    r.response_stream_id(),
                    r.version(),
                    &channel,
                    credentials,
                    &client_info,
                );
            }
            M::ChallengeResponse(r) => {
                let credentials = r.encoded_credentials()?;
                if let Some(s) = self.sessions.get_mut(&r.control_session_id()) {
                    s.on_challenge_response(r.correlation_id(), credentials);
                }
            }
            M::CloseSessionRequest(r) => {
                if let Some(s) = self.sessions.get_mut(&r.control_session_id()) {
                    if s.image == origin.image {
                        s.abort("session closed");
                    }
                }
            }
            M::KeepAliveRequest(r) => {
                self.active(r.control_session_id(), r.correlation_id(), origin);
            }
            M::ArchiveIdRequest(r) => {
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    self.ok(r.control_session_id(), r.correlation_id(), self.archive_id);
                }
            }
            M::StartRecordingRequest(r) => {
                let channel = r.channel()?.to_owned();
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    let local = source_location(r.source_location_raw());
                    self.start_recording(
                        r.control_session_id(),
                        r.correlation_id(),
                        r.stream_id(),
                        local,
                        &channel,
                        false,
                        None,
                    );
                }
            }
            M::StartRecordingRequest2(r) => {
                let channel = r.channel()?.to_owned();
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    let local = source_location(r.source_location_raw());
                    let auto_stop = r.auto_stop_raw() == 1;
                    self.start_recording(
                        r.control_session_id(),
                        r.correlation_id(),
                        r.stream_id(),
                        local,
                        &channel,
                        auto_stop,
                        None,
                    );
                }
            }
            M::ExtendRecordingRequest(r) => {
                let channel = r.channel()?.to_owned();
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    let local = source_location(r.source_location_raw());
                    self.extend_recording(
                        r.control_session_id(),
                        r.correlation_id(),
                        r.recording_id(),
                        r.stream_id(),
                        local,
                        &channel,
                        false,
                    );
                }
            }
            M::ExtendRecordingRequest2(r) => {
                let channel = r.channel()?.to_owned();
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    let local = source_location(r.source_location_raw());
                    let auto_stop = r.auto_stop_raw() == 1;
                    self.extend_recording(
                        r.control_session_id(),
                        r.correlation_id(),
                        r.recording_id(),
                        r.stream_id(),
                        local,
                        &channel,
                        auto_stop,
                    );
                }
            }
            M::StopRecordingRequest(r) => {
                let channel = r.channel()?.to_owned();
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    self.stop_recording_channel(
                        r.control_session_id(),
                        r.correlation_id(),
                        r.stream_id(),
                        &channel,
                    );
                }
            }
            M::StopRecordingSubscriptionRequest(r) => {
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    self.stop_recording_subscription(
                        r.control_session_id(),
                        r.correlation_id(),
                        r.subscription_id(),
                    );
                }
            }
            M::StopRecordingByIdentityRequest(r) => {
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    self.stop_recording_by_identity(
                        r.control_session_id(),
                        r.correlation_id(),
                        r.recording_id(),
                    );
                }
            }
            M::ListRecordingRequest(r) => {
                let (csid, corr, id) =
                    (r.control_session_id(), r.correlation_id(), r.recording_id());
                if self.active(csid, corr, origin) {
                    match self
                        .catalog
                        .body(id)
                        .map(|b| proxy::recording_descriptor(csid, corr, b))
                    {
                        Some(m) => self.send_to(csid, m),
                        None => {
                            if let Some(s) = self.session(csid) {
                                s.send_code(corr, id, ControlResponseCode::RecordingUnknown);
                            }
                        }
                    }
                }
            }
            M::ListRecordingsRequest(r) => {
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    self.list_recordings(
                        r.control_session_id(),
                        r.correlation_id(),
                        r.from_recording_id(),
                        r.record_count(),
                        None,
                    );
                }
            }
            M::ListRecordingsForUriRequest(r) => {
                let channel = r.channel()?.to_owned();
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    self.list_recordings(
                        r.control_session_id(),
                        r.correlation_id(),
                        r.from_recording_id(),
                        r.record_count(),
                        Some((r.stream_id(), channel.as_str())),
                    );
                }
            }
            M::FindLastMatchingRecordingRequest(r) => {
                let channel = r.channel()?.to_owned();
                let (csid, corr, min) = (
                    r.control_session_id(),
                    r.correlation_id(),
                    r.min_recording_id(),
                );
                if self.active(csid, corr, origin) {
                    if min < 0 {
                        self.error(
                            csid,
                            corr,
                            codes::UNKNOWN_RECORDING,
                            &format!("minRecordingId={min} < 0"),
                        );
                    } else {
                        let found = self
                            .catalog
                            .ids_descending_to(min)
                            .find(|id| {
                                self.catalog.get(*id).is_some_and(|d| {
                                    d.session_id == r.session_id()
                                        && d.stream_id == r.stream_id()
                                        && contains(
                                            d.original_channel.as_bytes(),
                                            channel.as_bytes(),
                                        )
                                })
                            })
                            .unwrap_or(-1);
                        self.ok(csid, corr, found);
                    }
                }
            }
            M::ListRecordingSubscriptionsRequest(r) => {
                let channel = r.channel()?.to_owned();
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    self.list_recording_subscriptions(
                        r.control_session_id(),
                        r.correlation_id(),
                        r.pseudo_index(),
                        r.subscription_count(),
                        r.apply_stream_id_raw() == 1,
                        r.stream_id(),
                        &channel,
                    );
                }
            }
            M::RecordingPositionRequest(r) => {
                let (csid, corr) = (r.control_session_id(), r.correlation_id());
                if let Some(d) = self.recording_request(csid, corr, origin, r.recording_id()) {
                    let pos = self
                        .recordings
                        .active_position(d.recording_id)
                        .unwrap_or(-1);
                    self.ok(csid, corr, pos);
                }
            }
            M::StartPositionRequest(r) => {
                let (csid, corr) = (r.control_session_id(), r.correlation_id());
                if let Some(d) = self.recording_request(csid, corr, origin, r.recording_id()) {
                    self.ok(csid, corr, d.start_position);
                }
            }
            M::StopPositionRequest(r) => {
                let (csid, corr) = (r.control_session_id(), r.correlation_id());
                if let Some(d) = self.recording_request(csid, corr, origin, r.recording_id()) {
                    self.ok(csid, corr, d.stop_position);
                }
            }
            M::MaxRecordedPositionRequest(r) => {
                let (csid, corr) = (r.control_session_id(), r.correlation_id());
                if let Some(d) = self.recording_request(csid, corr, origin, r.recording_id()) {
                    let pos = self
                        .recordings
                        .active_position(d.recording_id)
                        .unwrap_or(d.stop_position);
                    self.ok(csid, corr, pos);
                }
            }
            M::UpdateChannelRequest(r) => {
                let channel = r.channel()?.to_owned();
                let (csid, corr, id) =
                    (r.control_session_id(), r.correlation_id(), r.recording_id());
                if self.active(csid, corr, origin) {
                    self.update_channel(csid, corr, id, &channel);
                }
            }
            M::ReplayRequest(r) => {
                let channel = r.replay_channel()?.to_owned();
                let csid = r.control_session_id();
                if let Some(csid) = self.replay_session_for(
                    csid,
                    r.correlation_id(),
                    origin,
                    r.replay_token(),
                    r.recording_id(),
                    &channel,
                ) {
                    let params = super::replay::ReplayParams {
                        recording_id: r.recording_id(),
                        position: r.position(),
                        length: r.length(),
                        limit_counter_id: None,
                        replay_stream_id: r.replay_stream_id(),
                        file_io_max_length: r.file_io_max_length(),
                        replay_token: r.replay_token(),
                        channel,
                    };
                    self.start_replay(csid, r.correlation_id(), origin.image, params);
                }
            }
            M::BoundedReplayRequest(r) => {
                let channel = r.replay_channel()?.to_owned();
                let csid = r.control_session_id();
                if let Some(csid) = self.replay_session_for(
                    csid,
                    r.correlation_id(),
                    origin,
                    r.replay_token(),
                    r.recording_id(),
                    &channel,
                ) {
                    let params = super::replay::ReplayParams {
                        recording_id: r.recording_id(),
                        position: r.position(),
                        length: r.length(),
                        limit_counter_id: Some(r.limit_counter_id()),
                        replay_stream_id: r.replay_stream_id(),
                        file_io_max_length: r.file_io_max_length(),
                        replay_token: r.replay_token(),
                        channel,
                    };
                    self.start_replay(csid, r.correlation_id(), origin.image, params);
                }
            }
            M::StopReplayRequest(r) => {
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    self.abort_replay(r.replay_session_id());
                    self.ok(r.control_session_id(), r.correlation_id(), 0);
                }
            }
            M::StopAllReplaysRequest(r) => {
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    self.abort_replays(r.recording_id());
                    self.ok(r.control_session_id(), r.correlation_id(), 0);
                }
            }
            M::ReplayTokenRequest(r) => {
                let (csid, corr) = (r.control_session_id(), r.correlation_id());
                if let Some(d) = self.recording_request(csid, corr, origin, r.recording_id()) {
                    let expiry = rusteron_client::epoch_clock() + self.timeout.as_millis() as i64;
                    let token = self.replays.new_token(csid, d.recording_id, expiry);
                    self.ok(csid, corr, token);
                }
            }
            M::TruncateRecordingRequest(r) => {
                let (csid, corr) = (r.control_session_id(), r.correlation_id());
                if let Some(d) = self.recording_request(csid, corr, origin, r.recording_id()) {
                    self.truncate_recording(csid, corr, d, r.position());
                }
            }
            M::PurgeRecordingRequest(r) => {
                let (csid, corr) = (r.control_session_id(), r.correlation_id());
                if let Some(d) = self.recording_request(csid, corr, origin, r.recording_id()) {
                    self.purge_recording(csid, corr, d);
                }
            }
            M::DetachSegmentsRequest(r) => {
                let (csid, corr) = (r.control_session_id(), r.correlation_id());
                if let Some(d) = self.recording_request(csid, corr, origin, r.recording_id()) {
                    self.detach_segments(csid, corr, d, r.new_start_position());
                }
            }
            M::DeleteDetachedSegmentsRequest(r) => {
                let (csid, corr) = (r.control_session_id(), r.correlation_id());
                if let Some(d) = self.recording_request(csid, corr, origin, r.recording_id()) {
                    self.delete_detached_segments(csid, corr, d);
                }
            }
            M::PurgeSegmentsRequest(r) => {
                let (csid, corr) = (r.control_session_id(), r.correlation_id());
                if let Some(d) = self.recording_request(csid, corr, origin, r.recording_id()) {
                    self.purge_segments(csid, corr, d, r.new_start_position());
                }
            }
            M::AttachSegmentsRequest(r) => {
                let (csid, corr) = (r.control_session_id(), r.correlation_id());
                if let Some(d) = self.recording_request(csid, corr, origin, r.recording_id()) {
                    self.attach_segments(csid, corr, d);
                }
            }
            M::MigrateSegmentsRequest(r) => {
                let (csid, corr) = (r.control_session_id(), r.correlation_id());
                if let Some(src) = self.recording_request(csid, corr, origin, r.src_recording_id())
                {
                    if let Some(dst) = self.known_recording(csid, corr, r.dst_recording_id()) {
                        self.migrate_segments(csid, corr, src, dst);
                    }
                }
            }
            M::ReplicateRequest2(r) => {
                let src_control_channel = r.src_control_channel()?.to_owned();
                let live_destination = r.live_destination()?.to_owned();
                let replication_channel = r.replication_channel()?.to_owned();
                let credentials = r.encoded_credentials()?.to_vec();
                let src_response_channel = r.src_response_channel()?.to_owned();
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    let request = super::replication::ReplicateParams {
                        src_recording_id: r.src_recording_id(),
                        dst_recording_id: r.dst_recording_id(),
                        stop_position: r.stop_position(),
                        channel_tag_id: r.channel_tag_id(),
                        subscription_tag_id: r.subscription_tag_id(),
                        src_control_stream_id: r.src_control_stream_id(),
                        file_io_max_length: r.file_io_max_length(),
                        replication_session_id: r.replication_session_id(),
                        src_control_channel,
                        live_destination,
                        replication_channel,
                        credentials,
                        src_response_channel,
                    };
                    self.replicate(r.control_session_id(), r.correlation_id(), request);
                }
            }
            M::ReplicateRequest(r) => {
                let src_control_channel = r.src_control_channel()?.to_owned();
                let live_destination = r.live_destination()?.to_owned();
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    let request = super::replication::ReplicateParams {
                        src_recording_id: r.src_recording_id(),
                        dst_recording_id: r.dst_recording_id(),
                        stop_position: -1,
                        channel_tag_id: -1,
                        subscription_tag_id: -1,
                        src_control_stream_id: r.src_control_stream_id(),
                        file_io_max_length: -1,
                        replication_session_id: -1,
                        src_control_channel,
                        live_destination,
                        replication_channel: String::new(),
                        credentials: Vec::new(),
                        src_response_channel: String::new(),
                    };
                    self.replicate(r.control_session_id(), r.correlation_id(), request);
                }
            }
            M::TaggedReplicateRequest(r) => {
                let src_control_channel = r.src_control_channel()?.to_owned();
                let live_destination = r.live_destination()?.to_owned();
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    let request = super::replication::ReplicateParams {
                        src_recording_id: r.src_recording_id(),
                        dst_recording_id: r.dst_recording_id(),
                        stop_position: -1,
                        channel_tag_id: r.channel_tag_id(),
                        subscription_tag_id: r.subscription_tag_id(),
                        src_control_stream_id: r.src_control_stream_id(),
                        file_io_max_length: -1,
                        replication_session_id: -1,
                        src_control_channel,
                        live_destination,
                        replication_channel: String::new(),
                        credentials: Vec::new(),
                        src_response_channel: String::new(),
                    };
                    self.replicate(r.control_session_id(), r.correlation_id(), request);
                }
            }
            M::StopReplicationRequest(r) => {
                if self.active(r.control_session_id(), r.correlation_id(), origin) {
                    self.stop_replication(
                        r.control_session_id(),
                        r.correlation_id(),
                        r.replication_id(),
                    );
                }
            }
            other => {
                return Err(CodecError::UnknownTemplateId(other.template_id()));
            }
        }
        Ok(())
    }

    /// Resolves which session a replay request belongs to: by replay token for response-channel replays
    /// (arriving on a temporary image, not authorised, as in Java), else the usual session/image and
    /// authorisation check.
    fn replay_session_for(
        &mut self,
        csid: i64,
        corr: i64,
        origin: Origin,
        token: i64,
        recording_id: i64,
        channel: &str,
    ) -> Option<i64> {
        let response_mode =
            ChannelUri::parse(channel).is_ok_and(|u| u.get("control-mode") == Some("response"));
        if response_mode && token != -1 {
            let now = rusteron_client::epoch_clock();
            match self.replays.take_token(token, recording_id, now) {
                Some(owner) if owner == csid && self.session(csid).is_some() => Some(csid),
                _ => {
                    log::warn!(
                        "replay with invalid token {token} for recording {recording_id} ignored"
                    );
                    None
                }
            }
        } else if self.active(csid, corr, origin) {
            Some(csid)
        } else {
            None
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_connect(
        &mut self,
        image: ImageKey,
        correlation_id: i64,
        response_stream_id: i32,
        version: i32,
        response_channel: &str,
        credentials: Vec<u8>,
        client_info: &str,
    ) {
        let invalid_version = (version >> 16 != PROTOCOL_MAJOR_VERSION).then(|| {
            format!(
                "invalid client version {}, archive is {}",
                semantic_version(version),
                semantic_version(proxy::PROTOCOL_SEMANTIC_VERSION)
            )
        });
        let id = self.next_session_id;
        self.next_session_id += 1;
        let image_info = self.control_images.get(&image).cloned();
        let channel = match self.response_channel(
            response_channel,
            image_info.as_ref().map(|i| i.correlation_id),
        ) {
            Ok(c) => c,
            Err(e) => {
                log::warn!(
                    "connect request with invalid response channel {response_channel:?}: {e}"
                );
                return;
            }
        };
        let added =
            self.aeron
                .add_exclusive_publication(&channel, response_stream_id, self.timeout);
        let publication = match added {
            Ok(p) => p,
            Err(e) => {
                log::warn!(
                    "cannot create response publication {channel} stream {response_stream_id}: {e}"
                );
                return;
            }
        };
        let mut key = Vec::with_capacity(16);
        key.extend_from_slice(&self.archive_id.to_le_bytes());
        key.extend_from_slice(&id.to_le_bytes());
        let label = counters::control_session_label(
            client_info,
            image_info
                .as_ref()
                .map_or("", |i| i.source_identity.as_str()),
            image.1,
            self.archive_id,
        );
        let counter = counters::add_counter(
            &self.aeron,
            counters::CONTROL_SESSION_TYPE_ID,
            &key,
            &label,
            self.timeout,
        )
        .map_err(|e| log::warn!("control session counter: {e}"))
        .ok();
        if let Some(c) = &counter {
            c.set(id);
        }
        let now = rusteron_client::epoch_clock();
        log::debug!("control session {id} connecting on {channel} stream {response_stream_id}");
        let session = ControlSession::new(
            id,
            image,
            correlation_id,
            publication,
            credentials,
            invalid_version,
            counter,
            now,
            self.timeout.as_millis() as i64,
            self.config.session_liveness_check_interval.as_millis() as i64,
        );
        self.sessions.insert(id, session);
    }

    /// The channel of a session's response publication: the stripped response channel plus term length,
    /// sparse and MTU (from the request or the archive's control settings).
    fn response_channel(
        &self,
        requested: &str,
        image_correlation_id: Option<i64>,
    ) -> Result<String, crate::channel::ChannelError> {
        let uri = ChannelUri::parse(requested)?;
        let mut out = uri.stripped()?;
        let term_length = uri
            .get("term-length")
            .map(str::to_owned)
            .unwrap_or_else(|| self.config.control_term_buffer_length.to_string());
        let sparse = uri
            .get("sparse")
            .map(str::to_owned)
            .unwrap_or_else(|| self.config.control_term_buffer_sparse.to_string());
        let mtu = uri
            .get("mtu")
            .map(str::to_owned)
            .unwrap_or_else(|| self.config.control_mtu_length.to_string());
        out.set("term-length", term_length);
        out.set("sparse", sparse);
        out.set("mtu", mtu);
        if uri.get("control-mode") == Some("response") {
            if let Some(id) = image_correlation_id {
                out.set("response-correlation-id", id.to_string());
            }
        }
        Ok(out.to_string())
    }

    fn list_recordings(
        &mut self,
        csid: i64,
        corr: i64,
        from: i64,
        count: i32,
        filter: Option<(i32, &str)>,
    ) {
        let mut sent = 0;
        let mut messages = Vec::new();
        let mut last = from;
        for id in self.catalog.ids_from(from) {
            if sent >= count {
                break;
            }
            last = id;
            let Some(body) = self.catalog.body(id) else {
                continue;
            };
            if let Some((stream_id, fragment)) = filter {
                let Some(d) = self.catalog.get(id) else {
                    continue;
                };
                if d.stream_id != stream_id
                    || !contains(d.original_channel.as_bytes(), fragment.as_bytes())
                {
                    continue;
                }
            }
            messages.push(proxy::recording_descriptor(csid, corr, body));
            sent += 1;
        }
        let Some(session) = self.session(csid) else {
            return;
        };
        for m in messages {
            session.send(m);
        }
        if sent < count {
            let next = if last >= from {
                last.saturating_add(1)
            } else {
                from
            };
            session.send_code(corr, next, ControlResponseCode::RecordingUnknown);
        }
    }

    fn update_channel(&mut self, csid: i64, corr: i64, id: i64, channel: &str) {
        if !self.catalog.has_recording(id) {
            if let Some(s) = self.session(csid) {
                s.send_code(corr, id, ControlResponseCode::RecordingUnknown);
            }
            return;
        }
        let stripped = match ChannelUri::parse(channel).and_then(|u| u.stripped()) {
            Ok(s) => s.to_string(),
            Err(e) => {
                self.error(csid, corr, codes::GENERIC, &e.to_string());
                return;
            }
        };
        match self.catalog.update_channel(id, channel, &stripped) {
            Ok(()) => self.ok(csid, corr, 0),
            Err(e) => self.error(csid, corr, codes::GENERIC, &e.to_string()),
        }
    }
}

/// `true` if `haystack` contains `needle` as a byte substring (an empty needle matches).
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

fn semantic_version(v: i32) -> String {
    format!("{}.{}.{}", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)
}

#[allow(dead_code)]
fn _assert_session_type(_: &ControlSession) {}
