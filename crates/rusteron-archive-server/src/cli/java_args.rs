//! Java command lines: `java [JVM flags] -Dname=value ... [-cp x] <main class> [file.properties ...]`, with
//! or without the leading `java`.
//!
//! `-Dname=value` sets a property; properties files given after the main class are applied after the `-D`
//! properties (Java's `main` loads them into the system properties, overriding). JVM flags are ignored: any
//! other argument starting with `-` (`-Xmx1g`, `-XX:+UseZGC`, `-ea`, `-server`, `-javaagent:...`), plus the
//! value of those that take one (`-cp`, `-classpath`, `--class-path`, `-p`, `--module-path`,
//! `--add-opens`, `--add-exports`, `--add-modules`, `--add-reads`, `-jar`). The first other argument
//! (besides a leading `java`) is the main class ([`MAIN_CLASSES`]), which chooses the [`Mode`]; without
//! one, `io.aeron.archive.ArchivingMediaDriver` is assumed. A media driver started this way also gets the
//! [`java_driver_defaults`] the command line and environment leave unset.

use std::path::{Path, PathBuf};

use super::{apply_property, java_driver_defaults, parse_properties_text, CliError, Launch, Mode};
use crate::config::ArchiveConfig;

/// JVM options followed by a separate value argument.
const FLAGS_WITH_VALUE: &[&str] = &[
    "-cp",
    "-classpath",
    "--class-path",
    "-p",
    "--module-path",
    "--add-opens",
    "--add-exports",
    "--add-modules",
    "--add-reads",
    "-jar",
];

/// The Java main classes this binary stands in for, and what each runs.
pub const MAIN_CLASSES: &[(&str, Mode)] = &[
    (
        "io.aeron.archive.ArchivingMediaDriver",
        Mode::ArchivingMediaDriver,
    ),
    ("io.aeron.archive.Archive", Mode::Archive),
    ("io.aeron.driver.MediaDriver", Mode::MediaDriver),
];

/// Parses a Java-style argument list (program name excluded) into a drop-in [`Launch`]: the main class
/// decides whether a media driver, an archive or both start.
pub fn parse(args: &[String]) -> Result<Launch, CliError> {
    let mut properties = Vec::new();
    let mut files = Vec::new();
    let mut main_class: Option<&str> = None;
    let mut iter = args.iter().enumerate();
    while let Some((i, arg)) = iter.next() {
        if arg == "--archiving-media-driver" {
            continue;
        }
        if let Some(prop) = arg.strip_prefix("-D") {
            let (k, v) = prop.split_once('=').unwrap_or((prop, ""));
            if !k.is_empty() {
                properties.push((k.to_owned(), v.to_owned()));
            }
        } else if FLAGS_WITH_VALUE.contains(&arg.as_str()) {
            let value = iter.next().map(|(_, v)| v.as_str());
            log::debug!("ignoring JVM option {arg} {}", value.unwrap_or(""));
        } else if arg.starts_with('-') {
            log::debug!("ignoring JVM option {arg}");
        } else if main_class.is_none()
            && !(i == 0 && is_java_launcher(arg))
            && !is_properties_file(Path::new(arg))
        {
            main_class = Some(arg);
        } else if is_properties_file(Path::new(arg)) {
            files.push(PathBuf::from(arg));
        } else {
            log::debug!("ignoring argument {arg}");
        }
    }
    let mode = match main_class {
        None => Mode::ArchivingMediaDriver,
        Some(class) => MAIN_CLASSES
            .iter()
            .find(|(name, _)| *name == class)
            .map(|(_, mode)| *mode)
            .ok_or_else(|| CliError::MainClass(class.to_owned()))?,
    };
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|source| CliError::PropertiesFile {
            path: file.clone(),
            source,
        })?;
        properties.extend(parse_properties_text(&text)?);
    }
    let mut launch = Launch {
        mode,
        config: ArchiveConfig::default(),
        embedded_driver: mode != Mode::Archive,
        driver_properties: Vec::new(),
    };
    for (k, v) in &properties {
        apply_property(&mut launch, k, v)?;
    }
    if launch.embedded_driver {
        // Java's MediaDriver behaviour where the C driver's defaults differ (see `java_driver_defaults`).
        let defaults = java_driver_defaults::missing(&launch.driver_properties, |var| {
            std::env::var_os(var).is_some()
        });
        launch.driver_properties.extend(defaults);
    }
    Ok(launch)
}

/// `java`, or a path to it, as the first argument of a command line copied with its launcher.
fn is_java_launcher(arg: &str) -> bool {
    Path::new(arg)
        .file_name()
        .is_some_and(|n| n == "java" || n == "java.exe")
}

