//! A non-blocking archive client of the source archive, used by a replication session: connects (with
//! credentials and challenge), sends requests over `rusteron-archive-codecs` and collects the responses
//! addressed to its control session. Every step returns at once; the caller drives it from the duty cycle.

use rusteron_archive_codecs::{
    decode_message, AuthConnectRequestEncoder, ChallengeResponseEncoder,
    CloseSessionRequestEncoder, CodecError, ControlResponseCode, DecodedMessage,
    ListRecordingRequestEncoder, RecordingPositionRequestEncoder, ReplayRequestEncoder,
    ReplayTokenRequestEncoder, StopReplayRequestEncoder,
};
use rusteron_client::{
    Aeron, AeronAsyncAddExclusivePublication, AeronAsyncAddSubscription, AeronExclusivePublication,
    AeronFragmentAssembler, AeronSubscription, Handlers,
};

use crate::channel::ChannelUri;
use crate::server::conductor::Collector;
use crate::server::proxy::PROTOCOL_SEMANTIC_VERSION;
use crate::storage::catalog::RecordingDescriptor;

/// Why talking to the source archive failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SourceError {
    /// The Aeron client refused an operation.
    #[error("aeron: {0}")]
    Aeron(String),
    /// A channel could not be parsed.
    #[error("invalid channel: {0}")]
    Channel(#[from] crate::channel::ChannelError),
    /// A request could not be encoded.
    #[error("encoding: {0}")]
    Codec(#[from] CodecError),
    /// The source archive answered with an error.
    #[error("{message}")]
    Archive {
        /// Archive error code (`relevantId` of the ERROR response).
        code: i64,
        /// The source archive's message.
        message: String,
    },
}

/// A message from the source archive for this client's session.
#[derive(Debug)]
pub(crate) enum SourceResponse {
    /// A ControlResponse.
    Control {
        correlation_id: i64,
        code: ControlResponseCode,
        relevant_id: i64,
        message: String,
    },
    /// A RecordingDescriptor.
    Descriptor {
        correlation_id: i64,
        descriptor: RecordingDescriptor,
    },
}

enum Connect {
    Adding {
        subscription: Option<AeronAsyncAddSubscription>,
        publication: Option<AeronAsyncAddExclusivePublication>,
    },
    AwaitConnected,
    AwaitResponse,
    Connected,
}

/// The source-archive client of one replication.
pub(crate) struct SourceArchive {
    aeron: Aeron,
    state: Connect,
    subscription: Option<AeronSubscription>,
    publication: Option<AeronExclusivePublication>,
    assembler: AeronFragmentAssembler<Collector>,
    response_channel: String,
    response_stream_id: i32,
    credentials: Vec<u8>,
    connect_correlation_id: i64,
    control_session_id: i64,
    request_channel: String,
    request_stream_id: i32,
}

/// A replay request to the source archive.
pub(crate) struct ReplayRequest<'a> {
    /// Source recording.
    pub recording_id: i64,
    /// Replay channel (see `channels::replay_channel`).
    pub channel: &'a str,
    /// Replay stream id.
    pub stream_id: i32,
    /// Start position.
    pub position: i64,
    /// Length (-1: follow the recording).
    pub length: i64,
    /// Source file I/O length (-1: the source's default).
    pub file_io_max_length: i32,
    /// Replay token of a response-channel replay (-1: none).
    pub replay_token: i64,
}

/// The request channel without `session-id` (the requester's concluded channel carries the session id of
/// its own publication, which must not clash with ours).
fn request_channel(channel: &str) -> Result<String, SourceError> {
    let mut uri = ChannelUri::parse(channel)?;
    uri.remove("session-id");
    Ok(uri.to_string())
}

