//! Test helpers: the official C archive client (through `aeron-sys`) as the peer of the Rust archive, plus
//! publication/subscription helpers over `rusteron-client`.
#![allow(dead_code)]

use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aeron_sys::*;
use rusteron_archive_server::test_util::TestArchive;
use rusteron_client::{Aeron, AeronContext, AeronSubscription};

/// Default timeout of test waits.
pub const WAIT: Duration = Duration::from_secs(20);

/// An error from the C archive client: errcode and message.
#[derive(Debug, Clone)]
pub struct CError {
    pub code: i32,
    pub message: String,
}

impl std::fmt::Display for CError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "errcode={} {}", self.code, self.message)
    }
}

fn last_error() -> CError {
    // SAFETY: aeron_errcode/aeron_errmsg read thread-local state; errmsg is NUL-terminated.
    unsafe {
        CError {
            code: aeron_errcode(),
            message: CStr::from_ptr(aeron_errmsg())
                .to_string_lossy()
                .into_owned(),
        }
    }
}

fn check(rc: i32) -> Result<(), CError> {
    if rc < 0 {
        Err(last_error())
    } else {
        Ok(())
    }
}

/// A recording descriptor as delivered by the C client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    pub control_session_id: i64,
    pub correlation_id: i64,
    pub recording_id: i64,
    pub start_timestamp: i64,
    pub stop_timestamp: i64,
    pub start_position: i64,
    pub stop_position: i64,
    pub initial_term_id: i32,
    pub segment_file_length: i32,
    pub term_buffer_length: i32,
    pub mtu_length: i32,
    pub session_id: i32,
    pub stream_id: i32,
    pub stripped_channel: String,
    pub original_channel: String,
    pub source_identity: String,
}

/// A recording subscription descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionDescriptor {
    pub subscription_id: i64,
    pub stream_id: i32,
    pub stripped_channel: String,
}

/// A recording signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    pub control_session_id: i64,
    pub recording_id: i64,
    pub subscription_id: i64,
    pub position: i64,
    pub code: i32,
}

/// Signal codes.
pub mod signal {
    pub const START: i32 = 0;
    pub const STOP: i32 = 1;
    pub const EXTEND: i32 = 2;
    pub const REPLICATE: i32 = 3;
    pub const MERGE: i32 = 4;
    pub const SYNC: i32 = 5;
    pub const DELETE: i32 = 6;
    pub const REPLICATE_END: i32 = 7;
}

unsafe fn string(p: *const c_char, len: usize) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the C client gives a pointer to `len` bytes valid during the callback.
    String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(p as *const u8, len) }).into_owned()
}

unsafe extern "C" fn on_descriptor(
    d: *mut aeron_archive_recording_descriptor_t,
    clientd: *mut c_void,
) {
    // SAFETY: clientd is the Vec<Descriptor> of the calling function; d is valid for the callback.
    let (out, d) = unsafe { (&mut *(clientd as *mut Vec<Descriptor>), &*d) };
    out.push(Descriptor {
        control_session_id: d.control_session_id,
        correlation_id: d.correlation_id,
        recording_id: d.recording_id,
        start_timestamp: d.start_timestamp,
        stop_timestamp: d.stop_timestamp,
        start_position: d.start_position,
        stop_position: d.stop_position,
        initial_term_id: d.initial_term_id,
        segment_file_length: d.segment_file_length,
        term_buffer_length: d.term_buffer_length,
        mtu_length: d.mtu_length,
        session_id: d.session_id,
        stream_id: d.stream_id,
        // SAFETY: pointers and lengths from the C descriptor.
        stripped_channel: unsafe { string(d.stripped_channel, d.stripped_channel_length) },
        original_channel: unsafe { string(d.original_channel, d.original_channel_length) },
        source_identity: unsafe { string(d.source_identity, d.source_identity_length) },
    });
}

