//! Fragment assemblers: reassemble messages longer than the MTU before calling the delegate handler.
//!
//! Each assembler owns its delegate and is itself a handler, so it is passed to `poll` like any other:
//! `subscription.poll(&mut assembler, 10)`. Unfragmented messages are handed to the delegate without
//! copying or allocating; fragmented ones are collected in a per-session buffer that the C library grows
//! once and then reuses.

use std::ffi::c_void;

use aeron_sys::*;

use crate::generated::{
    aeron_controlled_fragment_handler_trampoline, aeron_fragment_handler_trampoline,
};
use crate::{
    AeronCError, AeronControlledFragmentHandlerAction, AeronControlledFragmentHandlerCallback,
    AeronFragmentHandlerCallback, AeronHeader, AeronImage, AeronSubscription,
};

macro_rules! assembler {
    (
        $(#[$doc:meta])* $name:ident, $raw:ty, $bound:ident, $tramp:ident, $create:ident, $delete:ident, $handler:ident,
        ret $ret:ty
    ) => {
        $(#[$doc])*
        ///
        /// `Send` when the delegate is; not `Sync`.
        pub struct $name<H: $bound> {
            ptr: *mut $raw,
            delegate: *mut H,
        }

        // SAFETY: the assembler and its delegate are only used through `&mut self` by one thread.
        unsafe impl<H: $bound + Send> Send for $name<H> {}

        impl<H: $bound> $name<H> {
            /// Creates an assembler delivering whole messages to `delegate`.
            pub fn new(delegate: H) -> Result<Self, AeronCError> {
                let delegate = Box::into_raw(Box::new(delegate));
                let mut ptr = std::ptr::null_mut();
                // SAFETY: valid out-pointer; clientd is the boxed delegate, freed only after the assembler.
                let rc = unsafe { $create(&mut ptr, Some($tramp::<H>), delegate as *mut c_void) };
                if rc < 0 {
                    let err = AeronCError::last();
                    // SAFETY: the box was not handed over (create failed).
                    drop(unsafe { Box::from_raw(delegate) });
                    return Err(err);
                }
                Ok($name { ptr, delegate })
            }

            /// The delegate handler.
            pub fn delegate(&mut self) -> &mut H {
                // SAFETY: the delegate lives as long as self; `&mut self` excludes concurrent C use.
                unsafe { &mut *self.delegate }
            }

            /// The raw assembler (valid while self lives).
            pub fn as_raw(&self) -> *mut $raw {
                self.ptr
            }
        }

        impl<H: $bound> Drop for $name<H> {
            fn drop(&mut self) {
                // SAFETY: ptr came from create and is deleted once, before its delegate is freed.
                unsafe {
                    $delete(self.ptr);
                    drop(Box::from_raw(self.delegate));
                }
            }
        }
    };
}

assembler!(
    /// Reassembles fragments of all sessions of a subscription (`aeron_fragment_assembler_t`).
    AeronFragmentAssembler, aeron_fragment_assembler_t, AeronFragmentHandlerCallback,
    aeron_fragment_handler_trampoline, aeron_fragment_assembler_create, aeron_fragment_assembler_delete,
    aeron_fragment_assembler_handler, ret ()
);
assembler!(
    /// Reassembles fragments for a controlled handler (`aeron_controlled_fragment_assembler_t`).
    AeronControlledFragmentAssembler, aeron_controlled_fragment_assembler_t, AeronControlledFragmentHandlerCallback,
    aeron_controlled_fragment_handler_trampoline, aeron_controlled_fragment_assembler_create,
    aeron_controlled_fragment_assembler_delete, aeron_controlled_fragment_assembler_handler,
    ret AeronControlledFragmentHandlerAction
);
assembler!(
    /// Reassembles fragments of a single image (`aeron_image_fragment_assembler_t`).
    AeronImageFragmentAssembler, aeron_image_fragment_assembler_t, AeronFragmentHandlerCallback,
    aeron_fragment_handler_trampoline, aeron_image_fragment_assembler_create, aeron_image_fragment_assembler_delete,
    aeron_image_fragment_assembler_handler, ret ()
);
assembler!(
    /// Reassembles fragments of a single image for a controlled handler.
    AeronImageControlledFragmentAssembler, aeron_image_controlled_fragment_assembler_t,
    AeronControlledFragmentHandlerCallback, aeron_controlled_fragment_handler_trampoline,
    aeron_image_controlled_fragment_assembler_create, aeron_image_controlled_fragment_assembler_delete,
    aeron_image_controlled_fragment_assembler_handler, ret AeronControlledFragmentHandlerAction
);

impl<H: AeronFragmentHandlerCallback> AeronFragmentAssembler<H> {
    /// Polls `subscription` with the C assembler as the fragment handler, as C code does
    /// (`aeron_subscription_poll(sub, aeron_fragment_assembler_handler, assembler, limit)`): one call less
    /// per fragment than `subscription.poll(&mut assembler, limit)`, which goes through a Rust trampoline
    /// first. Same result and panic behaviour. Does not allocate for unfragmented messages.
    #[inline]
    pub fn poll_subscription(
        &mut self,
        subscription: &AeronSubscription,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let (ptr, sub) = (self.ptr as *mut c_void, subscription.as_raw());
        // SAFETY: live subscription polled by its owning thread (it is not Sync), not re-entered (walk);
        // the assembler and its delegate are exclusively borrowed for the call, and the C handler matches
        // the assembler type.
        let rc = subscription.walk(|| unsafe {
            aeron_subscription_poll(
                sub,
                Some(aeron_fragment_assembler_handler),
                ptr,
                fragment_limit,
            )
        })?;
        AeronCError::check(rc)
    }
}

impl<H: AeronFragmentHandlerCallback> AeronImageFragmentAssembler<H> {
    /// Polls `image` with the C image assembler as the fragment handler, as C code does
    /// (`aeron_image_poll(image, aeron_image_fragment_assembler_handler, assembler, limit)`): one call less
    /// per fragment than `image.poll(&mut assembler, limit)`. Same result and panic behaviour.
    #[inline]
    pub fn poll_image(
        &mut self,
        image: &AeronImage<'_>,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let (ptr, img) = (self.ptr as *mut c_void, image.as_raw());
        // SAFETY: live image on its subscription's thread (AeronImage is neither Send nor Sync); the
        // assembler and its delegate are exclusively borrowed for the call; the handler matches its type.
        let rc = crate::panic::call(|| unsafe {
            aeron_image_poll(
                img,
                Some(aeron_image_fragment_assembler_handler),
                ptr,
                fragment_limit,
            )
        });
        AeronCError::check(rc)
    }
}

impl<H: AeronControlledFragmentHandlerCallback> AeronControlledFragmentAssembler<H> {
    /// Controlled-polls `subscription` with the C assembler as the handler, as C code does
    /// (`aeron_subscription_controlled_poll(sub, aeron_controlled_fragment_assembler_handler, assembler,
    /// limit)`): one call less per fragment than `subscription.controlled_poll(&mut assembler, limit)`.
    /// Same result and panic behaviour; refused with
    /// [`AeronErrorType::ReentrantCall`](crate::AeronErrorType) from inside a handler of this subscription.
    #[inline]
    pub fn poll_subscription(
        &mut self,
        subscription: &AeronSubscription,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let (ptr, sub) = (self.ptr as *mut c_void, subscription.as_raw());
        // SAFETY: live subscription polled by its owning thread (it is not Sync), not re-entered (walk);
        // the assembler and its delegate are exclusively borrowed for the call, and the C handler matches
        // the assembler type.
        let rc = subscription.walk(|| unsafe {
            aeron_subscription_controlled_poll(
                sub,
                Some(aeron_controlled_fragment_assembler_handler),
                ptr,
                fragment_limit,
            )
        })?;
        AeronCError::check(rc)
    }
}

impl<H: AeronControlledFragmentHandlerCallback> AeronImageControlledFragmentAssembler<H> {
    /// Controlled-polls `image` with the C image assembler as the handler, as C code does
    /// (`aeron_image_controlled_poll(image, aeron_image_controlled_fragment_assembler_handler, assembler,
    /// limit)`): one call less per fragment than `image.controlled_poll(&mut assembler, limit)`. Same
    /// result and panic behaviour.
    #[inline]
    pub fn poll_image(
        &mut self,
        image: &AeronImage<'_>,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        let (ptr, img) = (self.ptr as *mut c_void, image.as_raw());
        // SAFETY: live image on its subscription's thread (AeronImage is neither Send nor Sync); the
        // assembler and its delegate are exclusively borrowed for the call; the handler matches its type.
        let rc = crate::panic::call(|| unsafe {
            aeron_image_controlled_poll(
                img,
                Some(aeron_image_controlled_fragment_assembler_handler),
                ptr,
                fragment_limit,
            )
        });
        AeronCError::check(rc)
    }
}

impl<H: AeronFragmentHandlerCallback> AeronFragmentHandlerCallback for AeronFragmentAssembler<H> {
    #[inline]
    fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: AeronHeader<'_>) {
        // SAFETY: live assembler (exclusively borrowed); buffer/header are the live fragment of this call.
        unsafe {
            aeron_fragment_assembler_handler(
                self.ptr as *mut c_void,
                buffer.as_ptr(),
                buffer.len(),
                header.as_raw(),
            )
        }
    }
}

impl<H: AeronFragmentHandlerCallback> AeronFragmentHandlerCallback
    for AeronImageFragmentAssembler<H>
{
    #[inline]
    fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: AeronHeader<'_>) {
        // SAFETY: as above.
        unsafe {
            aeron_image_fragment_assembler_handler(
                self.ptr as *mut c_void,
                buffer.as_ptr(),
                buffer.len(),
                header.as_raw(),
            )
        }
    }
}

