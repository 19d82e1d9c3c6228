//! Build script of `aeron-sys`: decides how the Aeron C libraries get into the build and tells cargo how to
//! link them (docs/building.md). The Rust bindings themselves are committed under `src/generated/` (made by
//! `cargo xtask codegen`), so no libclang is needed here. Three ways, checked in this order:
//!
//! 1. `DOCS_RS` set (docs.rs, or `cargo doc` on a machine without CMake): nothing is built or linked.
//! 2. `AERON_LIB_DIR` set: an installed Aeron 1.54 is linked (static or shared, `system.rs`).
//! 3. Default: the C client, media driver and archive client are built with CMake from the Aeron sources
//!    (`locate.rs`) and linked statically.

mod cmake_tool;
#[path = "locate.rs"]
mod locate;
mod system;

use std::env;
use std::path::{Path, PathBuf};

fn main() {
    for var in [
        locate::SOURCE_DIR_ENV,
        "CMAKE",
        "AERON_CMAKE_BUILD_TYPE",
        "DOCS_RS",
        system::LIB_DIR_ENV,
        system::INCLUDE_DIR_ENV,
        system::LINK_ENV,
        system::SYSTEM_LIBS_ENV,
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    for path in ["build", "cmake/CMakeLists.txt", "generated/c"] {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rustc-check-cfg=cfg(aeron_archive)");

    if env::var_os("DOCS_RS").is_some() {
        // The bindings are committed: rustdoc needs no C library, and docs.rs has no CMake or network.
        eprintln!("aeron-sys: DOCS_RS is set, not building or linking the Aeron C libraries");
        println!("cargo:rustc-cfg=aeron_archive");
        return;
    }

    if let Some(lib_dir) = env::var_os(system::LIB_DIR_ENV).filter(|v| !v.is_empty()) {
        let linked = system::link(Path::new(&lib_dir)).unwrap_or_else(|msg| fail(&msg));
        if linked.archive {
            println!("cargo:rustc-cfg=aeron_archive");
        }
        println!(
            "cargo:rustc-env=AERON_SYS_NATIVE_LIB_DIR={}",
            linked.lib_dir.display()
        );
        println!("cargo:include={}", linked.include_dir.display());
        return;
    }

    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));

    // Find CMake first: without it nothing else matters, and the message says what to do.
    let cmake = cmake_tool::find(&out_dir).unwrap_or_else(|msg| fail(&msg));
    let config_dir = project_dir(&out_dir).unwrap_or_else(|| manifest_dir.clone());
    let source = locate::locate_for_build(&out_dir.join("locate"), &manifest_dir, &config_dir)
        .unwrap_or_else(|msg| fail(&msg));
    eprintln!(
        "aeron-sys: Aeron sources from {} ({})",
        source.origin,
        source.root.display()
    );
    // The `cmake` crate runs whatever `CMAKE` names.
    env::set_var("CMAKE", &cmake);

    // The C archive client includes its codecs as `c/aeron_archive_client/<type>.h`.
    let codecs = manifest_dir.join("generated");
    let mut config = cmake::Config::new(manifest_dir.join("cmake"));
    config
        .define("AERON_SOURCE_DIR", &source.root)
        .profile(&env::var("AERON_CMAKE_BUILD_TYPE").unwrap_or_else(|_| "Release".into()))
        .build_target("rusteron_all");
    let has_archive = codecs
        .join("c/aeron_archive_client/messageHeader.h")
        .is_file();
    if has_archive {
        config.define("RUSTERON_ARCHIVE_CODECS_DIR", &codecs);
    }
    let dst = config.build();
    let lib_dir = link(&dst.join("build"), has_archive);

    // For tests and tools: where the static libraries are (e.g. to install them into a prefix).
    println!(
        "cargo:rustc-env=AERON_SYS_NATIVE_LIB_DIR={}",
        lib_dir.display()
    );
    println!(
        "cargo:rustc-env=AERON_SYS_SOURCE_ROOT={}",
        source.root.display()
    );
    println!(
        "cargo:include={}",
        source.root.join("aeron-client/src/main/c").display()
    );
    println!("cargo:root={}", source.root.display());
}

/// The folder whose cargo configuration applies to this build: the parent of the target directory (cargo
/// marks that with `CACHEDIR.TAG`), which is the project root unless `CARGO_TARGET_DIR` points elsewhere.
fn project_dir(out_dir: &Path) -> Option<PathBuf> {
    out_dir
        .ancestors()
        .find(|a| a.join("CACHEDIR.TAG").is_file())
        .and_then(Path::parent)
        .map(Path::to_path_buf)
}

/// Emits the link directives: static Aeron libraries (dependents first), then the system libraries.
/// Returns the folder holding the libraries.
fn link(build_dir: &Path, has_archive: bool) -> PathBuf {
    let info = std::fs::read_to_string(build_dir.join("rusteron-link.txt"))
        .unwrap_or_else(|e| fail(&format!("CMake did not write rusteron-link.txt: {e}")));
    let value = |key: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
            .unwrap_or("")
            .to_owned()
    };
    println!("cargo:rustc-link-search=native={}", value("lib_dir"));
    if has_archive {
        println!("cargo:rustc-link-lib=static=rusteron_aeron_archive_static");
        println!("cargo:rustc-cfg=aeron_archive");
    }
    println!("cargo:rustc-link-lib=static=rusteron_aeron_driver_static");
    println!("cargo:rustc-link-lib=static=aeron_static");
    for lib in value("system_libs").split(';').filter(|l| !l.is_empty()) {
        println!("cargo:rustc-link-lib={lib}");
    }
    for lib in ["m", "dl", "pthread"] {
        println!("cargo:rustc-link-lib={lib}");
    }
    PathBuf::from(value("lib_dir"))
}

fn fail(msg: &str) -> ! {
    eprintln!("\n\naeron-sys build failed:\n{msg}\n");
    panic!("aeron-sys: {msg}");
}
