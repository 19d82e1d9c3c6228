//! A JVM-free Aeron Archive, wire-compatible with the official Aeron 1.54 archive clients.
//!
//! [`ArchiveServer::launch`] starts an archive on a running media driver: it serves the archive control
//! protocol on the configured control channels, records streams into segment files and a catalog in the
//! Java archive's formats, and replays them. With the `test-util` feature (on by default),
//! [`test_util::TestArchive`] starts a media driver and an archive on a temporary directory.

#![deny(missing_docs)]

pub mod channel;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
pub mod error;
pub mod server;
pub mod storage;
#[cfg(feature = "test-util")]
pub mod test_util;
pub mod threading;
#[cfg(feature = "tool")]
pub mod tool;

pub use config::ArchiveConfig;
pub use error::ServerError;
pub use server::{
    AllowAllAuthoriser, ArchiveServer, AuthDecision, Authenticator, Authoriser, DenyAllAuthoriser,
    SampleAuthenticator,
};
pub use threading::{AgentIdleStrategy, ThreadingMode};
