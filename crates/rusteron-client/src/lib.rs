//! # rusteron-client
//!
//! Safe Rust bindings for the Aeron 1.54.0 C client (`aeronc.h`), built on the raw `aeron-sys` bindings.
//!
//! ```no_run
//! use rusteron_client::*;
//! use std::time::Duration;
//!
//! let ctx = AeronContext::new()?;
//! ctx.set_dir("/dev/shm/aeron")?;
//! let aeron = Aeron::new(&ctx)?;
//! aeron.start()?;
//! let publication = aeron.async_add_publication("aeron:ipc", 10)?.poll_blocking(Duration::from_secs(5))?;
//! let subscription = aeron
//!     .async_add_subscription(
//!         "aeron:ipc",
//!         10,
//!         Handlers::no_available_image_handler(),
//!         Handlers::no_unavailable_image_handler(),
//!     )?
//!     .poll_blocking(Duration::from_secs(5))?;
//! publication.offer(b"hello", Handlers::no_reserved_value_supplier_handler());
//! subscription.poll_once(|msg, _header| println!("{msg:?}"), 10)?;
//! # Ok::<(), AeronCError>(())
//! ```
//!
//! ## Ownership
//!
//! Every resource holds what it needs: publications, subscriptions, counters and counters readers hold
//! the client ([`Aeron`]), which holds its [`AeronContext`]. Dropping them in any order is safe; the C
//! client closes when the last of them is gone, and the context after it. Resources close on drop, and
//! `close(self)` consumes them, so nothing can be closed twice. Images and buffer claims borrow their
//! subscription / publication, so the borrow checker keeps them from outliving it.
//!
//! ## Handlers
//!
//! Each C callback typedef has a trait (`AeronFragmentHandlerCallback`, ...), a closure adapter
//! (`AeronFragmentHandlerClosure::from(|msg, header| ...)`) and a logger (`AeronFragmentHandlerLogger`).
//! Handlers used during a call (poll, offer, for-each) are borrowed for that call and dispatched through a
//! trampoline monomorphised for their type: no allocation, no boxing. Handlers registered with a resource
//! (image handlers of a subscription, context handlers) are moved into it and freed exactly when C can no
//! longer call them: for a subscription when the client conductor reports the close complete (or when the
//! client closes), for a context when the context closes. There is no `Handler::leak` and no `release`.
//!
//! A panic inside a handler never unwinds through C: the trampoline catches it. If the handler ran inside a
//! call made from Rust on the same thread (poll, offer, ...), the panic is resumed when that call returns;
//! if it ran on the client conductor thread, it is reported (stderr and `log::error!`) and dropped.
//!
//! ## Re-entrancy
//!
//! A handler may call any method of any object it can reach. Where C cannot take the call at that moment
//! the wrapper refuses it: a subscription's image-list calls (`poll`, `for_each_image`, `image_count`,
//! `image_at_index`, ...) from inside a handler of the same subscription return
//! [`AeronErrorType::ReentrantCall`] (the infallible ones panic with it and have `try_` variants), and an
//! exclusive publication refuses log writes from inside its own reserved-value supplier. Retained images
//! always hold a real reference; `offer_block` validates the block; fragment slices are bounded by their
//! term. The rule for every method is in `docs/safety.md` of the repository.
//!
//! ## Thread safety
//!
//! | Type | `Send` | `Sync` | Why |
//! |---|---|---|---|
//! | [`AeronContext`] | yes | yes | all access goes through a mutex; read-only once a client uses it |
//! | [`Aeron`] | yes | yes | the C client is thread-safe for adding/removing resources (invoker mode is not exposed) |
//! | [`AeronPublication`] | yes | yes | C concurrent publications may be offered on from many threads |
//! | [`AeronExclusivePublication`] | yes | **no** | single-writer by design; not `Clone` |
//! | [`AeronSubscription`] | yes | **no** | polling must be done by one thread at a time; not `Clone` |
//! | [`AeronImage`] | **no** | **no** | borrows its subscription; polled on the subscription's thread |
//! | [`AeronImageRef`] | **no** | **no** | a callback-scoped view; read-only queries only |
//! | [`AeronCounter`] | yes | yes | the value is atomic |
//! | [`AeronCountersReader`] | yes | yes | read-only access to the mapped counters |
//! | [`AeronBufferClaim`] | **no** | **no** | borrows its publication for the claim |
//! | `AeronAsyncAdd*` | yes | **no** | poll from one thread at a time |
//! | [`AeronFragmentAssembler`] | if the delegate is | **no** | used through `&mut` |
//! | [`AeronCnc`] | yes | yes | read-only access to the mapped CnC file |
//!
//! Handlers registered with the client (image handlers, context handlers) must be `Send + 'static`: they
//! run on the client conductor thread.
//!
//! ## Generated code
//!
//! The mechanical part (handler traits, context accessors, simple queries, constants) lives in the
//! `generated` module, produced by `cargo xtask codegen` from the bindgen output of `aeronc.h`; the
//! hand-written modules take precedence where both exist.

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod aeron;
mod archive_client_error_code;
mod archive_error_code;
mod assembler;
mod block_poll;
mod claim_ops;
mod claim_with;
mod client_handlers;
mod cnc;
mod context;
mod counter;
mod error;
// Generated by `cargo xtask codegen`; kept byte-identical to the generator output.
#[rustfmt::skip]
mod generated;
mod handler_box;
mod header;
mod idle;
mod log_data;
mod misc;
mod offer_result;
mod panic;
mod publication;
mod subscription;
mod uri;