impl SourceArchive {
    /// Starts connecting: adds the response subscription and the request publication.
    pub fn connect(
        aeron: &Aeron,
        request: &str,
        request_stream_id: i32,
        response_channel: &str,
        response_stream_id: i32,
        credentials: Vec<u8>,
    ) -> Result<SourceArchive, SourceError> {
        let request = request_channel(request)?;
        let response_mode =
            ChannelUri::parse(response_channel)?.get("control-mode") == Some("response");
        let subscription = aeron
            .async_add_subscription(
                response_channel,
                response_stream_id,
                Handlers::no_available_image_handler(),
                Handlers::no_unavailable_image_handler(),
            )
            .map_err(|e| SourceError::Aeron(e.to_string()))?;
        // In response mode the request publication names the response subscription, so it waits for it.
        let publication = if response_mode {
            None
        } else {
            Some(
                aeron
                    .async_add_exclusive_publication(&request, request_stream_id)
                    .map_err(|e| SourceError::Aeron(e.to_string()))?,
            )
        };
        let assembler = AeronFragmentAssembler::new(Collector::default())
            .map_err(|e| SourceError::Aeron(e.to_string()))?;
        Ok(SourceArchive {
            aeron: aeron.clone(),
            state: Connect::Adding {
                subscription: Some(subscription),
                publication,
            },
            subscription: None,
            publication: None,
            assembler,
            response_channel: response_channel.to_owned(),
            response_stream_id,
            credentials,
            connect_correlation_id: -1,
            control_session_id: -1,
            request_channel: request,
            request_stream_id,
        })
    }

    /// Advances the connection. `Ok(true)` once connected; `Ok(false)` while in progress.
    pub fn poll_connect(&mut self) -> Result<bool, SourceError> {
        let aeron_err = |e: rusteron_client::AeronCError| SourceError::Aeron(e.to_string());
        match &mut self.state {
            Connect::Adding {
                subscription,
                publication,
            } => {
                if let Some(pending) = subscription {
                    if let Some(s) = pending.poll().map_err(aeron_err)? {
                        *subscription = None;
                        if publication.is_none() {
                            // Response mode (as Java's AsyncConnect): the request channel gets the response
                            // subscription's registration id as its response correlation id.
                            let mut uri = ChannelUri::parse(&self.request_channel)?;
                            uri.set("response-correlation-id", s.registration_id().to_string());
                            self.request_channel = uri.to_string();
                            *publication = Some(
                                self.aeron
                                    .async_add_exclusive_publication(
                                        &self.request_channel,
                                        self.request_stream_id,
                                    )
                                    .map_err(aeron_err)?,
                            );
                        }
                        self.subscription = Some(s);
                    }
                }
                if let Some(pending) = publication {
                    if let Some(p) = pending.poll().map_err(aeron_err)? {
                        self.publication = Some(p);
                        *publication = None;
                    }
                }
                if self.subscription.is_some() && self.publication.is_some() {
                    self.state = Connect::AwaitConnected;
                }
                Ok(false)
            }
            Connect::AwaitConnected => {
                let (Some(s), Some(p)) = (&self.subscription, &self.publication) else {
                    return Ok(false);
                };
                if !p.is_connected() {
                    return Ok(false);
                }
                let uri = ChannelUri::parse(&self.response_channel)?;
                let response = if uri.get("endpoint").is_some_and(|e| e.ends_with(":0")) {
                    match s.try_resolve_channel_endpoint_port().map_err(aeron_err)? {
                        Some(resolved) => resolved,
                        None => return Ok(false),
                    }
                } else {
                    self.response_channel.clone()
                };
                let correlation_id = self.aeron.next_correlation_id();
                let mut buf = vec![0u8; 64 + response.len() + self.credentials.len()];
                let len = AuthConnectRequestEncoder::wrap_and_apply_header(&mut buf)?
                    .correlation_id(correlation_id)
                    .response_stream_id(self.response_stream_id)
                    .version(PROTOCOL_SEMANTIC_VERSION)
                    .response_channel(&response)?
                    .encoded_credentials(&self.credentials)?
                    .finish()?;
                if self.offer(&buf[..len]) {
                    self.connect_correlation_id = correlation_id;
                    self.state = Connect::AwaitResponse;
                }
                Ok(false)
            }
            Connect::AwaitResponse => {
                self.poll_connect_response()?;
                Ok(matches!(self.state, Connect::Connected))
            }
            Connect::Connected => Ok(true),
        }
    }

