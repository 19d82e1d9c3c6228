//! [`AeronSubscription`] (`Send`, not `Sync`), its images ([`AeronImage`], [`AeronImageRef`]) and
//! [`AeronAsyncAddSubscription`].

use std::cell::Cell;
use std::ffi::{c_char, c_void};
use std::marker::PhantomData;
use std::time::Duration;

use aeron_sys::*;

use crate::aeron::retire_notification;
use crate::block_poll::BlockPoll;
use crate::context::cstring;
use crate::generated::{
    aeron_controlled_fragment_handler_trampoline, aeron_fragment_handler_trampoline,
    aeron_on_available_image_trampoline, aeron_on_unavailable_image_trampoline,
};
use crate::handler_box::HandlerBox;
use crate::publication::{poll_until, AeronAsyncDestination, DestinationKind};
use crate::{
    Aeron, AeronAvailableImageCallback, AeronBlockHandlerCallback, AeronCError,
    AeronControlledFragmentHandlerCallback, AeronFragmentHandlerCallback,
    AeronFragmentHandlerClosure, AeronHeader, AeronUnavailableImageCallback,
};

/// A subscription (`aeron_subscription_t`): `Send` but not `Sync` (the C subscription must be polled by
/// one thread at a time), and not `Clone`. Closed on drop. The image handlers given when it was added
/// are owned by it and freed once the client conductor has finished closing it.
pub struct AeronSubscription {
    ptr: *mut aeron_subscription_t,
    aeron: Aeron,
    handlers: Vec<HandlerBox>,
    /// True while a C call walks this subscription's image list (poll, controlled/block poll, for-each):
    /// any call that reads the list again would let C adopt a newer list and the conductor free the one
    /// being walked, so such calls are refused until the walk returns (docs/safety.md).
    walking: Cell<bool>,
}

// SAFETY: the subscription is used by one thread at a time (not Sync); its handlers are Send.
unsafe impl Send for AeronSubscription {}

impl Drop for AeronSubscription {
    fn drop(&mut self) {
        let handlers = std::mem::take(&mut self.handlers);
        if handlers.is_empty() {
            // SAFETY: live subscription, closed exactly once here.
            unsafe { aeron_subscription_close(self.ptr, None, std::ptr::null_mut()) };
        } else {
            // The conductor may call the image handlers until it has processed the close: park them until
            // its notification (or the client's close).
            let graveyard = &self.aeron.inner.graveyard;
            let clientd = graveyard.retire(handlers);
            // SAFETY: live subscription, closed exactly once here; clientd is a parked node freed by the
            // notification.
            let rc =
                unsafe { aeron_subscription_close(self.ptr, Some(retire_notification), clientd) };
            if rc < 0 {
                graveyard.release(clientd);
            }
        }
    }
}

impl std::fmt::Debug for AeronSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronSubscription")
            .field("constants", &self.constants().ok())
            .finish()
    }
}

impl AeronSubscription {
    /// Wraps a subscription pointer owned by `aeron`'s C client; closed on drop.
    ///
    /// # Safety
    /// `ptr` must be a live `aeron_subscription_t` of the C client of `aeron` that nothing else closes or
    /// polls concurrently, and any image handlers registered with it must stay valid until the client
    /// closes.
    pub unsafe fn from_raw(aeron: &Aeron, ptr: *mut aeron_subscription_t) -> Self {
        AeronSubscription {
            ptr,
            aeron: aeron.clone(),
            handlers: Vec::new(),
            walking: Cell::new(false),
        }
    }

    /// The raw pointer (valid while this subscription is alive).
    pub fn as_raw(&self) -> *mut aeron_subscription_t {
        self.ptr
    }

    /// The client of this subscription.
    pub fn aeron(&self) -> &Aeron {
        &self.aeron
    }

    /// Polls up to `fragment_limit` fragments, calling `handler` for each. Returns the number of
    /// fragments read. The handler is called through a trampoline monomorphised for `H`: no allocation.
    /// A panic in the handler is re-raised here once the C poll has returned. Called from inside a handler
    /// of this same subscription (poll, for-each), it returns
    /// [`AeronErrorType::ReentrantCall`](crate::AeronErrorType) (docs/safety.md).
    #[inline]
    pub fn poll<H: AeronFragmentHandlerCallback>(
        &self,
        handler: &mut H,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let clientd = handler as *mut H as *mut c_void;
        // SAFETY: live subscription polled by its one owning thread, not re-entered (walk); clientd is the
        // `&mut H` borrowed for this call, matching the trampoline's type.
        let rc = self.walk(|| unsafe {
            aeron_subscription_poll(
                self.ptr,
                Some(aeron_fragment_handler_trampoline::<H>),
                clientd,
                fragment_limit,
            )
        })?;
        AeronCError::check(rc)
    }

