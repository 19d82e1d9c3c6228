//! Publications: [`AeronPublication`] (concurrent, `Sync`), [`AeronExclusivePublication`] (`Send` only),
//! [`AeronBufferClaim`] and the async add / destination handles.

use std::cell::Cell;
use std::ffi::{c_char, c_void};
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aeron_sys::*;

use crate::claim_ops::claim;
use crate::context::cstring;
use crate::generated::aeron_reserved_value_supplier_trampoline;
use crate::{Aeron, AeronCError, AeronReservedValueSupplierCallback};

/// Maximum number of buffers [`offer_vectored`](AeronPublication::offer_vectored) passes without
/// allocating.
pub const MAX_STACK_IOVECS: usize = 16;

fn supplier_parts<T: AeronReservedValueSupplierCallback>(
    supplier: Option<&mut T>,
) -> (aeron_reserved_value_supplier_t, *mut c_void) {
    match supplier {
        Some(s) => (
            Some(aeron_reserved_value_supplier_trampoline::<T>),
            s as *mut T as *mut c_void,
        ),
        None => (None, std::ptr::null_mut()),
    }
}

/// Calls `f` with the buffers as an `aeron_iovec_t` slice, on the stack for up to [`MAX_STACK_IOVECS`].
fn with_iovecs<R>(buffers: &[&[u8]], f: impl FnOnce(*mut aeron_iovec_t, usize) -> R) -> R {
    let to_iov = |b: &&[u8]| aeron_iovec_t {
        iov_base: b.as_ptr() as *mut u8,
        iov_len: b.len(),
    };
    if buffers.len() <= MAX_STACK_IOVECS {
        let mut stack = [aeron_iovec_t {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        }; MAX_STACK_IOVECS];
        for (slot, b) in stack.iter_mut().zip(buffers) {
            *slot = to_iov(b);
        }
        f(stack.as_mut_ptr(), buffers.len())
    } else {
        let mut heap: Vec<aeron_iovec_t> = buffers.iter().map(to_iov).collect();
        f(heap.as_mut_ptr(), heap.len())
    }
}

fn local_sockaddrs(
    f: impl Fn(*mut aeron_iovec_t, usize) -> i32,
) -> Result<Vec<String>, AeronCError> {
    const N: usize = 16;
    const LEN: usize = AERON_CLIENT_MAX_LOCAL_ADDRESS_STR_LEN as usize;
    let mut storage = vec![[0u8; LEN]; N];
    let mut iovs: Vec<aeron_iovec_t> = storage
        .iter_mut()
        .map(|s| aeron_iovec_t {
            iov_base: s.as_mut_ptr(),
            iov_len: LEN,
        })
        .collect();
    let n = AeronCError::check(f(iovs.as_mut_ptr(), N))? as usize;
    Ok(storage[..n.min(N)]
        .iter()
        .map(|s| {
            let end = s.iter().position(|&b| b == 0).unwrap_or(LEN);
            String::from_utf8_lossy(&s[..end]).into_owned()
        })
        .collect())
}

