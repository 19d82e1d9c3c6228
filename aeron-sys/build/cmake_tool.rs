//! Finds a CMake new enough for Aeron 1.54 (3.30 or later).
//!
//! Looked for, in order: `$CMAKE`, `cmake` on `PATH`, then the tool folder that `cargo xtask test` fills
//! (`<target dir>/tools/venv/bin/cmake`, a Python venv with the PyPI `cmake` package), found from `OUT_DIR`
//! upwards so that it works for any profile, target triple or nested target folder of the workspace.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Oldest CMake that Aeron 1.54 accepts.
const MINIMUM: (u32, u32) = (3, 30);

/// Returns the path (or name) of a suitable `cmake`, or the message to fail with.
pub fn find(out_dir: &Path) -> Result<PathBuf, String> {
    find_with(
        std::env::var_os("CMAKE")
            .filter(|c| !c.is_empty())
            .map(PathBuf::from),
        out_dir,
    )
}

/// [`find`] with the value of `CMAKE` given.
pub fn find_with(cmake_env: Option<PathBuf>, out_dir: &Path) -> Result<PathBuf, String> {
    let mut tried = Vec::new();
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(c) = cmake_env {
        candidates.push(c);
    }
    candidates.push("cmake".into());
    // OUT_DIR is <target>/<profile>/build/aeron-sys-<hash>/out; the tool folder sits in <target>/tools.
    candidates.extend(
        out_dir
            .ancestors()
            .map(|a| a.join("tools/venv/bin/cmake"))
            .filter(|p| p.is_file()),
    );

    for candidate in candidates {
        match version(&candidate) {
            Some(v) if v >= MINIMUM => return Ok(candidate),
            Some((major, minor)) => {
                tried.push(format!("{} is {major}.{minor}", candidate.display()))
            }
            None => tried.push(format!("{} not runnable", candidate.display())),
        }
    }
    Err(format!(
        "aeron-sys builds the Aeron 1.54 C libraries from source, which needs CMake {}.{} or newer, and none \
         was found (tried: {}).\n\
         Fix it in one of these ways:\n  \
         - install a current CMake from PyPI: `python3 -m pip install --user 'cmake>=3.30'` (or `pipx install \
         cmake`), so that `cmake` on PATH is 3.30+;\n  \
         - point the CMAKE environment variable at a cmake binary of version 3.30 or later: \
         `CMAKE=/path/to/cmake cargo build`;\n  \
         - link an Aeron 1.54 that is already installed instead of building it: \
         `AERON_LIB_DIR=/opt/aeron/lib AERON_INCLUDE_DIR=/opt/aeron/include cargo build`.\n\
         In a rusteron checkout, `cargo xtask test` installs CMake into target/tools/venv, which is found \
         automatically. See docs/building.md of rusteron.\n",
        MINIMUM.0,
        MINIMUM.1,
        tried.join("; ")
    ))
}

fn version(cmake: &Path) -> Option<(u32, u32)> {
    let out = Command::new(cmake).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v = text.lines().next()?.rsplit(' ').next()?;
    let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}
