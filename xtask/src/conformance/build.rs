//! Builds what `cargo xtask conformance` runs: the `rusteron-archive-server` binary (release), the `java`
//! stand-in that runs it, and Aeron's C archive client test programs (our CMake project in this folder,
//! compiling the test sources in place from the Aeron tree `aeron-sys` builds from).

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::tools::{self, ToolEnv};
use crate::{locate, paths};

/// The built test programs and what they were built from.
pub struct Built {
    /// CMake build folder; the test programs are run from here (their `ARCHIVE_DIR` is below it).
    pub build_dir: PathBuf,
    /// Test program names, in the order to run them.
    pub tests: Vec<String>,
    /// The archive server binary the stand-in runs.
    pub server: PathBuf,
}

/// What `cargo build` reported: the server executable and the `OUT_DIR` of `aeron-sys`'s build script.
struct CargoOutputs {
    server: PathBuf,
    aeron_sys_out: PathBuf,
}

/// Builds everything under `work` (`target/conformance`).
pub fn all(env: &ToolEnv, work: &Path, extra_properties: &[String]) -> Result<Built> {
    let cargo = build_server(env)?;
    let link = read_link_info(&cargo.aeron_sys_out)?;
    let java = write_java_stand_in(work, &cargo.server, extra_properties)?;
    let source = locate::locate(&work.join("locate"), &paths::root().join("aeron-sys"))
        .map_err(anyhow::Error::msg)?;
    println!(
        "xtask conformance: Aeron test sources from {} ({})",
        source.root.display(),
        source.origin
    );

    let build_dir = work.join("build");
    let cmake = env.cmake.clone().unwrap_or_else(|| "cmake".into());
    let define = |k: &str, v: &Path| format!("-D{k}={}", v.display());
    tools::run(
        Command::new(&cmake)
            .arg("-S")
            .arg(paths::root().join("xtask/src/conformance"))
            .arg("-B")
            .arg(&build_dir)
            .arg("-DCMAKE_BUILD_TYPE=Release")
            .arg(define("AERON_SOURCE_DIR", &source.root))
            .arg(define("AERON_LIB_DIR", &link.lib_dir))
            .arg(format!("-DAERON_SYSTEM_LIBS={}", link.system_libs))
            .arg(define(
                "ARCHIVE_CODECS_DIR",
                &paths::root().join("aeron-sys/generated/c"),
            ))
            .arg(define("JAVA_EXECUTABLE", &java))
            // The stand-in ignores the class path; any value does.
            .arg(define(
                "AERON_ALL_JAR",
                &work.join("aeron-all-not-needed.jar"),
            ))
            .stdout(Stdio::null()),
    )?;
    let jobs = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .to_string();
    tools::run(
        Command::new(&cmake)
            .arg("--build")
            .arg(&build_dir)
            .args(["-j", &jobs]),
    )?;
    let list = build_dir.join("conformance-tests.txt");
    let tests: Vec<String> = std::fs::read_to_string(&list)
        .with_context(|| format!("reading {}", list.display()))?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    for t in &tests {
        if !build_dir.join(t).is_file() {
            bail!("CMake did not build {t}");
        }
    }
    Ok(Built {
        build_dir,
        tests,
        server: cargo.server,
    })
}

/// `cargo build --release -p rusteron-archive-server --bin rusteron-archive-server`, reading the
/// executable and `aeron-sys`'s `OUT_DIR` from cargo's JSON messages.
fn build_server(env: &ToolEnv) -> Result<CargoOutputs> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(paths::root())
        .args([
            "build",
            "--release",
            "--message-format=json-render-diagnostics",
        ])
        .args([
            "-p",
            "rusteron-archive-server",
            "--bin",
            "rusteron-archive-server",
        ])
        .stdout(Stdio::piped());
    env.apply(&mut cmd);
    println!(
        "xtask: $ cargo build --release -p rusteron-archive-server --bin rusteron-archive-server"
    );
    let mut child = cmd.spawn().context("cannot start cargo")?;
    let (mut server, mut out_dir) = (None, None);
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line?) else {
            continue;
        };
        if v["reason"] == "compiler-artifact" && v["target"]["name"] == "rusteron-archive-server" {
            server = v["executable"].as_str().map(PathBuf::from);
        }
        let is_aeron_sys = v["package_id"]
            .as_str()
            .is_some_and(|id| id.contains("aeron-sys"));
        if v["reason"] == "build-script-executed" && is_aeron_sys {
            out_dir = v["out_dir"].as_str().map(PathBuf::from);
        }
    }
    if !child.wait()?.success() {
        bail!("cargo build of rusteron-archive-server failed");
    }
    Ok(CargoOutputs {
        server: server.context("cargo built no rusteron-archive-server executable")?,
        aeron_sys_out: out_dir.context("cargo reported no aeron-sys build script output")?,
    })
}

/// The libraries `aeron-sys` built: `<OUT_DIR>/build/rusteron-link.txt` (written by its CMake project).
struct LinkInfo {
    lib_dir: PathBuf,
    /// `;`-separated system libraries (`uuid`, `bsd`) for the final link.
    system_libs: String,
}

fn read_link_info(out_dir: &Path) -> Result<LinkInfo> {
    let file = out_dir.join("build/rusteron-link.txt");
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
            .unwrap_or("")
            .to_owned()
    };
    let lib_dir = PathBuf::from(value("lib_dir"));
    if !lib_dir.join("librusteron_aeron_archive_static.a").is_file() {
        bail!(
            "aeron-sys built no archive client library in {}",
            lib_dir.display()
        );
    }
    Ok(LinkInfo {
        lib_dir,
        system_libs: value("system_libs"),
    })
}

/// The `JAVA_EXECUTABLE` the tests spawn (with an empty environment): runs the server with every argument,
/// then `extra_properties` (`-Dname=value`; after the test's own, so they win).
fn write_java_stand_in(work: &Path, server: &Path, extra_properties: &[String]) -> Result<PathBuf> {
    std::fs::create_dir_all(work)?;
    let path = work.join("java");
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let extra: String = extra_properties
        .iter()
        .map(|p| format!(" {}", quote(p)))
        .collect();
    let script = format!(
        "#!/bin/sh\n# Stand-in for `java` in Aeron's C archive tests: the same command line, run by rusteron-archive-server.\nexec {} \"$@\"{extra}\n",
        quote(&server.display().to_string())
    );
    std::fs::write(&path, script)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    Ok(path)
}
