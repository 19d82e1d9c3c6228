//! `cargo xtask codegen`: regenerates every committed generated file, or with `--check` verifies that the
//! committed files match what the generators produce now.
//!
//! Each generator returns a list of [`GeneratedFile`]s (paths relative to the workspace root) and names the
//! folders it owns. In write mode the files are written and stale files in owned folders are removed. In
//! check mode everything is generated into `target/xtask/codegen-check/` and compared with the committed
//! tree; every differing, missing or extra file is named and the command fails.

mod archive;
mod bindings;
mod client;

use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::{locate, paths, tools::ToolEnv};

/// One file produced by a generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the workspace root, e.g. `aeron-sys/src/generated/client.rs`.
    pub path: PathBuf,
    /// Full file contents, starting with an `@generated` header.
    pub contents: String,
}

/// Output of one generator.
struct Output {
    /// Folders (relative to the root) whose every file the generator produces.
    owned_dirs: Vec<PathBuf>,
    files: Vec<GeneratedFile>,
}

/// Runs all generators; writes their output, or with `check` compares it with the committed files.
pub fn run(env: &ToolEnv, check: bool) -> Result<()> {
    let root = paths::root();
    let scratch = paths::target_dir().join("xtask");
    let source = locate::locate(&scratch.join("locate"), &root).map_err(anyhow::Error::msg)?;
    println!(
        "xtask codegen: Aeron sources: {} ({})",
        source.root.display(),
        source.origin
    );

    let mut outputs = vec![Output {
        owned_dirs: vec![PathBuf::from(bindings::OUT_DIR)],
        files: bindings::generate(&source.root, env)?,
    }];
    outputs.push(Output {
        owned_dirs: vec![PathBuf::from(client::OUT_DIR)],
        files: client::generate(&root, &outputs[0].files)?,
    });
    outputs.push(Output {
        owned_dirs: vec![PathBuf::from(archive::OUT_DIR)],
        files: archive::generate(&root, &outputs[0].files)?,
    });
    let schema_path = source.root.join(crate::sbe::SCHEMA_PATH);
    let schema = std::fs::read_to_string(&schema_path)
        .with_context(|| format!("reading the archive SBE schema {}", schema_path.display()))?;
    let mark_path = source.root.join(crate::sbe::MARK_SCHEMA_PATH);
    let mark_schema = std::fs::read_to_string(&mark_path).with_context(|| {
        format!(
            "reading the archive mark file SBE schema {}",
            mark_path.display()
        )
    })?;
    let mut sbe_files = crate::sbe::generate(&schema)?;
    sbe_files.extend(crate::sbe::generate_mark(&mark_schema)?);
    outputs.push(Output {
        owned_dirs: crate::sbe::OWNED_DIRS.iter().map(PathBuf::from).collect(),
        files: sbe_files,
    });

    if check {
        check_outputs(&root, &scratch.join("codegen-check"), &outputs)
    } else {
        write_outputs(&root, &outputs)
    }
}

fn owned_files(root: &Path, dir: &Path) -> Result<BTreeSet<PathBuf>> {
    let mut found = BTreeSet::new();
    let full = root.join(dir);
    if !full.exists() {
        return Ok(found);
    }
    let mut stack = vec![full];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.insert(path.strip_prefix(root)?.to_path_buf());
            }
        }
    }
    Ok(found)
}

fn write_outputs(root: &Path, outputs: &[Output]) -> Result<()> {
    for out in outputs {
        let produced: BTreeSet<_> = out.files.iter().map(|f| f.path.clone()).collect();
        for dir in &out.owned_dirs {
            for stale in owned_files(root, dir)?.difference(&produced) {
                println!("xtask codegen: removing stale {}", stale.display());
                std::fs::remove_file(root.join(stale))?;
            }
        }
        for file in &out.files {
            let path = root.join(&file.path);
            if std::fs::read_to_string(&path).ok().as_deref() == Some(file.contents.as_str()) {
                continue;
            }
            std::fs::create_dir_all(path.parent().expect("file has a parent"))?;
            std::fs::write(&path, &file.contents)
                .with_context(|| format!("writing {}", path.display()))?;
            println!("xtask codegen: wrote {}", file.path.display());
        }
    }
    let total: usize = outputs.iter().map(|o| o.files.len()).sum();
    println!("xtask codegen: {total} generated files up to date");
    Ok(())
}

