//! Small conversions between C and Rust values shared by the hand-written and generated code.

use std::borrow::Cow;
use std::ffi::{c_char, c_int, CStr, CString};

use rusteron_client::AeronCError;

/// `Ok(rc)` when `rc >= 0`, otherwise the last C error of this thread (code and message).
pub(crate) fn check(rc: c_int) -> Result<i32, AeronCError> {
    if rc < 0 {
        Err(AeronCError::last())
    } else {
        Ok(rc)
    }
}

/// A NUL-terminated copy of `s`; fails (without calling C) if `s` contains a NUL byte.
pub(crate) fn cstring(s: &str) -> Result<CString, AeronCError> {
    CString::new(s).map_err(|_| {
        AeronCError::with_message(
            libc_einval(),
            Cow::Owned(format!("string contains a NUL byte: {s:?}")),
        )
    })
}

/// `EINVAL`, the code C uses for invalid arguments.
fn libc_einval() -> i32 {
    22
}

/// An owned copy of a C string (empty for NULL).
///
/// # Safety
/// `p` must be NULL or a NUL-terminated string valid for the call.
pub(crate) unsafe fn owned_str(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

/// A borrowed view of a C string (empty for NULL or invalid UTF-8).
///
/// # Safety
/// `p` must be NULL or a NUL-terminated string valid and unchanged for `'a`.
pub(crate) unsafe fn borrowed_str<'a>(p: *const c_char) -> &'a str {
    if p.is_null() {
        ""
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("")
    }
}

/// An owned copy of `len` bytes of a C string that may not be NUL-terminated (empty for NULL).
///
/// # Safety
/// `p` must be NULL or point to `len` readable bytes.
pub(crate) unsafe fn owned_str_n(p: *const c_char, len: usize) -> String {
    if p.is_null() || len == 0 {
        String::new()
    } else {
        // SAFETY: guaranteed by the caller.
        let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, len) };
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// A borrowed byte slice (empty for NULL).
///
/// # Safety
/// `p` must be NULL or point to `len` readable bytes, valid and unchanged for `'a`.
pub(crate) unsafe fn bytes<'a>(p: *const u8, len: usize) -> &'a [u8] {
    if p.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts(p, len) }
    }
}