unsafe extern "C" fn on_subscription_descriptor(
    d: *mut aeron_archive_recording_subscription_descriptor_t,
    clientd: *mut c_void,
) {
    // SAFETY: as in on_descriptor.
    let (out, d) = unsafe { (&mut *(clientd as *mut Vec<SubscriptionDescriptor>), &*d) };
    out.push(SubscriptionDescriptor {
        subscription_id: d.subscription_id,
        stream_id: d.stream_id,
        // SAFETY: pointer and length from the C descriptor.
        stripped_channel: unsafe { string(d.stripped_channel, d.stripped_channel_length) },
    });
}

unsafe extern "C" fn on_signal(s: *mut aeron_archive_recording_signal_t, clientd: *mut c_void) {
    // SAFETY: clientd is the client's Arc<Mutex<Vec<Signal>>> (kept alive by the client); s valid here.
    let (out, s) = unsafe { (&*(clientd as *const Mutex<Vec<Signal>>), &*s) };
    out.lock().unwrap().push(Signal {
        control_session_id: s.control_session_id,
        recording_id: s.recording_id,
        subscription_id: s.subscription_id,
        position: s.position,
        code: s.recording_signal_code,
    });
}

struct Credentials {
    connect: CString,
    challenge_response: CString,
    encoded: aeron_archive_encoded_credentials_t,
    response: aeron_archive_encoded_credentials_t,
}

unsafe extern "C" fn supply_credentials(
    clientd: *mut c_void,
) -> *mut aeron_archive_encoded_credentials_t {
    // SAFETY: clientd is the boxed Credentials owned by the client.
    let c = unsafe { &mut *(clientd as *mut Credentials) };
    c.encoded = aeron_archive_encoded_credentials_t {
        data: c.connect.as_ptr(),
        length: c.connect.as_bytes().len() as u32,
    };
    &mut c.encoded
}

unsafe extern "C" fn on_challenge(
    _challenge: *mut aeron_archive_encoded_credentials_t,
    clientd: *mut c_void,
) -> *mut aeron_archive_encoded_credentials_t {
    // SAFETY: as in supply_credentials.
    let c = unsafe { &mut *(clientd as *mut Credentials) };
    c.response = aeron_archive_encoded_credentials_t {
        data: c.challenge_response.as_ptr(),
        length: c.challenge_response.as_bytes().len() as u32,
    };
    &mut c.response
}

unsafe extern "C" fn free_credentials(_: *mut aeron_archive_encoded_credentials_t, _: *mut c_void) {
}

/// Options for [`ArchiveClient::connect_with`].
#[derive(Default, Clone)]
pub struct ConnectOptions {
    pub credentials: Option<(String, String)>,
    pub request_channel: Option<String>,
    pub response_channel: Option<String>,
    pub client_name: Option<String>,
    pub message_timeout: Option<Duration>,
}

/// A connected official C archive client with its own Aeron client.
pub struct ArchiveClient {
    pub archive: *mut aeron_archive_t,
    context: *mut aeron_archive_context_t,
    pub aeron: Aeron,
    signals: Arc<Mutex<Vec<Signal>>>,
    _credentials: Option<Box<Credentials>>,
}

// SAFETY: the C archive client is used from one thread at a time (tests move it into a thread at most).
unsafe impl Send for ArchiveClient {}

/// A client of the test archive's driver.
pub fn aeron_client(archive: &TestArchive) -> Aeron {
    let ctx = AeronContext::new().unwrap();
    ctx.set_dir(archive.aeron_dir()).unwrap();
    ctx.set_idle_sleep_duration_ns(1_000_000).unwrap();
    Aeron::connect(&ctx).unwrap()
}

impl ArchiveClient {
    /// Connects to the test archive over its UDP control channel.
    pub fn connect(archive: &TestArchive) -> Result<ArchiveClient, CError> {
        Self::connect_with(archive, ConnectOptions::default())
    }

