//! Bindings to `csrc/sbe_fidelity.c`: what a C user of the generated codecs observes besides the bytes
//! (errno values, `sbe_strerror`, character encodings, composite encoded lengths, meta attributes,
//! `_mut_buffer`).

use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

extern "C" {
    fn fid_errno_header_too_short() -> c_int;
    fn fid_errno_unknown_enum() -> c_int;
    fn fid_errno_var_data_too_long() -> c_int;
    fn fid_e100() -> c_int;
    fn fid_e103() -> c_int;
    fn fid_e107() -> c_int;
    fn fid_e110() -> c_int;
    fn fid_strerror(errnum: c_int) -> *const c_char;
    fn fid_binary_data_character_encoding() -> *const c_char;
    fn fid_ascii_data_character_encoding() -> *const c_char;
    fn fid_var_data_encoding_encoded_length() -> u64;
    fn fid_var_ascii_encoding_encoded_length() -> u64;
    fn fid_message_header_encoded_length() -> u64;
    fn fid_var_data_composite_wraps_its_length_field() -> c_int;
    fn fid_optional_field_presence() -> *const c_char;
    fn fid_required_field_presence() -> *const c_char;
    fn fid_mut_buffer_is_the_wrapped_buffer() -> c_int;
}

fn text(p: *const c_char) -> String {
    assert!(!p.is_null());
    // SAFETY: the C functions return pointers to static NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

// SAFETY (every `unsafe` call below): the C probes take no pointers from Rust and use only their own stack
// buffers.

/// The values of the codec error macros `E100`, `E103`, `E107`, `E110`.
pub fn error_macros() -> [i32; 4] {
    // SAFETY: a C probe that takes no pointer from Rust (see above).
    unsafe { [fid_e100(), fid_e103(), fid_e107(), fid_e110()] }
}

/// `errno` after wrapping a message header over a 4-byte buffer, after reading an unknown
/// ControlResponseCode, and after putting var-data longer than the buffer (0: the call succeeded).
pub fn errno_after_failures() -> [i32; 3] {
    // SAFETY: a C probe that takes no pointer from Rust (see above).
    unsafe {
        [
            fid_errno_header_too_short(),
            fid_errno_unknown_enum(),
            fid_errno_var_data_too_long(),
        ]
    }
}

/// `sbe_strerror(errnum)`.
pub fn strerror(errnum: i32) -> String {
    // SAFETY: a C probe that takes no pointer from Rust (see above).
    text(unsafe { fid_strerror(errnum) })
}

/// The character encodings of AuthConnectRequest's binary `encodedCredentials` and ASCII `responseChannel`.
pub fn character_encodings() -> (String, String) {
    // SAFETY: a C probe that takes no pointer from Rust (see above).
    unsafe {
        (
            text(fid_binary_data_character_encoding()),
            text(fid_ascii_data_character_encoding()),
        )
    }
}

/// `_encoded_length()` of varDataEncoding, varAsciiEncoding and messageHeader.
pub fn composite_encoded_lengths() -> [u64; 3] {
    // SAFETY: a C probe that takes no pointer from Rust (see above).
    unsafe {
        [
            fid_var_data_encoding_encoded_length(),
            fid_var_ascii_encoding_encoded_length(),
            fid_message_header_encoded_length(),
        ]
    }
}

/// `true` if varDataEncoding wraps a 4-byte buffer (just its length field) at offset 0.
pub fn var_data_composite_wraps_its_length_field() -> bool {
    // SAFETY: a C probe that takes no pointer from Rust (see above).
    unsafe { fid_var_data_composite_wraps_its_length_field() == 1 }
}

/// The PRESENCE meta attribute of the optional AuthConnectRequest.version and the required
/// ControlResponse.correlationId.
pub fn field_presences() -> (String, String) {
    // SAFETY: a C probe that takes no pointer from Rust (see above).
    unsafe {
        (
            text(fid_optional_field_presence()),
            text(fid_required_field_presence()),
        )
    }
}

/// `true` if `_mut_buffer` of a wrapped message and of a wrapped composite returns the wrapped buffer.
pub fn mut_buffer_is_the_wrapped_buffer() -> bool {
    // SAFETY: a C probe that takes no pointer from Rust (see above).
    unsafe { fid_mut_buffer_is_the_wrapped_buffer() == 1 }
}
