//! [`AeronCounter`] (a counter this client allocated) and [`AeronCountersReader`].

use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use aeron_sys::*;

use crate::generated::aeron_counters_reader_foreach_counter_func_trampoline;
use crate::{Aeron, AeronCError, AeronCountersReaderForeachCounterFuncCallback, AeronErrorType};

/// A counter allocated by this client in the driver (`aeron_counter_t`): `Send + Sync` (the value is
/// atomic), cheap to clone; closed when the last clone drops.
#[derive(Clone)]
pub struct AeronCounter {
    inner: Arc<CounterInner>,
}

struct CounterInner {
    ptr: *mut aeron_counter_t,
    _aeron: Aeron,
}

// SAFETY: counter values are accessed atomically; the counter is closed once, when the last clone drops.
unsafe impl Send for CounterInner {}
// SAFETY: as above.
unsafe impl Sync for CounterInner {}

impl Drop for CounterInner {
    fn drop(&mut self) {
        // SAFETY: live counter, closed exactly once.
        unsafe { aeron_counter_close(self.ptr, None, std::ptr::null_mut()) };
    }
}

impl std::fmt::Debug for AeronCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronCounter")
            .field("value", &self.get())
            .finish()
    }
}

impl AeronCounter {
    /// Wraps a counter pointer owned by `aeron`'s C client; closed when the last clone drops.
    ///
    /// # Safety
    /// `ptr` must be a live `aeron_counter_t` of the C client of `aeron` that nothing else closes.
    pub unsafe fn from_raw(aeron: &Aeron, ptr: *mut aeron_counter_t) -> Self {
        AeronCounter {
            inner: Arc::new(CounterInner {
                ptr,
                _aeron: aeron.clone(),
            }),
        }
    }

    /// The raw pointer (valid while this counter is alive).
    pub fn as_raw(&self) -> *mut aeron_counter_t {
        self.inner.ptr
    }

    /// The counter's value cell (`aeron_counter_addr`).
    pub fn addr(&self) -> &AtomicI64 {
        // SAFETY: aeron_counter_addr points at the 8-byte aligned value slot in the mapped counters file,
        // valid while the counter is open (we hold it); all access is atomic.
        unsafe { &*(aeron_counter_addr(self.inner.ptr) as *const AtomicI64) }
    }

    /// Current value.
    pub fn get(&self) -> i64 {
        self.addr().load(Ordering::Acquire)
    }

    /// Sets the value.
    pub fn set(&self, value: i64) {
        self.addr().store(value, Ordering::Release)
    }

    /// Adds `delta`, returning the previous value.
    pub fn get_and_add(&self, delta: i64) -> i64 {
        self.addr().fetch_add(delta, Ordering::AcqRel)
    }

    /// Adds one, returning the previous value.
    pub fn increment(&self) -> i64 {
        self.get_and_add(1)
    }

    /// Drops this handle (the counter closes with its last clone).
    pub fn close(self) {}
}

/// Read access to the driver's counters (`aeron_counters_reader_t`): `Send + Sync`, cheap to clone;
/// keeps the client open.
#[derive(Clone)]
pub struct AeronCountersReader {
    ptr: *mut aeron_counters_reader_t,
    _owner: Owner,
}

#[derive(Clone)]
enum Owner {
    Client(#[allow(dead_code)] Aeron),
    Cnc(#[allow(dead_code)] Arc<crate::cnc::CncInner>),
}

// SAFETY: the counters reader only reads the mapped counters file (values atomically), which stays mapped
// while its owner (client or CnC) is held.
unsafe impl Send for AeronCountersReader {}
// SAFETY: as above.
unsafe impl Sync for AeronCountersReader {}

impl std::fmt::Debug for AeronCountersReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronCountersReader")
            .field("max_counter_id", &self.max_counter_id())
            .finish()
    }
}

impl Aeron {
    /// The client's counters reader.
    pub fn counters_reader(&self) -> AeronCountersReader {
        // SAFETY: live client; the reader lives inside it, which we keep open.
        let ptr = unsafe { aeron_counters_reader(self.ptr()) };
        AeronCountersReader {
            ptr,
            _owner: Owner::Client(self.clone()),
        }
    }
}

impl AeronCountersReader {
    pub(crate) fn from_cnc(
        ptr: *mut aeron_counters_reader_t,
        cnc: Arc<crate::cnc::CncInner>,
    ) -> Self {
        AeronCountersReader {
            ptr,
            _owner: Owner::Cnc(cnc),
        }
    }

    /// The raw pointer (valid while this reader is alive).
    pub fn as_raw(&self) -> *mut aeron_counters_reader_t {
        self.ptr
    }

    /// Calls `f(value, id, type_id, key, label)` for every allocated counter.
    pub fn foreach_counter(&self, f: impl FnMut(i64, i32, i32, &[u8], &str)) {
        let mut h = crate::AeronCountersReaderForeachCounterFuncClosure::new(f);
        self.foreach_counter_with(&mut h);
    }

