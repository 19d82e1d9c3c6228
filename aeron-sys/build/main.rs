//! Build script of `aeron-sys`: finds the Aeron sources, builds the C client, media driver and archive client
//! with CMake (statically), and tells cargo how to link them. The Rust bindings themselves are committed
//! under `src/generated/` (made by `cargo xtask codegen`), so no libclang is needed here.

#[path = "locate.rs"]
mod locate;
mod cmake_tool;

use std::env;
use std::path::{Path, PathBuf};

fn main() {
    for var in [locate::SOURCE_DIR_ENV, "CMAKE", "AERON_CMAKE_BUILD_TYPE"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    for path in ["build", "cmake/CMakeLists.txt", "generated/c"] {
        println!("cargo:rerun-if-changed={path}");
    }

    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));

    let source = locate::locate(&out_dir.join("locate"), &manifest_dir).unwrap_or_else(|msg| fail(&msg));
    eprintln!("aeron-sys: Aeron sources from {} ({})", source.origin, source.root.display());
    let cmake = cmake_tool::find(&out_dir).unwrap_or_else(|msg| fail(&msg));
    // The `cmake` crate runs whatever `CMAKE` names.
    env::set_var("CMAKE", &cmake);

    // The C archive client includes its codecs as `c/aeron_archive_client/<type>.h`.
    let codecs = manifest_dir.join("generated");
    let mut config = cmake::Config::new(manifest_dir.join("cmake"));
    config
        .define("AERON_SOURCE_DIR", &source.root)
        .profile(&env::var("AERON_CMAKE_BUILD_TYPE").unwrap_or_else(|_| "Release".into()))
        .build_target("rusteron_all");
    let has_archive = codecs.join("c/aeron_archive_client/messageHeader.h").is_file();
    if has_archive {
        config.define("RUSTERON_ARCHIVE_CODECS_DIR", &codecs);
    }
    let dst = config.build();
    link(&dst.join("build"), has_archive);

    println!("cargo:include={}", source.root.join("aeron-client/src/main/c").display());
    println!("cargo:root={}", source.root.display());
}

/// Emits the link directives: static Aeron libraries (dependents first), then the system libraries.
fn link(build_dir: &Path, has_archive: bool) {
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
    println!("cargo:rustc-check-cfg=cfg(aeron_archive)");
}

fn fail(msg: &str) -> ! {
    eprintln!("\n\naeron-sys build failed:\n{msg}\n");
    panic!("aeron-sys: {msg}");
}