/// Busy-waits (with short sleeps) for `poll` to produce a value, up to `timeout`.
pub(crate) fn poll_until<T>(
    timeout: Duration,
    what: &'static str,
    mut poll: impl FnMut() -> Result<Option<T>, AeronCError>,
) -> Result<T, AeronCError> {
    let start = Instant::now();
    let mut spins = 0u32;
    loop {
        if let Some(v) = poll()? {
            return Ok(v);
        }
        if start.elapsed() >= timeout {
            return Err(AeronCError::timed_out(what));
        }
        spins += 1;
        if spins < 16 {
            std::thread::yield_now();
        } else {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

// ------------------------------------------------------------------------------------------------------
// Concurrent publication
// ------------------------------------------------------------------------------------------------------

/// A publication that many threads may offer on at once (`aeron_publication_t`): `Send + Sync`, and
/// cheap to clone (clones share one publication, which is closed when the last clone is dropped).
#[derive(Clone)]
pub struct AeronPublication {
    inner: Arc<PublicationInner>,
}

struct PublicationInner {
    ptr: *mut aeron_publication_t,
    aeron: Aeron,
}

// SAFETY: aeron_publication_t is documented as thread-safe for offer/try_claim and the queries; it is
// closed once, when the last clone drops.
unsafe impl Send for PublicationInner {}
// SAFETY: as above.
unsafe impl Sync for PublicationInner {}

impl Drop for PublicationInner {
    fn drop(&mut self) {
        // SAFETY: ptr is a live publication of the client we hold; closed exactly once, here. C ignores a
        // second close of an already-closed publication.
        unsafe { aeron_publication_close(self.ptr, None, std::ptr::null_mut()) };
    }
}

impl std::fmt::Debug for AeronPublication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronPublication")
            .field("channel", &self.channel())
            .field("stream_id", &self.stream_id())
            .field("session_id", &self.session_id())
            .finish()
    }
}

impl AeronPublication {
    /// Wraps a publication pointer owned by `aeron`'s C client; the wrapper closes it when the last clone
    /// is dropped.
    ///
    /// # Safety
    /// `ptr` must be a live `aeron_publication_t` of the C client of `aeron` that nothing else closes.
    pub unsafe fn from_raw(aeron: &Aeron, ptr: *mut aeron_publication_t) -> Self {
        AeronPublication {
            inner: Arc::new(PublicationInner {
                ptr,
                aeron: aeron.clone(),
            }),
        }
    }

    /// The raw pointer (valid while this publication is alive).
    pub fn as_raw(&self) -> *mut aeron_publication_t {
        self.inner.ptr
    }

    /// The client of this publication.
    pub fn aeron(&self) -> &Aeron {
        &self.inner.aeron
    }

    /// Offers a message. Returns the new stream position (> 0) or a negative `AERON_PUBLICATION_*` code
    /// (not connected, back pressured, admin action, closed, max position exceeded, error); see
    /// [`AeronCError::publication_result`]. Pass [`Handlers::no_reserved_value_supplier_handler`](crate::Handlers)
    /// when no reserved value is needed. Does not allocate.
    #[inline]
    pub fn offer<T: AeronReservedValueSupplierCallback>(
        &self,
        buffer: &[u8],
        reserved_value_supplier: Option<T>,
    ) -> i64 {
        let mut supplier = reserved_value_supplier;
        let has_supplier = supplier.is_some();
        let (f, clientd) = supplier_parts(supplier.as_mut());
        // SAFETY: live publication; buffer is valid for the call; clientd points to `supplier`, alive for it.
        let offer = || unsafe {
            aeron_publication_offer(self.inner.ptr, buffer.as_ptr(), buffer.len(), f, clientd)
        };
        // Without a supplier no Rust code runs inside the call: skip the panic bookkeeping (docs/benchmarks.md).
        if has_supplier {
            crate::panic::call(offer)
        } else {
            offer()
        }
    }

    /// Offers the concatenation of `buffers` as one message (`aeron_publication_offerv`). Does not allocate
    /// for up to [`MAX_STACK_IOVECS`] buffers.
    pub fn offer_vectored<T: AeronReservedValueSupplierCallback>(
        &self,
        buffers: &[&[u8]],
        reserved_value_supplier: Option<T>,
    ) -> i64 {
        let mut supplier = reserved_value_supplier;
        let (f, clientd) = supplier_parts(supplier.as_mut());
        with_iovecs(buffers, |iov, n| {
            // SAFETY: live publication; the iovecs point into `buffers`, valid (and only read) for the call.
            crate::panic::call(|| unsafe {
                aeron_publication_offerv(self.inner.ptr, iov, n, f, clientd)
            })
        })
    }

    /// Claims `length` bytes in the log for zero-copy writing. The claim aborts on drop unless
    /// [`commit`](AeronBufferClaim::commit)ted. Does not allocate.
    #[inline]
    pub fn try_claim(&self, length: usize) -> Result<AeronBufferClaim<'_>, AeronCError> {
        let ptr = self.inner.ptr;
        // SAFETY: live publication; `claim` passes a valid out-struct.
        let (rc, claim) = unsafe { claim(|out| aeron_publication_try_claim(ptr, length, out)) };
        match claim {
            Some(claim) => Ok(AeronBufferClaim {
                claim,
                _publication: PhantomData,
            }),
            None => Err(AeronCError::from_publication_result(rc)),
        }
    }

    /// Local socket addresses of this publication's channel (`aeron_publication_local_sockaddrs`).
    pub fn local_sockaddrs(&self) -> Result<Vec<String>, AeronCError> {
        // SAFETY: live publication; the iovecs describe writable buffers of the given lengths.
        local_sockaddrs(|iov, n| unsafe {
            aeron_publication_local_sockaddrs(self.inner.ptr, iov, n)
        })
    }

    /// Registration id of this publication.
    pub fn registration_id(&self) -> i64 {
        self.constants().map(|c| c.registration_id).unwrap_or(-1)
    }

    /// Adds a destination to a multi-destination-cast publication.
    pub fn async_add_destination(&self, uri: &str) -> Result<AeronAsyncDestination, AeronCError> {
        let uri = cstring(uri)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: live client and publication; the uri is copied by C.
        AeronCError::check(unsafe {
            aeron_publication_async_add_destination(
                &mut ptr,
                self.inner.aeron.ptr(),
                self.inner.ptr,
                uri.as_ptr(),
            )
        })?;
        Ok(AeronAsyncDestination::new(
            &self.inner.aeron,
            ptr,
            DestinationKind::Publication,
        ))
    }

    /// Removes a destination from a multi-destination-cast publication.
    pub fn async_remove_destination(
        &self,
        uri: &str,
    ) -> Result<AeronAsyncDestination, AeronCError> {
        let uri = cstring(uri)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: as for async_add_destination.
        AeronCError::check(unsafe {
            aeron_publication_async_remove_destination(
                &mut ptr,
                self.inner.aeron.ptr(),
                self.inner.ptr,
                uri.as_ptr(),
            )
        })?;
        Ok(AeronAsyncDestination::new(
            &self.inner.aeron,
            ptr,
            DestinationKind::Publication,
        ))
    }

    /// Removes a destination by the registration id of its add.
    pub fn async_remove_destination_by_id(
        &self,
        destination_registration_id: i64,
    ) -> Result<AeronAsyncDestination, AeronCError> {
        let mut ptr = std::ptr::null_mut();
        // SAFETY: live client and publication.
        AeronCError::check(unsafe {
            aeron_publication_async_remove_destination_by_id(
                &mut ptr,
                self.inner.aeron.ptr(),
                self.inner.ptr,
                destination_registration_id,
            )
        })?;
        Ok(AeronAsyncDestination::new(
            &self.inner.aeron,
            ptr,
            DestinationKind::Publication,
        ))
    }

    /// Drops this handle; the publication is closed once the last clone is gone. Never closes twice.
    pub fn close(self) {}
}

