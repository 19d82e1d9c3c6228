//! `cargo xtask package-check`: proves that every published crate can be released (docs/releasing.md).
//!
//! 1. `cargo package --workspace` (all crates that are not `publish = false`): cargo packages them in
//!    dependency order and verifies each package by building it from its `.crate` alone, resolving the
//!    not-yet-published workspace crates through a local registry overlay.
//! 2. Each `.crate` file is opened: it must hold its README and both license files, no Aeron source file,
//!    and stay far below crates.io's 10 MiB limit. A table of files and sizes is printed.
//! 3. `cargo publish --workspace --dry-run --no-verify`: the registry-side checks of a release in order.
//! 4. docs.rs: `cargo doc` of every published crate with `DOCS_RS=1`, with CMake and the C/C++ compilers
//!    replaced by `false` and no Aeron source reachable, in its own target folder (`target/package-check/docs-rs`).
//! 5. `rust-version`: clippy's `incompatible_msrv` (denied) over the libraries and binaries of the
//!    published crates, so no crate uses a standard library item newer than the Rust it declares.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::{paths, tools};

/// Largest `.crate` file we accept (crates.io refuses more than 10 MiB).
const MAX_CRATE_BYTES: u64 = 2 * 1024 * 1024;

/// Runs every check, printing what it does and how long each step took.
pub fn run() -> Result<()> {
    let start = Instant::now();
    let (published, unpublished) = workspace_packages()?;
    println!("package-check: published crates: {}", published.join(", "));
    let env = tools::ensure(tools::Need {
        cmake: true,
        libclang: false,
    })?;

    // Packages of an earlier run carry the same version: cargo would verify against those stale
    // unpacked sources, and against the copies of them it extracted from its local registry into
    // `$CARGO_HOME/registry/src/-<hash>/` (local registries are the folders whose name starts with `-`;
    // cargo never re-extracts a version it has). Start from nothing.
    let _ = std::fs::remove_dir_all(paths::target_dir().join("package"));
    forget_local_registry_copies(&published);
    let step = Instant::now();
    let mut cmd = cargo();
    cmd.args(["package", "--workspace", "--allow-dirty"]);
    exclude(&mut cmd, &unpublished);
    env.apply(&mut cmd);
    tools::run(&mut cmd)?;
    println!(
        "package-check: cargo package (with verification) took {}s",
        step.elapsed().as_secs()
    );

    inspect_crates(&published)?;

    let step = Instant::now();
    let mut cmd = cargo();
    cmd.args([
        "publish",
        "--workspace",
        "--dry-run",
        "--no-verify",
        "--allow-dirty",
    ]);
    exclude(&mut cmd, &unpublished);
    tools::run(&mut cmd)?;
    println!(
        "package-check: cargo publish --dry-run took {}s",
        step.elapsed().as_secs()
    );

    let step = Instant::now();
    docs_without_c_toolchain(&unpublished)?;
    println!(
        "package-check: docs.rs build took {}s",
        step.elapsed().as_secs()
    );

    let step = Instant::now();
    let mut cmd = cargo();
    cmd.args(["clippy", "--lib", "--bins"]);
    for name in &published {
        cmd.args(["-p", name]);
    }
    cmd.args(["--", "-A", "clippy::all", "-D", "clippy::incompatible_msrv"]);
    env.apply(&mut cmd);
    tools::run(&mut cmd)?;
    println!(
        "package-check: clippy incompatible_msrv took {}s",
        step.elapsed().as_secs()
    );

    println!(
        "package-check: all checks passed in {}s",
        start.elapsed().as_secs()
    );
    Ok(())
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(paths::root());
    cmd
}

fn exclude(cmd: &mut Command, unpublished: &[String]) {
    for name in unpublished {
        cmd.args(["--exclude", name]);
    }
}

