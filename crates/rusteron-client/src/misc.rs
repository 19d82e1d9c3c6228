//! Free functions of `aeronc.h`: version, clocks, driver liveness, properties, default path.

use std::ffi::c_char;

use aeron_sys::*;

use crate::context::{cstring, owned_str};
use crate::AeronCError;

/// Full version string, e.g. `aeron version=1.54.0 commit=...`.
pub fn version_full() -> String {
    // SAFETY: returns a static string.
    owned_str(unsafe { aeron_version_full() })
}

/// Version text, e.g. `1.54.0`.
pub fn version_text() -> String {
    // SAFETY: returns a static string.
    owned_str(unsafe { aeron_version_text() })
}

/// Git SHA of the Aeron build.
pub fn version_gitsha() -> String {
    // SAFETY: returns a static string.
    owned_str(unsafe { aeron_version_gitsha() })
}

/// `(major, minor, patch)`.
pub fn version() -> (i32, i32, i32) {
    // SAFETY: plain getters.
    unsafe {
        (
            aeron_version_major(),
            aeron_version_minor(),
            aeron_version_patch(),
        )
    }
}

/// Aeron's monotonic nanosecond clock.
pub fn nano_clock() -> i64 {
    // SAFETY: plain function.
    unsafe { aeron_nano_clock() }
}

/// Aeron's epoch millisecond clock.
pub fn epoch_clock() -> i64 {
    // SAFETY: plain function.
    unsafe { aeron_epoch_clock() }
}

/// True if a driver is active in `dir` (heartbeat within `timeout_ms`).
pub fn is_driver_active(dir: &str, timeout_ms: i64) -> Result<bool, AeronCError> {
    let dir = cstring(dir)?;
    // The C function calls its log function unconditionally: give it one that forwards to `log`.
    unsafe extern "C" fn log_line(line: *const c_char) {
        crate::panic::catch((), || {
            // SAFETY: the C side passes a NUL-terminated line valid for this call.
            log::debug!("aeron_is_driver_active: {}", unsafe {
                crate::context::borrowed_str(line)
            });
        })
    }
    // SAFETY: NUL-terminated dir; `log_line` is a plain function valid forever.
    Ok(crate::panic::call(|| unsafe {
        aeron_is_driver_active(dir.as_ptr(), timeout_ms, Some(log_line))
    }))
}

/// The default Aeron directory of this platform/user.
pub fn default_path() -> Result<String, AeronCError> {
    let mut buf = [0u8; 1024];
    // SAFETY: writable buffer of the given length.
    AeronCError::check(unsafe { aeron_default_path(buf.as_mut_ptr() as *mut c_char, buf.len()) })?;
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
}

/// Asks the driver in `aeron_dir` to terminate, passing `token` to its termination validator.
pub fn request_driver_termination(aeron_dir: &str, token: &[u8]) -> Result<i32, AeronCError> {
    let dir = cstring(aeron_dir)?;
    // SAFETY: NUL-terminated dir; token only read during the call.
    AeronCError::check(unsafe {
        aeron_context_request_driver_termination(dir.as_ptr(), token.as_ptr(), token.len())
    })
}

/// Loads Java-style properties from a string and sets them as environment variables (process-wide:
/// affects every context created afterwards).
///
/// # Safety
/// C sets each property with `setenv`, which races with every concurrent read or write of the environment
/// (`getenv` in C code, such as `aeron_context_init` and the media driver's context, `std::env::var`): the
/// environment block may be reallocated under the reader. Call it only while no other thread of the
/// process can read or write the environment (typically at the start of `main`, before any thread, client
/// or driver exists), as for [`std::env::set_var`].
pub unsafe fn properties_buffer_load(buffer: &str) -> Result<i32, AeronCError> {
    let b = cstring(buffer)?;
    // SAFETY: NUL-terminated buffer; the caller guarantees no concurrent access to the environment.
    AeronCError::check(unsafe { aeron_properties_buffer_load(b.as_ptr()) })
}

/// Loads properties from a file (see [`properties_buffer_load`]).
///
/// # Safety
/// As for [`properties_buffer_load`]: it writes the process environment.
pub unsafe fn properties_file_load(filename: &str) -> Result<i32, AeronCError> {
    let f = cstring(filename)?;
    // SAFETY: NUL-terminated path; the caller guarantees no concurrent access to the environment.
    AeronCError::check(unsafe { aeron_properties_file_load(f.as_ptr()) })
}

/// Loads properties from an http URL (see [`properties_buffer_load`]).
///
/// # Safety
/// As for [`properties_buffer_load`]: it writes the process environment.
pub unsafe fn properties_http_load(url: &str) -> Result<i32, AeronCError> {
    let u = cstring(url)?;
    // SAFETY: NUL-terminated URL; the caller guarantees no concurrent access to the environment.
    AeronCError::check(unsafe { aeron_properties_http_load(u.as_ptr()) })
}

/// Loads properties from a file or http URL (see [`properties_buffer_load`]).
///
/// # Safety
/// As for [`properties_buffer_load`]: it writes the process environment.
pub unsafe fn properties_load(url_or_filename: &str) -> Result<i32, AeronCError> {
    let u = cstring(url_or_filename)?;
    // SAFETY: NUL-terminated string; the caller guarantees no concurrent access to the environment.
    AeronCError::check(unsafe { aeron_properties_load(u.as_ptr()) })
}

/// The last error code of the C library on this thread.
pub fn errcode() -> i32 {
    // SAFETY: thread-local read.
    unsafe { aeron_errcode() }
}

/// The last error message of the C library on this thread.
pub fn errmsg() -> String {
    // SAFETY: thread-local NUL-terminated string, copied at once.
    owned_str(unsafe { aeron_errmsg() })
}

/// The first UDP port from `start_port` up that can be bound on 127.0.0.1 right now, as the earlier
/// rusteron's helper of the same name (for examples and tests; another process may take it before you do).
pub fn find_unused_udp_port(start_port: u16) -> Option<u16> {
    (start_port..=u16::MAX).find(|&port| std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok())
}
