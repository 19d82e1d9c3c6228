//! rusteron-client 0.2.16 from crates.io, built in a throw-away workspace under `target/bench/` so that it
//! never enters our dependency graph or `Cargo.lock`.
//!
//! The workspace holds the same `wire` programs as ours (`args.rs`, `histogram.rs` and `main.rs` are copied
//! from `crates/rusteron-client/benches/wire/`; the API-specific files are in `legacy/`). What 0.2.16 needs
//! to build here, found by building it:
//! - CMake >= 3.30 (`CMAKE`) and libclang for its build-time bindgen (`LIBCLANG_PATH`, plus the C compiler's
//!   builtin include folder in `BINDGEN_EXTRA_CLANG_ARGS`, since the PyPI libclang has no builtin headers);
//! - on Linux its build script always links `-lbsd`, but Debian without `libbsd-dev` has no `libbsd.so`;
//!   Aeron 1.54 does not use libbsd with glibc >= 2.36 (CMake does not find it), so an empty `libbsd.a` in a
//!   link-search folder satisfies the flag;
//! - feature `static` (link Aeron statically, as `aeron-sys` and the C samples do) and
//!   `RUSTERON_C_MARCH=x86-64` (its default is `-march=native`; ours and the samples use the compiler default),
//!   so that all three run the same C code.

use anyhow::{bail, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::paths;
use crate::tools::{self, ToolEnv};

/// The crates.io version measured.
pub const VERSION: &str = "0.2.16";

/// Files shared with our `wire` programs.
const SHARED: &[&str] = &["main.rs", "args.rs", "histogram.rs"];

/// Files written against the 0.2.16 API.
const OWN: &[(&str, &str)] = &[
    ("client.rs", include_str!("legacy/client.rs")),
    ("ping.rs", include_str!("legacy/ping.rs")),
    ("pong.rs", include_str!("legacy/pong.rs")),
    ("publisher.rs", include_str!("legacy/publisher.rs")),
    ("subscriber.rs", include_str!("legacy/subscriber.rs")),
];

/// Writes the workspace into `dir`, builds it (release) and returns its `wire` executable.
pub fn build(env: &ToolEnv, dir: &Path) -> Result<PathBuf> {
    let shim = dir.join("link-shim");
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::create_dir_all(dir.join(".cargo"))?;
    std::fs::create_dir_all(&shim)?;
    write_if_changed(&dir.join("Cargo.toml"), &manifest())?;
    write_if_changed(&dir.join(".cargo/config.toml"), &config(&shim))?;
    write_if_changed(&shim.join("libbsd.a"), "!<arch>\n")?;
    let ours = paths::root().join("crates/rusteron-client/benches/wire");
    for name in SHARED {
        write_if_changed(
            &dir.join("src").join(name),
            &std::fs::read_to_string(ours.join(name))?,
        )?;
    }
    for (name, text) in OWN {
        write_if_changed(&dir.join("src").join(name), text)?;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(dir)
        .args(["build", "--release"])
        .env("CARGO_TARGET_DIR", dir.join("target"));
    env.apply(&mut cmd);
    cmd.env("BINDGEN_EXTRA_CLANG_ARGS", env.clang_args.join(" "));
    tools::run(&mut cmd)?;
    let exe = dir.join("target/release/wire");
    if !exe.is_file() {
        bail!("{} was not built", exe.display());
    }
    Ok(exe)
}

fn manifest() -> String {
    format!(
        "# Written by `cargo xtask bench`: rusteron-client {VERSION} from crates.io, measured against ours.\n\
         # Its own workspace and Cargo.lock; never part of the rusteron workspace.\n\
         [package]\nname = \"rusteron-{}-bench\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [[bin]]\nname = \"wire\"\npath = \"src/main.rs\"\n\n\
         [dependencies]\nrusteron-client = {{ version = \"={VERSION}\", features = [\"static\"] }}\n\
         hdrhistogram = {{ version = \"7\", default-features = false }}\n\n\
         # Same release profile as the rusteron workspace.\n[profile.release]\ndebug = 1\n\n[workspace]\n",
        VERSION.replace('.', "")
    )
}

fn config(shim: &Path) -> String {
    format!(
        "# Written by `cargo xtask bench` (see xtask/src/bench/legacy.rs).\n\
         [build]\nrustflags = [\"-L\", \"native={}\"]\n\n[env]\nRUSTERON_C_MARCH = \"x86-64\"\n",
        shim.display()
    )
}

fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text)?;
    }
    Ok(())
}