// ------------------------------------------------------------------------------------------------------
// Exclusive publication
// ------------------------------------------------------------------------------------------------------

/// A publication for a single thread (`aeron_exclusive_publication_t`): `Send` but not `Sync`, and not
/// `Clone`. Closed on drop (or [`close`](Self::close)).
pub struct AeronExclusivePublication {
    ptr: *mut aeron_exclusive_publication_t,
    /// The pointer the log-writing calls use (offer, claim, block, padding): `ptr`, except while C runs a
    /// reserved-value supplier inside an offer of this publication, when it is null. C has not advanced
    /// the term offset at that point, so a nested write would overwrite the frame being offered (two
    /// `&mut [u8]` over one frame); with a null pointer C refuses it (`AERON_PUBLICATION_ERROR`) at no cost
    /// on the hot path, which loads this field instead of `ptr` (docs/safety.md).
    writer: Cell<*mut aeron_exclusive_publication_t>,
    aeron: Aeron,
}

// SAFETY: the exclusive publication may be used from any one thread at a time; it is not Sync, so only
// the owning thread can call it.
unsafe impl Send for AeronExclusivePublication {}

impl Drop for AeronExclusivePublication {
    fn drop(&mut self) {
        // SAFETY: live exclusive publication, closed exactly once here.
        unsafe { aeron_exclusive_publication_close(self.ptr, None, std::ptr::null_mut()) };
    }
}

impl std::fmt::Debug for AeronExclusivePublication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = self.constants().ok();
        f.debug_struct("AeronExclusivePublication")
            .field("stream_id", &c.map(|c| c.stream_id))
            .field("session_id", &c.map(|c| c.session_id))
            .finish()
    }
}

impl AeronExclusivePublication {
    /// Wraps an exclusive publication pointer owned by `aeron`'s C client; closed on drop.
    ///
    /// # Safety
    /// `ptr` must be a live `aeron_exclusive_publication_t` of the C client of `aeron` that nothing else
    /// closes or uses concurrently.
    pub unsafe fn from_raw(aeron: &Aeron, ptr: *mut aeron_exclusive_publication_t) -> Self {
        AeronExclusivePublication {
            ptr,
            writer: Cell::new(ptr),
            aeron: aeron.clone(),
        }
    }

    /// The raw pointer (valid while this publication is alive).
    pub fn as_raw(&self) -> *mut aeron_exclusive_publication_t {
        self.ptr
    }

    /// The client of this publication.
    pub fn aeron(&self) -> &Aeron {
        &self.aeron
    }

    /// The pointer for log-writing calls (null while a reserved-value supplier of this publication runs).
    #[inline(always)]
    pub(crate) fn writer(&self) -> *mut aeron_exclusive_publication_t {
        self.writer.get()
    }

