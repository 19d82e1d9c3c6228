//! # rusteron-archive
//!
//! Safe Rust bindings for the Aeron 1.54.0 C archive client (`aeron_archive.h`), layered on
//! [`rusteron_client`]: record streams, list and query recordings, replay them (bounded, ranged, following
//! a live recording), truncate, purge, manage segments, replicate between archives, merge a replay into a
//! live stream, and persistent subscriptions.
//!
//! Everything of `rusteron_client` is re-exported, so `use rusteron_archive::*;` gives [`Aeron`],
//! [`AeronContext`], publications, subscriptions, handlers and [`AeronCError`] as well.
//!
//! ```no_run
//! use rusteron_archive::*;
//! use std::time::Duration;
//!
//! let aeron_ctx = AeronContext::new()?;
//! aeron_ctx.set_dir("/dev/shm/aeron")?;
//! let aeron = Aeron::connect(&aeron_ctx)?;
//! let ctx = AeronArchiveContext::new_with_no_credentials_supplier(
//!     &aeron,
//!     "aeron:udp?endpoint=localhost:8010",
//!     "aeron:udp?endpoint=localhost:0",
//!     "aeron:udp?control-mode=dynamic|control=localhost:8030",
//! )?;
//! ctx.set_recording_signal_consumer(Some(AeronArchiveRecordingSignalConsumerFuncClosure::from(
//!     |s: &AeronArchiveRecordingSignal| println!("signal {:?}", s.signal()),
//! )))?;
//! let archive = AeronArchiveAsyncConnect::new(&ctx)?.poll_blocking(Duration::from_secs(5))?;
//! let subscription_id =
//!     archive.start_recording("aeron:ipc", 10, AeronArchiveSourceLocation::AERON_ARCHIVE_SOURCE_LOCATION_LOCAL, true)?;
//! archive.list_recordings_for_uri(0, 100, "aeron:ipc", 10, |d| println!("{d:?}"))?;
//! archive.stop_recording_subscription(subscription_id)?;
//! # Ok::<(), AeronCError>(())
//! ```
//!
//! ## Errors
//!
//! Every fallible call returns `Result<_, AeronCError>`. When the archive refuses a request, the error's kind
//! is [`AeronErrorType::Archive`] with the archive's [`ArchiveErrorCode`] (Java's `ArchiveException` codes),
//! also given by [`AeronCError::archive_code`]; its message keeps the archive's text:
//!
//! ```no_run
//! # use rusteron_archive::*;
//! # fn replay(archive: &AeronArchive, recording_id: i64) -> Result<Option<i64>, AeronCError> {
//! match archive.start_replay(recording_id, "aeron:ipc", 10, &AeronArchiveReplayParams::default()) {
//!     Ok(replay_session_id) => Ok(Some(replay_session_id)),
//!     Err(e) if e.archive_code() == Some(ArchiveErrorCode::UnknownRecording) => Ok(None),
//!     Err(e) => Err(e),
//! }
//! # }
//! ```
//!
//! The context's error handler gets the positive C client code of an asynchronous archive error
//! (200 + the wire code); [`ArchiveErrorCode::from_client_code`] classifies it.
//!
//! A call the C archive client refuses by itself, before asking the archive, has the kind
//! [`AeronErrorType::ArchiveClient`] with an [`ArchiveClientErrorCode`] (also given by
//! [`AeronCError::archive_client_code`]):
//!
//! * [`ReentrantCall`](ArchiveClientErrorCode::ReentrantCall) (-2000): a call from inside one of the archive's
//!   own callbacks (a descriptor consumer, the recording signal consumer, ...); the client stays usable.
//! * [`NotConnected`](ArchiveClientErrorCode::NotConnected) (-2001): the archive's control responses stopped
//!   (the archive stopped or closed the session).
//! * [`IllegalState`](ArchiveClientErrorCode::IllegalState) (-2002): any call after such a fatal error.
//!
//! After `NotConnected` or `IllegalState` the client is finished: drop it and connect again.
//!
//! A connect the archive refuses (rejected credentials, an incompatible protocol version) fails with the kind
//! [`AeronErrorType::ArchiveConnectRejected`]. It cannot carry
//! [`ArchiveErrorCode::AuthenticationRejected`]: the C client drops the archive's code and reports `EINVAL`
//! (the error's `code` stays 22) with the archive's text, which says what was refused
//! (`authentication rejected`). The wrapper tells the refusal from other connect failures by the connect's
//! state, not by the text.
//!
//! ## Ownership
//!
//! * [`AeronArchiveContext`] owns the handlers set on it (credentials supplier, recording signal consumer,
//!   error handler, idle strategy, delegating invoker) and a clone of its [`Aeron`]. There is no `leak` and
//!   no `release`: handlers are freed when the context and every archive connected through it are gone.
//! * [`AeronArchive`] holds its [`Aeron`] and its context: dropping the user's `Aeron` or context handles
//!   first is safe. Subscriptions and publications it returns hold the client themselves and may outlive it.
//! * A context serves one connection at a time; while a connect or an archive uses it, its setters fail.
//! * Descriptor consumers of the list calls are plain closures borrowed for the call
//!   (`FnMut(&AeronArchiveRecordingDescriptor)`); descriptors are plain values with owned strings.
//!
//! ## Thread safety
//!
//! | Type | `Send` | `Sync` | Why |
//! |---|---|---|---|
//! | [`AeronArchiveContext`] | yes | yes | all access under a mutex; frozen while in use |
//! | [`AeronArchiveAsyncConnect`] | yes | no | polled from one thread at a time |
//! | [`AeronArchive`] | yes | **no** | the C archive client is driven by one thread at a time; its handlers run on that thread |
//! | [`AeronArchiveReplayMerge`] | no | no | borrows the archive and the subscription |
//! | [`AeronArchivePersistentSubscription`] | yes | no | polled from one thread |
//! | descriptors, params | yes | yes | plain values |
//!
//! Handlers set on a context must be `Send + 'static` (the archive may move to another thread); they run on
//! the thread calling the archive, never on a background thread.
//!
//! ## Panics
//!
//! A panic in any handler is caught in its `extern "C"` trampoline (it never unwinds through C); the C call
//! completes, and the panic is resumed on the caller's thread when the call returns. Panics while closing
//! (in `Drop`) are reported on stderr and through `log`.
//!
//! ## Generated code
//!
//! The `generated` module (handler traits, context accessors, commands with plain arguments, constants) is
//! produced by `cargo xtask codegen` from the bindgen output of `aeron_archive.h`; hand-written methods win.

