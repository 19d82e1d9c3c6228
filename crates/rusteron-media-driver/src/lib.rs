//! # rusteron-media-driver
//!
//! The Aeron 1.54.0 C media driver (`aeronmd.h`) embedded in a Rust process.
//!
//! ```no_run
//! use rusteron_media_driver::*;
//! use std::time::Duration;
//!
//! let driver = MediaDriverBuilder::new()
//!     .dir("/dev/shm/my-aeron")
//!     .threading_mode(ThreadingMode::Shared)
//!     .shared_idle_strategy("sleeping")
//!     .term_buffer_length(64 * 1024)
//!     .dir_delete_on_start(true)
//!     .dir_delete_on_shutdown(true)
//!     .configure(|ctx| ctx.apply(aeron_sys::aeron_driver_context_set_mtu_length, 4096usize))
//!     .launch()?;
//! println!("driver running in {}", driver.dir());
//! // ... the driver stops (and cleans up) when `driver` is dropped.
//! # Ok::<(), DriverError>(())
//! ```
//!
//! With the `test-util` feature, [`TestMediaDriver::launch`] starts a driver on a unique temporary
//! directory in shared threading mode with a sleeping idle strategy: suitable for tests on small machines.

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

use std::ffi::{c_int, CStr, CString};
use std::time::Duration;

use aeron_sys::*;

/// An error of the media driver C library (`aeron_errcode()` / `aeron_errmsg()`), or of this wrapper.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("media driver error {code}: {message}")]
pub struct DriverError {
    /// The Aeron error code.
    pub code: i32,
    /// The message.
    pub message: String,
}

impl DriverError {
    fn last() -> Self {
        // SAFETY: thread-local error state of the C library; the message is copied at once.
        unsafe {
            let p = aeron_errmsg();
            let message = if p.is_null() {
                String::new()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            };
            DriverError {
                code: aeron_errcode(),
                message,
            }
        }
    }

    fn msg(message: impl Into<String>) -> Self {
        DriverError {
            code: -1,
            message: message.into(),
        }
    }
}

fn check(rc: c_int) -> Result<(), DriverError> {
    if rc < 0 {
        Err(DriverError::last())
    } else {
        Ok(())
    }
}

/// Threading modes of the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThreadingMode {
    /// Conductor, sender and receiver on separate threads.
    Dedicated,
    /// Sender and receiver share a thread; the conductor has its own.
    SharedNetwork,
    /// One thread for everything (the friendliest for small machines and tests).
    #[default]
    Shared,
}

impl ThreadingMode {
    fn raw(self) -> aeron_threading_mode_t {
        match self {
            ThreadingMode::Dedicated => aeron_threading_mode_t::AERON_THREADING_MODE_DEDICATED,
            ThreadingMode::SharedNetwork => {
                aeron_threading_mode_t::AERON_THREADING_MODE_SHARED_NETWORK
            }
            ThreadingMode::Shared => aeron_threading_mode_t::AERON_THREADING_MODE_SHARED,
        }
    }
}

impl std::str::FromStr for ThreadingMode {
    type Err = DriverError;
    fn from_str(s: &str) -> Result<Self, DriverError> {
        match s.to_ascii_lowercase().as_str() {
            "dedicated" => Ok(ThreadingMode::Dedicated),
            "shared_network" | "shared-network" => Ok(ThreadingMode::SharedNetwork),
            "shared" => Ok(ThreadingMode::Shared),
            other => Err(DriverError::msg(format!(
                "unknown threading mode {other:?} (dedicated, shared_network, shared)"
            ))),
        }
    }
}

mod sealed {
    pub trait Sealed {}
}

/// Plain values a driver context setter may take through [`AeronDriverContext::apply`].
pub trait SetterValue: sealed::Sealed + Copy {}
macro_rules! setter_values {
    ($($t:ty),*) => { $(impl sealed::Sealed for $t {} impl SetterValue for $t {})* };
}
setter_values!(
    bool,
    u8,
    i8,
    u16,
    i16,
    u32,
    i32,
    u64,
    i64,
    usize,
    aeron_threading_mode_t
);

/// A driver context (`aeron_driver_context_t`) being configured; handed to
/// [`MediaDriverBuilder::configure`] closures.
pub struct AeronDriverContext {
    ptr: *mut aeron_driver_context_t,
}

