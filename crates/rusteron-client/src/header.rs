//! Views handed to handlers: [`AeronHeader`] and [`AeronPublicationErrorValues`].

use std::marker::PhantomData;

use aeron_sys::*;

/// The header of the fragment being handled, valid for the duration of the handler call.
#[derive(Clone, Copy)]
pub struct AeronHeader<'a> {
    ptr: *mut aeron_header_t,
    _p: PhantomData<&'a aeron_header_t>,
}

impl std::fmt::Debug for AeronHeader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronHeader")
            .field("position", &self.position())
            .finish()
    }
}

impl AeronHeader<'_> {
    /// Wraps a raw header for the duration of a callback.
    ///
    /// # Safety
    /// `ptr` must be a live header for the chosen lifetime.
    pub unsafe fn from_raw(ptr: *mut aeron_header_t) -> Self {
        AeronHeader {
            ptr,
            _p: PhantomData,
        }
    }

    /// The raw pointer (valid for the callback).
    pub fn as_raw(&self) -> *mut aeron_header_t {
        self.ptr
    }

    /// Session id of the fragment's stream.
    pub fn session_id(&self) -> i32 {
        self.values().map(|v| v.frame.session_id).unwrap_or(0)
    }

    /// Stream id of the fragment.
    pub fn stream_id(&self) -> i32 {
        self.values().map(|v| v.frame.stream_id).unwrap_or(0)
    }

    /// Reserved value of the frame (set by a reserved value supplier or a claim).
    pub fn reserved_value(&self) -> i64 {
        self.values().map(|v| v.frame.reserved_value).unwrap_or(0)
    }

    /// Frame flags (begin/end fragment bits).
    pub fn flags(&self) -> u8 {
        self.values().map(|v| v.frame.flags).unwrap_or(0)
    }
}

/// The error frame a driver reports about a publication (`aeron_publication_error_values_t`), valid for
/// the duration of the handler call. Use [`to_owned_values`](Self::to_owned_values) to keep a copy.
#[derive(Clone, Copy)]
pub struct AeronPublicationErrorValues<'a> {
    ptr: *mut aeron_publication_error_values_t,
    _p: PhantomData<&'a aeron_publication_error_values_t>,
}

/// An owned copy of an error frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AeronPublicationErrorFrame {
    /// Registration id of the publication.
    pub registration_id: i64,
    /// Registration id of the destination, if any.
    pub destination_registration_id: i64,
    /// Session id.
    pub session_id: i32,
    /// Stream id.
    pub stream_id: i32,
    /// Receiver id.
    pub receiver_id: i64,
    /// Group tag.
    pub group_tag: i64,
    /// Error code.
    pub error_code: i32,
    /// Error message.
    pub error_message: String,
}

impl std::fmt::Debug for AeronPublicationErrorValues<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.to_owned_values().fmt(f)
    }
}

impl AeronPublicationErrorValues<'_> {
    /// Wraps a raw error frame for the duration of a callback.
    ///
    /// # Safety
    /// `ptr` must be a live error frame for the chosen lifetime.
    pub unsafe fn from_raw(ptr: *mut aeron_publication_error_values_t) -> Self {
        AeronPublicationErrorValues {
            ptr,
            _p: PhantomData,
        }
    }

    /// The raw pointer (valid for the callback).
    pub fn as_raw(&self) -> *mut aeron_publication_error_values_t {
        self.ptr
    }

    fn fixed(&self) -> aeron_publication_error_values_t {
        // SAFETY: ptr is a live frame; read_unaligned copies the fixed part of the packed struct.
        unsafe { std::ptr::read_unaligned(self.ptr) }
    }

    /// The error message of the frame.
    pub fn error_message(&self) -> String {
        let fixed = self.fixed();
        let len = fixed.error_message_length.max(0) as usize;
        // SAFETY: the C frame stores `error_message_length` bytes starting at `error_message`
        // (a flexible array member) inside the frame buffer, valid for the callback.
        let bytes = unsafe {
            let start = std::ptr::addr_of!((*self.ptr).error_message) as *const u8;
            std::slice::from_raw_parts(start, len)
        };
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// Copies the frame.
    pub fn to_owned_values(&self) -> AeronPublicationErrorFrame {
        let v = self.fixed();
        AeronPublicationErrorFrame {
            registration_id: v.registration_id,
            destination_registration_id: v.destination_registration_id,
            session_id: v.session_id,
            stream_id: v.stream_id,
            receiver_id: v.receiver_id,
            group_tag: v.group_tag,
            error_code: v.error_code,
            error_message: self.error_message(),
        }
    }

    /// A C-allocated copy (`aeron_publication_error_values_copy`), freed on drop.
    pub fn copy(&self) -> Result<AeronPublicationErrorValuesCopy, crate::AeronCError> {
        let mut dst = std::ptr::null_mut();
        // SAFETY: live frame; valid out-pointer.
        crate::AeronCError::check(unsafe {
            aeron_publication_error_values_copy(&mut dst, self.ptr)
        })?;
        Ok(AeronPublicationErrorValuesCopy { ptr: dst })
    }
}

/// A copy of an error frame made by the C library; deleted on drop.
pub struct AeronPublicationErrorValuesCopy {
    ptr: *mut aeron_publication_error_values_t,
}

// SAFETY: an owned heap copy with no ties to any thread.
unsafe impl Send for AeronPublicationErrorValuesCopy {}

impl AeronPublicationErrorValuesCopy {
    /// A view of the copy.
    pub fn values(&self) -> AeronPublicationErrorValues<'_> {
        AeronPublicationErrorValues {
            ptr: self.ptr,
            _p: PhantomData,
        }
    }
}

impl Drop for AeronPublicationErrorValuesCopy {
    fn drop(&mut self) {
        // SAFETY: ptr came from aeron_publication_error_values_copy and is deleted once.
        unsafe { aeron_publication_error_values_delete(self.ptr) }
    }
}