    /// Runs a log-writing C call that calls back into Rust (a reserved-value supplier) with the writer
    /// pointer hidden, so that the supplier cannot write this publication's log (see `writer`).
    #[inline]
    fn with_supplier_running<R>(
        &self,
        f: impl FnOnce(*mut aeron_exclusive_publication_t) -> R,
    ) -> R {
        let ptr = self.writer.replace(std::ptr::null_mut());
        let r = f(ptr);
        self.writer.set(ptr);
        crate::panic::resume_if_pending_with(r)
    }

    /// Offers a message; see [`AeronPublication::offer`]. Does not allocate.
    ///
    /// Called from inside a reserved-value supplier of an offer of this same publication, it returns
    /// `AERON_PUBLICATION_ERROR` (C has not finished the outer frame); so do `offer_vectored`,
    /// `offer_block`, `append_padding` and `try_claim_with`, and `try_claim` returns an error of kind
    /// [`AeronErrorType::PublicationError`](crate::AeronErrorType) (telling it apart would cost the hot path
    /// an instruction).
    #[inline]
    pub fn offer<T: AeronReservedValueSupplierCallback>(
        &self,
        buffer: &[u8],
        reserved_value_supplier: Option<T>,
    ) -> i64 {
        let mut supplier = reserved_value_supplier;
        let has_supplier = supplier.is_some();
        let (f, clientd) = supplier_parts(supplier.as_mut());
        // SAFETY: live publication (or null, which C refuses) used from its one owning thread; buffer and
        // supplier valid for the call.
        let offer = |ptr| unsafe {
            aeron_exclusive_publication_offer(ptr, buffer.as_ptr(), buffer.len(), f, clientd)
        };
        // Without a supplier no Rust code runs inside the call: no bookkeeping at all.
        if has_supplier {
            self.with_supplier_running(offer)
        } else {
            offer(self.writer.get())
        }
    }

    /// Offers the concatenation of `buffers` as one message; see [`AeronPublication::offer_vectored`].
    pub fn offer_vectored<T: AeronReservedValueSupplierCallback>(
        &self,
        buffers: &[&[u8]],
        reserved_value_supplier: Option<T>,
    ) -> i64 {
        let mut supplier = reserved_value_supplier;
        let (f, clientd) = supplier_parts(supplier.as_mut());
        with_iovecs(buffers, |iov, n| {
            // SAFETY: live publication (or null, refused by C); iovecs valid for the call.
            self.with_supplier_running(|ptr| unsafe {
                aeron_exclusive_publication_offerv(ptr, iov, n, f, clientd)
            })
        })
    }