impl AeronDriverContext {
    /// Calls any `aeron_driver_context_set_*` function that takes a plain value, e.g.
    /// `ctx.apply(aeron_driver_context_set_mtu_length, 4096usize)`.
    pub fn apply<T: SetterValue>(
        &self,
        setter: unsafe extern "C" fn(*mut aeron_driver_context_t, T) -> c_int,
        value: T,
    ) -> Result<(), DriverError> {
        // SAFETY: live, not yet used context; the value is a plain number/flag/enum (SetterValue is sealed).
        check(unsafe { setter(self.ptr, value) })
    }

    /// Calls an `aeron_driver_context_set_*` function that takes a string.
    ///
    /// # Safety
    /// The setter must copy the string (the `CString` passed is freed when this returns), as the
    /// `aeronmd.h` string setters (dir, idle strategies, init args, ...) do.
    pub unsafe fn apply_str(
        &self,
        setter: unsafe extern "C" fn(*mut aeron_driver_context_t, *const std::ffi::c_char) -> c_int,
        value: &str,
    ) -> Result<(), DriverError> {
        let c = CString::new(value).map_err(|_| DriverError::msg("string contains a NUL byte"))?;
        // SAFETY: live context; the caller guarantees the setter copies the string.
        check(unsafe { setter(self.ptr, c.as_ptr()) })
    }

    /// The raw context, for setters with other argument types.
    ///
    /// # Safety
    /// The pointer is valid during the `configure` closure only; whatever is passed to C must stay valid
    /// as long as the C library requires.
    pub unsafe fn as_raw(&self) -> *mut aeron_driver_context_t {
        self.ptr
    }

    /// The Aeron directory currently configured.
    pub fn dir(&self) -> String {
        // SAFETY: live context; the string lives inside it and is copied at once.
        let p = unsafe { aeron_driver_context_get_dir(self.ptr) };
        if p.is_null() {
            String::new()
        } else {
            // SAFETY: NUL-terminated string owned by the context.
            unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
        }
    }
}

type Configure = Box<dyn FnOnce(&AeronDriverContext) -> Result<(), DriverError>>;

/// Builder over the driver context. Nothing is created until [`launch`](Self::launch).
#[derive(Default)]
pub struct MediaDriverBuilder {
    dir: Option<String>,
    threading_mode: Option<ThreadingMode>,
    idle: Vec<(IdleRole, String)>,
    term_buffer_length: Option<usize>,
    ipc_term_buffer_length: Option<usize>,
    term_buffer_sparse_file: Option<bool>,
    client_liveness_timeout: Option<Duration>,
    image_liveness_timeout: Option<Duration>,
    publication_linger_timeout: Option<Duration>,
    publication_connection_timeout: Option<Duration>,
    publication_unblock_timeout: Option<Duration>,
    timer_interval: Option<Duration>,
    dir_delete_on_start: Option<bool>,
    dir_delete_on_shutdown: Option<bool>,
    spies_simulate_connection: Option<bool>,
    configure: Vec<Configure>,
}

#[derive(Debug, Clone, Copy)]
enum IdleRole {
    Shared,
    Conductor,
    Sender,
    Receiver,
    SharedNetwork,
}

impl std::fmt::Debug for MediaDriverBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaDriverBuilder")
            .field("dir", &self.dir)
            .field("threading_mode", &self.threading_mode)
            .field("idle", &self.idle)
            .field("configure", &self.configure.len())
            .finish_non_exhaustive()
    }
}

fn ns(d: Duration) -> u64 {
    d.as_nanos().min(u64::MAX as u128) as u64
}

impl MediaDriverBuilder {
    /// A builder with Aeron's defaults (which honour the `AERON_*` environment variables).
    pub fn new() -> Self {
        Self::default()
    }