    /// Polls with a closure (`|msg, header| ...`).
    pub fn poll_once<F: FnMut(&[u8], AeronHeader<'_>)>(
        &self,
        handler: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let mut h = AeronFragmentHandlerClosure::new(handler);
        self.poll(&mut h, fragment_limit)
    }

    /// Polls with a controlled handler whose return value steers the poll (abort, break, commit, continue).
    pub fn controlled_poll<H: AeronControlledFragmentHandlerCallback>(
        &self,
        handler: &mut H,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let clientd = handler as *mut H as *mut c_void;
        // SAFETY: as in poll.
        let rc = self.walk(|| unsafe {
            aeron_subscription_controlled_poll(
                self.ptr,
                Some(aeron_controlled_fragment_handler_trampoline::<H>),
                clientd,
                fragment_limit,
            )
        })?;
        AeronCError::check(rc)
    }

    /// Polls blocks of whole frames (up to `block_length_limit` bytes per image). Returns bytes read.
    pub fn block_poll<H: AeronBlockHandlerCallback>(
        &self,
        handler: &mut H,
        block_length_limit: usize,
    ) -> Result<i64, AeronCError> {
        let mut poll = BlockPoll::new(handler, block_length_limit);
        // SAFETY: one walk of the image list, as aeron_subscription_block_poll makes; `poll` outlives it and
        // each image is block-polled on this thread (the subscription is not Sync).
        self.walk(|| unsafe {
            aeron_subscription_for_each_image(
                self.ptr,
                Some(BlockPoll::<H>::each_image),
                &mut poll as *mut BlockPoll<'_, H> as *mut c_void,
            )
        })?;
        poll.consumed().ok_or_else(AeronCError::last)
    }

    /// Runs a C call that walks the image list (and may call handlers on this thread) with the walk flag
    /// set; refuses to start while another walk of this subscription is running (a handler calling back).
    /// A handler panic is re-raised after the flag is cleared.
    #[inline(always)]
    pub(crate) fn walk<R>(&self, f: impl FnOnce() -> R) -> Result<R, AeronCError> {
        if self.walking.get() {
            return Err(reentrant());
        }
        self.walking.set(true);
        let r = f();
        self.walking.set(false);
        Ok(crate::panic::resume_if_pending_with(r))
    }

    /// Refuses a list-reading call from inside a walk.
    #[inline(always)]
    fn check_not_walking(&self) -> Result<(), AeronCError> {
        if self.walking.get() {
            Err(reentrant())
        } else {
            Ok(())
        }
    }

    /// Count of images (`aeron_subscription_image_count`).
    ///
    /// # Panics
    /// When called from inside a handler of a poll or for-each of this same subscription (a re-entrant
    /// call, see docs/safety.md); [`try_image_count`](Self::try_image_count) returns an error instead.
    pub fn image_count(&self) -> i32 {
        self.try_image_count()
            .unwrap_or_else(|e| reentrant_panic(e))
    }

    /// Count of images, or [`AeronErrorType::ReentrantCall`](crate::AeronErrorType) from inside a handler
    /// of this subscription.
    pub fn try_image_count(&self) -> Result<i32, AeronCError> {
        self.check_not_walking()?;
        // SAFETY: live subscription on its owning thread, not inside a walk of its image list.
        Ok(unsafe { aeron_subscription_image_count(self.ptr) })
    }

    /// True if at least one image is open (`aeron_subscription_is_connected`).
    ///
    /// # Panics
    /// As [`image_count`](Self::image_count); [`try_is_connected`](Self::try_is_connected) returns an error
    /// instead.
    pub fn is_connected(&self) -> bool {
        self.try_is_connected()
            .unwrap_or_else(|e| reentrant_panic(e))
    }

    /// True if at least one image is open, or [`AeronErrorType::ReentrantCall`](crate::AeronErrorType) from
    /// inside a handler of this subscription.
    pub fn try_is_connected(&self) -> Result<bool, AeronCError> {
        self.check_not_walking()?;
        // SAFETY: live subscription on its owning thread, not inside a walk of its image list.
        Ok(unsafe { aeron_subscription_is_connected(self.ptr) })
    }

