//! Recording: recording subscriptions (keyed like Java's, reference counted), one recording session per
//! recorded image (block poll → segment files → RecordingPos counter), START/STOP/EXTEND signals and
//! recording events.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rusteron_archive_codecs::{ControlResponseCode, RecordingSignal};
use rusteron_client::{
    epoch_clock, AeronAvailableImageClosure, AeronBlockHandlerCallback, AeronCounter, AeronImageRef,
    AeronSubscription, Handlers,
};

use super::conductor::{Conductor, ImageEvent, ImageInfo};
use super::counters;
use super::proxy;
use super::requests::codes;
use super::requests::contains;
use super::storage_space::recording_write_error;
use crate::channel::{ChannelUri, SPY_PREFIX};
use crate::storage::catalog::RecordingDescriptor;
use crate::storage::segment::{RecordingLayout, SegmentWriter};

/// A subscription the archive records from.
pub(crate) struct RecordingSubscription {
    pub subscription: AeronSubscription,
    pub key: String,
    /// The channel subscribed to (with `aeron-spy:` for local UDP recordings).
    pub channel: String,
    /// The channel as the client sent it.
    pub original_channel: String,
    pub stream_id: i32,
    pub control_session_id: i64,
    pub correlation_id: i64,
    pub auto_stop: bool,
    /// Set for an extend-recording subscription.
    pub extend_recording_id: Option<i64>,
    /// Active recording sessions on this subscription.
    pub sessions: usize,
    /// Image constants of the images seen, by session id (to tell a new image from an old one).
    pub recorded_images: HashMap<i32, i64>,
}

/// One image being recorded.
pub(crate) struct RecordingSession {
    pub recording_id: i64,
    pub subscription_id: i64,
    pub image_session_id: i32,
    pub image_correlation_id: i64,
    pub join_position: i64,
    pub control_session_id: i64,
    pub correlation_id: i64,
    pub writer: SegmentWriter,
    pub counter: AeronCounter,
    pub block_length_limit: usize,
    /// Archive error code and message the recording stops with (a failed write).
    pub error: Option<(i64, String)>,
    pub done: bool,
    pub progress_position: i64,
}

/// All recording subscriptions and sessions.
#[derive(Default)]
pub(crate) struct Recorder {
    /// By subscription registration id (ordered, for stable listings).
    pub subscriptions: BTreeMap<i64, RecordingSubscription>,
    /// By recording id.
    pub sessions: HashMap<i64, RecordingSession>,
    /// Image-handler tokens → subscription registration id.
    pub tokens: HashMap<u64, i64>,
    pub next_token: u64,
}

impl Recorder {
    /// Live recorded position of an active recording.
    pub fn active_position(&self, recording_id: i64) -> Option<i64> {
        self.sessions.get(&recording_id).map(|s| s.writer.position())
    }

    /// `true` if the recording is being recorded.
    pub fn is_active(&self, recording_id: i64) -> bool {
        self.sessions.contains_key(&recording_id)
    }

    fn subscription_by_key(&self, key: &str) -> Option<i64> {
        self.subscriptions.iter().find(|(_, s)| s.key == key).map(|(id, _)| *id)
    }
}

struct BlockWriter<'a> {
    writer: &'a mut SegmentWriter,
    error: &'a mut Option<(i64, String)>,
    archive_dir: &'a Path,
}

impl AeronBlockHandlerCallback for BlockWriter<'_> {
    fn handle_aeron_block_handler(&mut self, buffer: &[u8], _session_id: i32, _term_id: i32) {
        if self.error.is_none() {
            if let Err(e) = self.writer.write_block(buffer) {
                log::error!("recording write failed: {e}");
                *self.error = Some(recording_write_error(&e, self.archive_dir, buffer.len()));
            }
        }
    }
}

/// The channel to subscribe to for a recording and its key.
fn recording_channel(channel: &str, stream_id: i32, local: bool) -> Result<(String, String), String> {
    let uri = ChannelUri::parse(channel).map_err(|e| e.to_string())?;
    let stripped = uri.stripped().map_err(|e| e.to_string())?.to_string();
    let key = uri.recording_key(stream_id);
    let subscribed = if local && uri.is_udp() { format!("{SPY_PREFIX}{stripped}") } else { stripped };
    Ok((subscribed, key))
}

impl Conductor {
    fn too_many_recordings(&mut self, csid: i64, corr: i64) -> bool {
        let max = self.config.max_concurrent_recordings;
        if self.recorder.sessions.len() >= max || self.recorder.subscriptions.len() >= max {
            self.error(csid, corr, codes::MAX_RECORDINGS, &format!("max concurrent recordings reached at {max}"));
            return true;
        }
        false
    }

