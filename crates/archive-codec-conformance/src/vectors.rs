//! Bindings to `csrc/vectors.c`: the hand-computed byte vectors encoded (and two of them decoded) with the C
//! codecs, written the way the Aeron C archive client uses them.

use std::os::raw::{c_char, c_int};

extern "C" {
    fn vec_message_header(buf: *mut c_char, cap: usize) -> usize;
    fn vec_control_response(buf: *mut c_char, cap: usize) -> usize;
    fn vec_auth_connect_request(buf: *mut c_char, cap: usize) -> usize;
    fn vec_start_recording_request2(buf: *mut c_char, cap: usize) -> usize;
    fn vec_replay_request(buf: *mut c_char, cap: usize) -> usize;
    fn vec_list_recordings_for_uri_request(buf: *mut c_char, cap: usize) -> usize;
    fn vec_recording_descriptor(buf: *mut c_char, cap: usize) -> usize;
    fn vec_recording_signal_event(buf: *mut c_char, cap: usize) -> usize;
    fn vec_check_recording_descriptor(buf: *const c_char, len: usize) -> c_int;
    fn vec_check_control_response(buf: *const c_char, len: usize) -> c_int;
}

type Encoder = unsafe extern "C" fn(*mut c_char, usize) -> usize;

/// The C encoders by name: header, ControlResponse, AuthConnectRequest, StartRecordingRequest2, ReplayRequest,
/// ListRecordingsForUriRequest, RecordingDescriptor, RecordingSignalEvent.
pub const C_VECTORS: &[(&str, Encoder)] = &[
    ("messageHeader", vec_message_header),
    ("ControlResponse", vec_control_response),
    ("AuthConnectRequest", vec_auth_connect_request),
    ("StartRecordingRequest2", vec_start_recording_request2),
    ("ReplayRequest", vec_replay_request),
    (
        "ListRecordingsForUriRequest",
        vec_list_recordings_for_uri_request,
    ),
    ("RecordingDescriptor", vec_recording_descriptor),
    ("RecordingSignalEvent", vec_recording_signal_event),
];

/// Runs a C vector encoder into a buffer of `cap` bytes; `None` if it reported failure.
pub fn c_encode(encoder: Encoder, cap: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; cap];
    // SAFETY: the encoder writes at most `cap` bytes into `buf` (the C codec checks every write).
    let len = unsafe { encoder(buf.as_mut_ptr() as *mut c_char, cap) };
    (len > 0).then(|| {
        buf.truncate(len);
        buf
    })
}

/// Decodes the RecordingDescriptor vector with the C codec; 0 if every field matched.
pub fn c_check_recording_descriptor(buf: &[u8]) -> i32 {
    // SAFETY: reads at most `buf.len()` bytes.
    unsafe { vec_check_recording_descriptor(buf.as_ptr() as *const c_char, buf.len()) }
}

/// Decodes the ControlResponse vector with the C codec; 0 if every field matched.
pub fn c_check_control_response(buf: &[u8]) -> i32 {
    // SAFETY: reads at most `buf.len()` bytes.
    unsafe { vec_check_control_response(buf.as_ptr() as *const c_char, buf.len()) }
}