    fn poll_connect_response(&mut self) -> Result<(), SourceError> {
        for bytes in self.poll_raw() {
            match decode_message(&bytes) {
                Ok(DecodedMessage::ControlResponse(r))
                    if r.correlation_id() == self.connect_correlation_id =>
                {
                    match r.code() {
                        Ok(ControlResponseCode::Ok) => {
                            self.control_session_id = r.control_session_id();
                            self.state = Connect::Connected;
                            return Ok(());
                        }
                        _ => {
                            let message = r.error_message().unwrap_or("").to_owned();
                            return Err(SourceError::Archive {
                                code: r.relevant_id(),
                                message,
                            });
                        }
                    }
                }
                Ok(DecodedMessage::Challenge(c))
                    if c.correlation_id() == self.connect_correlation_id =>
                {
                    // As Java's ReplicationCredentialsSupplier: answer a challenge with the same credentials.
                    let session = c.control_session_id();
                    let correlation_id = self.aeron.next_correlation_id();
                    let mut buf = vec![0u8; 64 + self.credentials.len()];
                    let len = ChallengeResponseEncoder::wrap_and_apply_header(&mut buf)?
                        .control_session_id(session)
                        .correlation_id(correlation_id)
                        .encoded_credentials(&self.credentials)?
                        .finish()?;
                    if self.offer(&buf[..len]) {
                        self.connect_correlation_id = correlation_id;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn offer(&self, message: &[u8]) -> bool {
        let Some(p) = &self.publication else {
            return false;
        };
        p.offer(message, Handlers::no_reserved_value_supplier_handler()) > 0
    }

    fn poll_raw(&mut self) -> Vec<Vec<u8>> {
        let Some(s) = &self.subscription else {
            return Vec::new();
        };
        if let Err(e) = s.poll(&mut self.assembler, 10) {
            log::warn!("polling the source archive responses failed: {e}");
        }
        std::mem::take(&mut self.assembler.delegate().messages)
            .into_iter()
            .map(|(_, m)| m)
            .collect()
    }

    /// Responses for this session received since the last poll.
    pub fn poll(&mut self) -> Vec<SourceResponse> {
        let mut out = Vec::new();
        for bytes in self.poll_raw() {
            match decode_message(&bytes) {
                Ok(DecodedMessage::ControlResponse(r))
                    if r.control_session_id() == self.control_session_id =>
                {
                    out.push(SourceResponse::Control {
                        correlation_id: r.correlation_id(),
                        code: r.code().unwrap_or(ControlResponseCode::Error),
                        relevant_id: r.relevant_id(),
                        message: r.error_message().unwrap_or("").to_owned(),
                    });
                }
                Ok(DecodedMessage::RecordingDescriptor(d))
                    if d.control_session_id() == self.control_session_id =>
                {
                    let descriptor = (|| -> Result<RecordingDescriptor, CodecError> {
                        Ok(RecordingDescriptor {
                            control_session_id: 0,
                            correlation_id: 0,
                            recording_id: d.recording_id(),
                            start_timestamp: d.start_timestamp(),
                            stop_timestamp: d.stop_timestamp(),
                            start_position: d.start_position(),
                            stop_position: d.stop_position(),
                            initial_term_id: d.initial_term_id(),
                            segment_file_length: d.segment_file_length(),
                            term_buffer_length: d.term_buffer_length(),
                            mtu_length: d.mtu_length(),
                            session_id: d.session_id(),
                            stream_id: d.stream_id(),
                            stripped_channel: d.stripped_channel()?.to_owned(),
                            original_channel: d.original_channel()?.to_owned(),
                            source_identity: d.source_identity()?.to_owned(),
                        })
                    })();
                    match descriptor {
                        Ok(descriptor) => out.push(SourceResponse::Descriptor {
                            correlation_id: d.correlation_id(),
                            descriptor,
                        }),
                        Err(e) => log::warn!("undecodable descriptor from the source archive: {e}"),
                    }
                }
                Ok(_) => {}
                Err(e) => log::debug!("undecodable message from the source archive: {e}"),
            }
        }
        out
    }

    /// Sends ListRecording; the correlation id if sent.
    pub fn list_recording(&mut self, recording_id: i64) -> Result<Option<i64>, SourceError> {
        let correlation_id = self.aeron.next_correlation_id();
        let mut buf = [0u8; 64];
        let len = ListRecordingRequestEncoder::wrap_and_apply_header(&mut buf)?
            .control_session_id(self.control_session_id)
            .correlation_id(correlation_id)
            .recording_id(recording_id)
            .finish()?;
        Ok(self.offer(&buf[..len]).then_some(correlation_id))
    }

    /// The control request channel used for the source archive (without `session-id`).
    pub fn request_channel(&self) -> &str {
        &self.request_channel
    }

    /// The control request stream id of the source archive.
    pub fn request_stream_id(&self) -> i32 {
        self.request_stream_id
    }

    /// Sends RecordingPosition; the correlation id if sent.
    pub fn recording_position(&mut self, recording_id: i64) -> Result<Option<i64>, SourceError> {
        let correlation_id = self.aeron.next_correlation_id();
        let mut buf = [0u8; 64];
        let len = RecordingPositionRequestEncoder::wrap_and_apply_header(&mut buf)?
            .control_session_id(self.control_session_id)
            .correlation_id(correlation_id)
            .recording_id(recording_id)
            .finish()?;
        Ok(self.offer(&buf[..len]).then_some(correlation_id))
    }

    /// Sends ReplayToken; the correlation id if sent.
    pub fn replay_token(&mut self, recording_id: i64) -> Result<Option<i64>, SourceError> {
        let correlation_id = self.aeron.next_correlation_id();
        let mut buf = [0u8; 64];
        let len = ReplayTokenRequestEncoder::wrap_and_apply_header(&mut buf)?
            .control_session_id(self.control_session_id)
            .correlation_id(correlation_id)
            .recording_id(recording_id)
            .finish()?;
        Ok(self.offer(&buf[..len]).then_some(correlation_id))
    }

    /// Sends Replay, on `via` if given (the response-channel request publication) else on the control
    /// request publication; the correlation id if sent.
    pub fn replay(
        &mut self,
        request: &ReplayRequest<'_>,
        via: Option<&AeronExclusivePublication>,
    ) -> Result<Option<i64>, SourceError> {
        let correlation_id = self.aeron.next_correlation_id();
        let mut buf = vec![0u8; 128 + request.channel.len()];
        let len = ReplayRequestEncoder::wrap_and_apply_header(&mut buf)?
            .control_session_id(self.control_session_id)
            .correlation_id(correlation_id)
            .recording_id(request.recording_id)
            .position(request.position)
            .length(request.length)
            .replay_stream_id(request.stream_id)
            .file_io_max_length(request.file_io_max_length)
            .replay_token(request.replay_token)
            .replay_channel(request.channel)?
            .finish()?;
        let sent = match via {
            Some(p) => p.offer(&buf[..len], Handlers::no_reserved_value_supplier_handler()) > 0,
            None => self.offer(&buf[..len]),
        };
        Ok(sent.then_some(correlation_id))
    }

    /// Sends StopReplay (best effort).
    pub fn stop_replay(&mut self, replay_session_id: i64) {
        let correlation_id = self.aeron.next_correlation_id();
        let mut buf = [0u8; 64];
        let encoded = StopReplayRequestEncoder::wrap_and_apply_header(&mut buf).and_then(|e| {
            e.control_session_id(self.control_session_id)
                .correlation_id(correlation_id)
                .replay_session_id(replay_session_id)
                .finish()
        });
        if let Ok(len) = encoded {
            if !self.offer(&buf[..len]) {
                log::warn!("could not send StopReplay {replay_session_id} to the source archive");
            }
        }
    }

    /// Sends CloseSession (best effort) and releases the publication and subscription.
    pub fn close(mut self) {
        if self.control_session_id != -1 {
            let mut buf = [0u8; 32];
            if let Ok(len) = CloseSessionRequestEncoder::wrap_and_apply_header(&mut buf)
                .and_then(|e| e.control_session_id(self.control_session_id).finish())
            {
                self.offer(&buf[..len]);
            }
        }
        self.publication = None;
        self.subscription = None;
    }
}
