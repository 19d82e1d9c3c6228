//! How the build script finds CMake >= 3.30, and what it tells a user who has none.

#[path = "../build/cmake_tool.rs"]
#[allow(dead_code)]
mod cmake_tool;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A fake `cmake` that reports `version`.
fn fake_cmake(path: &Path, version: &str) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("#!/bin/sh\necho 'cmake version {version}'\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

/// Whether a `cmake` on PATH would already do (then PATH wins and the assertions below do not apply).
fn path_cmake_is_new_enough() -> bool {
    cmake_tool::find_with(None, Path::new("/nonexistent")).is_ok_and(|c| c == Path::new("cmake"))
}

#[test]
fn a_cmake_that_xtask_installed_into_the_target_folder_is_found_from_out_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let old = fake_cmake(&tmp.path().join("old/cmake"), "3.25.1");
    let provisioned = fake_cmake(&tmp.path().join("target/tools/venv/bin/cmake"), "3.31.6");
    let out_dir = tmp
        .path()
        .join("target/x86_64-unknown-linux-gnu/release/build/aeron-sys-0123/out");
    let found = cmake_tool::find_with(Some(old), &out_dir).unwrap();
    if !path_cmake_is_new_enough() {
        assert_eq!(found, provisioned);
    }
}

#[test]
fn a_cmake_named_by_the_environment_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = fake_cmake(&tmp.path().join("mine/cmake"), "3.30.0");
    fake_cmake(&tmp.path().join("target/tools/venv/bin/cmake"), "3.31.6");
    let out_dir = tmp.path().join("target/debug/build/aeron-sys-0123/out");
    assert_eq!(
        cmake_tool::find_with(Some(mine.clone()), &out_dir).unwrap(),
        mine
    );
}

#[test]
fn without_a_new_enough_cmake_the_message_says_how_to_get_one_or_avoid_it() {
    if path_cmake_is_new_enough() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let old = fake_cmake(&tmp.path().join("old/cmake"), "3.25.1");
    let msg = cmake_tool::find_with(Some(old.clone()), &tmp.path().join("out")).unwrap_err();
    for needed in [
        "CMake 3.30 or newer",
        &format!("{} is 3.25", old.display()),
        "pip install --user 'cmake>=3.30'",
        "CMAKE=/path/to/cmake",
        "AERON_LIB_DIR=",
        "cargo xtask test",
    ] {
        assert!(msg.contains(needed), "{needed:?} missing from: {msg}");
    }
}