    /// Claims `length` bytes for zero-copy writing; see [`AeronPublication::try_claim`].
    #[inline]
    pub fn try_claim(&self, length: usize) -> Result<AeronBufferClaim<'_>, AeronCError> {
        let ptr = self.writer();
        // SAFETY: live publication (or null, refused by C); `claim` passes a valid out-struct.
        let (rc, claim) =
            unsafe { claim(|out| aeron_exclusive_publication_try_claim(ptr, length, out)) };
        match claim {
            Some(claim) => Ok(AeronBufferClaim {
                claim,
                _publication: PhantomData,
            }),
            None => Err(AeronCError::from_publication_result(rc)),
        }
    }

    /// Appends a padding record of `length` bytes (`aeron_exclusive_publication_append_padding`).
    pub fn append_padding(&self, length: usize) -> i64 {
        // SAFETY: live publication (or null, refused by C).
        unsafe { aeron_exclusive_publication_append_padding(self.writer(), length) }
    }

    /// Offers a block of already-framed messages (`aeron_exclusive_publication_offer_block`), for example
    /// a range of a recording. Returns the new position or a negative `AERON_PUBLICATION_*` code.
    ///
    /// The block is validated before C sees it ([`validate_block`](Self::validate_block)): a block that is
    /// not a sequence of whole, aligned frames of one stream gets `AERON_PUBLICATION_ERROR` and nothing is
    /// written. C then checks the first frame against this publication (term offset, session, stream and
    /// term id, data type) and the block length against the room left in the term.
    pub fn offer_block(&self, buffer: &[u8]) -> i64 {
        if let Err(e) = crate::log_data::validate_block(buffer) {
            log::debug!("offer_block refused: {e}");
            return AERON_PUBLICATION_ERROR;
        }
        // SAFETY: validated just above.
        unsafe { self.offer_validated_block(buffer) }
    }

    /// `aeron_exclusive_publication_offer_block` of a block.
    ///
    /// # Safety
    /// [`validate_block`](Self::validate_block) must have accepted `buffer`.
    #[inline]
    pub(crate) unsafe fn offer_validated_block(&self, buffer: &[u8]) -> i64 {
        // SAFETY: live publication (or null, refused by C); a validated block (caller's contract) of at
        // least one header, only read during the call.
        unsafe {
            aeron_exclusive_publication_offer_block(self.writer(), buffer.as_ptr(), buffer.len())
        }
    }

    /// Why [`offer_block`](Self::offer_block) would refuse `block` before asking C, if it would.
    pub fn validate_block(block: &[u8]) -> Result<(), crate::BlockError> {
        crate::log_data::validate_block(block)
    }

    /// Local socket addresses of this publication's channel.
    pub fn local_sockaddrs(&self) -> Result<Vec<String>, AeronCError> {
        // SAFETY: live publication; writable iovecs.
        local_sockaddrs(|iov, n| unsafe {
            aeron_exclusive_publication_local_sockaddrs(self.ptr, iov, n)
        })
    }

    /// Registration id of this publication.
    pub fn registration_id(&self) -> i64 {
        self.constants().map(|c| c.registration_id).unwrap_or(-1)
    }

    /// Asks the driver to revoke the publication when it is closed.
    pub fn revoke_on_close(&self) {
        // SAFETY: live publication.
        unsafe { aeron_exclusive_publication_revoke_on_close(self.ptr) }
    }

    /// Revokes and closes the publication (`aeron_exclusive_publication_revoke`).
    pub fn revoke(self) -> Result<(), AeronCError> {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: live publication; revoke closes it, so Drop (suppressed above) must not close it again.
        let rc =
            unsafe { aeron_exclusive_publication_revoke(this.ptr, None, std::ptr::null_mut()) };
        // SAFETY: the aeron field is dropped exactly once (Drop of `this` never runs).
        drop(unsafe { std::ptr::read(&this.aeron) });
        AeronCError::check(rc).map(|_| ())
    }

    /// Closes the publication now.
    pub fn close(self) {}

    /// Adds a destination to a multi-destination-cast publication.
    pub fn async_add_destination(&self, uri: &str) -> Result<AeronAsyncDestination, AeronCError> {
        let uri = cstring(uri)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: live client and publication; the uri is copied by C.
        AeronCError::check(unsafe {
            aeron_exclusive_publication_async_add_destination(
                &mut ptr,
                self.aeron.ptr(),
                self.ptr,
                uri.as_ptr(),
            )
        })?;
        Ok(AeronAsyncDestination::new(
            &self.aeron,
            ptr,
            DestinationKind::ExclusivePublication,
        ))
    }

    /// Removes a destination from a multi-destination-cast publication.
    pub fn async_remove_destination(
        &self,
        uri: &str,
    ) -> Result<AeronAsyncDestination, AeronCError> {
        let uri = cstring(uri)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: as above.
        AeronCError::check(unsafe {
            aeron_exclusive_publication_async_remove_destination(
                &mut ptr,
                self.aeron.ptr(),
                self.ptr,
                uri.as_ptr(),
            )
        })?;
        Ok(AeronAsyncDestination::new(
            &self.aeron,
            ptr,
            DestinationKind::ExclusivePublication,
        ))
    }

    /// Removes a destination by the registration id of its add.
    pub fn async_remove_destination_by_id(
        &self,
        destination_registration_id: i64,
    ) -> Result<AeronAsyncDestination, AeronCError> {
        let mut ptr = std::ptr::null_mut();
        // SAFETY: live client and publication.
        AeronCError::check(unsafe {
            aeron_exclusive_publication_async_remove_destination_by_id(
                &mut ptr,
                self.aeron.ptr(),
                self.ptr,
                destination_registration_id,
            )
        })?;
        Ok(AeronAsyncDestination::new(
            &self.aeron,
            ptr,
            DestinationKind::ExclusivePublication,
        ))
    }
}

// ------------------------------------------------------------------------------------------------------
// Buffer claim
// ------------------------------------------------------------------------------------------------------

/// Space claimed in a publication's log by `try_claim`: write the message into [`data`](Self::data) and
/// [`commit`](Self::commit). Dropping an uncommitted claim aborts it (the space becomes padding). The
/// claim borrows its publication, so the log stays mapped while it exists.
pub struct AeronBufferClaim<'a> {
    claim: aeron_buffer_claim_t,
    _publication: PhantomData<&'a *mut ()>,
}

