//! The ways Aeron gets into a build (docs/building.md), each tried as a downstream user would, with a
//! separate cargo run in a fresh folder:
//!
//! - docs.rs: `DOCS_RS=1` documents the crate with CMake and the C compilers replaced by `false` and no
//!   Aeron source reachable;
//! - vendored and offline: a project depending on the *packaged* `aeron-sys` (the `.crate` that would be
//!   published), with every dependency in a `cargo vendor` directory (the Aeron sources included, via
//!   `libaeron-sys`), an empty `CARGO_HOME` and `--offline`, builds and runs;
//! - installed Aeron: the libraries that build produced, installed into a prefix, are linked through
//!   `AERON_LIB_DIR`, static and (made into shared libraries) shared; a library of another Aeron version is
//!   refused with a clear message.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The downstream program: calls into the client, the media driver and the archive client.
const APP_MAIN: &str = r#"
fn main() {
    // SAFETY: aeron_version_full returns a static NUL-terminated string.
    let version = unsafe { std::ffi::CStr::from_ptr(aeron_sys::aeron_version_full()) };
    println!("{}", version.to_str().unwrap());
    let mut driver = std::ptr::null_mut();
    // SAFETY: valid out-pointer; the context is closed right after.
    assert_eq!(unsafe { aeron_sys::aeron_driver_context_init(&mut driver) }, 0);
    // SAFETY: `driver` was initialised just above and is closed once.
    unsafe { aeron_sys::aeron_driver_context_close(driver) };
    let mut archive = std::ptr::null_mut();
    // SAFETY: as above.
    assert_eq!(unsafe { aeron_sys::aeron_archive_context_init(&mut archive) }, 0);
    // SAFETY: `archive` was initialised just above and is closed once.
    unsafe { aeron_sys::aeron_archive_context_close(archive) };
    println!("driver and archive contexts: ok");
}
"#;

