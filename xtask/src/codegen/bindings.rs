//! Raw bindings of `aeron-sys`, made with bindgen from the Aeron C headers.
//!
//! Three files, one per public header, so that each safe crate sees what it wraps:
//! `client.rs` (`aeronc.h`), `driver.rs` (`aeronmd.h`) and `archive.rs` (`aeron_archive.h` with
//! `aeron_common.h` and `aeron_archive_client_error.h`). `driver.rs` and `archive.rs` hold only what their
//! headers declare and use the client's types from `client.rs`.

use anyhow::{Context, Result};
use bindgen::callbacks::{IntKind, ParseCallbacks};
use std::path::{Path, PathBuf};

use super::{rust_header, GeneratedFile};
use crate::tools::ToolEnv;

/// Folder (relative to the workspace root) owned by this generator.
pub const OUT_DIR: &str = "aeron-sys/src/generated";

/// Integer macros whose C use is wider or signed: give them the type the C API uses them with.
#[derive(Debug)]
struct MacroTypes;

impl ParseCallbacks for MacroTypes {
    fn int_macro(&self, name: &str, _value: i64) -> Option<IntKind> {
        if name.starts_with("AERON_PUBLICATION_") || name == "AERON_NULL_VALUE" {
            Some(IntKind::I64) // offer results and positions are int64_t
        } else if name.starts_with("AERON_COUNTER_")
            || name.starts_with("AERON_ARCHIVE_ERROR_CODE_")
            || name.starts_with("AERON_ARCHIVE_CLIENT_ERROR_")
        {
            Some(IntKind::I32)
        } else {
            None
        }
    }
}

struct Unit {
    file: &'static str,
    /// Headers included, in order, by the wrapper that bindgen parses.
    includes: &'static [&'static str],
    /// Regex of the header files whose declarations belong to this unit (None: everything reachable).
    own_files: Option<&'static str>,
    what: &'static str,
}

const UNITS: &[Unit] = &[
    Unit {
        file: "client.rs",
        includes: &["aeronc.h"],
        own_files: None,
        what: "aeronc.h",
    },
    Unit {
        file: "driver.rs",
        includes: &["aeronc.h", "aeronmd.h"],
        own_files: Some(".*/aeronmd\\.h"),
        what: "aeronmd.h",
    },
    Unit {
        file: "archive.rs",
        includes: &[
            "aeronc.h",
            "aeron_common.h",
            "aeron_archive_client_error.h",
            "aeron_archive.h",
        ],
        own_files: Some(".*/(aeron_common|aeron_archive_client_error|aeron_archive)\\.h"),
        what: "aeron_archive.h, aeron_common.h and aeron_archive_client_error.h",
    },
];

/// Generates the three binding files plus `mod.rs`.
pub fn generate(aeron: &Path, env: &ToolEnv) -> Result<Vec<GeneratedFile>> {
    let include_dirs = [
        aeron.join("aeron-client/src/main/c"),
        aeron.join("aeron-driver/src/main/c"),
        aeron.join("aeron-archive/src/main/c/client"),
    ];
    let mut files = Vec::new();
    // Items already emitted for the client; headers that re-declare them must not emit them again.
    let mut client_items: Vec<String> = Vec::new();
    for unit in UNITS {
        let wrapper: String = unit
            .includes
            .iter()
            .map(|h| format!("#include \"{h}\"\n"))
            .collect();
        let mut builder = bindgen::Builder::default()
            .header_contents("rusteron_bindings.h", &wrapper)
            .clang_args(include_dirs.iter().map(|d| format!("-I{}", d.display())))
            .clang_args(&env.clang_args)
            .default_enum_style(bindgen::EnumVariation::NewType {
                is_bitfield: false,
                is_global: false,
            })
            .derive_default(true)
            .derive_debug(true)
            .derive_copy(true)
            .generate_comments(true)
            .layout_tests(true)
            .merge_extern_blocks(true)
            .sort_semantically(true)
            .parse_callbacks(Box::new(MacroTypes));
        if let Some(own) = unit.own_files {
            // Only what the unit's own headers declare; the client's items come from `client.rs`.
            builder = builder
                .allowlist_file(own)
                .allowlist_recursively(false)
                .raw_line("#[allow(unused_imports)]\nuse super::client::*;");
            for item in &client_items {
                builder = builder
                    .blocklist_item(item)
                    .blocklist_function(item)
                    .blocklist_type(item);
            }
        } else {
            builder = builder
                .allowlist_function("aeron_.*")
                .allowlist_type("aeron_.*")
                .allowlist_var("AERON_.*");
        }
        let bindings = builder
            .generate()
            .with_context(|| format!("bindgen failed for {}", unit.what))?;
        let text = bindings.to_string();
        if unit.own_files.is_none() {
            client_items = declared_names(&text);
        }
        let contents = format!("{}\n{}", rust_header(unit.what), strip_paths(&text, aeron));
        files.push(GeneratedFile {
            path: PathBuf::from(OUT_DIR).join(unit.file),
            contents,
        });
    }
    files.push(GeneratedFile {
        path: PathBuf::from(OUT_DIR).join("mod.rs"),
        contents: mod_rs(),
    });
    Ok(files)
}

/// Names of the functions, types and constants declared in bindgen output.
fn declared_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        for prefix in [
            "pub fn ",
            "pub type ",
            "pub struct ",
            "pub union ",
            "pub const ",
            "pub static ",
        ] {
            if let Some(rest) = line.strip_prefix(prefix) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    names.push(name);
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Bindings must not depend on where the sources were unpacked.
fn strip_paths(text: &str, aeron: &Path) -> String {
    text.replace(&format!("{}/", aeron.display()), "")
}

fn mod_rs() -> String {
    let mut s = rust_header("the Aeron C headers");
    s.push_str("\n//! Raw bindgen output, one module per public C header.\n\n");
    for unit in UNITS {
        let m = unit.file.trim_end_matches(".rs");
        s.push_str(&format!(
            "/// Declarations of `{}`.\npub mod {m};\n",
            unit.what
        ));
    }
    s.push('\n');
    for unit in UNITS {
        s.push_str(&format!(
            "pub use {}::*;\n",
            unit.file.trim_end_matches(".rs")
        ));
    }
    s
}