impl AeronBufferClaim<'_> {
    /// The claimed message bytes.
    #[inline]
    pub fn data(&mut self) -> &mut [u8] {
        // SAFETY: try_claim succeeded, so data/length describe claimed, writable log memory that stays
        // mapped while the publication (borrowed for our lifetime) lives, and no one else writes it.
        unsafe { std::slice::from_raw_parts_mut(self.claim.data, self.claim.length) }
    }

    /// Length of the claim in bytes.
    pub fn len(&self) -> usize {
        self.claim.length
    }

    /// True for a zero-length claim.
    pub fn is_empty(&self) -> bool {
        self.claim.length == 0
    }

    /// Sets the reserved value (bytes 24..32, little endian) of the claimed frame's header.
    pub fn set_reserved_value(&mut self, value: i64) {
        // SAFETY: frame_header points at the claimed frame's data header (32 bytes), exclusively ours.
        unsafe {
            std::ptr::write_unaligned(self.claim.frame_header.add(24) as *mut i64, value.to_le())
        }
    }

    /// Publishes the claimed message. Does not allocate, and never fails (C's `aeron_buffer_claim_commit`
    /// always returns 0; the `Result` stays for API stability): it is the release store of the frame length
    /// that C's commit makes, inline (one add and one store).
    #[inline]
    pub fn commit(self) -> Result<(), AeronCError> {
        // Consumed without running Drop (which aborts): no "done" flag to set and test on the hot path.
        let this = ManuallyDrop::new(self);
        // SAFETY: a live claim from a successful try_claim, not yet committed or aborted; Drop will not
        // run for it.
        unsafe { crate::claim_ops::commit(&this.claim) };
        Ok(())
    }

    /// Aborts the claim explicitly (also done on drop).
    pub fn abort(self) -> Result<(), AeronCError> {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: a live, not yet committed or aborted claim; Drop will not run for it.
        AeronCError::check(unsafe { aeron_buffer_claim_abort(&mut this.claim) }).map(|_| ())
    }
}

impl Drop for AeronBufferClaim<'_> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: a live claim that was neither committed nor aborted (those consume it without Drop).
        unsafe { aeron_buffer_claim_abort(&mut self.claim) };
    }
}

// ------------------------------------------------------------------------------------------------------
// Async adds
// ------------------------------------------------------------------------------------------------------