/// Workspace members split into (published, `publish = false`), from `cargo metadata`.
fn workspace_packages() -> Result<(Vec<String>, Vec<String>)> {
    let out = cargo()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let mut published = Vec::new();
    let mut unpublished = Vec::new();
    for p in meta["packages"]
        .as_array()
        .context("no packages in cargo metadata")?
    {
        let name = p["name"]
            .as_str()
            .context("package without name")?
            .to_string();
        // `publish = false` shows as an empty registry list.
        if p["publish"].as_array().is_some_and(|r| r.is_empty()) {
            unpublished.push(name);
        } else {
            published.push(name);
        }
    }
    Ok((published, unpublished))
}

/// Removes `$CARGO_HOME/registry/{src,cache}/-<hash>/<crate>-*` of our crates: copies cargo extracted from
/// the local registry of an earlier `cargo package --workspace` (crates.io's folders are left alone).
fn forget_local_registry_copies(published: &[String]) {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")));
    if let Some(home) = home {
        forget_local_registry_copies_in(&home, published);
    }
}

/// [`forget_local_registry_copies`] below the cargo home `home`.
fn forget_local_registry_copies_in(home: &std::path::Path, published: &[String]) {
    for kind in ["src", "cache"] {
        let Ok(registries) = std::fs::read_dir(home.join("registry").join(kind)) else {
            continue;
        };
        for registry in registries.flatten() {
            if !registry.file_name().to_string_lossy().starts_with('-') {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(registry.path()) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let ours = published.iter().any(|p| {
                    name.strip_prefix(p.as_str())
                        .and_then(|r| r.strip_prefix('-'))
                        .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
                });
                if ours {
                    let path = entry.path();
                    let _ = if path.is_dir() {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                }
            }
        }
    }
}

/// Opens each `target/package/<name>-<version>.crate` and checks its content.
fn inspect_crates(published: &[String]) -> Result<()> {
    let dir = paths::target_dir().join("package");
    println!(
        "package-check: {:<38} {:>6} {:>10}",
        "crate", "files", "bytes"
    );
    let mut problems = Vec::new();
    for name in published {
        let file = newest_crate(&dir, name)?;
        let size = std::fs::metadata(&file)?.len();
        let out = Command::new("tar")
            .arg("tzf")
            .arg(&file)
            .output()
            .context("running tar")?;
        if !out.status.success() {
            bail!("cannot list {}", file.display());
        }
        let listing = String::from_utf8_lossy(&out.stdout);
        let files: Vec<&str> = listing.lines().filter(|l| !l.ends_with('/')).collect();
        println!(
            "package-check: {:<38} {:>6} {:>10}",
            file.file_name().unwrap().to_string_lossy(),
            files.len(),
            size
        );
        problems.extend(
            content_problems(&files)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
        if size > MAX_CRATE_BYTES {
            problems.push(format!("{name}: {size} bytes, more than {MAX_CRATE_BYTES}"));
        }
    }
    if !problems.is_empty() {
        bail!("package content problems:\n  {}", problems.join("\n  "));
    }
    Ok(())
}

/// The `.crate` file of `name` (there is one version at a time in the workspace).
fn newest_crate(dir: &Path, name: &str) -> Result<PathBuf> {
    let prefix = format!("{name}-");
    std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let f = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            f.ends_with(".crate")
                && f.strip_prefix(&prefix)
                    .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        })
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .with_context(|| format!("no {name}-*.crate in {}", dir.display()))
}

/// What is wrong with the file list of one package (paths as `tar` prints them, `<name>-<version>/...`).
fn content_problems(files: &[&str]) -> Vec<String> {
    let rel: Vec<&str> = files
        .iter()
        .map(|f| f.split_once('/').map_or(*f, |(_, r)| r))
        .collect();
    let mut problems = Vec::new();
    for needed in ["README.md", "LICENSE-MIT", "LICENSE-APACHE", "Cargo.toml"] {
        if !rel.contains(&needed) {
            problems.push(format!("{needed} is missing"));
        }
    }
    for f in &rel {
        if is_aeron_source(f) {
            problems.push(format!("{f} looks like Aeron source"));
        }
    }
    problems
}

