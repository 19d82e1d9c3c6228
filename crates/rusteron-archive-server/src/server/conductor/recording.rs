//! The conductor's side of recording: recording subscriptions (keyed like Java's, owned here as in Java's
//! `ArchiveConductor`), catalog entries, START/EXTEND/STOP signals and recording events. Each recorded
//! image becomes a [`RecordingSession`] handed to the recorder agent; the recorder reports back when it
//! stopped ([`RecorderEvent::Stopped`]), and only then is the stop position written to the catalog and a
//! stop request answered.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rusteron_archive_codecs::{ControlResponseCode, RecordingSignal};
use rusteron_client::{
    epoch_clock, AeronAvailableImageClosure, AeronImageRef, AeronSubscription, Handlers,
};

use super::{Conductor, ImageEvent, ImageInfo};
use crate::channel::{ChannelUri, SPY_PREFIX};
use crate::server::codes;
use crate::server::conductor::requests::contains;
use crate::server::counters;
use crate::server::handoff::{RecorderCommand, RecorderEvent, RecordingPosition};
use crate::server::proxy;
use crate::server::recorded_image::RecordedImage;
use crate::server::recorder::RecordingSession;
use crate::server::storage_space::low_storage_space;
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
    /// Recordings of this subscription the recorder is running.
    pub sessions: usize,
    /// Image correlation ids of the images seen, by session id (to tell a new image from an old one).
    pub recorded_images: HashMap<i32, i64>,
}

/// A recording the recorder is running, as the conductor knows it.
pub(crate) struct ActiveRecording {
    pub subscription_id: i64,
    pub control_session_id: i64,
    pub correlation_id: i64,
    pub join_position: i64,
    /// Live position, written by the recorder.
    pub position: Arc<RecordingPosition>,
    /// Last position a progress event was sent for.
    pub progress_position: i64,
}

/// A stop request answered once the recorder has stopped its recordings.
struct PendingStop {
    control_session_id: i64,
    correlation_id: i64,
    relevant_id: i64,
    waiting: Vec<i64>,
}

/// The conductor's recording state.
#[derive(Default)]
pub(crate) struct Recordings {
    /// By subscription registration id (ordered, for stable listings).
    pub subscriptions: BTreeMap<i64, RecordingSubscription>,
    /// Stopped subscriptions kept open until the recorder stopped their recordings (so it can record what
    /// their images still hold).
    closing: HashMap<i64, RecordingSubscription>,
    /// By recording id.
    pub active: HashMap<i64, ActiveRecording>,
    /// Image-handler tokens → subscription registration id.
    tokens: HashMap<u64, i64>,
    next_token: u64,
    pending_stops: Vec<PendingStop>,
}

impl Recordings {
    /// Live recorded position of an active recording.
    pub fn active_position(&self, recording_id: i64) -> Option<i64> {
        self.active.get(&recording_id).map(|a| a.position.get())
    }

    /// The shared live position of an active recording.
    pub fn live_position(&self, recording_id: i64) -> Option<Arc<RecordingPosition>> {
        self.active.get(&recording_id).map(|a| a.position.clone())
    }

    /// `true` if the recording is being recorded.
    pub fn is_active(&self, recording_id: i64) -> bool {
        self.active.contains_key(&recording_id)
    }

    fn subscription_by_key(&self, key: &str) -> Option<i64> {
        self.subscriptions
            .iter()
            .find(|(_, s)| s.key == key)
            .map(|(id, _)| *id)
    }
}

/// The channel to subscribe to for a recording and its key.
fn recording_channel(
    channel: &str,
    stream_id: i32,
    local: bool,
) -> Result<(String, String), String> {
    let uri = ChannelUri::parse(channel).map_err(|e| e.to_string())?;
    let stripped = uri.stripped().map_err(|e| e.to_string())?.to_string();
    let key = uri.recording_key(stream_id);
    let subscribed = if local && uri.is_udp() {
        format!("{SPY_PREFIX}{stripped}")
    } else {
        stripped
    };
    Ok((subscribed, key))
}