    /// The image of `session_id`, retained until the returned value is dropped.
    ///
    /// # Panics
    /// As [`image_count`](Self::image_count); see [`try_image_by_session_id`](Self::try_image_by_session_id).
    pub fn image_by_session_id(&self, session_id: i32) -> Option<AeronImage<'_>> {
        self.try_image_by_session_id(session_id)
            .unwrap_or_else(|e| reentrant_panic(e))
    }

    /// The image of `session_id` (retained), or [`AeronErrorType::ReentrantCall`](crate::AeronErrorType)
    /// from inside a handler of this subscription.
    pub fn try_image_by_session_id(
        &self,
        session_id: i32,
    ) -> Result<Option<AeronImage<'_>>, AeronCError> {
        self.check_not_walking()?;
        // SAFETY: live subscription, not inside a walk; a non-null result is retained for us.
        let p = unsafe { aeron_subscription_image_by_session_id(self.ptr, session_id) };
        Ok((!p.is_null()).then(|| AeronImage {
            ptr: p,
            subscription: self,
            retained: true,
        }))
    }

    /// The image at `index`, retained until the returned value is dropped.
    ///
    /// # Panics
    /// As [`image_count`](Self::image_count); see [`try_image_at_index`](Self::try_image_at_index).
    pub fn image_at_index(&self, index: usize) -> Option<AeronImage<'_>> {
        self.try_image_at_index(index)
            .unwrap_or_else(|e| reentrant_panic(e))
    }

    /// The image at `index` (retained), or [`AeronErrorType::ReentrantCall`](crate::AeronErrorType) from
    /// inside a handler of this subscription.
    pub fn try_image_at_index(&self, index: usize) -> Result<Option<AeronImage<'_>>, AeronCError> {
        self.check_not_walking()?;
        // SAFETY: live subscription, not inside a walk; a non-null result is retained for us.
        let p = unsafe { aeron_subscription_image_at_index(self.ptr, index) };
        Ok((!p.is_null()).then(|| AeronImage {
            ptr: p,
            subscription: self,
            retained: true,
        }))
    }

    /// All current images, each retained.
    ///
    /// # Panics
    /// As [`image_count`](Self::image_count); see [`try_images`](Self::try_images).
    pub fn images(&self) -> Vec<AeronImage<'_>> {
        self.try_images().unwrap_or_else(|e| reentrant_panic(e))
    }

    /// All current images (each retained), or [`AeronErrorType::ReentrantCall`](crate::AeronErrorType) from
    /// inside a handler of this subscription.
    pub fn try_images(&self) -> Result<Vec<AeronImage<'_>>, AeronCError> {
        let mut v = Vec::new();
        self.try_for_each_image(|image| v.extend(image.retain()))?;
        Ok(v)
    }

    /// Calls `f` for each current image (`aeron_subscription_for_each_image`). Inside `f` the image may be
    /// polled and [`retain`](AeronImage::retain)ed; `f` cannot reach this subscription's list (a call that
    /// reads it is refused).
    ///
    /// # Panics
    /// As [`image_count`](Self::image_count); see [`try_for_each_image`](Self::try_for_each_image).
    pub fn for_each_image<'s, F: FnMut(&AeronImage<'s>)>(&'s self, f: F) {
        self.try_for_each_image(f)
            .unwrap_or_else(|e| reentrant_panic(e))
    }

    /// As [`for_each_image`](Self::for_each_image), or [`AeronErrorType::ReentrantCall`](crate::AeronErrorType)
    /// from inside a handler of this subscription.
    pub fn try_for_each_image<'s, F: FnMut(&AeronImage<'s>)>(
        &'s self,
        f: F,
    ) -> Result<(), AeronCError> {
        struct State<'s, F> {
            f: F,
            subscription: &'s AeronSubscription,
        }
        unsafe extern "C" fn each<'s, F: FnMut(&AeronImage<'s>)>(
            image: *mut aeron_image_t,
            clientd: *mut c_void,
        ) {
            crate::panic::catch((), || {
                // SAFETY: clientd is the State borrowed by for_each_image for this call; image is live during
                // it (C holds a reference across the callback).
                let state = unsafe { &mut *(clientd as *mut State<'s, F>) };
                let image = std::mem::ManuallyDrop::new(AeronImage {
                    ptr: image,
                    subscription: state.subscription,
                    retained: false,
                });
                (state.f)(&image);
            })
        }
        let mut state = State {
            f,
            subscription: self,
        };
        // SAFETY: live subscription, not re-entered (walk); clientd points to `state`, alive for the call.
        self.walk(|| unsafe {
            aeron_subscription_for_each_image(
                self.ptr,
                Some(each::<'s, F>),
                &mut state as *mut State<'s, F> as *mut c_void,
            )
        })
    }

    /// Local socket addresses of this subscription's channel.
    pub fn local_sockaddrs(&self) -> Result<Vec<String>, AeronCError> {
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
        // SAFETY: live subscription; the iovecs describe writable buffers of the given lengths.
        let n = AeronCError::check(unsafe {
            aeron_subscription_local_sockaddrs(self.ptr, iovs.as_mut_ptr(), N)
        })? as usize;
        Ok(storage[..n.min(N)]
            .iter()
            .map(|s| nul_terminated(s))
            .collect())
    }

    /// The resolved endpoint of the channel (e.g. after binding port 0), if known.
    pub fn resolved_endpoint(&self) -> Result<Option<String>, AeronCError> {
        let mut buf = [0u8; 256];
        // SAFETY: live subscription; writable buffer of the given length.
        let rc = unsafe {
            aeron_subscription_resolved_endpoint(
                self.ptr,
                buf.as_mut_ptr() as *mut c_char,
                buf.len(),
            )
        };
        let n = AeronCError::check(rc)?;
        Ok((n > 0).then(|| nul_terminated(&buf)))
    }

    /// The channel URI with the resolved endpoint port filled in, if it can be resolved yet.
    pub fn try_resolve_channel_endpoint_port(&self) -> Result<Option<String>, AeronCError> {
        let mut buf = [0u8; 1024];
        // SAFETY: live subscription; writable buffer of the given length.
        let rc = unsafe {
            aeron_subscription_try_resolve_channel_endpoint_port(
                self.ptr,
                buf.as_mut_ptr() as *mut c_char,
                buf.len(),
            )
        };
        let n = AeronCError::check(rc)?;
        Ok((n > 0).then(|| nul_terminated(&buf)))
    }

    /// Adds a destination to a multi-destination subscription.
    pub fn async_add_destination(&self, uri: &str) -> Result<AeronAsyncDestination, AeronCError> {
        let uri = cstring(uri)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: live client and subscription; uri copied by C.
        AeronCError::check(unsafe {
            aeron_subscription_async_add_destination(
                &mut ptr,
                self.aeron.ptr(),
                self.ptr,
                uri.as_ptr(),
            )
        })?;
        Ok(AeronAsyncDestination::new(
            &self.aeron,
            ptr,
            DestinationKind::Subscription,
        ))
    }

    /// Removes a destination from a multi-destination subscription.
    pub fn async_remove_destination(
        &self,
        uri: &str,
    ) -> Result<AeronAsyncDestination, AeronCError> {
        let uri = cstring(uri)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: as above.
        AeronCError::check(unsafe {
            aeron_subscription_async_remove_destination(
                &mut ptr,
                self.aeron.ptr(),
                self.ptr,
                uri.as_ptr(),
            )
        })?;
        Ok(AeronAsyncDestination::new(
            &self.aeron,
            ptr,
            DestinationKind::Subscription,
        ))
    }

    /// Registration id of this subscription.
    pub fn registration_id(&self) -> i64 {
        self.constants().map(|c| c.registration_id).unwrap_or(-1)
    }

    /// Closes the subscription now (also done on drop; never twice).
    pub fn close(self) {}
}

fn nul_terminated(s: &[u8]) -> String {
    let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
    String::from_utf8_lossy(&s[..end]).into_owned()
}

// ------------------------------------------------------------------------------------------------------
// Images
// ------------------------------------------------------------------------------------------------------

extern "C" {
    /// Takes a reference on a live image: exported by the Aeron 1.54 C client (`extern inline` in
    /// `aeron_image.h`, emitted by `aeron_image.c`) but not declared in `aeronc.h`. `aeron_image_release`
    /// is its public counterpart.
    fn aeron_image_incr_refcnt(image: *mut aeron_image_t) -> i64;
}

#[cold]
#[inline(never)]
fn reentrant() -> AeronCError {
    AeronCError::reentrant(
        "re-entrant call: a handler of this subscription's poll or for-each used its image list",
    )
}

#[cold]
#[inline(never)]
fn reentrant_panic(e: AeronCError) -> ! {
    panic!("rusteron: {e} (use the try_ variant to get an error instead)")
}

/// An image (one publisher's stream) of a subscription, borrowed from it: not `Send`, because polling it
/// must happen on the subscription's thread. Images obtained from [`AeronSubscription::image_at_index`],
/// [`image_by_session_id`](AeronSubscription::image_by_session_id) or [`retain`](Self::retain) are
/// retained and released on drop, so they stay valid even after the image became unavailable.
pub struct AeronImage<'a> {
    ptr: *mut aeron_image_t,
    subscription: &'a AeronSubscription,
    /// True when this value holds one reference on the C image (released on drop); false only for the
    /// borrowed image given to a for-each callback (never dropped: wrapped in ManuallyDrop).
    retained: bool,
}

