//! The guides in `docs/` as doctests: each Rust code block of each guide is compiled and run by
//! `cargo test -p doc-snippets --doc` (part of `cargo xtask test`). Blocks that are not Rust are marked
//! `text` or `sh` in the guides.
//!
//! This crate is never published: the guides live outside every published crate, and a published crate
//! must not include files from outside itself.

#[doc = include_str!("../../../docs/client.md")]
pub mod client_md {}

#[doc = include_str!("../../../docs/archive.md")]
pub mod archive_md {}

#[doc = include_str!("../../../docs/archive-server.md")]
pub mod archive_server_md {}

#[doc = include_str!("../../../docs/observability.md")]
pub mod observability_md {}

#[doc = include_str!("../../../docs/building.md")]
pub mod building_md {}

#[doc = include_str!("../../../docs/codegen.md")]
pub mod codegen_md {}

#[doc = include_str!("../../../docs/benchmarks.md")]
pub mod benchmarks_md {}

#[doc = include_str!("../../../docs/releasing.md")]
pub mod releasing_md {}

#[doc = include_str!("../../../docs/safety.md")]
pub mod safety_md {}

#[doc = include_str!("../../../docs/migrating.md")]
pub mod migrating_md {}

#[cfg(test)]
mod tests {
    /// Every guide in docs/ is included above, so a new guide cannot slip past the doctests.
    #[test]
    fn every_guide_is_included() {
        let lib = include_str!("lib.rs");
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
        for entry in std::fs::read_dir(&docs).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") {
                let line = format!("include_str!(\"../../../docs/{name}\")");
                assert!(
                    lib.contains(&line),
                    "docs/{name} is not included in crates/doc-snippets/src/lib.rs"
                );
            }
        }
    }
}