    /// The Aeron directory (CnC file, logs, counters).
    pub fn dir(mut self, dir: impl Into<String>) -> Self {
        self.dir = Some(dir.into());
        self
    }
    /// Threading mode.
    pub fn threading_mode(mut self, mode: ThreadingMode) -> Self {
        self.threading_mode = Some(mode);
        self
    }
    /// Idle strategy of the shared thread (`sleeping`, `backoff`, `yield`, `noop`, `spin`, ...).
    pub fn shared_idle_strategy(mut self, name: &str) -> Self {
        self.idle.push((IdleRole::Shared, name.into()));
        self
    }
    /// Idle strategy of the conductor thread.
    pub fn conductor_idle_strategy(mut self, name: &str) -> Self {
        self.idle.push((IdleRole::Conductor, name.into()));
        self
    }
    /// Idle strategy of the sender thread.
    pub fn sender_idle_strategy(mut self, name: &str) -> Self {
        self.idle.push((IdleRole::Sender, name.into()));
        self
    }
    /// Idle strategy of the receiver thread.
    pub fn receiver_idle_strategy(mut self, name: &str) -> Self {
        self.idle.push((IdleRole::Receiver, name.into()));
        self
    }
    /// Idle strategy of the shared network thread.
    pub fn shared_network_idle_strategy(mut self, name: &str) -> Self {
        self.idle.push((IdleRole::SharedNetwork, name.into()));
        self
    }
    /// Sets the same idle strategy for every thread role.
    pub fn idle_strategy(self, name: &str) -> Self {
        self.shared_idle_strategy(name)
            .conductor_idle_strategy(name)
            .sender_idle_strategy(name)
            .receiver_idle_strategy(name)
            .shared_network_idle_strategy(name)
    }
    /// Term length of network publications (power of two, 64 KiB .. 1 GiB).
    pub fn term_buffer_length(mut self, len: usize) -> Self {
        self.term_buffer_length = Some(len);
        self
    }
    /// Term length of IPC publications.
    pub fn ipc_term_buffer_length(mut self, len: usize) -> Self {
        self.ipc_term_buffer_length = Some(len);
        self
    }
    /// Whether term buffers are sparse files.
    pub fn term_buffer_sparse_file(mut self, sparse: bool) -> Self {
        self.term_buffer_sparse_file = Some(sparse);
        self
    }
    /// Client liveness timeout.
    pub fn client_liveness_timeout(mut self, d: Duration) -> Self {
        self.client_liveness_timeout = Some(d);
        self
    }
    /// Image liveness timeout.
    pub fn image_liveness_timeout(mut self, d: Duration) -> Self {
        self.image_liveness_timeout = Some(d);
        self
    }
    /// Publication linger timeout.
    pub fn publication_linger_timeout(mut self, d: Duration) -> Self {
        self.publication_linger_timeout = Some(d);
        self
    }
    /// Publication connection timeout.
    pub fn publication_connection_timeout(mut self, d: Duration) -> Self {
        self.publication_connection_timeout = Some(d);
        self
    }
    /// Publication unblock timeout.
    pub fn publication_unblock_timeout(mut self, d: Duration) -> Self {
        self.publication_unblock_timeout = Some(d);
        self
    }
    /// Conductor timer interval.
    pub fn timer_interval(mut self, d: Duration) -> Self {
        self.timer_interval = Some(d);
        self
    }
    /// Delete the directory when the driver starts.
    pub fn dir_delete_on_start(mut self, yes: bool) -> Self {
        self.dir_delete_on_start = Some(yes);
        self
    }
    /// Delete the directory when the driver shuts down.
    pub fn dir_delete_on_shutdown(mut self, yes: bool) -> Self {
        self.dir_delete_on_shutdown = Some(yes);
        self
    }
    /// Let spies simulate a connection (publications connect when only a spy subscribes).
    pub fn spies_simulate_connection(mut self, yes: bool) -> Self {
        self.spies_simulate_connection = Some(yes);
        self
    }
    /// Runs `f` on the context at launch, after the settings above: the generic way to use any other
    /// `aeron_driver_context_set_*` (see [`AeronDriverContext::apply`]).
    pub fn configure(
        mut self,
        f: impl FnOnce(&AeronDriverContext) -> Result<(), DriverError> + 'static,
    ) -> Self {
        self.configure.push(Box::new(f));
        self
    }