impl Drop for AeronImage<'_> {
    fn drop(&mut self) {
        if self.retained {
            // SAFETY: we hold exactly one reference (taken by image_at_index / image_by_session_id / retain),
            // released once here. aeron_image_release decrements unconditionally, also after the image left
            // the subscription's list (unlike aeron_subscription_image_release), so the conductor frees the
            // image and unmaps its log once every reference is gone.
            unsafe { aeron_image_release(self.ptr) };
        }
    }
}

impl std::fmt::Debug for AeronImage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronImage")
            .field("constants", &self.constants().ok())
            .finish()
    }
}

impl<'a> AeronImage<'a> {
    /// The raw pointer (valid while this value lives).
    pub fn as_raw(&self) -> *mut aeron_image_t {
        self.ptr
    }

    /// A read-only view of this image.
    pub fn as_ref(&self) -> AeronImageRef<'_> {
        AeronImageRef {
            ptr: self.ptr,
            _p: PhantomData,
        }
    }

    /// Takes a new reference on the image, so that it may be kept beyond a callback or beyond `self`. The
    /// returned image stays valid (mapped, readable; polls return 0 once it is closed) until it is dropped,
    /// even after the image became unavailable. Always `Some` (kept as an `Option` for API stability).
    ///
    /// C's `aeron_subscription_image_retain` is not used: it returns success without taking a reference
    /// when the image is no longer in the subscription's current list, and its release counterpart then
    /// skips the decrement (a use after free in one order, a leaked mapping in the other).
    pub fn retain(&self) -> Option<AeronImage<'a>> {
        // SAFETY: `self` is a live image: either we hold a reference on it, or (for-each callback) C holds
        // one for the duration of the callback, so its count is at least 1 and it cannot be freed while we
        // add ours. The reference is released exactly once, by the Drop of the returned value.
        unsafe { aeron_image_incr_refcnt(self.ptr) };
        Some(AeronImage {
            ptr: self.ptr,
            subscription: self.subscription,
            retained: true,
        })
    }

    /// Polls this image only; see [`AeronSubscription::poll`].
    pub fn poll<H: AeronFragmentHandlerCallback>(
        &self,
        handler: &mut H,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let clientd = handler as *mut H as *mut c_void;
        // SAFETY: retained/borrowed live image on the subscription's thread; clientd is the borrowed handler.
        let rc = crate::panic::call(|| unsafe {
            aeron_image_poll(
                self.ptr,
                Some(aeron_fragment_handler_trampoline::<H>),
                clientd,
                fragment_limit,
            )
        });
        AeronCError::check(rc)
    }

    /// Controlled poll of this image only.
    pub fn controlled_poll<H: AeronControlledFragmentHandlerCallback>(
        &self,
        handler: &mut H,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let clientd = handler as *mut H as *mut c_void;
        // SAFETY: as in poll.
        let rc = crate::panic::call(|| unsafe {
            aeron_image_controlled_poll(
                self.ptr,
                Some(aeron_controlled_fragment_handler_trampoline::<H>),
                clientd,
                fragment_limit,
            )
        });
        AeronCError::check(rc)
    }

    /// Polls up to `limit_position`.
    pub fn bounded_poll<H: AeronFragmentHandlerCallback>(
        &self,
        handler: &mut H,
        limit_position: i64,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let clientd = handler as *mut H as *mut c_void;
        // SAFETY: as in poll.
        let rc = crate::panic::call(|| unsafe {
            aeron_image_bounded_poll(
                self.ptr,
                Some(aeron_fragment_handler_trampoline::<H>),
                clientd,
                limit_position,
                fragment_limit,
            )
        });
        AeronCError::check(rc)
    }

    /// Controlled poll up to `limit_position`.
    pub fn bounded_controlled_poll<H: AeronControlledFragmentHandlerCallback>(
        &self,
        handler: &mut H,
        limit_position: i64,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let clientd = handler as *mut H as *mut c_void;
        // SAFETY: as in poll.
        let rc = crate::panic::call(|| unsafe {
            aeron_image_bounded_controlled_poll(
                self.ptr,
                Some(aeron_controlled_fragment_handler_trampoline::<H>),
                clientd,
                limit_position,
                fragment_limit,
            )
        });
        AeronCError::check(rc)
    }

    /// Block poll of this image only.
    pub fn block_poll<H: AeronBlockHandlerCallback>(
        &self,
        handler: &mut H,
        block_length_limit: usize,
    ) -> Result<i32, AeronCError> {
        let mut poll = BlockPoll::new(handler, block_length_limit);
        // SAFETY: a live (referenced) image, polled on this thread.
        let rc = crate::panic::call(|| unsafe { poll.poll_image(self.ptr) });
        AeronCError::check(rc)
    }

    /// Asks the driver to reject this image with `reason`.
    pub fn reject(&self, reason: &str) -> Result<i32, AeronCError> {
        let reason = cstring(reason)?;
        // SAFETY: live image; reason copied by C.
        AeronCError::check(unsafe { aeron_image_reject(self.ptr, reason.as_ptr()) })
    }
}

