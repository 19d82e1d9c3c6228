//! Owned, type-erased handler storage whose address is handed to C as `clientd`.

use std::ffi::c_void;

/// A heap-allocated handler owned by Rust; C receives [`clientd`](Self::clientd) and may call the
/// handler through it for as long as this box lives. Dropping the box frees the handler.
pub(crate) struct HandlerBox {
    ptr: *mut c_void,
    drop_fn: unsafe fn(*mut c_void),
}

// SAFETY: a HandlerBox is only ever created from a `T: Send` (see `new`), so moving the owner to another
// thread moves a `Send` value.
unsafe impl Send for HandlerBox {}

/// The heap cell of a handler: the handler at offset 0 (`repr(C)`), so that a pointer to the cell is a
/// pointer to the handler, as the trampolines cast it; then one byte, so that the cell is never zero-sized.
/// A `Box` of a zero-sized handler (a handler type without data, such as a non-capturing closure) would
/// not allocate and would have the same dangling address as every other one, while the client keys its
/// parked handlers by address and C removes a handler by (function, clientd): two such registrations
/// would free each other's handler, or remove the wrong one.
#[repr(C)]
struct Unique<T> {
    handler: T,
    _nonzero: u8,
}

unsafe fn drop_box<T>(ptr: *mut c_void) {
    // SAFETY: `ptr` came from `Box::into_raw(Box<Unique<T>>)` in `HandlerBox::new` and is dropped exactly
    // once.
    drop(unsafe { Box::from_raw(ptr as *mut Unique<T>) });
}

impl HandlerBox {
    /// Moves `handler` to the heap, at an address of its own (also for a zero-sized handler).
    pub(crate) fn new<T: Send + 'static>(handler: T) -> Self {
        let cell = Box::new(Unique {
            handler,
            _nonzero: 0,
        });
        HandlerBox {
            ptr: Box::into_raw(cell) as *mut c_void,
            drop_fn: drop_box::<T>,
        }
    }

    /// The pointer to give C as `clientd`: unique among live boxes; the trampoline casts it back to
    /// `*mut T` (the handler is at offset 0 of its cell).
    pub(crate) fn clientd(&self) -> *mut c_void {
        self.ptr
    }
}

impl Drop for HandlerBox {
    fn drop(&mut self) {
        // SAFETY: ptr/drop_fn were paired in `new`; Drop runs once.
        unsafe { (self.drop_fn)(self.ptr) }
    }
}