macro_rules! async_add {
    (
        $(#[$doc:meta])* $name:ident, $raw:ty, $out:ty, $poll:ident, $cancel:ident, $regid:ident,
        |$aeron:ident, $p:ident| $wrap:expr
    ) => {
        $(#[$doc])*
        ///
        /// `Send` but not `Sync`. Dropping it before it completed cancels the registration.
        pub struct $name {
            aeron: Aeron,
            ptr: Cell<*mut $raw>,
            registration_id: i64,
        }

        // SAFETY: the async handle is used by one thread at a time (not Sync); C allows polling it from any
        // thread.
        unsafe impl Send for $name {}

        impl $name {
            pub(crate) fn new(aeron: &Aeron, ptr: *mut $raw) -> Self {
                // SAFETY: ptr is the live async handle just returned by C.
                let registration_id = unsafe { $regid(ptr) };
                $name { aeron: aeron.clone(), ptr: Cell::new(ptr), registration_id }
            }

            /// Registration id of the resource being added.
            pub fn registration_id(&self) -> i64 {
                self.registration_id
            }

            /// Polls once: `Ok(Some(_))` when the driver has registered the resource, `Ok(None)` while
            /// pending, `Err` if the registration failed or this handle already completed.
            pub fn poll(&self) -> Result<Option<$out>, AeronCError> {
                let async_ptr = self.ptr.get();
                if async_ptr.is_null() {
                    return Err(AeronCError::illegal_state("async add already completed"));
                }
                let mut $p = std::ptr::null_mut();
                // SAFETY: async_ptr is a live handle (non-null: not yet completed nor cancelled).
                let rc = unsafe { $poll(&mut $p, async_ptr) };
                if rc < 0 {
                    self.ptr.set(std::ptr::null_mut());
                    return Err(AeronCError::last());
                }
                if rc == 0 {
                    return Ok(None);
                }
                self.ptr.set(std::ptr::null_mut());
                let $aeron = &self.aeron;
                // SAFETY: C handed us the new resource of this client; we become its only owner.
                Ok(Some(unsafe { $wrap }))
            }

            /// Polls until the resource is ready or `timeout` expires.
            pub fn poll_blocking(&self, timeout: Duration) -> Result<$out, AeronCError> {
                poll_until(timeout, concat!(stringify!($name), "::poll_blocking timed out"), || self.poll())
            }

            /// Cancels the registration (also done on drop if not completed).
            pub fn cancel(self) -> Result<(), AeronCError> {
                let p = self.ptr.replace(std::ptr::null_mut());
                if p.is_null() {
                    return Ok(());
                }
                // SAFETY: live client and a live, not completed async handle; C frees the handle.
                AeronCError::check(unsafe { $cancel(self.aeron.ptr(), p) }).map(|_| ())
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                let p = self.ptr.replace(std::ptr::null_mut());
                if !p.is_null() {
                    // SAFETY: as in cancel.
                    unsafe { $cancel(self.aeron.ptr(), p) };
                }
            }
        }
    };
}

async_add!(
    /// A pending [`Aeron::async_add_publication`].
    AeronAsyncAddPublication, aeron_async_add_publication_t, AeronPublication,
    aeron_async_add_publication_poll, aeron_async_add_publication_cancel,
    aeron_async_add_publication_get_registration_id,
    |aeron, p| AeronPublication::from_raw(aeron, p)
);

async_add!(
    /// A pending [`Aeron::async_add_exclusive_publication`].
    AeronAsyncAddExclusivePublication, aeron_async_add_exclusive_publication_t, AeronExclusivePublication,
    aeron_async_add_exclusive_publication_poll, aeron_async_add_exclusive_publication_cancel,
    aeron_async_add_exclusive_publication_get_registration_id,
    |aeron, p| AeronExclusivePublication::from_raw(aeron, p)
);

async_add!(
    /// A pending [`Aeron::async_add_counter`] or [`Aeron::async_add_static_counter`].
    AeronAsyncAddCounter, aeron_async_add_counter_t, crate::AeronCounter,
    aeron_async_add_counter_poll, aeron_async_add_counter_cancel,
    aeron_async_add_counter_get_registration_id,
    |aeron, p| crate::AeronCounter::from_raw(aeron, p)
);

impl Aeron {
    /// Starts adding a concurrent publication; poll the returned handle.
    pub fn async_add_publication(
        &self,
        channel: &str,
        stream_id: i32,
    ) -> Result<AeronAsyncAddPublication, AeronCError> {
        let uri = cstring(channel)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: live client; the uri is copied by C.
        AeronCError::check(unsafe {
            aeron_async_add_publication(&mut ptr, self.ptr(), uri.as_ptr(), stream_id)
        })?;
        Ok(AeronAsyncAddPublication::new(self, ptr))
    }

    /// Starts adding an exclusive publication; poll the returned handle.
    pub fn async_add_exclusive_publication(
        &self,
        channel: &str,
        stream_id: i32,
    ) -> Result<AeronAsyncAddExclusivePublication, AeronCError> {
        let uri = cstring(channel)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: live client; the uri is copied by C.
        AeronCError::check(unsafe {
            aeron_async_add_exclusive_publication(&mut ptr, self.ptr(), uri.as_ptr(), stream_id)
        })?;
        Ok(AeronAsyncAddExclusivePublication::new(self, ptr))
    }

    /// Adds a concurrent publication and waits for it (up to `timeout`).
    pub fn add_publication(
        &self,
        channel: &str,
        stream_id: i32,
        timeout: Duration,
    ) -> Result<AeronPublication, AeronCError> {
        self.async_add_publication(channel, stream_id)?
            .poll_blocking(timeout)
    }

    /// Adds an exclusive publication and waits for it (up to `timeout`).
    pub fn add_exclusive_publication(
        &self,
        channel: &str,
        stream_id: i32,
        timeout: Duration,
    ) -> Result<AeronExclusivePublication, AeronCError> {
        self.async_add_exclusive_publication(channel, stream_id)?
            .poll_blocking(timeout)
    }

    /// Starts adding a counter with a type id, key and label; poll the returned handle.
    pub fn async_add_counter(
        &self,
        type_id: i32,
        key: &[u8],
        label: &str,
    ) -> Result<AeronAsyncAddCounter, AeronCError> {
        let mut ptr = std::ptr::null_mut();
        // SAFETY: live client; key and label are copied by C during the call.
        AeronCError::check(unsafe {
            aeron_async_add_counter(
                &mut ptr,
                self.ptr(),
                type_id,
                key.as_ptr(),
                key.len(),
                label.as_ptr() as *const c_char,
                label.len(),
            )
        })?;
        Ok(AeronAsyncAddCounter::new(self, ptr))
    }

    /// Starts adding a static counter (one per `registration_id`, not removed with the client).
    pub fn async_add_static_counter(
        &self,
        type_id: i32,
        key: &[u8],
        label: &str,
        registration_id: i64,
    ) -> Result<AeronAsyncAddCounter, AeronCError> {
        let mut ptr = std::ptr::null_mut();
        // SAFETY: live client; key and label are copied by C during the call.
        AeronCError::check(unsafe {
            aeron_async_add_static_counter(
                &mut ptr,
                self.ptr(),
                type_id,
                key.as_ptr(),
                key.len(),
                label.as_ptr() as *const c_char,
                label.len(),
                registration_id,
            )
        })?;
        Ok(AeronAsyncAddCounter::new(self, ptr))
    }

    /// Asks the driver for the next available session id of `stream_id`.
    pub fn async_next_session_id(
        &self,
        stream_id: i32,
    ) -> Result<AeronAsyncNextSessionId, AeronCError> {
        let mut ptr = std::ptr::null_mut();
        // SAFETY: live client, valid out-pointer.
        AeronCError::check(unsafe {
            aeron_async_next_session_id(&mut ptr, self.ptr(), stream_id)
        })?;
        Ok(AeronAsyncNextSessionId {
            _aeron: self.clone(),
            ptr: Cell::new(ptr),
        })
    }
}

/// A pending [`Aeron::async_next_session_id`]. `Send`, not `Sync`.
pub struct AeronAsyncNextSessionId {
    _aeron: Aeron,
    ptr: Cell<*mut aeron_async_get_next_available_session_id_t>,
}

// SAFETY: used by one thread at a time (not Sync).
unsafe impl Send for AeronAsyncNextSessionId {}

impl AeronAsyncNextSessionId {
    /// Polls once: `Ok(Some(session_id))` when the driver answered.
    pub fn poll(&self) -> Result<Option<i32>, AeronCError> {
        let p = self.ptr.get();
        if p.is_null() {
            return Err(AeronCError::illegal_state(
                "async next session id already completed",
            ));
        }
        let mut id = 0i32;
        // SAFETY: live async handle (non-null), valid out-pointer.
        let rc = unsafe { aeron_async_next_session_id_poll(&mut id, p) };
        if rc < 0 {
            self.ptr.set(std::ptr::null_mut());
            return Err(AeronCError::last());
        }
        if rc == 0 {
            return Ok(None);
        }
        self.ptr.set(std::ptr::null_mut());
        Ok(Some(id))
    }

    /// Polls until the answer arrives or `timeout` expires.
    pub fn poll_blocking(&self, timeout: Duration) -> Result<i32, AeronCError> {
        poll_until(timeout, "async next session id timed out", || self.poll())
    }
}

#[derive(Clone, Copy)]
pub(crate) enum DestinationKind {
    Publication,
    ExclusivePublication,
    Subscription,
}

/// A pending destination add/remove. `Send`, not `Sync`.
pub struct AeronAsyncDestination {
    _aeron: Aeron,
    ptr: Cell<*mut aeron_async_destination_t>,
    kind: DestinationKind,
    registration_id: i64,
}

// SAFETY: used by one thread at a time (not Sync).
unsafe impl Send for AeronAsyncDestination {}

impl AeronAsyncDestination {
    pub(crate) fn new(
        aeron: &Aeron,
        ptr: *mut aeron_async_destination_t,
        kind: DestinationKind,
    ) -> Self {
        // SAFETY: live async handle just returned by C.
        let registration_id = unsafe { aeron_async_destination_get_registration_id(ptr) };
        AeronAsyncDestination {
            _aeron: aeron.clone(),
            ptr: Cell::new(ptr),
            kind,
            registration_id,
        }
    }

    /// Registration id of the destination command (use it with `async_remove_destination_by_id`).
    pub fn registration_id(&self) -> i64 {
        self.registration_id
    }

    /// Polls once: `Ok(true)` when the driver has applied the change.
    pub fn poll(&self) -> Result<bool, AeronCError> {
        let p = self.ptr.get();
        if p.is_null() {
            return Ok(true);
        }
        // SAFETY: live async handle (non-null: not completed yet).
        let rc = unsafe {
            match self.kind {
                DestinationKind::Publication => aeron_publication_async_destination_poll(p),
                DestinationKind::ExclusivePublication => {
                    aeron_exclusive_publication_async_destination_poll(p)
                }
                DestinationKind::Subscription => aeron_subscription_async_destination_poll(p),
            }
        };
        if rc < 0 {
            self.ptr.set(std::ptr::null_mut());
            return Err(AeronCError::last());
        }
        if rc == 0 {
            return Ok(false);
        }
        self.ptr.set(std::ptr::null_mut());
        Ok(true)
    }

    /// Polls until done or `timeout` expires.
    pub fn poll_blocking(&self, timeout: Duration) -> Result<(), AeronCError> {
        poll_until(timeout, "async destination timed out", || {
            Ok(self.poll()?.then_some(()))
        })
    }
}
