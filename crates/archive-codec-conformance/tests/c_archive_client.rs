//! The whole official Aeron 1.54.0 C archive client (`aeron-archive/src/main/c/client/*.c`) compiles against the
//! generated C codec headers, with no diagnostics coming from the generated headers.
//!
//! The Aeron sources are found in the cargo registry (`libaeron-sys-1.54.0/aeron`) or at `$AERON_SOURCE_DIR`;
//! the test is skipped (with a message) when neither exists.

use std::path::{Path, PathBuf};
use std::process::Command;

fn aeron_source() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("AERON_SOURCE_DIR") {
        return Some(PathBuf::from(dir));
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
    std::fs::read_dir(home.join("registry/src"))
        .ok()?
        .flatten()
        .map(|e| e.path().join("libaeron-sys-1.54.0/aeron"))
        .find(|p| p.join("aeron-archive/src/main/c/client").is_dir())
}

#[test]
fn official_c_archive_client_compiles_against_generated_headers() {
    let Some(aeron) = aeron_source() else {
        eprintln!("skipped: Aeron 1.54.0 sources not found (set AERON_SOURCE_DIR)");
        return;
    };
    let generated = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../aeron-sys/generated");
    let client = aeron.join("aeron-archive/src/main/c/client");
    let mut sources: Vec<_> = std::fs::read_dir(&client)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    sources.sort();
    assert!(
        sources.len() >= 15,
        "found only {} client sources",
        sources.len()
    );
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    for src in &sources {
        let out = Command::new(&compiler)
            .args([
                "-fsyntax-only",
                "-std=c11",
                "-Wall",
                "-Wextra",
                "-D_DEFAULT_SOURCE",
            ])
            // Normally produced by Aeron's CMake build; only aeron_archive_client_version.c uses them.
            .args([
                "-DAERON_VERSION_TXT=\"1.54.0\"",
                "-DAERON_VERSION_GITSHA=\"0\"",
                "-DAERON_VERSION_MAJOR=1",
                "-DAERON_VERSION_MINOR=54",
                "-DAERON_VERSION_PATCH=0",
            ])
            .arg(format!(
                "-I{}",
                aeron.join("aeron-client/src/main/c").display()
            ))
            .arg(format!(
                "-I{}",
                aeron.join("aeron-archive/src/main/c").display()
            ))
            .arg(format!("-I{}", generated.display()))
            .arg(src)
            .output()
            .expect("run the C compiler");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{} does not compile:\n{stderr}",
            src.display()
        );
        let ours: Vec<_> = stderr
            .lines()
            .filter(|l| l.contains("aeron_archive_client/"))
            .collect();
        assert!(
            ours.is_empty(),
            "{}: diagnostics in generated headers:\n{}",
            src.display(),
            ours.join("\n")
        );
    }
}
