//! [`AeronCnc`]: read-only access to a media driver's command-and-control file (monitoring tools).

use std::ffi::c_void;
use std::sync::Arc;

use aeron_sys::*;

use crate::context::{cstring, owned_str};
use crate::generated::{
    aeron_error_log_reader_func_trampoline, aeron_loss_reporter_read_entry_func_trampoline,
};
use crate::{
    AeronCError, AeronCountersReader, AeronErrorLogReaderFuncCallback,
    AeronLossReporterReadEntryFuncCallback,
};

/// A mapped CnC file of a running driver (`aeron_cnc_t`): `Send + Sync`, cheap to clone; unmapped when
/// the last clone (or counters reader made from it) drops.
#[derive(Clone)]
pub struct AeronCnc {
    inner: Arc<CncInner>,
}

pub(crate) struct CncInner {
    ptr: *mut aeron_cnc_t,
}

// SAFETY: the CnC functions only read the mapped file; it is closed once, when the last Arc drops.
unsafe impl Send for CncInner {}
// SAFETY: as above.
unsafe impl Sync for CncInner {}

impl Drop for CncInner {
    fn drop(&mut self) {
        // SAFETY: ptr came from aeron_cnc_init and is closed once.
        unsafe { aeron_cnc_close(self.ptr) }
    }
}

impl AeronCnc {
    /// Maps the CnC file under `aeron_dir`, waiting up to `timeout_ms` for it to be ready.
    pub fn new(aeron_dir: &str, timeout_ms: i64) -> Result<Self, AeronCError> {
        let dir = cstring(aeron_dir)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: valid out-pointer and NUL-terminated dir.
        AeronCError::check(unsafe { aeron_cnc_init(&mut ptr, dir.as_ptr(), timeout_ms) })?;
        Ok(AeronCnc {
            inner: Arc::new(CncInner { ptr }),
        })
    }

    /// The raw pointer (valid while self lives).
    pub fn as_raw(&self) -> *mut aeron_cnc_t {
        self.inner.ptr
    }

    /// The CnC file's constants.
    pub fn constants(&self) -> Result<aeron_cnc_constants_t, AeronCError> {
        let mut c = aeron_cnc_constants_t::default();
        // SAFETY: live cnc; valid out-struct.
        AeronCError::check(unsafe { aeron_cnc_constants(self.inner.ptr, &mut c) })?;
        Ok(c)
    }

    /// Path of the CnC file.
    pub fn filename(&self) -> String {
        // SAFETY: live cnc; the returned string lives as long as it.
        owned_str(unsafe { aeron_cnc_filename(self.inner.ptr) })
    }

    /// Last heartbeat of the driver (ms since epoch).
    pub fn to_driver_heartbeat(&self) -> i64 {
        // SAFETY: live cnc.
        unsafe { aeron_cnc_to_driver_heartbeat(self.inner.ptr) }
    }

    /// Reads the driver's error log since `since_timestamp`; returns the number of entries.
    pub fn error_log_read<H: AeronErrorLogReaderFuncCallback>(
        &self,
        handler: &mut H,
        since_timestamp: i64,
    ) -> usize {
        // SAFETY: live cnc; clientd is the borrowed handler matching the trampoline.
        crate::panic::call(|| unsafe {
            aeron_cnc_error_log_read(
                self.inner.ptr,
                Some(aeron_error_log_reader_func_trampoline::<H>),
                handler as *mut H as *mut c_void,
                since_timestamp,
            )
        })
    }

    /// Reads the loss report; returns the number of entries.
    pub fn loss_reporter_read<H: AeronLossReporterReadEntryFuncCallback>(
        &self,
        handler: &mut H,
    ) -> Result<i32, AeronCError> {
        // SAFETY: live cnc; clientd is the borrowed handler matching the trampoline.
        let rc = crate::panic::call(|| unsafe {
            aeron_cnc_loss_reporter_read(
                self.inner.ptr,
                Some(aeron_loss_reporter_read_entry_func_trampoline::<H>),
                handler as *mut H as *mut c_void,
            )
        });
        AeronCError::check(rc)
    }

    /// A counters reader over the CnC file's counters (keeps the file mapped).
    pub fn counters_reader(&self) -> AeronCountersReader {
        // SAFETY: live cnc; the reader is embedded in it and kept alive by the Arc we pass along.
        let ptr = unsafe { aeron_cnc_counters_reader(self.inner.ptr) };
        AeronCountersReader::from_cnc(ptr, self.inner.clone())
    }
}