#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod archive;
mod connect;
mod context;
mod credentials;
mod descriptors;
// Generated by `cargo xtask codegen`; kept byte-identical to the generator output.
#[rustfmt::skip]
mod generated;
mod handler_box;
mod panic;
mod params;
mod persistent;
mod recording_pos;
mod reentry;
mod replay_merge;
mod sentinels;
mod util;

pub use rusteron_client::*;

pub use archive::AeronArchive;
pub use connect::AeronArchiveAsyncConnect;
pub use context::AeronArchiveContext;
pub use credentials::{AeronArchiveCredentialsSupplier, AeronArchiveStaticCredentials};
pub use descriptors::{
    AeronArchiveRecordingDescriptor, AeronArchiveRecordingSignal,
    AeronArchiveRecordingSubscriptionDescriptor, RecordingSignal,
};
pub use generated::*;
pub use params::{AeronArchiveReplayParams, AeronArchiveReplicationParams};
pub use persistent::{
    AeronArchivePersistentSubscription, AeronArchivePersistentSubscriptionContext,
    AeronArchivePersistentSubscriptionListener, AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE,
    AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START,
};
pub use recording_pos::{
    map_archive_to_client_error_code, segment_file_base_position, RecordingPos,
};
pub use replay_merge::AeronArchiveReplayMerge;
