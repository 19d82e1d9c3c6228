//! A JVM-free Aeron Archive, wire-compatible with the official Aeron 1.54 archive clients.
//!
//! Work in progress: channel handling and the storage layer (segment files, positions, recovery).

#![deny(missing_docs)]

pub mod channel;
pub mod config;
pub mod storage;