/// A read-only view of an image, given to image handlers for the duration of the callback. It offers
/// the thread-safe queries only (no polling: the callback may run on the conductor thread).
#[derive(Clone, Copy)]
pub struct AeronImageRef<'a> {
    ptr: *mut aeron_image_t,
    _p: PhantomData<&'a aeron_image_t>,
}

impl std::fmt::Debug for AeronImageRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronImageRef")
            .field("constants", &self.constants().ok())
            .finish()
    }
}

impl AeronImageRef<'_> {
    /// Wraps a raw image pointer for the duration of a callback.
    ///
    /// # Safety
    /// `ptr` must be a live image for the chosen lifetime.
    pub unsafe fn from_raw(ptr: *mut aeron_image_t) -> Self {
        AeronImageRef {
            ptr,
            _p: PhantomData,
        }
    }

    /// The raw pointer (valid for the view's lifetime).
    pub fn as_raw(&self) -> *mut aeron_image_t {
        self.ptr
    }
}

// ------------------------------------------------------------------------------------------------------
// Async add subscription
// ------------------------------------------------------------------------------------------------------

/// A pending [`Aeron::async_add_subscription`]. `Send`, not `Sync`. Dropping it before it completed
/// cancels the registration; its image handlers are then freed once the conductor is done with them.
pub struct AeronAsyncAddSubscription {
    aeron: Aeron,
    ptr: Cell<*mut aeron_async_add_subscription_t>,
    registration_id: i64,
    handlers: Cell<Vec<HandlerBox>>,
}

