//! Errors of the archive server.

use crate::channel::ChannelError;
use crate::config::ConfigError;
use crate::storage::StorageError;

/// Why the archive server could not start, or a request could not be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The configuration is not usable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The storage layer (catalog, segment files) failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A channel URI is invalid.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// The Aeron client (or media driver) failed.
    #[error("aeron: {0}")]
    Aeron(#[from] rusteron_client::AeronCError),
    /// An I/O operation failed outside the storage layer (e.g. creating the archive dir).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Starting the embedded media driver of a test archive failed.
    #[error("media driver: {0}")]
    Driver(String),
    /// An agent thread (conductor, recorder, replayer) could not be started.
    #[error("archive conductor: {0}")]
    Conductor(String),
    /// The archive's own Aeron client closed itself (its media driver stopped answering, or timed the
    /// client out): see [`ArchiveServer::fatal_client_error`](crate::server::ArchiveServer::fatal_client_error).
    #[error("the archive's Aeron client has closed: {0}")]
    ClientClosed(String),
}