    /// Connects with options.
    pub fn connect_with(
        archive: &TestArchive,
        options: ConnectOptions,
    ) -> Result<ArchiveClient, CError> {
        let aeron = aeron_client(archive);
        let request = CString::new(
            options
                .request_channel
                .unwrap_or_else(|| archive.control_request_channel().to_owned()),
        )
        .unwrap();
        let response = CString::new(
            options
                .response_channel
                .unwrap_or_else(|| archive.control_response_channel().to_owned()),
        )
        .unwrap();
        let signals = Arc::new(Mutex::new(Vec::new()));
        let mut credentials = options.credentials.map(|(c, r)| {
            Box::new(Credentials {
                connect: CString::new(c).unwrap(),
                challenge_response: CString::new(r).unwrap(),
                encoded: aeron_archive_encoded_credentials_t {
                    data: ptr::null(),
                    length: 0,
                },
                response: aeron_archive_encoded_credentials_t {
                    data: ptr::null(),
                    length: 0,
                },
            })
        });
        let mut ctx = ptr::null_mut();
        let mut client = ptr::null_mut();
        // SAFETY: valid out-pointers; strings are copied by the context; the signal sink and credentials
        // are owned by the returned client and outlive the C archive client.
        unsafe {
            check(aeron_archive_context_init(&mut ctx))?;
            check(aeron_archive_context_set_aeron(ctx, aeron.as_raw()))?;
            check(aeron_archive_context_set_control_request_channel(
                ctx,
                request.as_ptr(),
            ))?;
            check(aeron_archive_context_set_control_request_stream_id(
                ctx,
                archive.control_request_stream_id(),
            ))?;
            check(aeron_archive_context_set_control_response_channel(
                ctx,
                response.as_ptr(),
            ))?;
            let timeout = options.message_timeout.unwrap_or(Duration::from_secs(10));
            check(aeron_archive_context_set_message_timeout_ns(
                ctx,
                timeout.as_nanos() as u64,
            ))?;
            if let Some(name) = &options.client_name {
                let name = CString::new(name.as_str()).unwrap();
                check(aeron_archive_context_set_client_name(ctx, name.as_ptr()))?;
            }
            check(aeron_archive_context_set_recording_signal_consumer(
                ctx,
                Some(on_signal),
                Arc::as_ptr(&signals) as *mut c_void,
            ))?;
            if let Some(c) = credentials.as_mut() {
                check(aeron_archive_context_set_credentials_supplier(
                    ctx,
                    Some(supply_credentials),
                    Some(on_challenge),
                    Some(free_credentials),
                    &mut **c as *mut Credentials as *mut c_void,
                ))?;
            }
            let rc = aeron_archive_connect(&mut client, ctx);
            if rc < 0 {
                let e = last_error();
                aeron_archive_context_close(ctx);
                return Err(e);
            }
        }
        // The context stays open as long as the client: the client's copy of it shares the idle strategy
        // state the original owns (closing it early frees that state and the client later sleeps for a
        // garbage park period, i.e. hangs while waiting for a response).
        Ok(ArchiveClient {
            archive: client,
            context: ctx,
            aeron,
            signals,
            _credentials: credentials,
        })
    }

    pub fn archive_id(&self) -> i64 {
        // SAFETY: live client.
        unsafe { aeron_archive_get_archive_id(self.archive) }
    }

    pub fn control_session_id(&self) -> i64 {
        // SAFETY: live client.
        unsafe { aeron_archive_control_session_id(self.archive) }
    }

    pub fn start_recording(
        &self,
        channel: &str,
        stream_id: i32,
        local: bool,
        auto_stop: bool,
    ) -> Result<i64, CError> {
        let c = CString::new(channel).unwrap();
        let loc = if local {
            aeron_archive_source_location_en::AERON_ARCHIVE_SOURCE_LOCATION_LOCAL
        } else {
            aeron_archive_source_location_en::AERON_ARCHIVE_SOURCE_LOCATION_REMOTE
        };
        let mut id = 0;
        // SAFETY: live client, valid pointers.
        check(unsafe {
            aeron_archive_start_recording(
                &mut id,
                self.archive,
                c.as_ptr(),
                stream_id,
                loc,
                auto_stop,
            )
        })?;
        Ok(id)
    }