    /// Calls `handler` for every allocated counter (no allocation).
    pub fn foreach_counter_with<H: AeronCountersReaderForeachCounterFuncCallback>(
        &self,
        handler: &mut H,
    ) {
        let clientd = handler as *mut H as *mut c_void;
        // SAFETY: live reader; clientd is the borrowed handler, matching the trampoline's type.
        crate::panic::call(|| unsafe {
            aeron_counters_reader_foreach_counter(
                self.ptr,
                Some(aeron_counters_reader_foreach_counter_func_trampoline::<H>),
                clientd,
            )
        });
    }

    /// The id of the counter with `type_id` and `registration_id`, if any.
    pub fn find_by_type_id_and_registration_id(
        &self,
        type_id: i32,
        registration_id: i64,
    ) -> Option<i32> {
        // SAFETY: live reader.
        let id = unsafe {
            aeron_counters_reader_find_by_type_id_and_registration_id(
                self.ptr,
                type_id,
                registration_id,
            )
        };
        (id != AERON_NULL_COUNTER_ID).then_some(id)
    }

    /// The value cell of counter `counter_id`, or `None` when the id is out of range.
    pub fn addr(&self, counter_id: i32) -> Option<&AtomicI64> {
        if counter_id < 0 || counter_id > self.max_counter_id() {
            return None;
        }
        // SAFETY: in-range id; the value slot is 8-byte aligned in the mapped file, kept mapped by our owner.
        let p = unsafe { aeron_counters_reader_addr(self.ptr, counter_id) };
        // SAFETY: p is the valid, aligned slot (non-null checked).
        (!p.is_null()).then(|| unsafe { &*(p as *const AtomicI64) })
    }

    /// The value of counter `counter_id` (0 when out of range).
    pub fn get_counter_value(&self, counter_id: i32) -> i64 {
        self.addr(counter_id)
            .map(|a| a.load(Ordering::Acquire))
            .unwrap_or(0)
    }

    /// The label of counter `counter_id`.
    pub fn counter_label(&self, counter_id: i32) -> Result<String, AeronCError> {
        self.check_counter_id(counter_id)?;
        let mut buf = [0u8; 512];
        // SAFETY: live reader; writable buffer of the given length.
        let rc = unsafe {
            aeron_counters_reader_counter_label(
                self.ptr,
                counter_id,
                buf.as_mut_ptr() as *mut c_char,
                buf.len(),
            )
        };
        // C does not always set its error message on failure: never report a stale one.
        let n = if rc < 0 {
            return Err(invalid_counter_id(counter_id, self.max_counter_id()));
        } else {
            rc as usize
        };
        Ok(String::from_utf8_lossy(&buf[..n.min(buf.len())]).into_owned())
    }

    /// A copy of the key of counter `counter_id` (the full key area of the metadata record).
    pub fn metadata_key(&self, counter_id: i32) -> Result<Vec<u8>, AeronCError> {
        self.check_counter_id(counter_id)?;
        let mut key: *mut u8 = std::ptr::null_mut();
        // SAFETY: live reader; valid out-pointer.
        let rc = unsafe { aeron_counters_reader_metadata_key(self.ptr, counter_id, &mut key) };
        if rc < 0 || key.is_null() {
            return Err(invalid_counter_id(counter_id, self.max_counter_id()));
        }
        const KEY_LEN: usize = 112;
        // SAFETY: on success key points at the KEY_LEN-byte key area of the metadata record, mapped while
        // our owner lives.
        Ok(unsafe { std::slice::from_raw_parts(key, KEY_LEN) }.to_vec())
    }

    /// A fresh error (never C's stale thread-local message) for an id outside the counters file.
    fn check_counter_id(&self, counter_id: i32) -> Result<(), AeronCError> {
        let max = self.max_counter_id();
        if counter_id < 0 || counter_id > max {
            Err(invalid_counter_id(counter_id, max))
        } else {
            Ok(())
        }
    }

    /// The raw buffers of the counters file.
    pub fn get_buffers(&self) -> Result<aeron_counters_reader_buffers_t, AeronCError> {
        let mut b = aeron_counters_reader_buffers_t {
            values: std::ptr::null_mut(),
            metadata: std::ptr::null_mut(),
            values_length: 0,
            metadata_length: 0,
        };
        // SAFETY: live reader; valid out-struct.
        AeronCError::check(unsafe { aeron_counters_reader_get_buffers(self.ptr, &mut b) })?;
        Ok(b)
    }
}

#[cold]
fn invalid_counter_id(counter_id: i32, max: i32) -> AeronCError {
    AeronCError::with_message(
        AeronErrorType::GenericError.code(),
        format!("counter id {counter_id} is not a valid counter id (valid: 0..={max})"),
    )
}
