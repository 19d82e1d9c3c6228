//! The ENOSPC run: the archive's directory on a small tmpfs (a few MiB, `mount -t tmpfs`, needs root) fills
//! up while the publishers record. The archive must keep running (the recordings that cannot be written
//! stop with an error), then survive a `kill -9` on the full filesystem, restart on it, and replay every
//! byte below the recovered stop positions.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::runner::{Fault, Runner};
use super::setup::ArchiveSetup;
use super::Bins;

/// Size of the filesystem.
const SIZE: &str = "6m";

/// A mounted tmpfs, unmounted when dropped.
pub struct SmallFs {
    /// Mount point.
    pub dir: PathBuf,
}

impl SmallFs {
    /// Mounts a tmpfs of [`SIZE`] at `dir`, or says why not.
    pub fn mount(dir: &Path) -> Result<SmallFs, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={SIZE}"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("running mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(SmallFs {
            dir: dir.to_owned(),
        })
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

/// Free bytes of the filesystem holding `dir`.
fn free_bytes(dir: &Path) -> Result<u64> {
    let c = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).context("path")?;
    // SAFETY: statvfs(3) on a NUL-terminated path into a zeroed, writable struct.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        anyhow::bail!(
            "statvfs {}: {}",
            dir.display(),
            std::io::Error::last_os_error()
        );
    }
    Ok(s.f_bavail as u64 * s.f_frsize as u64)
}

/// Runs the ENOSPC run below `base`; `Err(reason)` if the machine allows no small filesystem.
pub fn run<'a>(
    bins: &'a Bins,
    seed: u64,
    base: &Path,
    threading_mode: &str,
) -> Result<Result<Runner<'a>, String>> {
    std::fs::create_dir_all(base)?;
    let fs = match SmallFs::mount(&base.join("small-fs")) {
        Ok(fs) => fs,
        Err(why) => return Ok(Err(why)),
    };
    let mut setup = ArchiveSetup::new("archive", base, fs.dir.join("archive"), threading_mode);
    // Java's low-storage check (128 MiB by default) refuses new recordings with a clear error long before
    // a small filesystem is full; 0 lets the writes themselves run into ENOSPC.
    setup.low_storage_threshold = Some("0");
    let mut r = Runner::new(
        bins,
        "ENOSPC (tmpfs 6 MiB)",
        seed,
        base.to_owned(),
        setup,
        vec![Fault::KillEmbedded],
    );
    r.disk_may_fill = true;
    // Cycles until the filesystem is full, then one more on the full filesystem.
    let mut full_cycles = 0;
    for _ in 0..12 {
        r.cycle(Duration::from_secs(4))?;
        if free_bytes(&fs.dir)? < 256 * 1024 {
            full_cycles += 1;
            if full_cycles == 2 {
                break;
            }
        }
    }
    let free = free_bytes(&fs.dir)?;
    r.finish()?;
    if full_cycles == 0 {
        r.totals.errors.push(format!(
            "the filesystem never filled up ({free} bytes free)"
        ));
    } else {
        r.totals.notes.push(format!(
            "filesystem full ({free} bytes free) in {full_cycles} cycle(s)"
        ));
    }
    drop(fs);
    let log = std::fs::read_to_string(&r.archive.log).unwrap_or_default();
    let enospc = log
        .lines()
        .filter(|l| l.contains("recording write failed") && l.contains("No space left"))
        .count();
    let refused = log
        .lines()
        .filter(|l| l.contains("low storage threshold"))
        .count();
    r.totals.notes.push(format!(
        "archive log: {enospc} recording(s) stopped by a write failing with ENOSPC, {refused} recording(s) refused for lack of space"
    ));
    if enospc == 0 {
        r.totals
            .errors
            .push("no recording write ran into ENOSPC".into());
    }
    Ok(Ok(r))
}
