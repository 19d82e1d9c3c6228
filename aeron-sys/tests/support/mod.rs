//! Raw helpers for the aeron-sys tests: an in-process C media driver and a C client, through the bindings.

#![allow(dead_code)]

use aeron_sys::*;
use std::ffi::{CStr, CString};
use std::ptr;
use std::time::{Duration, Instant};

/// Panics with Aeron's error message if `rc` is negative.
pub fn check(rc: i32, what: &str) {
    if rc < 0 {
        // SAFETY: aeron_errmsg returns a pointer to a thread-local, NUL-terminated buffer.
        let msg = unsafe { CStr::from_ptr(aeron_errmsg()) }.to_string_lossy();
        panic!("{what} failed ({rc}): {msg}");
    }
}

/// A C media driver running its own threads on a unique temporary aeron dir.
pub struct Driver {
    pub dir: tempfile::TempDir,
    driver: *mut aeron_driver_t,
    context: *mut aeron_driver_context_t,
}

impl Driver {
    /// Launches a driver in shared threading mode with a sleeping idle strategy (friendly to 2 cores).
    pub fn launch() -> Driver {
        let dir = tempfile::Builder::new()
            .prefix("aeron-sys-test-")
            .tempdir()
            .unwrap();
        let aeron_dir = CString::new(dir.path().join("aeron").to_str().unwrap()).unwrap();
        let sleeping = CString::new("sleeping").unwrap();
        let mut context = ptr::null_mut();
        let mut driver = ptr::null_mut();
        // SAFETY: plain C API calls with valid out-pointers and NUL-terminated strings that outlive the calls
        // (the context copies strings).
        unsafe {
            check(
                aeron_driver_context_init(&mut context),
                "aeron_driver_context_init",
            );
            check(
                aeron_driver_context_set_dir(context, aeron_dir.as_ptr()),
                "set_dir",
            );
            check(
                aeron_driver_context_set_dir_delete_on_start(context, true),
                "delete_on_start",
            );
            check(
                aeron_driver_context_set_dir_delete_on_shutdown(context, true),
                "delete_on_shutdown",
            );
            check(
                aeron_driver_context_set_threading_mode(
                    context,
                    aeron_threading_mode_t::AERON_THREADING_MODE_SHARED,
                ),
                "threading_mode",
            );
            check(
                aeron_driver_context_set_shared_idle_strategy(context, sleeping.as_ptr()),
                "idle",
            );
            check(aeron_driver_init(&mut driver, context), "aeron_driver_init");
            check(aeron_driver_start(driver, false), "aeron_driver_start");
        }
        Driver {
            dir,
            driver,
            context,
        }
    }

    /// The aeron dir clients must use.
    pub fn aeron_dir(&self) -> CString {
        CString::new(self.dir.path().join("aeron").to_str().unwrap()).unwrap()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SAFETY: driver and context came from aeron_driver_init/context_init and are closed once, driver first.
        unsafe {
            aeron_driver_close(self.driver);
            aeron_driver_context_close(self.context);
        }
    }
}

/// A started C client connected to a driver.
pub struct Client {
    pub aeron: *mut aeron_t,
    context: *mut aeron_context_t,
}

impl Client {
    /// Connects a client (with its own conductor thread) to the driver's dir.
    pub fn connect(driver: &Driver) -> Client {
        let dir = driver.aeron_dir();
        let mut context = ptr::null_mut();
        let mut aeron = ptr::null_mut();
        // SAFETY: valid out-pointers; the context copies the dir string.
        unsafe {
            check(aeron_context_init(&mut context), "aeron_context_init");
            check(
                aeron_context_set_dir(context, dir.as_ptr()),
                "aeron_context_set_dir",
            );
            check(aeron_init(&mut aeron, context), "aeron_init");
            check(aeron_start(aeron), "aeron_start");
        }
        Client { aeron, context }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // SAFETY: created by aeron_init/aeron_context_init; the client must be closed before its context.
        unsafe {
            aeron_close(self.aeron);
            aeron_context_close(self.context);
        }
    }
}

/// Polls `f` until it returns `Some`, or panics after `timeout`.
pub fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}