    pub fn extend_recording(
        &self,
        recording_id: i64,
        channel: &str,
        stream_id: i32,
        local: bool,
    ) -> Result<i64, CError> {
        let c = CString::new(channel).unwrap();
        let loc = if local {
            aeron_archive_source_location_en::AERON_ARCHIVE_SOURCE_LOCATION_LOCAL
        } else {
            aeron_archive_source_location_en::AERON_ARCHIVE_SOURCE_LOCATION_REMOTE
        };
        let mut id = 0;
        // SAFETY: live client, valid pointers.
        check(unsafe {
            aeron_archive_extend_recording(
                &mut id,
                self.archive,
                recording_id,
                c.as_ptr(),
                stream_id,
                loc,
                false,
            )
        })?;
        Ok(id)
    }

    pub fn stop_recording_subscription(&self, subscription_id: i64) -> Result<(), CError> {
        // SAFETY: live client.
        check(unsafe { aeron_archive_stop_recording_subscription(self.archive, subscription_id) })
    }

    pub fn stop_recording_channel(&self, channel: &str, stream_id: i32) -> Result<(), CError> {
        let c = CString::new(channel).unwrap();
        // SAFETY: live client.
        check(unsafe {
            aeron_archive_stop_recording_channel_and_stream(self.archive, c.as_ptr(), stream_id)
        })
    }

    pub fn try_stop_recording_channel(
        &self,
        channel: &str,
        stream_id: i32,
    ) -> Result<bool, CError> {
        let c = CString::new(channel).unwrap();
        let mut stopped = false;
        // SAFETY: live client.
        check(unsafe {
            aeron_archive_try_stop_recording_channel_and_stream(
                &mut stopped,
                self.archive,
                c.as_ptr(),
                stream_id,
            )
        })?;
        Ok(stopped)
    }

    pub fn try_stop_recording_by_identity(&self, recording_id: i64) -> Result<bool, CError> {
        let mut stopped = false;
        // SAFETY: live client.
        check(unsafe {
            aeron_archive_try_stop_recording_by_identity(&mut stopped, self.archive, recording_id)
        })?;
        Ok(stopped)
    }

    pub fn list_recordings(&self, from: i64, count: i32) -> Result<Vec<Descriptor>, CError> {
        let mut out: Vec<Descriptor> = Vec::new();
        let mut n = 0;
        // SAFETY: live client; the consumer writes into `out` during the call.
        check(unsafe {
            aeron_archive_list_recordings(
                &mut n,
                self.archive,
                from,
                count,
                Some(on_descriptor),
                &mut out as *mut _ as *mut c_void,
            )
        })?;
        assert_eq!(n as usize, out.len());
        Ok(out)
    }

    pub fn list_recording(&self, id: i64) -> Result<Vec<Descriptor>, CError> {
        let mut out: Vec<Descriptor> = Vec::new();
        let mut n = 0;
        // SAFETY: as in list_recordings.
        check(unsafe {
            aeron_archive_list_recording(
                &mut n,
                self.archive,
                id,
                Some(on_descriptor),
                &mut out as *mut _ as *mut c_void,
            )
        })?;
        Ok(out)
    }

    pub fn list_recordings_for_uri(
        &self,
        from: i64,
        count: i32,
        channel: &str,
        stream_id: i32,
    ) -> Result<Vec<Descriptor>, CError> {
        let mut out: Vec<Descriptor> = Vec::new();
        let mut n = 0;
        let c = CString::new(channel).unwrap();
        // SAFETY: as in list_recordings.
        check(unsafe {
            aeron_archive_list_recordings_for_uri(
                &mut n,
                self.archive,
                from,
                count,
                c.as_ptr(),
                stream_id,
                Some(on_descriptor),
                &mut out as *mut _ as *mut c_void,
            )
        })?;
        Ok(out)
    }