// SAFETY: used by one thread at a time (not Sync); handlers are Send.
unsafe impl Send for AeronAsyncAddSubscription {}

impl AeronAsyncAddSubscription {
    /// Registration id of the subscription being added.
    pub fn registration_id(&self) -> i64 {
        self.registration_id
    }

    /// Polls once: `Ok(Some(_))` when the driver has registered the subscription, `Ok(None)` while pending.
    pub fn poll(&self) -> Result<Option<AeronSubscription>, AeronCError> {
        let async_ptr = self.ptr.get();
        if async_ptr.is_null() {
            return Err(AeronCError::illegal_state(
                "async add subscription already completed",
            ));
        }
        let mut p = std::ptr::null_mut();
        // SAFETY: live, not completed async handle.
        let rc = unsafe { aeron_async_add_subscription_poll(&mut p, async_ptr) };
        if rc < 0 {
            self.ptr.set(std::ptr::null_mut());
            // No subscription exists, so C will never call the handlers: free them now.
            drop(self.handlers.take());
            return Err(AeronCError::last());
        }
        if rc == 0 {
            return Ok(None);
        }
        self.ptr.set(std::ptr::null_mut());
        Ok(Some(AeronSubscription {
            ptr: p,
            aeron: self.aeron.clone(),
            handlers: self.handlers.take(),
            walking: Cell::new(false),
        }))
    }