/// Files that only come from the Aeron tree: its C/C++/Java sources, its version file, its folders.
fn is_aeron_source(path: &str) -> bool {
    let aeron_dirs = [
        "aeron-client/",
        "aeron-driver/",
        "aeron-archive/",
        "aeron-cluster/",
        "aeron/",
    ];
    aeron_dirs
        .iter()
        .any(|d| path.starts_with(d) || path.contains(&format!("/{d}")))
        || path == "version.txt"
        || [".c", ".cpp", ".java", ".gradle"]
            .iter()
            .any(|ext| path.ends_with(ext))
}

/// `cargo doc` as docs.rs runs it: `DOCS_RS=1`, no CMake, no C compiler, no Aeron sources.
fn docs_without_c_toolchain(unpublished: &[String]) -> Result<()> {
    let target = paths::target_dir().join("package-check/docs-rs");
    let mut cmd = cargo();
    cmd.args(["doc", "--workspace", "--no-deps", "--target-dir"])
        .arg(&target);
    exclude(&mut cmd, unpublished);
    for (var, value) in docs_rs_env() {
        cmd.env(var, value);
    }
    tools::run(&mut cmd)
}

/// The environment of a docs.rs-like build: anything that would build Aeron fails loudly.
fn docs_rs_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("DOCS_RS", "1"),
        ("CMAKE", "/bin/false"),
        ("CC", "/bin/false"),
        ("CXX", "/bin/false"),
        ("AERON_SOURCE_DIR", "/nonexistent/aeron"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_without_license_or_with_aeron_sources_is_reported() {
        let good = [
            "x-0.1.0/Cargo.toml",
            "x-0.1.0/README.md",
            "x-0.1.0/LICENSE-MIT",
            "x-0.1.0/LICENSE-APACHE",
            "x-0.1.0/src/lib.rs",
        ];
        assert!(content_problems(&good).is_empty());
        let bad = [
            "x-0.1.0/Cargo.toml",
            "x-0.1.0/README.md",
            "x-0.1.0/aeron/aeron-client/src/main/c/aeronc.c",
        ];
        let p = content_problems(&bad);
        assert!(p.iter().any(|m| m.contains("LICENSE-MIT")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("Aeron source")), "{p:?}");
    }

    #[test]
    fn generated_codec_headers_and_bindings_are_not_aeron_sources() {
        assert!(!is_aeron_source(
            "generated/c/aeron_archive_client/messageHeader.h"
        ));
        assert!(!is_aeron_source("src/generated/client.rs"));
        assert!(is_aeron_source("aeron-driver/src/main/c/aeronmd.c"));
        assert!(is_aeron_source("version.txt"));
    }

    #[test]
    fn only_our_crates_in_local_registries_are_forgotten() {
        let home = std::env::temp_dir().join(format!("rusteron-pkgcheck-{}", std::process::id()));
        let local = home.join("registry/src/-1234abcd");
        let remote = home.join("registry/src/index.crates.io-1949cf8c6b5b557f");
        for d in [
            local.join("rusteron-client-0.1.0"),
            local.join("rusteron-client-extra-0.1.0"),
            local.join("serde-1.0.0"),
            remote.join("rusteron-client-0.1.0"),
        ] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::create_dir_all(home.join("registry/cache/-1234abcd")).unwrap();
        std::fs::write(
            home.join("registry/cache/-1234abcd/rusteron-client-0.1.0.crate"),
            b"x",
        )
        .unwrap();
        forget_local_registry_copies_in(&home, &["rusteron-client".to_string()]);
        assert!(
            !local.join("rusteron-client-0.1.0").exists(),
            "our stale copy is gone"
        );
        assert!(!home
            .join("registry/cache/-1234abcd/rusteron-client-0.1.0.crate")
            .exists());
        assert!(
            local.join("rusteron-client-extra-0.1.0").exists(),
            "another crate with our name as prefix stays"
        );
        assert!(local.join("serde-1.0.0").exists(), "other crates stay");
        assert!(
            remote.join("rusteron-client-0.1.0").exists(),
            "crates.io's copies stay"
        );
        std::fs::remove_dir_all(&home).unwrap();
    }
}
