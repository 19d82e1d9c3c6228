//! Test data shared by the integration tests (and, by path, the conformance crate).
#![allow(dead_code)]

pub mod protocol_table;
pub mod vectors;