    pub fn list_recording_subscriptions(
        &self,
        pseudo_index: i32,
        count: i32,
        channel: &str,
        stream_id: i32,
        apply_stream_id: bool,
    ) -> Result<Vec<SubscriptionDescriptor>, CError> {
        let mut out: Vec<SubscriptionDescriptor> = Vec::new();
        let mut n = 0;
        let c = CString::new(channel).unwrap();
        // SAFETY: as in list_recordings.
        check(unsafe {
            aeron_archive_list_recording_subscriptions(
                &mut n,
                self.archive,
                pseudo_index,
                count,
                c.as_ptr(),
                stream_id,
                apply_stream_id,
                Some(on_subscription_descriptor),
                &mut out as *mut _ as *mut c_void,
            )
        })?;
        Ok(out)
    }

    pub fn find_last_matching_recording(
        &self,
        min: i64,
        channel: &str,
        stream_id: i32,
        session_id: i32,
    ) -> Result<i64, CError> {
        let c = CString::new(channel).unwrap();
        let mut id = 0;
        // SAFETY: live client.
        check(unsafe {
            aeron_archive_find_last_matching_recording(
                &mut id,
                self.archive,
                min,
                c.as_ptr(),
                stream_id,
                session_id,
            )
        })?;
        Ok(id)
    }

    fn position(
        &self,
        f: unsafe extern "C" fn(*mut i64, *mut aeron_archive_t, i64) -> i32,
        id: i64,
    ) -> Result<i64, CError> {
        let mut p = 0;
        // SAFETY: live client, valid out-pointer.
        check(unsafe { f(&mut p, self.archive, id) })?;
        Ok(p)
    }

    pub fn recording_position(&self, id: i64) -> Result<i64, CError> {
        self.position(aeron_archive_get_recording_position, id)
    }
    pub fn start_position(&self, id: i64) -> Result<i64, CError> {
        self.position(aeron_archive_get_start_position, id)
    }
    pub fn stop_position(&self, id: i64) -> Result<i64, CError> {
        self.position(aeron_archive_get_stop_position, id)
    }
    pub fn max_recorded_position(&self, id: i64) -> Result<i64, CError> {
        self.position(aeron_archive_get_max_recorded_position, id)
    }

    pub fn truncate_recording(&self, id: i64, position: i64) -> Result<i64, CError> {
        let mut n = 0;
        // SAFETY: live client.
        check(unsafe { aeron_archive_truncate_recording(&mut n, self.archive, id, position) })?;
        Ok(n)
    }

    pub fn purge_recording(&self, id: i64) -> Result<i64, CError> {
        let mut n = 0;
        // SAFETY: live client.
        check(unsafe { aeron_archive_purge_recording(&mut n, self.archive, id) })?;
        Ok(n)
    }

    pub fn detach_segments(&self, id: i64, new_start: i64) -> Result<(), CError> {
        // SAFETY: live client.
        check(unsafe { aeron_archive_detach_segments(self.archive, id, new_start) })
    }

    pub fn delete_detached_segments(&self, id: i64) -> Result<i64, CError> {
        self.position(aeron_archive_delete_detached_segments, id)
    }

    pub fn attach_segments(&self, id: i64) -> Result<i64, CError> {
        self.position(aeron_archive_attach_segments, id)
    }

    pub fn purge_segments(&self, id: i64, new_start: i64) -> Result<i64, CError> {
        let mut n = 0;
        // SAFETY: live client.
        check(unsafe { aeron_archive_purge_segments(&mut n, self.archive, id, new_start) })?;
        Ok(n)
    }

    pub fn migrate_segments(&self, src: i64, dst: i64) -> Result<i64, CError> {
        let mut n = 0;
        // SAFETY: live client.
        check(unsafe { aeron_archive_migrate_segments(&mut n, self.archive, src, dst) })?;
        Ok(n)
    }