fn is_properties_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "properties") || path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn java_command_lines_keep_properties_and_ignore_jvm_flags() {
        let l = parse(&strings(&[
            "java",
            "-Xmx1g",
            "-XX:+UnlockDiagnosticVMOptions",
            "-XX:GuaranteedSafepointInterval=300000",
            "-ea",
            "-cp",
            "aeron-all-1.54.0.jar",
            "--add-opens",
            "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Daeron.dir=/dev/shm/aeron-x",
            "-Daeron.threading.mode=SHARED",
            "-Daeron.spies.simulate.connection=true",
            "-Daeron.term.buffer.length=64k",
            "-Daeron.archive.dir=/tmp/archive",
            "-Daeron.archive.control.channel=aeron:udp?endpoint=localhost:8010",
            "-Daeron.archive.replication.channel=aeron:udp?endpoint=localhost:0",
            "-Daeron.archive.id=42",
            "-Dagrona.disable.bounds.checks=true",
            "io.aeron.archive.ArchivingMediaDriver",
        ]))
        .unwrap();
        assert_eq!(l.mode, Mode::ArchivingMediaDriver);
        assert!(l.embedded_driver);
        assert_eq!(l.config.archive_dir, PathBuf::from("/tmp/archive"));
        assert_eq!(l.config.archive_id, Some(42));
        assert_eq!(
            l.config.control_channel.as_deref(),
            Some("aeron:udp?endpoint=localhost:8010")
        );
        assert_eq!(l.config.aeron_dir, Some(PathBuf::from("/dev/shm/aeron-x")));
        let names: Vec<_> = l
            .driver_properties
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(
            names[..4],
            [
                "aeron.dir",
                "aeron.threading.mode",
                "aeron.spies.simulate.connection",
                "aeron.term.buffer.length"
            ]
        );
    }

    #[test]
    fn an_embedded_driver_gets_java_send_pacing_unless_told_otherwise() {
        const PROP: &str = "aeron.network.publication.max.messages.per.send";
        if std::env::var_os("AERON_NETWORK_PUBLICATION_MAX_MESSAGES_PER_SEND").is_some() {
            return; // the C driver's own variable wins; covered by java_driver_defaults' tests
        }
        let value = |l: &Launch| {
            l.driver_properties
                .iter()
                .find(|(k, _)| k == PROP)
                .map(|(_, v)| v.clone())
        };
        for class in [
            "io.aeron.archive.ArchivingMediaDriver",
            "io.aeron.driver.MediaDriver",
        ] {
            let l = parse(&strings(&["-Daeron.dir=/dev/shm/x", class])).unwrap();
            assert_eq!(value(&l).as_deref(), Some("1"), "{class}");
        }
        let l = parse(&strings(&[
            "-Daeron.dir=/dev/shm/x",
            &format!("-D{PROP}=4"),
        ]))
        .unwrap();
        assert_eq!(value(&l).as_deref(), Some("4"), "the command line wins");
        let l = parse(&strings(&[
            "-Daeron.dir=/dev/shm/x",
            "io.aeron.archive.Archive",
        ]))
        .unwrap();
        assert_eq!(
            value(&l),
            None,
            "no driver is started for an attached archive"
        );
    }

    #[test]
    fn properties_files_after_the_main_class_override_d_properties() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("archive.properties");
        std::fs::write(&file, "aeron.archive.control.stream.id=77\n").unwrap();
        let l = parse(&strings(&[
            "-Daeron.archive.control.stream.id=5",
            "io.aeron.archive.ArchivingMediaDriver",
            file.to_str().unwrap(),
        ]))
        .unwrap();
        assert_eq!(l.config.control_stream_id, 77);
        assert!(matches!(
            parse(&strings(&["-Dx=1", "missing.properties"])),
            Err(CliError::PropertiesFile { .. })
        ));
    }

    #[test]
    fn the_main_class_chooses_what_runs() {
        let mode = |class: &str| {
            parse(&strings(&["java", "-Daeron.dir=/x", "-cp", "a.jar", class])).map(|l| l.mode)
        };
        assert_eq!(
            mode("io.aeron.archive.ArchivingMediaDriver").unwrap(),
            Mode::ArchivingMediaDriver
        );
        assert_eq!(mode("io.aeron.archive.Archive").unwrap(), Mode::Archive);
        assert_eq!(
            mode("io.aeron.driver.MediaDriver").unwrap(),
            Mode::MediaDriver
        );
        assert!(
            matches!(mode("io.aeron.cluster.ClusteredMediaDriver"), Err(CliError::MainClass(c)) if c.contains("Cluster"))
        );
        // Without a main class: ArchivingMediaDriver, as before.
        assert_eq!(
            parse(&strings(&["-Daeron.dir=/x"])).unwrap().mode,
            Mode::ArchivingMediaDriver
        );
        // An archive attached to a running driver starts no driver and does not judge the driver's properties.
        let l = parse(&strings(&[
            "-Daeron.driver.termination.validator=com.acme.Validator",
            "io.aeron.archive.Archive",
        ]))
        .unwrap();
        assert!(!l.embedded_driver);
    }

    #[test]
    fn java_class_valued_driver_properties_are_translated_or_refused() {
        let l = parse(&strings(&[
            "-Daeron.driver.termination.validator=io.aeron.driver.DefaultAllowTerminationValidator",
            "io.aeron.driver.MediaDriver",
        ]))
        .unwrap();
        assert_eq!(
            l.driver_properties[0],
            (
                "aeron.driver.termination.validator".to_owned(),
                "allow".to_owned()
            )
        );
        let e = parse(&strings(&[
            "-Daeron.driver.termination.validator=com.acme.Validator",
            "io.aeron.archive.ArchivingMediaDriver",
        ]))
        .unwrap_err();
        assert!(
            e.to_string().contains("aeron.driver.termination.validator"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_are_errors_and_bare_d_flags_do_not_panic() {
        assert!(matches!(
            parse(&strings(&["-Daeron.archive.file.sync.level=9"])),
            Err(CliError::Config(_))
        ));
        let l = parse(&strings(&[
            "-D",
            "-Dflag",
            "--archiving-media-driver",
            "-Daeron.archive.control.channel=",
        ]))
        .unwrap();
        assert_eq!(l.config.control_channel, None);
    }
}