/// The raw `aeron-sys` bindings, for crates layered on this one.
pub use aeron_sys as bindings;

/// Building blocks for the crates of this workspace layered on this one (`rusteron-archive`'s generated
/// trampolines); not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::log_data::fragment_bytes;
}

pub use aeron::Aeron;
pub use archive_client_error_code::ArchiveClientErrorCode;
pub use archive_error_code::ArchiveErrorCode;
pub use assembler::{
    AeronControlledFragmentAssembler, AeronFragmentAssembler,
    AeronImageControlledFragmentAssembler, AeronImageFragmentAssembler,
};
pub use client_handlers::AeronHandlerRegistration;
pub use cnc::AeronCnc;
pub use context::AeronContext;
pub use counter::{AeronCounter, AeronCountersReader};
pub use error::{AeronCError, AeronErrorType};
pub use generated::*;
pub use header::{
    AeronHeader, AeronPublicationErrorFrame, AeronPublicationErrorValues,
    AeronPublicationErrorValuesCopy,
};
pub use idle::{
    BackoffIdleStrategy, BusySpinIdleStrategy, IdleStrategy, NoOpIdleStrategy,
    SleepingIdleStrategy, YieldingIdleStrategy,
};
pub use log_data::BlockError;
pub use misc::*;
pub use offer_result::AeronOfferError;
pub use publication::{
    AeronAsyncAddCounter, AeronAsyncAddExclusivePublication, AeronAsyncAddPublication,
    AeronAsyncDestination, AeronAsyncNextSessionId, AeronBufferClaim, AeronExclusivePublication,
    AeronPublication, MAX_STACK_IOVECS,
};
pub use subscription::{AeronAsyncAddSubscription, AeronImage, AeronImageRef, AeronSubscription};
pub use uri::{AeronUri, AeronUriStringBuilder, ControlMode, Media};

/// Publication constants (`aeron_publication_constants_t`).
pub type AeronPublicationConstants = aeron_sys::aeron_publication_constants_t;
/// Subscription constants (`aeron_subscription_constants_t`).
pub type AeronSubscriptionConstants = aeron_sys::aeron_subscription_constants_t;
/// Image constants (`aeron_image_constants_t`).
pub type AeronImageConstants = aeron_sys::aeron_image_constants_t;
/// Counter constants (`aeron_counter_constants_t`).
pub type AeronCounterConstants = aeron_sys::aeron_counter_constants_t;
/// Header values (`aeron_header_values_t`).
pub type AeronHeaderValues = aeron_sys::aeron_header_values_t;