    pub fn update_channel(&self, id: i64, channel: &str) -> Result<(), CError> {
        let c = CString::new(channel).unwrap();
        // SAFETY: live client.
        check(unsafe { aeron_archive_update_channel(self.archive, id, c.as_ptr()) })
    }

    fn replay_params(
        position: i64,
        length: i64,
        limit_counter_id: i32,
    ) -> aeron_archive_replay_params_t {
        let mut p = aeron_archive_replay_params_t::default();
        // SAFETY: valid struct.
        unsafe { aeron_archive_replay_params_init(&mut p) };
        p.position = position;
        p.length = length;
        p.bounding_limit_counter_id = limit_counter_id;
        p
    }

    /// StartReplay: returns the replay session id.
    pub fn start_replay(
        &self,
        id: i64,
        channel: &str,
        stream_id: i32,
        position: i64,
        length: i64,
        limit_counter_id: i32,
    ) -> Result<i64, CError> {
        let c = CString::new(channel).unwrap();
        let mut p = Self::replay_params(position, length, limit_counter_id);
        let mut replay_session_id = 0;
        // SAFETY: live client, valid pointers.
        check(unsafe {
            aeron_archive_start_replay(
                &mut replay_session_id,
                self.archive,
                id,
                c.as_ptr(),
                stream_id,
                &mut p,
            )
        })?;
        Ok(replay_session_id)
    }

    /// Replay: returns the replay subscription (wrapped for `rusteron-client`).
    pub fn replay(
        &self,
        id: i64,
        channel: &str,
        stream_id: i32,
        position: i64,
        length: i64,
    ) -> Result<AeronSubscription, CError> {
        let c = CString::new(channel).unwrap();
        let mut p = Self::replay_params(position, length, -1);
        let mut sub = ptr::null_mut();
        // SAFETY: live client, valid pointers; the subscription belongs to our Aeron client.
        check(unsafe {
            aeron_archive_replay(&mut sub, self.archive, id, c.as_ptr(), stream_id, &mut p)
        })?;
        // SAFETY: a live subscription of `self.aeron`, now owned by the wrapper.
        Ok(unsafe { AeronSubscription::from_raw(&self.aeron, sub) })
    }

    pub fn stop_replay(&self, replay_session_id: i64) -> Result<(), CError> {
        // SAFETY: live client.
        check(unsafe { aeron_archive_stop_replay(self.archive, replay_session_id) })
    }

    pub fn stop_all_replays(&self, recording_id: i64) -> Result<(), CError> {
        // SAFETY: live client.
        check(unsafe { aeron_archive_stop_all_replays(self.archive, recording_id) })
    }

    /// Replicates `src_recording_id` from the archive at `src_channel`/`src_stream_id` (ReplicateRequest2).
    pub fn replicate(
        &self,
        src_recording_id: i64,
        src_channel: &str,
        src_stream_id: i32,
        dst_recording_id: i64,
        stop_position: i64,
        replication_session_id: i32,
    ) -> Result<i64, CError> {
        let channel = CString::new(src_channel).unwrap();
        // SAFETY: a zeroed params struct is initialised by the C client before use.
        let mut params: aeron_archive_replication_params_t = unsafe { std::mem::zeroed() };
        let mut id = 0;
        // SAFETY: live client; params and strings outlive the call.
        unsafe {
            check(aeron_archive_replication_params_init(&mut params))?;
            params.dst_recording_id = dst_recording_id;
            params.stop_position = stop_position;
            params.replication_session_id = replication_session_id;
            check(aeron_archive_replicate(
                &mut id,
                self.archive,
                src_recording_id,
                channel.as_ptr(),
                src_stream_id,
                &mut params,
            ))?;
        }
        Ok(id)
    }

    pub fn stop_replication(&self, replication_id: i64) -> Result<(), CError> {
        // SAFETY: live client.
        check(unsafe { aeron_archive_stop_replication(self.archive, replication_id) })
    }

