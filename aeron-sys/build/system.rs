//! Linking an Aeron 1.54 that is already installed, instead of building it (docs/building.md).
//!
//! `AERON_LIB_DIR` names the folder with the libraries, `AERON_INCLUDE_DIR` (default `<lib dir>/../include`)
//! the headers. `AERON_LINK=static|dylib` picks the kind; by default shared libraries are used when
//! `libaeron.so` is there, static ones otherwise. Library names, first found wins:
//!
//! | part | static | shared |
//! |---|---|---|
//! | client | `aeron_static` | `aeron` |
//! | media driver | `rusteron_aeron_driver_static`, `aeron_driver_static` | `aeron_driver` |
//! | archive client (optional) | `rusteron_aeron_archive_static`, `aeron_archive_c_client_static` | `aeron_archive_c_client` |
//!
//! The client library must carry Aeron's version string `aeron version=1.54.0`, since the committed
//! bindings describe exactly that version.

use std::path::{Path, PathBuf};

/// Folder of the installed Aeron libraries.
pub const LIB_DIR_ENV: &str = "AERON_LIB_DIR";
/// Folder of the installed Aeron headers.
pub const INCLUDE_DIR_ENV: &str = "AERON_INCLUDE_DIR";
/// `static` or `dylib`.
pub const LINK_ENV: &str = "AERON_LINK";
/// Extra system libraries for a static link, separated by `,` (default: `uuid` when the driver uses it).
pub const SYSTEM_LIBS_ENV: &str = "AERON_SYSTEM_LIBS";

const VERSION_MARK: &[u8] = b"aeron version=";
const EXPECTED: &str = "1.54.0";

/// What was linked.
pub struct Linked {
    /// Folder of the libraries.
    pub lib_dir: PathBuf,
    /// Folder holding `aeronc.h`.
    pub include_dir: PathBuf,
    /// Whether an archive client library was found and linked.
    pub archive: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Static,
    Dylib,
}