    fn apply_all(self, ctx: &AeronDriverContext) -> Result<(), DriverError> {
        type S =
            unsafe extern "C" fn(*mut aeron_driver_context_t, *const std::ffi::c_char) -> c_int;
        // SAFETY (for the apply_str calls below): all these aeronmd.h string setters copy their argument.
        unsafe {
            if let Some(d) = &self.dir {
                ctx.apply_str(aeron_driver_context_set_dir, d)?;
            }
            for (role, name) in &self.idle {
                let setter: S = match role {
                    IdleRole::Shared => aeron_driver_context_set_shared_idle_strategy,
                    IdleRole::Conductor => aeron_driver_context_set_conductor_idle_strategy,
                    IdleRole::Sender => aeron_driver_context_set_sender_idle_strategy,
                    IdleRole::Receiver => aeron_driver_context_set_receiver_idle_strategy,
                    IdleRole::SharedNetwork => aeron_driver_context_set_sharednetwork_idle_strategy,
                };
                ctx.apply_str(setter, name)?;
            }
        }
        if let Some(m) = self.threading_mode {
            ctx.apply(aeron_driver_context_set_threading_mode, m.raw())?;
        }
        if let Some(v) = self.term_buffer_length {
            ctx.apply(aeron_driver_context_set_term_buffer_length, v)?;
        }
        if let Some(v) = self.ipc_term_buffer_length {
            ctx.apply(aeron_driver_context_set_ipc_term_buffer_length, v)?;
        }
        if let Some(v) = self.term_buffer_sparse_file {
            ctx.apply(aeron_driver_context_set_term_buffer_sparse_file, v)?;
        }
        if let Some(d) = self.client_liveness_timeout {
            ctx.apply(aeron_driver_context_set_client_liveness_timeout_ns, ns(d))?;
        }
        if let Some(d) = self.image_liveness_timeout {
            ctx.apply(aeron_driver_context_set_image_liveness_timeout_ns, ns(d))?;
        }
        if let Some(d) = self.publication_linger_timeout {
            ctx.apply(
                aeron_driver_context_set_publication_linger_timeout_ns,
                ns(d),
            )?;
        }
        if let Some(d) = self.publication_connection_timeout {
            ctx.apply(
                aeron_driver_context_set_publication_connection_timeout_ns,
                ns(d),
            )?;
        }
        if let Some(d) = self.publication_unblock_timeout {
            ctx.apply(
                aeron_driver_context_set_publication_unblock_timeout_ns,
                ns(d),
            )?;
        }
        if let Some(d) = self.timer_interval {
            ctx.apply(aeron_driver_context_set_timer_interval_ns, ns(d))?;
        }
        if let Some(v) = self.dir_delete_on_start {
            ctx.apply(aeron_driver_context_set_dir_delete_on_start, v)?;
        }
        if let Some(v) = self.dir_delete_on_shutdown {
            ctx.apply(aeron_driver_context_set_dir_delete_on_shutdown, v)?;
        }
        if let Some(v) = self.spies_simulate_connection {
            ctx.apply(aeron_driver_context_set_spies_simulate_connection, v)?;
        }
        for f in self.configure {
            f(ctx)?;
        }
        Ok(())
    }

    /// Creates the context, applies the settings, and starts the driver on its own threads. The
    /// returned guard stops the driver and cleans up when dropped.
    pub fn launch(self) -> Result<MediaDriver, DriverError> {
        let mut ctx = std::ptr::null_mut();
        // SAFETY: valid out-pointer.
        check(unsafe { aeron_driver_context_init(&mut ctx) })?;
        let guard = ContextGuard(ctx);
        self.apply_all(&AeronDriverContext { ptr: ctx })?;
        let dir = AeronDriverContext { ptr: ctx }.dir();
        let mut driver = std::ptr::null_mut();
        // SAFETY: live, configured context; valid out-pointer. The driver takes the context, which we close
        // only after the driver (see MediaDriver's Drop).
        check(unsafe { aeron_driver_init(&mut driver, ctx) })?;
        // SAFETY: freshly initialised driver; `false`: run on the driver's own threads.
        if let Err(e) = check(unsafe { aeron_driver_start(driver, false) }) {
            // SAFETY: initialised but not started driver, closed once.
            unsafe { aeron_driver_close(driver) };
            return Err(e);
        }
        std::mem::forget(guard);
        Ok(MediaDriver {
            driver,
            context: ctx,
            dir,
        })
    }
}

/// Closes a context if launch fails before the driver owns it.
struct ContextGuard(*mut aeron_driver_context_t);