    pub fn try_stop_replication(&self, replication_id: i64) -> Result<bool, CError> {
        let mut stopped = false;
        // SAFETY: live client.
        check(unsafe {
            aeron_archive_try_stop_replication(&mut stopped, self.archive, replication_id)
        })?;
        Ok(stopped)
    }

    /// The last error the C client's error handler saw on this client (async errors such as replication
    /// failures), polled by waiting for signals: returns the signals and errors seen so far.
    pub fn poll_for_error(&self) -> Option<String> {
        let mut buf = vec![0 as c_char; 1024];
        // SAFETY: live client; buffer of the given length.
        let rc = unsafe {
            aeron_archive_poll_for_error_response(self.archive, buf.as_mut_ptr(), buf.len())
        };
        if rc < 0 || buf[0] == 0 {
            return None;
        }
        // SAFETY: the C client NUL-terminates the message within the buffer.
        Some(
            unsafe { CStr::from_ptr(buf.as_ptr()) }
                .to_string_lossy()
                .into_owned(),
        )
    }

    /// Forgets the signals received so far.
    pub fn signals_clear(&self) {
        self.poll_signals();
        self.signals.lock().unwrap().clear();
    }

    /// Polls for signals; returns all signals received so far.
    pub fn poll_signals(&self) -> Vec<Signal> {
        let mut n = 0;
        // SAFETY: live client.
        unsafe { aeron_archive_poll_for_recording_signals(&mut n, self.archive) };
        self.signals.lock().unwrap().clone()
    }

    /// Waits until a signal with `code` for `recording_id` arrived.
    pub fn wait_for_signal(&self, recording_id: i64, code: i32) -> Signal {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(s) = self
                .poll_signals()
                .into_iter()
                .find(|s| s.recording_id == recording_id && s.code == code)
            {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "no signal {code} for recording {recording_id}: {:?}",
                self.poll_signals()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The RecordingPos counter id of the recording of `session_id` (waits for it).
    pub fn recording_counter_id(&self, session_id: i32) -> i32 {
        let reader = self.aeron.counters_reader();
        let deadline = Instant::now() + WAIT;
        loop {
            // SAFETY: valid counters reader of a live client.
            let id = unsafe {
                aeron_archive_recording_pos_find_counter_id_by_session_id(
                    reader.as_raw(),
                    session_id,
                    self.archive_id(),
                )
            };
            if id >= 0 {
                return id;
            }
            assert!(
                Instant::now() < deadline,
                "no recording counter for session {session_id}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Waits until the recording counter reaches `position`.
    pub fn wait_recorded(&self, counter_id: i32, position: i64) {
        let reader = self.aeron.counters_reader();
        wait_until(
            || reader.get_counter_value(counter_id) >= position,
            "recording to catch up",
        );
    }
}

impl Drop for ArchiveClient {
    fn drop(&mut self) {
        // SAFETY: the client is closed exactly once, then the context it was connected with.
        unsafe {
            aeron_archive_close(self.archive);
            aeron_archive_context_close(self.context);
        }
    }
}

/// Waits for `cond` (panics with `what` after [`WAIT`]).
pub fn wait_until(mut cond: impl FnMut() -> bool, what: &str) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A free UDP port on 127.0.0.1.
pub fn free_port() -> u16 {
    rusteron_archive_server::test_util::free_udp_port().unwrap()
}

/// Polls a subscription until `n` messages arrived, collecting their payloads.
pub fn receive(sub: &AeronSubscription, n: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(n);
    let deadline = Instant::now() + WAIT;
    while out.len() < n {
        let got = sub
            .poll_once(|msg: &[u8], _h| out.push(msg.to_vec()), 256)
            .unwrap();
        if got == 0 {
            assert!(
                Instant::now() < deadline,
                "received {} of {n} messages",
                out.len()
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    out
}