fn cargo() -> Command {
    let mut cmd = Command::new(env!("CARGO"));
    for var in [
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    out
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(out.status.success(), "{cmd:?} failed:\n{}", text(&out));
    text(&out)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn docs_rs_build_needs_neither_cmake_nor_a_c_compiler_nor_aeron_sources() {
    let dir = scratch("docs-rs");
    let hostile = [
        ("CMAKE", "/bin/false"),
        ("CC", "/bin/false"),
        ("CXX", "/bin/false"),
        ("AERON_SOURCE_DIR", "/nonexistent/aeron"),
    ];
    let out = ok(cargo()
        .current_dir(workspace())
        .args(["doc", "-vv", "--no-deps", "-p", "aeron-sys", "--target-dir"])
        .arg(dir.join("target"))
        .envs(hostile)
        .env("DOCS_RS", "1"));
    assert!(out.contains("DOCS_RS is set, not building"), "{out}");
    let index = std::fs::read_to_string(dir.join("target/doc/aeron_sys/index.html")).unwrap();
    assert!(index.contains("aeron_init"), "the bindings are documented");

    // The same environment without DOCS_RS really cannot build Aeron: the skip above is what made it work.
    let out = run(cargo()
        .current_dir(workspace())
        .args(["check", "-p", "aeron-sys", "--target-dir"])
        .arg(dir.join("target"))
        .envs(hostile)
        .env_remove("DOCS_RS"));
    assert!(
        !out.status.success(),
        "a build without CMake and sources succeeded:\n{}",
        text(&out)
    );
}

#[test]
fn vendored_offline_build_of_the_package_and_then_an_installed_aeron() {
    let dir = scratch("vendored");
    // 1. The package as it would be published.
    ok(cargo()
        .current_dir(workspace())
        .args([
            "package",
            "--no-verify",
            "--allow-dirty",
            "-p",
            "aeron-sys",
            "--target-dir",
        ])
        .arg(dir.join("pkg")));
    let version = env!("CARGO_PKG_VERSION");
    let crate_file = dir.join(format!("pkg/package/aeron-sys-{version}.crate"));
    ok(Command::new("tar")
        .arg("xzf")
        .arg(&crate_file)
        .arg("-C")
        .arg(&dir));
    let unpacked = dir.join(format!("aeron-sys-{version}"));

    // 2. Vendor everything a project depending on it needs.
    let app = dir.join("app");
    std::fs::create_dir_all(app.join("src")).unwrap();
    std::fs::write(app.join("src/main.rs"), APP_MAIN).unwrap();
    let manifest = |dep: &str| {
        format!("[package]\nname = \"app\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\naeron-sys = {dep}\n\n[workspace]\n")
    };
    std::fs::write(
        app.join("Cargo.toml"),
        manifest(&format!("{{ path = {:?} }}", unpacked)),
    )
    .unwrap();
    ok(cargo().current_dir(&app).args(["vendor", "vendor"]));
    let lock = std::fs::read_to_string(app.join("Cargo.lock")).unwrap();
    assert!(
        lock.contains("name = \"libaeron-sys\"\nversion = \"1.54.0\""),
        "Cargo.lock lacks the Aeron sources:\n{lock}"
    );
    assert!(
        app.join("vendor/libaeron-sys/aeron/version.txt").is_file(),
        "cargo vendor did not copy the Aeron sources"
    );

    // 3. aeron-sys itself into the vendor directory, as if it came from crates.io; then depend on it by version.
    std::fs::rename(&unpacked, app.join("vendor/aeron-sys")).unwrap();
    std::fs::write(
        app.join("vendor/aeron-sys/.cargo-checksum.json"),
        r#"{"files":{},"package":null}"#,
    )
    .unwrap();
    std::fs::write(app.join("Cargo.toml"), manifest(&format!("\"={version}\""))).unwrap();
    std::fs::remove_file(app.join("Cargo.lock")).unwrap();
    std::fs::create_dir_all(app.join(".cargo")).unwrap();
    std::fs::write(
        app.join(".cargo/config.toml"),
        "[source.crates-io]\nreplace-with = \"vendored-sources\"\n\n[source.vendored-sources]\ndirectory = \"vendor\"\n",
    )
    .unwrap();
    let home = dir.join("empty-cargo-home");
    std::fs::create_dir_all(&home).unwrap();
    let offline = |cmd: &mut Command| -> Command {
        let mut c = std::mem::replace(cmd, Command::new("true"));
        c.current_dir(&app)
            .env("CARGO_HOME", &home)
            .env("CARGO_NET_OFFLINE", "true");
        c
    };
    let started = std::time::Instant::now();
    let log = ok(&mut offline(cargo().args(["build", "-vv", "--offline"])));
    eprintln!("vendored offline build: {:?}", started.elapsed());
    assert!(
        log.contains("libaeron-sys 1.54.0 next to aeron-sys"),
        "sources not taken from the vendor dir:\n{log}"
    );
    let out = ok(&mut Command::new(app.join("target/debug/app")));
    assert!(
        out.contains("aeron version=1.54.0") && out.contains("contexts: ok"),
        "{out}"
    );

    // 4. Install what that build produced into a prefix, as `make install` of Aeron would.
    let link_info =
        find_file(&app.join("target/debug/build"), "rusteron-link.txt").expect("rusteron-link.txt");
    let info = std::fs::read_to_string(&link_info).unwrap();
    let lib_dir = PathBuf::from(
        info.lines()
            .find_map(|l| l.strip_prefix("lib_dir="))
            .unwrap(),
    );
    let prefix = dir.join("prefix");
    std::fs::create_dir_all(prefix.join("lib")).unwrap();
    std::fs::create_dir_all(prefix.join("include/aeron")).unwrap();
    for lib in [
        "libaeron_static.a",
        "librusteron_aeron_driver_static.a",
        "librusteron_aeron_archive_static.a",
    ] {
        std::fs::copy(lib_dir.join(lib), prefix.join("lib").join(lib)).unwrap();
    }
    let sources = app.join("vendor/libaeron-sys/aeron");
    std::fs::copy(
        sources.join("aeron-client/src/main/c/aeronc.h"),
        prefix.join("include/aeron/aeronc.h"),
    )
    .unwrap();

    // 5a. A library of another version is refused, naming both versions.
    let other = dir.join("prefix-1.53");
    std::fs::create_dir_all(other.join("lib")).unwrap();
    std::fs::create_dir_all(other.join("include")).unwrap();
    std::fs::copy(
        prefix.join("include/aeron/aeronc.h"),
        other.join("include/aeronc.h"),
    )
    .unwrap();
    for lib in [
        "librusteron_aeron_driver_static.a",
        "librusteron_aeron_archive_static.a",
    ] {
        std::fs::copy(prefix.join("lib").join(lib), other.join("lib").join(lib)).unwrap();
    }
    let mut client = std::fs::read(prefix.join("lib/libaeron_static.a")).unwrap();
    let mark = b"aeron version=1.54.0";
    let at = client
        .windows(mark.len())
        .position(|w| w == mark)
        .expect("version string in libaeron_static.a");
    client[at + mark.len() - 3] = b'3'; // 1.54.0 -> 1.53.0
    std::fs::write(other.join("lib/libaeron_static.a"), client).unwrap();
    let target = app.join("target-installed");
    let started = std::time::Instant::now(); // a fresh target folder: 5a and 5b together
    let out = run(&mut offline(
        cargo()
            .args(["build", "--offline", "--target-dir"])
            .arg(&target)
            .env("AERON_LIB_DIR", other.join("lib")),
    ));
    let log = text(&out);
    assert!(
        !out.status.success()
            && log.contains("is Aeron 1.53.0")
            && log.contains("for Aeron 1.54.0"),
        "{log}"
    );

    // 5b. The right version links and runs, without CMake.
    let log = ok(&mut offline(
        cargo()
            .args(["build", "-vv", "--offline", "--target-dir"])
            .arg(&target)
            .env("AERON_LIB_DIR", prefix.join("lib"))
            .env("CMAKE", "/bin/false"),
    ));
    eprintln!(
        "builds against the installed Aeron (refused, then linked): {:?}",
        started.elapsed()
    );
    assert!(
        log.contains("linking the installed Aeron 1.54.0 (static)"),
        "{log}"
    );
    let out = ok(&mut Command::new(target.join("debug/app")));
    assert!(
        out.contains("aeron version=1.54.0") && out.contains("contexts: ok"),
        "{out}"
    );

    // 6. The same code as shared libraries (libaeron.so, libaeron_driver.so, libaeron_archive_c_client.so,
    //    linked from those position-independent archives): chosen by default when libaeron.so is there.
    let shared = dir.join("prefix-shared");
    std::fs::create_dir_all(shared.join("lib")).unwrap();
    std::fs::create_dir_all(shared.join("include")).unwrap();
    std::fs::copy(
        prefix.join("include/aeron/aeronc.h"),
        shared.join("include/aeronc.h"),
    )
    .unwrap();
    let system_libs: Vec<String> = info
        .lines()
        .find_map(|l| l.strip_prefix("system_libs="))
        .unwrap_or("")
        .split(';')
        .filter(|l| !l.is_empty())
        .map(|l| format!("-l{l}"))
        .chain(["-lm", "-ldl", "-lpthread"].map(String::from))
        .collect();
    for (so, archive, needs_client) in [
        ("libaeron.so", "libaeron_static.a", false),
        (
            "libaeron_driver.so",
            "librusteron_aeron_driver_static.a",
            true,
        ),
        (
            "libaeron_archive_c_client.so",
            "librusteron_aeron_archive_static.a",
            true,
        ),
    ] {
        let mut cc = Command::new("cc");
        cc.arg("-shared").arg("-o").arg(shared.join("lib").join(so));
        cc.arg("-Wl,--whole-archive")
            .arg(prefix.join("lib").join(archive))
            .arg("-Wl,--no-whole-archive");
        if needs_client {
            cc.arg("-L").arg(shared.join("lib")).arg("-laeron");
        }
        ok(cc.args(&system_libs));
    }
    let log = ok(&mut offline(
        cargo()
            .args(["build", "-vv", "--offline", "--target-dir"])
            .arg(&target)
            .env("AERON_LIB_DIR", shared.join("lib"))
            .env("CMAKE", "/bin/false"),
    ));
    assert!(
        log.contains("linking the installed Aeron 1.54.0 (shared)"),
        "{log}"
    );
    let without = run(Command::new(target.join("debug/app")).env_remove("LD_LIBRARY_PATH"));
    assert!(
        !without.status.success(),
        "the program runs without the shared libraries: not linked dynamically"
    );
    let out = ok(Command::new(target.join("debug/app")).env("LD_LIBRARY_PATH", shared.join("lib")));
    assert!(
        out.contains("aeron version=1.54.0") && out.contains("contexts: ok"),
        "{out}"
    );
}

fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find_file(&path, name) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
    }
    None
}