/// Checks the installation and prints the link directives.
pub fn link(lib_dir: &Path) -> Result<Linked, String> {
    if !lib_dir.is_dir() {
        return Err(format!(
            "{LIB_DIR_ENV}={} is not a directory",
            lib_dir.display()
        ));
    }
    let include_dir = include_dir(lib_dir)?;
    let kind = match std::env::var(LINK_ENV).ok().as_deref() {
        Some("static") => Kind::Static,
        Some("dylib") | Some("shared") => Kind::Dylib,
        // The `static` feature (the earlier rusteron's name) asks for the static libraries.
        None | Some("") if std::env::var_os("CARGO_FEATURE_STATIC").is_some() => Kind::Static,
        None | Some("") => {
            if lib_dir.join("libaeron.so").is_file() {
                Kind::Dylib
            } else {
                Kind::Static
            }
        }
        Some(other) => return Err(format!("{LINK_ENV}={other}: expected `static` or `dylib`")),
    };
    let find = |names: &[&str]| -> Option<(String, PathBuf)> {
        names.iter().find_map(|name| {
            let file = match kind {
                Kind::Static => lib_dir.join(format!("lib{name}.a")),
                Kind::Dylib => lib_dir.join(format!("lib{name}.so")),
            };
            file.is_file().then(|| (name.to_string(), file))
        })
    };
    let (client_names, driver_names, archive_names): (&[&str], &[&str], &[&str]) = match kind {
        Kind::Static => (
            &["aeron_static"],
            &["rusteron_aeron_driver_static", "aeron_driver_static"],
            &[
                "rusteron_aeron_archive_static",
                "aeron_archive_c_client_static",
            ],
        ),
        Kind::Dylib => (&["aeron"], &["aeron_driver"], &["aeron_archive_c_client"]),
    };
    let kind_name = if kind == Kind::Static {
        "static"
    } else {
        "shared"
    };
    let missing = |what: &str, names: &[&str]| {
        format!(
            "{LIB_DIR_ENV}={}: no {kind_name} Aeron {what} library (looked for {}). Set {LINK_ENV}=static or \
             {LINK_ENV}=dylib to choose the other kind, or unset {LIB_DIR_ENV} to build Aeron from source.",
            lib_dir.display(),
            names.iter().map(|n| if kind == Kind::Static { format!("lib{n}.a") } else { format!("lib{n}.so") })
                .collect::<Vec<_>>().join(", ")
        )
    };
    let client = find(client_names).ok_or_else(|| missing("client", client_names))?;
    let driver = find(driver_names).ok_or_else(|| missing("media driver", driver_names))?;
    let archive = find(archive_names);
    check_version(&client.1)?;

    // A reinstalled Aeron must be checked and linked again.
    for file in [
        Some(&client.1),
        Some(&driver.1),
        archive.as_ref().map(|a| &a.1),
    ]
    .into_iter()
    .flatten()
    {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let link_kind = if kind == Kind::Static {
        "static"
    } else {
        "dylib"
    };
    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    if let Some((name, _)) = &archive {
        println!("cargo:rustc-link-lib={link_kind}={name}");
    } else {
        println!(
            "cargo:warning=aeron-sys: no Aeron archive client library in {}; the archive API will not link",
            lib_dir.display()
        );
    }
    println!("cargo:rustc-link-lib={link_kind}={}", driver.0);
    println!("cargo:rustc-link-lib={link_kind}={}", client.0);
    if kind == Kind::Static {
        for lib in system_libs(&driver.1) {
            println!("cargo:rustc-link-lib={lib}");
        }
        for lib in ["m", "dl", "pthread"] {
            println!("cargo:rustc-link-lib={lib}");
        }
    }
    eprintln!(
        "aeron-sys: linking the installed Aeron {EXPECTED} ({kind_name}) from {}",
        lib_dir.display()
    );
    Ok(Linked {
        lib_dir: lib_dir.to_path_buf(),
        include_dir,
        archive: archive.is_some(),
    })
}

/// `AERON_INCLUDE_DIR`, or `<lib dir>/../include`; accepts Aeron's installed layout (`aeron/aeronc.h`) too.
fn include_dir(lib_dir: &Path) -> Result<PathBuf, String> {
    let given = std::env::var_os(INCLUDE_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let base = given.clone().unwrap_or_else(|| lib_dir.join("../include"));
    [base.clone(), base.join("aeron")]
        .into_iter()
        .find(|d| d.join("aeronc.h").is_file())
        .ok_or_else(|| {
            format!(
                "no aeronc.h in {} or {}/aeron; set {INCLUDE_DIR_ENV} to the folder of the Aeron {EXPECTED} headers",
                base.display(),
                base.display()
            )
        })
}

/// Reads Aeron's version string (`aeron version=X.Y.Z commit=...`) out of the client library.
fn check_version(client: &Path) -> Result<(), String> {
    let bytes =
        std::fs::read(client).map_err(|e| format!("cannot read {}: {e}", client.display()))?;
    let found = bytes
        .windows(VERSION_MARK.len())
        .position(|w| w == VERSION_MARK)
        .map(|at| {
            let rest = &bytes[at + VERSION_MARK.len()..];
            let end = rest
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b'.'))
                .unwrap_or(rest.len());
            String::from_utf8_lossy(&rest[..end]).into_owned()
        });
    match found {
        Some(v) if v == EXPECTED => Ok(()),
        Some(v) => Err(format!(
            "{} is Aeron {v}, but these bindings are for Aeron {EXPECTED}; install Aeron {EXPECTED} or unset \
             {LIB_DIR_ENV} to build it from source",
            client.display()
        )),
        None => Err(format!(
            "{} carries no Aeron version string (`aeron version=`); is it the Aeron C client?",
            client.display()
        )),
    }
}

/// System libraries a static Aeron needs: `AERON_SYSTEM_LIBS`, or `uuid` when the driver refers to it.
fn system_libs(driver: &Path) -> Vec<String> {
    if let Ok(list) = std::env::var(SYSTEM_LIBS_ENV) {
        return list
            .split([',', ';'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
    }
    let bytes = std::fs::read(driver).unwrap_or_default();
    let uses = |sym: &[u8]| bytes.windows(sym.len()).any(|w| w == sym);
    let mut libs = Vec::new();
    if uses(b"uuid_generate") {
        libs.push("uuid".to_string());
    }
    libs
}
