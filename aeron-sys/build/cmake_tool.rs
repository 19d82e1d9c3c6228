//! Finds a CMake new enough for Aeron 1.54 (3.30 or later).
//!
//! Looked for, in order: `$CMAKE`, `cmake` on `PATH`, then the tool folder that `cargo xtask test` fills
//! (`<target dir>/tools/venv/bin/cmake`, a Python venv with the PyPI `cmake` package).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Oldest CMake that Aeron 1.54 accepts.
const MINIMUM: (u32, u32) = (3, 30);

/// Returns the path (or name) of a suitable `cmake`, or the message to fail with.
pub fn find(out_dir: &Path) -> Result<PathBuf, String> {
    let mut tried = Vec::new();
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(c) = std::env::var_os("CMAKE").filter(|c| !c.is_empty()) {
        candidates.push(c.into());
    }
    candidates.push("cmake".into());
    // OUT_DIR is <target>/<profile>/build/aeron-sys-<hash>/out; the tool folder sits in <target>/tools.
    candidates.extend(out_dir.ancestors().map(|a| a.join("tools/venv/bin/cmake")).filter(|p| p.is_file()));

    for candidate in candidates {
        match version(&candidate) {
            Some(v) if v >= MINIMUM => return Ok(candidate),
            Some((major, minor)) => tried.push(format!("{} is {major}.{minor}", candidate.display())),
            None => tried.push(format!("{} not runnable", candidate.display())),
        }
    }
    Err(format!(
        "Aeron 1.54 needs CMake {}.{} or newer, and none was found (tried: {}). Install one with \
         `pip install 'cmake>=3.30'` (or run `cargo xtask test`, which installs it into target/tools/), \
         or point the CMAKE environment variable at a cmake binary of version 3.30 or later.",
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