    fn add_recording_subscription(&mut self, channel: &str, stream_id: i32) -> Result<(AeronSubscription, u64), String> {
        let token = self.recorder.next_token;
        self.recorder.next_token += 1;
        let tx = self.image_sender.clone();
        let available = AeronAvailableImageClosure::new(move |image: AeronImageRef<'_>| {
            if let Some(info) = ImageInfo::from_image(&image) {
                let _ = tx.send(ImageEvent::RecordingAvailable { subscription_id: token as i64, info });
            }
        });
        let sub = self
            .aeron
            .async_add_subscription(channel, stream_id, Some(available), Handlers::no_unavailable_image_handler())
            .and_then(|a| a.poll_blocking(self.timeout))
            .map_err(|e| e.to_string())?;
        Ok((sub, token))
    }

    /// StartRecording(2): subscribes; recordings start per image.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start_recording(
        &mut self,
        csid: i64,
        corr: i64,
        stream_id: i32,
        local: bool,
        channel: &str,
        auto_stop: bool,
        extend_recording_id: Option<i64>,
    ) -> Option<i64> {
        if self.too_many_recordings(csid, corr) || self.low_storage_space(csid, corr).is_some() {
            return None;
        }
        let (subscribed, key) = match recording_channel(channel, stream_id, local) {
            Ok(v) => v,
            Err(e) => {
                self.error(csid, corr, codes::GENERIC, &e);
                return None;
            }
        };
        if self.recorder.subscription_by_key(&key).is_some() {
            self.error(
                csid,
                corr,
                codes::ACTIVE_SUBSCRIPTION,
                &format!("recording exists for streamId={stream_id} channel={channel}"),
            );
            return None;
        }
        let (subscription, token) = match self.add_recording_subscription(&subscribed, stream_id) {
            Ok(v) => v,
            Err(e) => {
                self.error(csid, corr, codes::GENERIC, &e);
                return None;
            }
        };
        let id = subscription.registration_id();
        self.recorder.tokens.insert(token, id);
        self.recorder.subscriptions.insert(
            id,
            RecordingSubscription {
                subscription,
                key,
                channel: subscribed,
                original_channel: channel.to_owned(),
                stream_id,
                control_session_id: csid,
                correlation_id: corr,
                auto_stop,
                extend_recording_id,
                sessions: 0,
                recorded_images: HashMap::new(),
            },
        );
        self.ok(csid, corr, id);
        Some(id)
    }

    /// ExtendRecording(2).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn extend_recording(
        &mut self,
        csid: i64,
        corr: i64,
        recording_id: i64,
        stream_id: i32,
        local: bool,
        channel: &str,
        auto_stop: bool,
    ) -> Option<i64> {
        // Java checks the recording limit before anything else here.
        if self.too_many_recordings(csid, corr) {
            return None;
        }
        let Some(d) = self.catalog.get(recording_id) else {
            self.error(csid, corr, codes::UNKNOWN_RECORDING, &format!("unknown recording id: {recording_id}"));
            return None;
        };
        if d.stream_id != stream_id {
            self.error(
                csid,
                corr,
                codes::UNKNOWN_RECORDING,
                &format!(
                    "cannot extend recording {recording_id} with streamId={stream_id} for existing streamId={}",
                    d.stream_id
                ),
            );
            return None;
        }
        if self.recorder.is_active(recording_id) || d.stop_position == -1 {
            self.error(
                csid,
                corr,
                codes::ACTIVE_RECORDING,
                &format!("cannot extend active recording {recording_id}"),
            );
            return None;
        }
        let local = local && contains(channel.as_bytes(), b"udp");
        self.start_recording(csid, corr, stream_id, local, channel, auto_stop, Some(recording_id))
    }

    /// A new image on a recording subscription.
    pub(crate) fn on_recording_image(&mut self, token: i64, info: ImageInfo) {
        let Some(&sub_id) = self.recorder.tokens.get(&(token as u64)) else { return };
        let Some(sub) = self.recorder.subscriptions.get_mut(&sub_id) else { return };
        if sub.recorded_images.get(&info.session_id) == Some(&info.correlation_id) {
            return;
        }
        sub.recorded_images.insert(info.session_id, info.correlation_id);
        let (csid, corr, stream_id, extend) =
            (sub.control_session_id, sub.correlation_id, sub.stream_id, sub.extend_recording_id);
        let original_channel = sub.original_channel.clone();
        let auto_stop = sub.auto_stop;
        // As Java's startRecordingSession/extendRecordingSession: the recording limit, then the storage space.
        let refused = if self.recorder.sessions.len() >= self.config.max_concurrent_recordings {
            let max = self.config.max_concurrent_recordings;
            self.error(csid, corr, codes::MAX_RECORDINGS, &format!("max concurrent recordings reached at {max}"));
            true
        } else {
            self.low_storage_space(csid, corr).is_some()
        };
        if refused {
            if extend.is_some() && auto_stop {
                self.recorder.subscriptions.remove(&sub_id);
            }
            return;
        }
        let now = epoch_clock();
        let recording_id;
        let layout;
        if let Some(rid) = extend {
            let Some(d) = self.catalog.get(rid) else { return };
            let mismatch = if self.recorder.is_active(rid) {
                Some(format!("cannot extend active recording {rid}"))
            } else if info.join_position != d.stop_position {
                Some(format!(
                    "cannot extend recording {rid} image.joinPosition={} != rec.stopPosition={}",
                    info.join_position, d.stop_position
                ))
            } else if info.initial_term_id != d.initial_term_id {
                Some(format!(
                    "cannot extend recording {rid} image.initialTermId={} != rec.initialTermId={}",
                    info.initial_term_id, d.initial_term_id
                ))
            } else if info.term_length != d.term_buffer_length {
                Some(format!(
                    "cannot extend recording {rid} image.termBufferLength={} != rec.termBufferLength={}",
                    info.term_length, d.term_buffer_length
                ))
            } else if info.mtu_length != d.mtu_length {
                Some(format!(
                    "cannot extend recording {rid} image.mtuLength={} != rec.mtuLength={}",
                    info.mtu_length, d.mtu_length
                ))
            } else {
                None
            };
            if let Some(msg) = mismatch {
                self.error(csid, corr, codes::INVALID_EXTENSION, &msg);
                if auto_stop {
                    self.recorder.subscriptions.remove(&sub_id);
                }
                return;
            }
            let updated = self.catalog.update(rid, |d| {
                d.stop_position = -1;
                d.stop_timestamp = -1;
                d.session_id = info.session_id;
                d.control_session_id = csid;
                d.correlation_id = corr;
            });
            if let Err(e) = updated {
                self.error(csid, corr, codes::GENERIC, &e.to_string());
                return;
            }
            recording_id = rid;
            layout = RecordingLayout {
                recording_id: rid,
                start_position: d.start_position,
                term_length: d.term_buffer_length as i64,
                segment_length: d.segment_file_length as i64,
            };
        } else {
            let stripped = ChannelUri::parse(&original_channel)
                .and_then(|u| u.stripped())
                .map(|u| u.to_string())
                .unwrap_or_default();
            let segment_length = (self.config.segment_file_length as i64).max(info.term_length as i64);
            let descriptor = RecordingDescriptor {
                control_session_id: 0,
                correlation_id: 0,
                recording_id: 0,
                start_timestamp: now,
                stop_timestamp: -1,
                start_position: info.join_position,
                stop_position: -1,
                initial_term_id: info.initial_term_id,
                segment_file_length: segment_length as i32,
                term_buffer_length: info.term_length,
                mtu_length: info.mtu_length,
                session_id: info.session_id,
                stream_id,
                stripped_channel: stripped,
                original_channel: original_channel.clone(),
                source_identity: info.source_identity.clone(),
            };
            match self.catalog.add(descriptor) {
                Ok(id) => recording_id = id,
                Err(e) => {
                    self.error(csid, corr, codes::GENERIC, &e.to_string());
                    return;
                }
            }
            layout = RecordingLayout {
                recording_id,
                start_position: info.join_position,
                term_length: info.term_length as i64,
                segment_length,
            };
        }
        let mut writer = SegmentWriter::new(&self.config.archive_dir, layout, info.join_position, self.config.file_sync_level)
            .with_checksum(self.config.record_checksum);
        if let Err(e) = writer.init() {
            // As Java's RecordingWriter.init failing in RecordingSession: the recording stops where it began.
            self.error(csid, corr, codes::GENERIC, &format!("cannot create recording segment file: {e}"));
            let _ = self.catalog.update(recording_id, |d| {
                d.stop_position = info.join_position;
                d.stop_timestamp = now;
            });
            return;
        }
        let stripped = self.catalog.get(recording_id).map(|d| d.stripped_channel).unwrap_or_default();
        let key = counters::recording_pos_key(recording_id, info.session_id, &info.source_identity, self.archive_id);
        let label = counters::recording_pos_label(recording_id, info.session_id, stream_id, &stripped, self.archive_id);
        let counter = match counters::add_counter(
            &self.aeron,
            counters::RECORDING_POSITION_TYPE_ID,
            &key,
            &label,
            self.timeout,
        ) {
            Ok(c) => c,
            Err(e) => {
                self.error(csid, corr, codes::GENERIC, &format!("cannot allocate recording position counter: {e}"));
                let _ = self.catalog.update(recording_id, |d| {
                    d.stop_position = info.join_position;
                    d.stop_timestamp = now;
                });
                return;
            }
        };
        counter.set(info.join_position);
        let block_length_limit = (info.term_length as usize).min(self.config.file_io_max_length as usize).max(4096);
        self.recorder.sessions.insert(
            recording_id,
            RecordingSession {
                recording_id,
                subscription_id: sub_id,
                image_session_id: info.session_id,
                image_correlation_id: info.correlation_id,
                join_position: info.join_position,
                control_session_id: csid,
                correlation_id: corr,
                writer,
                counter,
                block_length_limit,
                error: None,
                done: false,
                progress_position: info.join_position,
            },
        );
        if let Some(sub) = self.recorder.subscriptions.get_mut(&sub_id) {
            sub.sessions += 1;
        }
        let signal = if extend.is_some() { RecordingSignal::Extend } else { RecordingSignal::Start };
        if let Some(s) = self.session(csid) {
            s.send_signal(corr, recording_id, sub_id, info.join_position, signal);
        }
        self.send_event(proxy::recording_started(
            recording_id,
            info.join_position,
            info.session_id,
            stream_id,
            &original_channel,
            &info.source_identity,
        ));
        log::debug!("recording {recording_id} started on {} session {}", original_channel, info.session_id);
    }

    /// Polls every recorded image once; finishes recordings whose image ended.
    ///
    /// Never inlined: it is the function whose instructions `cargo xtask bench-archive` counts under
    /// callgrind (the recording path's instructions per recorded MiB).
    #[inline(never)]
    pub(crate) fn recorder_work(&mut self, _now_ms: i64) -> usize {
        let mut work = 0;
        let mut finished = Vec::new();
        let mut progress = Vec::new();
        let recorder = &mut self.recorder;
        let archive_dir = self.config.archive_dir.as_path();
        for session in recorder.sessions.values_mut() {
            if session.done {
                finished.push(session.recording_id);
                continue;
            }
            let Some(sub) = recorder.subscriptions.get(&session.subscription_id) else {
                finished.push(session.recording_id);
                continue;
            };
            let Some(image) = sub.subscription.image_by_session_id(session.image_session_id) else {
                finished.push(session.recording_id);
                continue;
            };
            if image.constants().map(|c| c.correlation_id).ok() != Some(session.image_correlation_id) {
                finished.push(session.recording_id);
                continue;
            }
            let mut handler = BlockWriter { writer: &mut session.writer, error: &mut session.error, archive_dir };
            let n = image.block_poll(&mut handler, session.block_length_limit).unwrap_or(0);
            if n > 0 {
                work += 1;
                session.counter.set(session.writer.position());
                if self.events.is_some() && session.writer.position() > session.progress_position {
                    session.progress_position = session.writer.position();
                    progress.push((session.recording_id, session.join_position, session.progress_position));
                }
            }
            if session.error.is_some() || (n == 0 && (image.is_end_of_stream() || image.is_closed())) {
                finished.push(session.recording_id);
            }
        }
        for (id, start, pos) in progress {
            self.send_event(proxy::recording_progress(id, start, pos));
        }
        for id in finished {
            self.finish_recording(id);
            work += 1;
        }
        work
    }

    /// Stops a recording session: catalog stop position, pending error, STOP signal, subscription reference.
    pub(crate) fn finish_recording(&mut self, recording_id: i64) {
        let Some(session) = self.recorder.sessions.remove(&recording_id) else { return };
        let now = epoch_clock();
        let stop = session.writer.position();
        if let Err(e) = session.writer.sync_data() {
            log::warn!("sync of recording {recording_id} failed: {e}");
        }
        if let Err(e) = self.catalog.update(recording_id, |d| {
            d.stop_position = stop;
            d.stop_timestamp = now;
        }) {
            log::error!("catalog update for recording {recording_id} failed: {e}");
        }
        drop(session.counter);
        let (csid, corr, sub_id) = (session.control_session_id, session.correlation_id, session.subscription_id);
        if let Some((code, message)) = &session.error {
            log::error!("recording {recording_id}: {message}");
            self.error(csid, corr, *code, message);
        }
        if let Some(s) = self.session(csid) {
            s.send_signal(corr, recording_id, sub_id, stop, RecordingSignal::Stop);
        }
        self.send_event(proxy::recording_stopped(recording_id, session.join_position, stop));
        let close = match self.recorder.subscriptions.get_mut(&sub_id) {
            Some(sub) => {
                sub.sessions = sub.sessions.saturating_sub(1);
                sub.auto_stop
            }
            None => false,
        };
        if close {
            self.recorder.subscriptions.remove(&sub_id);
        }
        log::debug!("recording {recording_id} stopped at {stop}");
    }

    /// Removes a recording subscription and stops its recordings.
    pub(crate) fn stop_subscription(&mut self, sub_id: i64) {
        let ids: Vec<i64> = self
            .recorder
            .sessions
            .values()
            .filter(|s| s.subscription_id == sub_id)
            .map(|s| s.recording_id)
            .collect();
        for id in ids {
            self.finish_recording(id);
        }
        self.recorder.subscriptions.remove(&sub_id);
    }

    /// StopRecording (by channel and stream).
    pub(crate) fn stop_recording_channel(&mut self, csid: i64, corr: i64, stream_id: i32, channel: &str) {
        let key = match ChannelUri::parse(channel) {
            Ok(u) => u.recording_key(stream_id),
            Err(e) => {
                self.error(csid, corr, codes::GENERIC, &e.to_string());
                return;
            }
        };
        match self.recorder.subscription_by_key(&key) {
            Some(sub_id) => {
                self.stop_subscription(sub_id);
                self.ok(csid, corr, 0);
            }
            None => self.error(
                csid,
                corr,
                codes::UNKNOWN_SUBSCRIPTION,
                &format!("no recording found for streamId={stream_id} channel={channel}"),
            ),
        }
    }

    /// StopRecordingSubscription.
    pub(crate) fn stop_recording_subscription(&mut self, csid: i64, corr: i64, sub_id: i64) {
        if self.recorder.subscriptions.contains_key(&sub_id) {
            self.stop_subscription(sub_id);
            self.ok(csid, corr, 0);
        } else {
            self.error(
                csid,
                corr,
                codes::UNKNOWN_SUBSCRIPTION,
                &format!("no recording subscription found for subscriptionId={sub_id}"),
            );
        }
    }

    /// StopRecordingByIdentity.
    pub(crate) fn stop_recording_by_identity(&mut self, csid: i64, corr: i64, recording_id: i64) {
        if !self.catalog.has_recording(recording_id) {
            self.error(csid, corr, codes::UNKNOWN_RECORDING, &format!("unknown recording id: {recording_id}"));
            return;
        }
        match self.recorder.sessions.get(&recording_id).map(|s| s.subscription_id) {
            Some(sub_id) => {
                self.finish_recording(recording_id);
                let idle = self.recorder.subscriptions.get(&sub_id).is_some_and(|s| s.sessions == 0);
                if idle {
                    self.recorder.subscriptions.remove(&sub_id);
                }
                self.ok(csid, corr, 1);
            }
            None => self.ok(csid, corr, 0),
        }
    }

    /// ListRecordingSubscriptions.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn list_recording_subscriptions(
        &mut self,
        csid: i64,
        corr: i64,
        pseudo_index: i32,
        count: i32,
        apply_stream_id: bool,
        stream_id: i32,
        channel: &str,
    ) {
        let total = self.recorder.subscriptions.len();
        let mut messages = Vec::new();
        if pseudo_index >= 0 && (pseudo_index as usize) < total && count > 0 {
            for (id, sub) in self.recorder.subscriptions.iter().skip(pseudo_index as usize) {
                if messages.len() >= count as usize {
                    break;
                }
                if (!apply_stream_id || sub.stream_id == stream_id)
                    && contains(sub.channel.as_bytes(), channel.as_bytes())
                {
                    messages.push(proxy::recording_subscription_descriptor(csid, corr, *id, sub.stream_id, &sub.channel));
                }
            }
        }
        let sent = messages.len();
        let Some(s) = self.session(csid) else { return };
        for m in messages {
            s.send(m);
        }
        if sent < count.max(0) as usize || count <= 0 {
            s.send_code(corr, 0, ControlResponseCode::SubscriptionUnknown);
        }
    }

    /// Stops every recording at shutdown (catalog stop positions set, as a clean Java shutdown does).
    pub(crate) fn recorder_shutdown(&mut self, _now_ms: i64) {
        let ids: Vec<i64> = self.recorder.sessions.keys().copied().collect();
        for id in ids {
            self.finish_recording(id);
        }
        self.recorder.subscriptions.clear();
    }
}
