//! Finds the Aeron 1.54.0 release source tree.
//!
//! Shared by `aeron-sys/build.rs` and `xtask` (included with `#[path]`), so both always agree on where the
//! sources come from. Order:
//! 1. `AERON_SOURCE_DIR`, if set, must point at an Aeron checkout (the folder holding `version.txt`).
//! 2. Otherwise the crates.io package `libaeron-sys = "=1.54.0"`, which carries the complete release tree
//!    under `aeron/`. `aeron-sys` declares it as a dependency under a target that never matches
//!    (`cfg(any())`), so it is in `Cargo.lock`, `cargo fetch` downloads it and `cargo vendor` copies it, but
//!    it is never built or linked. Its folder is found
//!    - next to `aeron-sys` itself: a vendor directory (`vendor/libaeron-sys`) or the registry's unpacked
//!      sources (`libaeron-sys-1.54.0`), whichever holds a tree of the right version; else
//!    - through cargo: a tiny manifest depending on it is written into a scratch folder and `cargo metadata`
//!      reports where cargo unpacked it (downloading it if needed). Mirrors, source replacement, vendoring
//!      and `--offline` behave exactly as for any other dependency.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Aeron release these bindings are generated from.
pub const AERON_VERSION: &str = "1.54.0";

/// Environment variable that overrides where the Aeron sources are taken from.
pub const SOURCE_DIR_ENV: &str = "AERON_SOURCE_DIR";

/// Where the Aeron source tree was found, and how.
#[derive(Debug, Clone)]
pub struct AeronSource {
    /// Root of the Aeron tree (contains `version.txt`, `aeron-client/`, `aeron-driver/`, ...).
    pub root: PathBuf,
    /// Human readable origin, for build logs.
    pub origin: String,
}

/// Locates the Aeron sources. `scratch` is a writable folder for the helper manifest; `cwd` is the folder
/// whose cargo configuration (`.cargo/config.toml`, source replacement) should apply.
pub fn locate(scratch: &Path, cwd: &Path) -> Result<AeronSource, String> {
    if let Some(dir) = std::env::var_os(SOURCE_DIR_ENV).filter(|v| !v.is_empty()) {
        let root = PathBuf::from(dir);
        check_tree(&root).map_err(|e| {
            format!(
                "{SOURCE_DIR_ENV}={} is not a usable Aeron source tree: {e}",
                root.display()
            )
        })?;
        return Ok(AeronSource {
            root,
            origin: SOURCE_DIR_ENV.to_string(),
        });
    }
    if let Some(root) = beside(cwd) {
        return Ok(AeronSource {
            root,
            origin: format!("libaeron-sys {AERON_VERSION} next to aeron-sys"),
        });
    }
    locate_with_cargo(scratch, cwd)
}

/// Like [`locate`] for a build script: `package_dir` is `aeron-sys`'s own folder (for the look-up next to
/// it) and `config_dir` the folder whose cargo configuration applies to the build (the project root, so its
/// `.cargo/config.toml` with mirrors or vendored sources is honoured).
pub fn locate_for_build(
    scratch: &Path,
    package_dir: &Path,
    config_dir: &Path,
) -> Result<AeronSource, String> {
    if std::env::var_os(SOURCE_DIR_ENV).is_some_and(|v| !v.is_empty()) {
        return locate(scratch, package_dir);
    }
    if let Some(root) = beside(package_dir) {
        return Ok(AeronSource {
            root,
            origin: format!("libaeron-sys {AERON_VERSION} next to aeron-sys"),
        });
    }
    locate_with_cargo(scratch, config_dir)
}

/// The `aeron/` folder of a `libaeron-sys` package unpacked beside `package_dir` (vendor directory or the
/// registry's source folder), if it holds the right version.
pub fn beside(package_dir: &Path) -> Option<PathBuf> {
    let parent = package_dir.parent()?;
    [
        format!("libaeron-sys-{AERON_VERSION}"),
        "libaeron-sys".to_string(),
    ]
    .into_iter()
    .map(|name| parent.join(name).join("aeron"))
    .find(|root| check_tree(root).is_ok())
}

fn locate_with_cargo(scratch: &Path, cwd: &Path) -> Result<AeronSource, String> {
    match from_registry(scratch, cwd) {
        Ok(root) => Ok(AeronSource { root, origin: format!("crates.io package libaeron-sys {AERON_VERSION}") }),
        Err(e) => Err(format!(
            "could not find the Aeron {AERON_VERSION} C sources. They normally come from the crates.io package \
             `libaeron-sys = \"={AERON_VERSION}\"` (a dependency of aeron-sys that is never built; only its \
             `aeron/` folder is used), resolved with `cargo metadata`, which failed: {e}. Fix it by either letting cargo reach crates.io (or your \
             registry mirror) once so that the package is downloaded (for offline use run `cargo fetch` first), \
             or by setting {SOURCE_DIR_ENV}=/path/to/aeron to an unpacked Aeron {AERON_VERSION} release tree \
             (the folder containing `version.txt` and `aeron-client/`)."
        )),
    }
}

/// Checks that `root` looks like an Aeron tree of the expected version.
pub fn check_tree(root: &Path) -> Result<(), String> {
    let header = root.join("aeron-client/src/main/c/aeronc.h");
    if !header.is_file() {
        return Err(format!("{} is missing", header.display()));
    }
    let version = std::fs::read_to_string(root.join("version.txt"))
        .map_err(|e| format!("cannot read version.txt: {e}"))?;
    if version.trim() != AERON_VERSION {
        return Err(format!(
            "version.txt says {}, expected {AERON_VERSION}",
            version.trim()
        ));
    }
    Ok(())
}

