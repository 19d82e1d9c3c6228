//! Owned, type-erased handler storage whose address is handed to C as `clientd`.

use std::ffi::c_void;

/// A heap-allocated handler owned by Rust. C receives [`clientd`](Self::clientd) and may call the handler
/// through it while this box lives; dropping the box frees the handler.
pub(crate) struct HandlerBox {
    ptr: *mut c_void,
    drop_fn: unsafe fn(*mut c_void),
}

// SAFETY: a HandlerBox is only made from a `T: Send` (see `new`), so moving it moves a `Send` value.
unsafe impl Send for HandlerBox {}

unsafe fn drop_box<T>(ptr: *mut c_void) {
    // SAFETY: `ptr` came from `Box::into_raw(Box<T>)` in `HandlerBox::new` and is dropped once.
    drop(unsafe { Box::from_raw(ptr as *mut T) });
}

impl HandlerBox {
    /// Moves `handler` to the heap.
    pub(crate) fn new<T: Send + 'static>(handler: T) -> Self {
        HandlerBox {
            ptr: Box::into_raw(Box::new(handler)) as *mut c_void,
            drop_fn: drop_box::<T>,
        }
    }

    /// The pointer to give C as `clientd`; the trampoline casts it back to `*mut T`.
    pub(crate) fn clientd(&self) -> *mut c_void {
        self.ptr
    }
}

impl Drop for HandlerBox {
    fn drop(&mut self) {
        // SAFETY: ptr and drop_fn were paired in `new`; Drop runs once.
        unsafe { (self.drop_fn)(self.ptr) }
    }
}