impl<H: AeronControlledFragmentHandlerCallback> AeronControlledFragmentHandlerCallback
    for AeronControlledFragmentAssembler<H>
{
    #[inline]
    fn handle_aeron_controlled_fragment_handler(
        &mut self,
        buffer: &[u8],
        header: AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        // SAFETY: as above.
        unsafe {
            aeron_controlled_fragment_assembler_handler(
                self.ptr as *mut c_void,
                buffer.as_ptr(),
                buffer.len(),
                header.as_raw(),
            )
        }
    }
}

impl<H: AeronControlledFragmentHandlerCallback> AeronControlledFragmentHandlerCallback
    for AeronImageControlledFragmentAssembler<H>
{
    #[inline]
    fn handle_aeron_controlled_fragment_handler(
        &mut self,
        buffer: &[u8],
        header: AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        // SAFETY: as above.
        unsafe {
            aeron_image_controlled_fragment_assembler_handler(
                self.ptr as *mut c_void,
                buffer.as_ptr(),
                buffer.len(),
                header.as_raw(),
            )
        }
    }
}

impl<H: AeronFragmentHandlerCallback> AeronFragmentAssembler<H> {
    /// Frees the reassembly buffer of `session_id` (e.g. when its image went away). True if one existed.
    pub fn delete_session_buffer(&mut self, session_id: i32) -> bool {
        // SAFETY: live assembler, exclusively borrowed.
        unsafe { aeron_fragment_assembler_delete_session_buffer(self.ptr, session_id) }
    }
}

