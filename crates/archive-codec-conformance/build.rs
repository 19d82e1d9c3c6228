//! Compiles the generated conformance shim (`src/generated/shim.c`) and the hand-written byte-vector encoders
//! (`csrc/vectors.c`) and the SBE fidelity probes (`csrc/sbe_fidelity.c`) against the generated C codec headers in `aeron-sys/generated`, with warnings as errors.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let include = manifest.join("../../aeron-sys/generated");
    let sources = [
        manifest.join("src/generated/shim.c"),
        manifest.join("csrc/vectors.c"),
        manifest.join("csrc/sbe_fidelity.c"),
    ];
    let mut build = cc::Build::new();
    build
        .include(&include)
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        .flag_if_supported("-std=c99");
    for s in &sources {
        build.file(s);
        println!("cargo:rerun-if-changed={}", s.display());
    }
    println!(
        "cargo:rerun-if-changed={}",
        include.join("c/aeron_archive_client").display()
    );
    build.compile("archive_codec_conformance_shim");
}