impl Conductor {
    fn too_many_recordings(&mut self, csid: i64, corr: i64) -> bool {
        let max = self.config.max_concurrent_recordings;
        if self.recordings.active.len() >= max || self.recordings.subscriptions.len() >= max {
            self.error(
                csid,
                corr,
                codes::MAX_RECORDINGS,
                &format!("max concurrent recordings reached at {max}"),
            );
            return true;
        }
        false
    }

    /// Sends the low-storage-space error and returns `true` if the archive dir is (nearly) full.
    fn low_storage_space(&mut self, csid: i64, corr: i64) -> bool {
        match low_storage_space(&self.config) {
            Some((code, message)) => {
                self.error(csid, corr, code, &message);
                true
            }
            None => false,
        }
    }

    fn add_recording_subscription(
        &mut self,
        channel: &str,
        stream_id: i32,
    ) -> Result<(AeronSubscription, u64), String> {
        let token = self.recordings.next_token;
        self.recordings.next_token += 1;
        let tx = self.image_sender.clone();
        let available = AeronAvailableImageClosure::new(move |image: AeronImageRef<'_>| {
            if let Some(info) = ImageInfo::from_image(&image) {
                let _ = tx.send(ImageEvent::RecordingAvailable {
                    subscription_id: token as i64,
                    info,
                });
            }
        });
        let sub = self
            .aeron
            .async_add_subscription(
                channel,
                stream_id,
                Some(available),
                Handlers::no_unavailable_image_handler(),
            )
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
        if self.too_many_recordings(csid, corr) || self.low_storage_space(csid, corr) {
            return None;
        }
        let (subscribed, key) = match recording_channel(channel, stream_id, local) {
            Ok(v) => v,
            Err(e) => {
                self.error(csid, corr, codes::GENERIC, &e);
                return None;
            }
        };
        if self.recordings.subscription_by_key(&key).is_some() {
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
        self.recordings.tokens.insert(token, id);
        self.recordings.subscriptions.insert(
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
        let d = self.known_recording(csid, corr, recording_id)?;
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
        if self.recordings.is_active(recording_id) || d.stop_position == -1 {
            self.error(
                csid,
                corr,
                codes::ACTIVE_RECORDING,
                &format!("cannot extend active recording {recording_id}"),
            );
            return None;
        }
        let local = local && contains(channel.as_bytes(), b"udp");
        self.start_recording(
            csid,
            corr,
            stream_id,
            local,
            channel,
            auto_stop,
            Some(recording_id),
        )
    }

    /// A new image on a recording subscription: catalog entry, segment file, position counter, START or
    /// EXTEND signal, then the session goes to the recorder.
    pub(crate) fn on_recording_image(&mut self, token: i64, info: ImageInfo) {
        let Some(&sub_id) = self.recordings.tokens.get(&(token as u64)) else {
            return;
        };
        let Some(sub) = self.recordings.subscriptions.get_mut(&sub_id) else {
            return;
        };
        if sub.recorded_images.get(&info.session_id) == Some(&info.correlation_id) {
            return;
        }
        sub.recorded_images
            .insert(info.session_id, info.correlation_id);
        let (csid, corr, stream_id, extend) = (
            sub.control_session_id,
            sub.correlation_id,
            sub.stream_id,
            sub.extend_recording_id,
        );
        let original_channel = sub.original_channel.clone();
        let auto_stop = sub.auto_stop;
        // As Java's startRecordingSession/extendRecordingSession: the recording limit, then the storage space.
        let refused = if self.recordings.active.len() >= self.config.max_concurrent_recordings {
            let max = self.config.max_concurrent_recordings;
            self.error(
                csid,
                corr,
                codes::MAX_RECORDINGS,
                &format!("max concurrent recordings reached at {max}"),
            );
            true
        } else {
            self.low_storage_space(csid, corr)
        };
        if refused {
            if extend.is_some() && auto_stop {
                self.recordings.subscriptions.remove(&sub_id);
            }
            return;
        }
        let now = epoch_clock();
        let recording_id;
        let layout;
        if let Some(rid) = extend {
            let Some(d) = self.catalog.get(rid) else {
                return;
            };
            let mismatch = if self.recordings.is_active(rid) {
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
                    self.recordings.subscriptions.remove(&sub_id);
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
            layout = RecordingLayout::of(&d);
        } else {
            let stripped = ChannelUri::parse(&original_channel)
                .and_then(|u| u.stripped())
                .map(|u| u.to_string())
                .unwrap_or_default();
            let segment_length =
                (self.config.segment_file_length as i64).max(info.term_length as i64);
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
        let mut writer = SegmentWriter::new(
            &self.config.archive_dir,
            layout,
            info.join_position,
            self.config.file_sync_level,
        )
        .with_checksum(self.config.record_checksum);
        if let Err(e) = writer.init() {
            // As Java's RecordingWriter.init failing in RecordingSession: the recording stops where it began.
            self.error(
                csid,
                corr,
                codes::GENERIC,
                &format!("cannot create recording segment file: {e}"),
            );
            let _ = self.catalog.update(recording_id, |d| {
                d.stop_position = info.join_position;
                d.stop_timestamp = now;
            });
            return;
        }
        let stripped = self
            .catalog
            .get(recording_id)
            .map(|d| d.stripped_channel)
            .unwrap_or_default();
        let key = counters::recording_pos_key(
            recording_id,
            info.session_id,
            &info.source_identity,
            self.archive_id,
        );
        let label = counters::recording_pos_label(
            recording_id,
            info.session_id,
            stream_id,
            &stripped,
            self.archive_id,
        );
        let counter = match counters::add_counter(
            &self.aeron,
            counters::RECORDING_POSITION_TYPE_ID,
            &key,
            &label,
            self.timeout,
        ) {
            Ok(c) => c,
            Err(e) => {
                self.error(
                    csid,
                    corr,
                    codes::GENERIC,
                    &format!("cannot allocate recording position counter: {e}"),
                );
                let _ = self.catalog.update(recording_id, |d| {
                    d.stop_position = info.join_position;
                    d.stop_timestamp = now;
                });
                return;
            }
        };
        counter.set(info.join_position);
        // The image, looked up once here for the whole recording (the recorder never searches for it).
        let image = self.recordings.subscriptions.get(&sub_id).and_then(|sub| {
            let image = sub
                .subscription
                .try_image_by_session_id(info.session_id)
                .ok()
                .flatten()?;
            let same =
                image.constants().map(|c| c.correlation_id).ok() == Some(info.correlation_id);
            same.then(|| RecordedImage::take(image, &self.aeron))
        });
        let position = Arc::new(RecordingPosition::new(info.join_position));
        let block_length_limit =
            block_length_limit(info.term_length, self.config.file_io_max_length);
        let session = RecordingSession::new(
            recording_id,
            image,
            writer,
            counter,
            position.clone(),
            block_length_limit,
        );
        self.recordings.active.insert(
            recording_id,
            ActiveRecording {
                subscription_id: sub_id,
                control_session_id: csid,
                correlation_id: corr,
                join_position: info.join_position,
                position,
                progress_position: info.join_position,
            },
        );
        if let Some(sub) = self.recordings.subscriptions.get_mut(&sub_id) {
            sub.sessions += 1;
        }
        let signal = if extend.is_some() {
            RecordingSignal::Extend
        } else {
            RecordingSignal::Start
        };
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
        if !self
            .recorder
            .send(RecorderCommand::Start(Box::new(session)))
        {
            log::error!("the recorder has ended: recording {recording_id} cannot start");
        }
        log::debug!(
            "recording {recording_id} started on {} session {}",
            original_channel,
            info.session_id
        );
    }

    /// Handles what the recorder reports.
    pub(crate) fn process_recorder_events(&mut self) -> usize {
        let mut work = 0;
        while let Some(event) = self
            .recorder
            .next_event(&mut self.lifecycle.recorder_closed)
        {
            work += 1;
            match event {
                RecorderEvent::Stopped {
                    recording_id,
                    stop_position,
                    error,
                } => self.on_recording_stopped(recording_id, stop_position, error),
                RecorderEvent::Closed => self.lifecycle.recorder_closed = true,
            }
        }
        work
    }

    /// Sends a progress event for every recording that moved (when recording events are enabled).
    pub(crate) fn recording_progress(&mut self) -> usize {
        if self.events.is_none() {
            return 0;
        }
        let mut progress = Vec::new();
        for (id, a) in self.recordings.active.iter_mut() {
            let position = a.position.get();
            if position > a.progress_position {
                a.progress_position = position;
                progress.push((*id, a.join_position, position));
            }
        }
        for (id, start, pos) in &progress {
            self.send_event(proxy::recording_progress(*id, *start, *pos));
        }
        progress.len()
    }

    /// A recording the recorder stopped: catalog stop position, pending error, STOP signal, recording
    /// event, subscription reference, and the stop request waiting for it.
    fn on_recording_stopped(&mut self, recording_id: i64, stop: i64, error: Option<(i64, String)>) {
        self.recording_progress();
        let Some(active) = self.recordings.active.remove(&recording_id) else {
            return;
        };
        let now = epoch_clock();
        if let Err(e) = self.catalog.update(recording_id, |d| {
            d.stop_position = stop;
            d.stop_timestamp = now;
        }) {
            log::error!("catalog update for recording {recording_id} failed: {e}");
        }
        let (csid, corr, sub_id) = (
            active.control_session_id,
            active.correlation_id,
            active.subscription_id,
        );
        if let Some((code, message)) = &error {
            log::error!("recording {recording_id}: {message}");
            self.error(csid, corr, *code, message);
        }
        if let Some(s) = self.session(csid) {
            s.send_signal(corr, recording_id, sub_id, stop, RecordingSignal::Stop);
        }
        self.send_event(proxy::recording_stopped(
            recording_id,
            active.join_position,
            stop,
        ));
        if let Some(sub) = self.recordings.subscriptions.get_mut(&sub_id) {
            sub.sessions = sub.sessions.saturating_sub(1);
            if sub.auto_stop && sub.sessions == 0 {
                self.recordings.subscriptions.remove(&sub_id);
            }
        } else if let Some(sub) = self.recordings.closing.get_mut(&sub_id) {
            sub.sessions = sub.sessions.saturating_sub(1);
            if sub.sessions == 0 {
                self.recordings.closing.remove(&sub_id);
            }
        }
        let mut answered = Vec::new();
        self.recordings.pending_stops.retain_mut(|p| {
            p.waiting.retain(|id| *id != recording_id);
            if p.waiting.is_empty() {
                answered.push((p.control_session_id, p.correlation_id, p.relevant_id));
                false
            } else {
                true
            }
        });
        for (csid, corr, relevant_id) in answered {
            self.ok(csid, corr, relevant_id);
        }
        log::debug!("recording {recording_id} stopped at {stop}");
    }

    /// Asks the recorder to stop the recordings in `ids`; `reply` (session, correlation, relevant id) is
    /// answered OK once they all stopped (at once if there is none).
    fn stop_recordings(&mut self, ids: Vec<i64>, reply: Option<(i64, i64, i64)>) {
        for id in &ids {
            self.recorder
                .send(RecorderCommand::Stop { recording_id: *id });
        }
        if let Some((csid, corr, relevant_id)) = reply {
            if ids.is_empty() {
                self.ok(csid, corr, relevant_id);
            } else {
                self.recordings.pending_stops.push(PendingStop {
                    control_session_id: csid,
                    correlation_id: corr,
                    relevant_id,
                    waiting: ids,
                });
            }
        }
    }

    /// Removes a recording subscription and stops its recordings; `reply` is answered once they stopped.
    pub(crate) fn stop_subscription(&mut self, sub_id: i64, reply: Option<(i64, i64, i64)>) {
        let Some(sub) = self.recordings.subscriptions.remove(&sub_id) else {
            if let Some((csid, corr, relevant_id)) = reply {
                self.ok(csid, corr, relevant_id);
            }
            return;
        };
        let ids: Vec<i64> = self
            .recordings
            .active
            .iter()
            .filter(|(_, a)| a.subscription_id == sub_id)
            .map(|(id, _)| *id)
            .collect();
        if !ids.is_empty() {
            self.recordings.closing.insert(sub_id, sub);
        }
        self.stop_recordings(ids, reply);
    }

    /// StopRecording (by channel and stream).
    pub(crate) fn stop_recording_channel(
        &mut self,
        csid: i64,
        corr: i64,
        stream_id: i32,
        channel: &str,
    ) {
        let key = match ChannelUri::parse(channel) {
            Ok(u) => u.recording_key(stream_id),
            Err(e) => {
                self.error(csid, corr, codes::GENERIC, &e.to_string());
                return;
            }
        };
        match self.recordings.subscription_by_key(&key) {
            Some(sub_id) => self.stop_subscription(sub_id, Some((csid, corr, 0))),
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
        if self.recordings.subscriptions.contains_key(&sub_id) {
            self.stop_subscription(sub_id, Some((csid, corr, 0)));
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
        if self.known_recording(csid, corr, recording_id).is_none() {
            return;
        }
        match self
            .recordings
            .active
            .get(&recording_id)
            .map(|a| a.subscription_id)
        {
            Some(sub_id) => {
                let others = self
                    .recordings
                    .active
                    .iter()
                    .any(|(id, a)| *id != recording_id && a.subscription_id == sub_id);
                if others {
                    self.stop_recordings(vec![recording_id], Some((csid, corr, 1)));
                } else {
                    // Its subscription has nothing else to record: it closes once the recording stopped.
                    if let Some(sub) = self.recordings.subscriptions.remove(&sub_id) {
                        self.recordings.closing.insert(sub_id, sub);
                    }
                    self.stop_recordings(vec![recording_id], Some((csid, corr, 1)));
                }
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
        let total = self.recordings.subscriptions.len();
        let mut messages = Vec::new();
        if pseudo_index >= 0 && (pseudo_index as usize) < total && count > 0 {
            for (id, sub) in self
                .recordings
                .subscriptions
                .iter()
                .skip(pseudo_index as usize)
            {
                if messages.len() >= count as usize {
                    break;
                }
                if (!apply_stream_id || sub.stream_id == stream_id)
                    && contains(sub.channel.as_bytes(), channel.as_bytes())
                {
                    messages.push(proxy::recording_subscription_descriptor(
                        csid,
                        corr,
                        *id,
                        sub.stream_id,
                        &sub.channel,
                    ));
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

    /// After the recorder closed (every recording stopped and reported): closes the subscriptions.
    pub(crate) fn recordings_shutdown(&mut self) {
        // Recordings the recorder never reported (it ended abnormally) stop where they got to.
        let ids: Vec<i64> = self.recordings.active.keys().copied().collect();
        for id in ids {
            let stop = self
                .recordings
                .active
                .get(&id)
                .map_or(-1, |a| a.position.get());
            self.on_recording_stopped(id, stop, None);
        }
        self.recordings.subscriptions.clear();
        self.recordings.closing.clear();
    }
}

/// The largest block the recorder writes at once: `aeron.archive.file.io.max.length`, at most a term
/// (a block never crosses a term), at least a page.
pub(crate) fn block_length_limit(term_length: i32, file_io_max_length: u64) -> usize {
    (term_length.max(0) as usize)
        .min(file_io_max_length as usize)
        .max(4096)
}
