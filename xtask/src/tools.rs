//! Build tools that a fresh machine lacks, installed on demand into `target/tools/`.
//!
//! - CMake >= 3.30 (Aeron 1.54 needs it; Debian 12 ships 3.25): the PyPI `cmake` package in a Python venv at
//!   `target/tools/venv`. `aeron-sys/build` finds it there by itself, and `CMAKE` is exported too.
//! - libclang (only for `cargo xtask codegen`): the PyPI `libclang` package in the same venv, pinned so that
//!   bindgen output does not depend on the machine. Its `libclang.so` comes without clang's builtin headers
//!   (`stddef.h`, ...), so codegen passes the C compiler's own builtin include folder to clang.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::paths;

/// Pinned tool versions, so that a fresh machine gets what CI had.
pub const CMAKE_REQ: &str = "cmake>=3.30,<4";
/// libclang version pinned for reproducible bindgen output.
pub const LIBCLANG_REQ: &str = "libclang==18.1.1";

/// Which tools the caller needs.
#[derive(Clone, Copy, Debug)]
pub struct Need {
    /// CMake >= 3.30 for building Aeron.
    pub cmake: bool,
    /// libclang for bindgen.
    pub libclang: bool,
}

/// What was found or installed: the environment variables to export to child processes.
#[derive(Debug, Default, Clone)]
pub struct ToolEnv {
    /// Path of a CMake >= 3.30.
    pub cmake: Option<PathBuf>,
    /// Folder holding `libclang.so`.
    pub libclang_dir: Option<PathBuf>,
    /// Extra clang arguments needed with that libclang (builtin include folder).
    pub clang_args: Vec<String>,
}

impl ToolEnv {
    /// Applies the environment to a command.
    pub fn apply(&self, cmd: &mut Command) {
        if let Some(c) = &self.cmake {
            cmd.env("CMAKE", c);
        }
        if let Some(d) = &self.libclang_dir {
            cmd.env("LIBCLANG_PATH", d);
        }
    }
}

/// Makes sure the needed tools exist, installing them into `target/tools/venv` when missing.
pub fn ensure(need: Need) -> Result<ToolEnv> {
    let mut env = ToolEnv::default();
    if need.cmake {
        env.cmake = Some(ensure_cmake()?);
    }
    if need.libclang {
        let dir = ensure_libclang()?;
        env.clang_args = builtin_include_args()?;
        // bindgen (via clang-sys) loads libclang at run time from LIBCLANG_PATH.
        std::env::set_var("LIBCLANG_PATH", &dir);
        env.libclang_dir = Some(dir);
    }
    Ok(env)
}

fn venv() -> PathBuf {
    paths::tools_dir().join("venv")
}

fn ensure_cmake() -> Result<PathBuf> {
    if let Some(c) = std::env::var_os("CMAKE").map(PathBuf::from) {
        if cmake_ok(&c) {
            println!("xtask: using CMake from $CMAKE: {}", c.display());
            return Ok(c);
        }
    }
    if cmake_ok(Path::new("cmake")) {
        println!("xtask: using cmake from PATH");
        return Ok("cmake".into());
    }
    let local = venv().join("bin/cmake");
    if !cmake_ok(&local) {
        println!(
            "xtask: installing {CMAKE_REQ} from PyPI into {}",
            venv().display()
        );
        pip_install(CMAKE_REQ)?;
    }
    if !cmake_ok(&local) {
        bail!(
            "installed {CMAKE_REQ} into {} but {} does not work",
            venv().display(),
            local.display()
        );
    }
    println!("xtask: using CMake {}", local.display());
    Ok(local)
}

fn cmake_ok(cmake: &Path) -> bool {
    let Ok(out) = Command::new(cmake).arg("--version").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(v) = text.lines().next().and_then(|l| l.rsplit(' ').next()) else {
        return false;
    };
    let mut it = v.split('.').filter_map(|p| p.parse::<u32>().ok());
    matches!((it.next(), it.next()), (Some(major), Some(minor)) if (major, minor) >= (3, 30))
}

fn ensure_libclang() -> Result<PathBuf> {
    let find = || -> Option<PathBuf> {
        let lib = venv().join("lib");
        std::fs::read_dir(&lib).ok()?.flatten().find_map(|py| {
            let dir = py.path().join("site-packages/clang/native");
            dir.join("libclang.so").is_file().then_some(dir)
        })
    };
    if let Some(dir) = find() {
        return Ok(dir);
    }
    println!(
        "xtask: installing {LIBCLANG_REQ} from PyPI into {} (needed by bindgen)",
        venv().display()
    );
    pip_install(LIBCLANG_REQ)?;
    find().context("pip installed libclang but libclang.so was not found in the venv")
}

/// clang's builtin headers (`stddef.h`, `stdbool.h`, `stdarg.h`) are not shipped with the PyPI libclang; the
/// C compiler's builtin include folder provides the same standard declarations.
fn builtin_include_args() -> Result<Vec<String>> {
    let out = Command::new("cc")
        .arg("-print-file-name=include")
        .output()
        .context("running `cc -print-file-name=include` (a C compiler is needed for codegen)")?;
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !Path::new(&dir).join("stddef.h").is_file() {
        bail!("the C compiler's builtin include folder ({dir}) has no stddef.h");
    }
    Ok(vec![format!("-isystem{dir}")])
}

fn pip_install(req: &str) -> Result<()> {
    let venv = venv();
    if !venv.join("bin/pip").is_file() {
        std::fs::create_dir_all(paths::tools_dir())?;
        let python = ["python3", "python"]
            .into_iter()
            .find(|p| Command::new(p).arg("--version").output().is_ok())
            .context("Python 3 is needed to install build tools from PyPI (apt-get install python3-venv)")?;
        run(Command::new(python).args(["-m", "venv"]).arg(&venv))
            .context("creating the Python venv (on Debian: apt-get install python3-venv)")?;
    }
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        req,
    ]))
}

/// Runs a command, echoing it, and fails if it fails.
pub fn run(cmd: &mut Command) -> Result<()> {
    println!("xtask: $ {}", show(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {}", show(cmd)))?;
    if !status.success() {
        bail!("`{}` failed with {status}", show(cmd));
    }
    Ok(())
}

fn show(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