impl<H: AeronControlledFragmentHandlerCallback> AeronControlledFragmentAssembler<H> {
    /// Frees the reassembly buffer of `session_id`. True if one existed.
    pub fn delete_session_buffer(&mut self, session_id: i32) -> bool {
        // SAFETY: live assembler, exclusively borrowed.
        unsafe { aeron_controlled_fragment_assembler_delete_session_buffer(self.ptr, session_id) }
    }
}

#[cfg(test)]
mod direct_poll_tests {
    use crate::*;
    use rusteron_media_driver::TestMediaDriver;
    use std::time::{Duration, Instant};

    struct Count(u32);

    impl AeronFragmentHandlerCallback for Count {
        fn handle_aeron_fragment_handler(&mut self, msg: &[u8], _header: AeronHeader<'_>) {
            assert_eq!(msg, b"hello");
            self.0 += 1;
        }
    }

    impl AeronControlledFragmentHandlerCallback for Count {
        fn handle_aeron_controlled_fragment_handler(
            &mut self,
            msg: &[u8],
            _header: AeronHeader<'_>,
        ) -> AeronControlledFragmentHandlerAction {
            assert_eq!(msg, b"hello");
            self.0 += 1;
            AeronControlledFragmentHandlerAction::AERON_ACTION_CONTINUE
        }
    }

    #[test]
    fn assemblers_poll_subscriptions_and_images_directly() {
        let driver = TestMediaDriver::launch().unwrap();
        let ctx = AeronContext::new().unwrap();
        ctx.set_dir(driver.dir()).unwrap();
        let aeron = Aeron::new(&ctx).unwrap();
        aeron.start().unwrap();
        let t = Duration::from_secs(10);
        let sub = aeron.add_subscription("aeron:ipc", 77, t).unwrap();
        let publication = aeron.add_exclusive_publication("aeron:ipc", 77, t).unwrap();
        let deadline = Instant::now() + t;
        while !sub.is_connected() {
            assert!(Instant::now() < deadline, "not connected");
            std::thread::sleep(Duration::from_millis(1));
        }
        let offer = |n: u32| {
            for _ in 0..n {
                while publication.offer(b"hello", Handlers::no_reserved_value_supplier_handler())
                    < 0
                {}
            }
        };
        offer(3);
        let mut asm = AeronFragmentAssembler::new(Count(0)).unwrap();
        while asm.delegate().0 < 3 {
            asm.poll_subscription(&sub, 10).unwrap();
            assert!(Instant::now() < deadline, "subscription poll");
        }
        offer(2);
        let image = sub.image_at_index(0).unwrap();
        let mut image_asm = AeronImageFragmentAssembler::new(Count(0)).unwrap();
        while image_asm.delegate().0 < 2 {
            image_asm.poll_image(&image, 10).unwrap();
            assert!(Instant::now() < deadline, "image poll");
        }
        offer(4);
        let mut controlled = AeronControlledFragmentAssembler::new(Count(0)).unwrap();
        while controlled.delegate().0 < 4 {
            controlled.poll_subscription(&sub, 10).unwrap();
            assert!(Instant::now() < deadline, "controlled subscription poll");
        }
        offer(3);
        let mut image_controlled = AeronImageControlledFragmentAssembler::new(Count(0)).unwrap();
        while image_controlled.delegate().0 < 3 {
            image_controlled.poll_image(&image, 10).unwrap();
            assert!(Instant::now() < deadline, "controlled image poll");
        }
    }
}
