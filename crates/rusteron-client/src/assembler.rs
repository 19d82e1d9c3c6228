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
    AeronFragmentHandlerCallback, AeronHeader,
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