fn from_registry(scratch: &Path, cwd: &Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(scratch.join("src")).map_err(|e| e.to_string())?;
    let manifest = scratch.join("Cargo.toml");
    let text = format!(
        "# Written by aeron-sys to locate the Aeron sources; never built.\n\
         [package]\nname = \"aeron-source-locator\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nlibaeron-sys = \"={AERON_VERSION}\"\n\n[workspace]\n"
    );
    write_if_changed(&manifest, &text)?;
    write_if_changed(&scratch.join("src/lib.rs"), "")?;

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(cwd)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&manifest);
    if std::env::var("CARGO_NET_OFFLINE")
        .map(|v| v == "true")
        .unwrap_or(false)
    {
        cmd.arg("--offline");
    }
    // A build script inherits the outer cargo's view of the target; metadata needs none of that.
    for var in ["CARGO_TARGET_DIR", "RUSTC_WRAPPER", "CARGO_BUILD_TARGET"] {
        cmd.env_remove(var);
    }
    let out = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo metadata` exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let json = String::from_utf8_lossy(&out.stdout);
    let manifest_path = find_manifest_path(&json, "libaeron-sys")
        .ok_or_else(|| "cargo metadata did not list libaeron-sys".to_string())?;
    let root = Path::new(&manifest_path)
        .parent()
        .ok_or_else(|| format!("odd manifest path {manifest_path}"))?
        .join("aeron");
    check_tree(&root)?;
    Ok(root)
}

/// Extracts `manifest_path` of the package `name` from `cargo metadata` JSON.
fn find_manifest_path(json: &str, name: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value["packages"].as_array()?.iter().find_map(|p| {
        (p["name"].as_str()? == name && p["version"].as_str()? == AERON_VERSION)
            .then(|| p["manifest_path"].as_str().map(str::to_owned))?
    })
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_of_another_version_or_without_headers_is_rejected() {
        let dir = std::env::temp_dir().join(format!("locate-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("aeron-client/src/main/c")).unwrap();
        assert!(check_tree(&dir).unwrap_err().contains("aeronc.h"));
        std::fs::write(dir.join("aeron-client/src/main/c/aeronc.h"), "").unwrap();
        std::fs::write(dir.join("version.txt"), "1.44.1\n").unwrap();
        assert!(check_tree(&dir).unwrap_err().contains("1.44.1"));
        std::fs::write(dir.join("version.txt"), format!("{AERON_VERSION}\n")).unwrap();
        assert!(check_tree(&dir).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_vendored_or_unpacked_libaeron_sys_next_to_aeron_sys_is_found() {
        let base = std::env::temp_dir().join(format!("locate-beside-{}", std::process::id()));
        let tree = |dir: &Path, version: &str| {
            std::fs::create_dir_all(dir.join("aeron-client/src/main/c")).unwrap();
            std::fs::write(dir.join("aeron-client/src/main/c/aeronc.h"), "").unwrap();
            std::fs::write(dir.join("version.txt"), format!("{version}\n")).unwrap();
        };
        // `cargo vendor` layout: vendor/aeron-sys next to vendor/libaeron-sys.
        let vendor = base.join("vendor");
        std::fs::create_dir_all(vendor.join("aeron-sys")).unwrap();
        assert_eq!(beside(&vendor.join("aeron-sys")), None);
        tree(&vendor.join("libaeron-sys/aeron"), "1.53.0");
        assert_eq!(
            beside(&vendor.join("aeron-sys")),
            None,
            "a tree of another version is not taken"
        );
        tree(&vendor.join("libaeron-sys/aeron"), AERON_VERSION);
        assert_eq!(
            beside(&vendor.join("aeron-sys")),
            Some(vendor.join("libaeron-sys/aeron"))
        );
        // Registry layout: aeron-sys-0.1.0 next to libaeron-sys-1.54.0.
        let registry = base.join("registry");
        tree(
            &registry.join(format!("libaeron-sys-{AERON_VERSION}/aeron")),
            AERON_VERSION,
        );
        assert_eq!(
            beside(&registry.join("aeron-sys-0.1.0")),
            Some(registry.join(format!("libaeron-sys-{AERON_VERSION}/aeron")))
        );
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn manifest_path_is_read_from_cargo_metadata_json() {
        let json = r#"{"packages":[
            {"name":"other","version":"1.0.0","manifest_path":"/x/other/Cargo.toml","dependencies":[{"name":"libaeron-sys"}]},
            {"name":"libaeron-sys","version":"1.54.0","manifest_path":"/reg/libaeron-sys-1.54.0/Cargo.toml"}]}"#;
        assert_eq!(
            find_manifest_path(json, "libaeron-sys").as_deref(),
            Some("/reg/libaeron-sys-1.54.0/Cargo.toml")
        );
        assert_eq!(find_manifest_path("{}", "libaeron-sys"), None);
    }

    #[test]
    fn the_registry_package_is_found_through_cargo() {
        let scratch = std::env::temp_dir().join(format!("locate-registry-{}", std::process::id()));
        let root = from_registry(&scratch, Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert!(root.join("aeron-driver/src/main/c/aeronmd.h").is_file());
        std::fs::remove_dir_all(&scratch).unwrap();
    }
}