impl Drop for ContextGuard {
    fn drop(&mut self) {
        // SAFETY: a context from aeron_driver_context_init not (yet) used by a running driver.
        unsafe { aeron_driver_context_close(self.0) };
    }
}

/// A running embedded media driver; stops it (joining its threads) and cleans up on drop.
pub struct MediaDriver {
    driver: *mut aeron_driver_t,
    context: *mut aeron_driver_context_t,
    dir: String,
}

// SAFETY: the guard only closes the driver; the driver's threads are its own, and nothing else touches
// the pointers.
unsafe impl Send for MediaDriver {}
// SAFETY: the only `&self` methods read the immutable dir string.
unsafe impl Sync for MediaDriver {}

impl std::fmt::Debug for MediaDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaDriver")
            .field("dir", &self.dir)
            .finish()
    }
}

impl MediaDriver {
    /// Starts building a driver.
    pub fn builder() -> MediaDriverBuilder {
        MediaDriverBuilder::new()
    }

    /// The Aeron directory clients must use.
    pub fn dir(&self) -> &str {
        &self.dir
    }

    /// Stops the driver now (same as dropping it).
    pub fn close(self) {}
}

impl Drop for MediaDriver {
    fn drop(&mut self) {
        // SAFETY: a started driver and its context, each closed exactly once, driver first (it stops and
        // joins its threads; with dir_delete_on_shutdown it deletes the directory).
        unsafe {
            aeron_driver_close(self.driver);
            aeron_driver_context_close(self.context);
        }
    }
}

/// The Aeron version of the linked driver, e.g. `1.54.0`.
pub fn aeron_version() -> String {
    // SAFETY: static NUL-terminated string.
    unsafe { CStr::from_ptr(aeron_version_text()) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(feature = "test-util")]
mod test_util {
    use super::*;

    /// A media driver for tests: a unique temporary directory (removed on drop), shared threading mode, a
    /// sleeping idle strategy, small terms and short timeouts, so that many can run in parallel on a
    /// small machine.
    pub struct TestMediaDriver {
        // Field order: the driver stops before the directory is removed.
        driver: MediaDriver,
        _tmp: tempfile::TempDir,
    }

    impl std::fmt::Debug for TestMediaDriver {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.driver.fmt(f)
        }
    }

    impl TestMediaDriver {
        /// The builder `launch` uses, on a fresh temporary directory, for further customisation.
        pub fn builder() -> Result<(MediaDriverBuilder, tempfile::TempDir), DriverError> {
            let tmp = tempfile::Builder::new()
                .prefix("rusteron-test-")
                .tempdir()
                .map_err(|e| DriverError::msg(format!("creating a temporary directory: {e}")))?;
            let dir = tmp.path().join("aeron");
            let builder = MediaDriverBuilder::new()
                .dir(
                    dir.to_str()
                        .ok_or_else(|| DriverError::msg("temporary path is not UTF-8"))?,
                )
                .threading_mode(ThreadingMode::Shared)
                .shared_idle_strategy("sleeping")
                .term_buffer_length(64 * 1024)
                .ipc_term_buffer_length(64 * 1024)
                .term_buffer_sparse_file(true)
                .dir_delete_on_start(true)
                .dir_delete_on_shutdown(true)
                .publication_linger_timeout(Duration::from_millis(100))
                .timer_interval(Duration::from_millis(10));
            Ok((builder, tmp))
        }

        /// Launches a test driver.
        pub fn launch() -> Result<Self, DriverError> {
            Self::launch_with(|b| b)
        }

        /// Launches a test driver after `customise` adjusted the builder.
        pub fn launch_with(
            customise: impl FnOnce(MediaDriverBuilder) -> MediaDriverBuilder,
        ) -> Result<Self, DriverError> {
            let (builder, tmp) = Self::builder()?;
            let driver = customise(builder).launch()?;
            Ok(TestMediaDriver { driver, _tmp: tmp })
        }

        /// The Aeron directory clients must use.
        pub fn dir(&self) -> &str {
            self.driver.dir()
        }

        /// The running driver.
        pub fn driver(&self) -> &MediaDriver {
            &self.driver
        }
    }
}

#[cfg(feature = "test-util")]
pub use test_util::TestMediaDriver;