fn check_outputs(root: &Path, temp: &Path, outputs: &[Output]) -> Result<()> {
    if temp.exists() {
        std::fs::remove_dir_all(temp)?;
    }
    let mut problems = Vec::new();
    for out in outputs {
        let produced: BTreeSet<_> = out.files.iter().map(|f| f.path.clone()).collect();
        for dir in &out.owned_dirs {
            for extra in owned_files(root, dir)?.difference(&produced) {
                problems.push(format!(
                    "{} is committed but no longer generated",
                    extra.display()
                ));
            }
        }
        for file in &out.files {
            let fresh = temp.join(&file.path);
            std::fs::create_dir_all(fresh.parent().expect("file has a parent"))?;
            std::fs::write(&fresh, &file.contents)?;
            match std::fs::read_to_string(root.join(&file.path)) {
                Ok(committed) if committed == file.contents => {}
                Ok(_) => problems.push(format!(
                    "{} differs from a fresh generation (diff -u {} {})",
                    file.path.display(),
                    file.path.display(),
                    fresh.display()
                )),
                Err(_) => problems.push(format!("{} is missing", file.path.display())),
            }
        }
    }
    if problems.is_empty() {
        let total: usize = outputs.iter().map(|o| o.files.len()).sum();
        println!("xtask codegen --check: {total} generated files match");
        return Ok(());
    }
    for p in &problems {
        eprintln!("xtask codegen --check: {p}");
    }
    bail!(
        "generated code is out of date ({} files); run `cargo xtask codegen` and commit",
        problems.len()
    )
}

/// The header every generated Rust file starts with.
pub fn rust_header(what: &str) -> String {
    format!(
        "// @generated by `cargo xtask codegen` from {what}.\n// Do not edit by hand: change the generator in \
         `xtask/` and run `cargo xtask codegen`.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(files: &[(&str, &str)]) -> Output {
        Output {
            owned_dirs: vec![PathBuf::from("gen")],
            files: files
                .iter()
                .map(|(p, c)| GeneratedFile {
                    path: PathBuf::from(p),
                    contents: c.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn check_passes_on_identical_tree_and_names_every_drift() {
        let root = tempfile::tempdir().unwrap();
        let temp = root.path().join("check");
        let outputs = [output(&[
            ("gen/a.rs", "// @generated a\n"),
            ("gen/b.rs", "// @generated b\n"),
        ])];
        write_outputs(root.path(), &outputs).unwrap();
        check_outputs(root.path(), &temp, &outputs).unwrap();

        // A hand edit, a stale extra file and a missing file are each reported.
        std::fs::write(root.path().join("gen/a.rs"), "// edited\n").unwrap();
        std::fs::write(root.path().join("gen/stale.rs"), "old").unwrap();
        std::fs::remove_file(root.path().join("gen/b.rs")).unwrap();
        let err = check_outputs(root.path(), &temp, &outputs)
            .unwrap_err()
            .to_string();
        assert!(err.contains("3 files"), "{err}");
        assert_eq!(
            std::fs::read_to_string(temp.join("gen/a.rs")).unwrap(),
            "// @generated a\n"
        );

        // Writing repairs the tree and removes the stale file.
        write_outputs(root.path(), &outputs).unwrap();
        assert!(!root.path().join("gen/stale.rs").exists());
        check_outputs(root.path(), &temp, &outputs).unwrap();
    }
}