    /// Polls until the subscription is ready or `timeout` expires.
    pub fn poll_blocking(&self, timeout: Duration) -> Result<AeronSubscription, AeronCError> {
        poll_until(
            timeout,
            "AeronAsyncAddSubscription::poll_blocking timed out",
            || self.poll(),
        )
    }

    /// Cancels the registration (also done on drop if not completed).
    pub fn cancel(self) -> Result<(), AeronCError> {
        self.cancel_inner()
    }

    fn cancel_inner(&self) -> Result<(), AeronCError> {
        let p = self.ptr.replace(std::ptr::null_mut());
        if p.is_null() {
            return Ok(());
        }
        let handlers = self.handlers.take();
        // `aeron_async_add_subscription_cancel` is `aeron_async_remove_subscription` without a completion
        // notification; with the notification the handlers are freed as soon as the conductor is done.
        let (notify, clientd) = if handlers.is_empty() {
            (None, std::ptr::null_mut())
        } else {
            (
                Some(retire_notification as unsafe extern "C" fn(*mut c_void)),
                self.aeron.inner.graveyard.retire(handlers),
            )
        };
        // SAFETY: live client; the registration id names our pending subscription; clientd is a parked node.
        let rc = unsafe {
            aeron_async_remove_subscription(self.registration_id, self.aeron.ptr(), notify, clientd)
        };
        if rc < 0 && !clientd.is_null() {
            self.aeron.inner.graveyard.release(clientd);
        }
        AeronCError::check(rc).map(|_| ())
    }
}

impl Drop for AeronAsyncAddSubscription {
    fn drop(&mut self) {
        let _ = self.cancel_inner();
    }
}

impl Aeron {
    /// Starts adding a subscription. The image handlers are moved into the subscription and called on
    /// the client conductor thread when an image becomes available / unavailable; they must be `Send`.
    /// Pass [`Handlers::no_available_image_handler`](crate::Handlers) /
    /// [`Handlers::no_unavailable_image_handler`](crate::Handlers) for none.
    pub fn async_add_subscription<A, U>(
        &self,
        channel: &str,
        stream_id: i32,
        on_available_image: Option<A>,
        on_unavailable_image: Option<U>,
    ) -> Result<AeronAsyncAddSubscription, AeronCError>
    where
        A: AeronAvailableImageCallback + Send + 'static,
        U: AeronUnavailableImageCallback + Send + 'static,
    {
        let uri = cstring(channel)?;
        let available = on_available_image.map(HandlerBox::new);
        let unavailable = on_unavailable_image.map(HandlerBox::new);
        let (af, ac) = match &available {
            Some(h) => (
                Some(aeron_on_available_image_trampoline::<A> as _),
                h.clientd(),
            ),
            None => (None, std::ptr::null_mut()),
        };
        let (uf, uc) = match &unavailable {
            Some(h) => (
                Some(aeron_on_unavailable_image_trampoline::<U> as _),
                h.clientd(),
            ),
            None => (None, std::ptr::null_mut()),
        };
        let mut ptr = std::ptr::null_mut();
        // SAFETY: live client; uri copied by C; the clientd pointers are the boxed handlers, which we keep
        // until C can no longer call them (see AeronSubscription's Drop and the async cancel).
        AeronCError::check(unsafe {
            aeron_async_add_subscription(
                &mut ptr,
                self.ptr(),
                uri.as_ptr(),
                stream_id,
                af,
                ac,
                uf,
                uc,
            )
        })?;
        // SAFETY: live async handle just returned.
        let registration_id = unsafe { aeron_async_add_subscription_get_registration_id(ptr) };
        Ok(AeronAsyncAddSubscription {
            aeron: self.clone(),
            ptr: Cell::new(ptr),
            registration_id,
            handlers: Cell::new(available.into_iter().chain(unavailable).collect()),
        })
    }

    /// Adds a subscription without image handlers and waits for it (up to `timeout`).
    pub fn add_subscription(
        &self,
        channel: &str,
        stream_id: i32,
        timeout: Duration,
    ) -> Result<AeronSubscription, AeronCError> {
        self.async_add_subscription(
            channel,
            stream_id,
            crate::Handlers::no_available_image_handler(),
            crate::Handlers::no_unavailable_image_handler(),
        )?
        .poll_blocking(timeout)
    }
}
