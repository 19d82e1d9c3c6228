//! Command line of the `rusteron-archive-server` binary.
//!
//! Two ways to start it:
//!
//! * **Archive mode** (GNU-style options, [`ArchiveArgs`]): every option is named after, and applied as, a
//!   Java `aeron.archive.*` property; `--properties <file>` loads `key=value` lines first (options given on
//!   the command line win). Connects to a running media driver, or starts one with `--embedded-driver`.
//! * **Java drop-in** ([`java_args`]): chosen by `--archiving-media-driver` or by any `-Dname=value`
//!   argument. Configured only from Java-style `-D` properties (and properties files named after the main
//!   class, as Java's `main` methods load them); JVM flags (`-Xmx1g`, `-XX:...`, `-cp x`, ...) are ignored.
//!   The main class decides what runs, as with Java: `io.aeron.archive.ArchivingMediaDriver` (the default
//!   when none is given) starts a media driver and an archive, `io.aeron.archive.Archive` an archive
//!   attached to the media driver running in `aeron.dir`, `io.aeron.driver.MediaDriver` a media driver
//!   only; any other main class is refused. The media driver takes every non-archive `aeron.*` property
//!   (`aeron.threading.mode`, `aeron.term.buffer.length`, ...) through the C driver's `AERON_*` environment
//!   variables, Java class names translated ([`driver_class`]); where the C driver's defaults behave
//!   unlike Java's driver, it is given Java's behaviour ([`java_driver_defaults`]).
//!
//! [`parse`] turns arguments into a [`Launch`]; [`run::run`] executes it.

pub mod driver_class;
pub mod java_args;
pub mod java_driver_defaults;
pub mod logger;
pub mod run;

use std::path::PathBuf;

use clap::Parser;

use crate::config::{Applied, ArchiveConfig, ConfigError};

/// How the binary was asked to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// GNU-style options.
    Options,
    /// Java `io.aeron.archive.ArchivingMediaDriver` drop-in (`-D` properties): media driver and archive.
    ArchivingMediaDriver,
    /// Java `io.aeron.archive.Archive` drop-in: an archive attached to the media driver in `aeron.dir`.
    Archive,
    /// Java `io.aeron.driver.MediaDriver` drop-in: a media driver only.
    MediaDriver,
}

impl Mode {
    /// `true` if an archive runs in this mode (every mode but the media driver alone).
    pub fn runs_archive(self) -> bool {
        self != Mode::MediaDriver
    }
}

/// Everything needed to start: the archive configuration and, for the embedded driver, its properties.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    /// How the arguments were read.
    pub mode: Mode,
    /// The archive configuration.
    pub config: ArchiveConfig,
    /// `true` to start an embedded media driver before the archive.
    pub embedded_driver: bool,
    /// Aeron properties for the embedded driver (`aeron.dir`, `aeron.threading.mode`, ...), in order.
    pub driver_properties: Vec<(String, String)>,
}

/// Why the arguments could not be turned into a [`Launch`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Bad usage, or `--help` / `--version` (clap prints these itself via [`clap::Error::exit`]).
    #[error(transparent)]
    Usage(#[from] clap::Error),
    /// A property value is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The Java main class is not one this binary can stand in for.
    #[error(
        "unsupported main class {0}: this binary stands in for io.aeron.archive.ArchivingMediaDriver, \
         io.aeron.archive.Archive and io.aeron.driver.MediaDriver"
    )]
    MainClass(String),
    /// A properties file could not be read.
    #[error("cannot read properties file {path}: {source}")]
    PropertiesFile {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// A JVM-free Aeron Archive (Aeron 1.54.0 wire and file formats).
///
/// Each option sets the Java property named in its help. For Java's ArchivingMediaDriver command line,
/// pass `-Dname=value` arguments instead (or `--archiving-media-driver`).
#[derive(Parser, Debug, Default)]
#[command(name = "rusteron-archive-server", version, about, long_about = None)]
pub struct ArchiveArgs {
    /// Properties file(s) with `aeron.archive.*` / `aeron.*` `key=value` lines, applied first, in order.
    #[arg(long = "properties", value_name = "FILE")]
    pub properties: Vec<PathBuf>,
    /// aeron.dir: media driver directory.
    #[arg(long, value_name = "DIR")]
    pub aeron_dir: Option<String>,
    /// Start an embedded media driver (in --aeron-dir) before the archive.
    #[arg(long)]
    pub embedded_driver: bool,
    /// aeron.archive.dir: catalog and segment files.
    #[arg(long, value_name = "DIR")]
    pub archive_dir: Option<String>,
    /// aeron.archive.mark.file.dir: where archive-mark.dat goes (default: the archive dir).
    #[arg(long, value_name = "DIR")]
    pub mark_file_dir: Option<String>,
    /// aeron.archive.dir.delete.on.start.
    #[arg(long, value_name = "BOOL")]
    pub delete_archive_dir_on_start: Option<String>,
    /// aeron.archive.control.channel: UDP control request channel.
    #[arg(long, value_name = "URI")]
    pub control_channel: Option<String>,
    /// aeron.archive.control.stream.id.
    #[arg(long, value_name = "ID")]
    pub control_stream_id: Option<String>,
    /// aeron.archive.control.channel.enabled.
    #[arg(long, value_name = "BOOL")]
    pub control_channel_enabled: Option<String>,
    /// aeron.archive.local.control.channel: IPC control request channel.
    #[arg(long, value_name = "URI")]
    pub local_control_channel: Option<String>,
    /// aeron.archive.local.control.stream.id.
    #[arg(long, value_name = "ID")]
    pub local_control_stream_id: Option<String>,
    /// aeron.archive.control.response.channel (the archive's own client, for replication).
    #[arg(long, value_name = "URI")]
    pub control_response_channel: Option<String>,
    /// aeron.archive.control.response.stream.id.
    #[arg(long, value_name = "ID")]
    pub control_response_stream_id: Option<String>,
    /// aeron.archive.recording.events.channel.
    #[arg(long, value_name = "URI")]
    pub recording_events_channel: Option<String>,
    /// aeron.archive.recording.events.stream.id.
    #[arg(long, value_name = "ID")]
    pub recording_events_stream_id: Option<String>,
    /// aeron.archive.recording.events.enabled.
    #[arg(long, value_name = "BOOL")]
    pub recording_events_enabled: Option<String>,
    /// aeron.archive.replication.channel.
    #[arg(long, value_name = "URI")]
    pub replication_channel: Option<String>,
    /// aeron.archive.id.
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    pub archive_id: Option<String>,
    /// aeron.archive.segment.file.length (e.g. 128m).
    #[arg(long, value_name = "SIZE")]
    pub segment_file_length: Option<String>,
    /// aeron.archive.file.sync.level: 0 none, 1 data, 2 data and metadata.
    #[arg(long, value_name = "LEVEL")]
    pub file_sync_level: Option<String>,
    /// aeron.archive.catalog.file.sync.level (at least the file sync level).
    #[arg(long, value_name = "LEVEL")]
    pub catalog_file_sync_level: Option<String>,
    /// aeron.archive.connect.timeout: session (and response/replay connect) timeout, e.g. 5s.
    #[arg(long, value_name = "DURATION")]
    pub session_timeout: Option<String>,
    /// aeron.archive.max.concurrent.recordings.
    #[arg(long, value_name = "N")]
    pub max_concurrent_recordings: Option<String>,
    /// aeron.archive.max.concurrent.replays.
    #[arg(long, value_name = "N")]
    pub max_concurrent_replays: Option<String>,
}

impl ArchiveArgs {
    /// The options given, as `(Java property, value)` pairs.
    pub fn properties(&self) -> Vec<(&'static str, String)> {
        let pairs: [(&'static str, &Option<String>); 22] = [
            ("aeron.dir", &self.aeron_dir),
            ("aeron.archive.dir", &self.archive_dir),
            ("aeron.archive.mark.file.dir", &self.mark_file_dir),
            (
                "aeron.archive.dir.delete.on.start",
                &self.delete_archive_dir_on_start,
            ),
            ("aeron.archive.control.channel", &self.control_channel),
            ("aeron.archive.control.stream.id", &self.control_stream_id),
            (
                "aeron.archive.control.channel.enabled",
                &self.control_channel_enabled,
            ),
            (
                "aeron.archive.local.control.channel",
                &self.local_control_channel,
            ),
            (
                "aeron.archive.local.control.stream.id",
                &self.local_control_stream_id,
            ),
            (
                "aeron.archive.control.response.channel",
                &self.control_response_channel,
            ),
            (
                "aeron.archive.control.response.stream.id",
                &self.control_response_stream_id,
            ),
            (
                "aeron.archive.recording.events.channel",
                &self.recording_events_channel,
            ),
            (
                "aeron.archive.recording.events.stream.id",
                &self.recording_events_stream_id,
            ),
            (
                "aeron.archive.recording.events.enabled",
                &self.recording_events_enabled,
            ),
            (
                "aeron.archive.replication.channel",
                &self.replication_channel,
            ),
            ("aeron.archive.id", &self.archive_id),
            (
                "aeron.archive.segment.file.length",
                &self.segment_file_length,
            ),
            ("aeron.archive.file.sync.level", &self.file_sync_level),
            (
                "aeron.archive.catalog.file.sync.level",
                &self.catalog_file_sync_level,
            ),
            ("aeron.archive.connect.timeout", &self.session_timeout),
            (
                "aeron.archive.max.concurrent.recordings",
                &self.max_concurrent_recordings,
            ),
            (
                "aeron.archive.max.concurrent.replays",
                &self.max_concurrent_replays,
            ),
        ];
        pairs
            .into_iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
            .collect()
    }
}

/// `true` if the arguments (without the program name) are a Java `ArchivingMediaDriver` command line.
pub fn is_java_style(args: &[String]) -> bool {
    args.iter()
        .any(|a| a == "--archiving-media-driver" || (a.starts_with("-D") && a.len() > 2))
}

/// Parses the full argument list (program name first).
pub fn parse(args: &[String]) -> Result<Launch, CliError> {
    let rest = args.get(1..).unwrap_or(&[]);
    if is_java_style(rest) {
        return java_args::parse(rest);
    }
    let parsed = ArchiveArgs::try_parse_from(args)?;
    let mut launch = Launch {
        mode: Mode::Options,
        config: ArchiveConfig::default(),
        embedded_driver: parsed.embedded_driver,
        driver_properties: Vec::new(),
    };
    for file in &parsed.properties {
        let text = std::fs::read_to_string(file).map_err(|source| CliError::PropertiesFile {
            path: file.clone(),
            source,
        })?;
        for (k, v) in parse_properties_text(&text)? {
            apply_property(&mut launch, &k, &v)?;
        }
    }
    for (k, v) in parsed.properties() {
        apply_property(&mut launch, k, &v)?;
    }
    Ok(launch)
}

/// Splits Java-properties text into `(key, value)` pairs; see [`crate::config::parse_properties_text`].
pub use crate::config::parse_properties_text;

/// Applies one property: archive properties to the configuration, other `aeron.*` ones to the driver
/// (`aeron.dir` to both); anything else is logged and ignored, as a JVM would carry it unused.
pub fn apply_property(launch: &mut Launch, name: &str, value: &str) -> Result<(), ConfigError> {
    let applied = launch.config.set_property(name, value)?;
    if name == "aeron.dir" || (applied == Applied::NotArchive && is_driver_property(name)) {
        // Only a driver that this process starts reads them (Java class names translated or refused).
        let value = if launch.embedded_driver {
            driver_class::translate(name, value)?
        } else {
            value.to_owned()
        };
        launch.driver_properties.retain(|(k, _)| k != name);
        launch.driver_properties.push((name.to_owned(), value));
    } else if applied == Applied::NotArchive {
        log::warn!("ignoring property {name}={value} (not supported by this archive)");
    }
    Ok(())
}

/// `true` for Aeron properties the media driver (not the archive) takes.
fn is_driver_property(name: &str) -> bool {
    name.starts_with("aeron.")
        && !name.starts_with("aeron.archive.")
        && !name.starts_with("aeron.cluster.")
}

/// The C media driver's environment variable for an Aeron property: `aeron.term.buffer.length` →
/// `AERON_TERM_BUFFER_LENGTH`.
pub fn driver_env_var(property: &str) -> String {
    property.to_ascii_uppercase().replace(['.', '-'], "_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn args(a: &[&str]) -> Vec<String> {
        std::iter::once("rusteron-archive-server")
            .chain(a.iter().copied())
            .map(String::from)
            .collect()
    }

    #[test]
    fn options_map_to_java_properties_and_override_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("archive.properties");
        std::fs::write(
            &file,
            "aeron.archive.dir=/from/file\naeron.archive.control.stream.id=99\naeron.term.buffer.length=128k\n",
        )
        .unwrap();
        let l = parse(&args(&[
            "--properties",
            file.to_str().unwrap(),
            "--archive-dir",
            "/from/cli",
            "--control-channel",
            "aeron:udp?endpoint=localhost:8010",
            "--archive-id",
            "-7777",
            "--segment-file-length",
            "1m",
            "--file-sync-level",
            "1",
            "--catalog-file-sync-level",
            "2",
            "--session-timeout",
            "250ms",
            "--recording-events-enabled",
            "true",
            "--aeron-dir",
            "/dev/shm/x",
            "--embedded-driver",
        ]))
        .unwrap();
        assert_eq!(l.mode, Mode::Options);
        assert!(l.embedded_driver);
        let c = &l.config;
        assert_eq!(c.archive_dir, PathBuf::from("/from/cli"));
        assert_eq!(c.control_stream_id, 99);
        assert_eq!(c.archive_id, Some(-7777));
        assert_eq!(c.segment_file_length, 1 << 20);
        assert_eq!(c.connect_timeout, Duration::from_millis(250));
        assert!(c.recording_events_enabled);
        assert_eq!(c.aeron_dir, Some(PathBuf::from("/dev/shm/x")));
        assert_eq!(
            l.driver_properties,
            vec![
                ("aeron.term.buffer.length".to_owned(), "128k".to_owned()),
                ("aeron.dir".to_owned(), "/dev/shm/x".to_owned())
            ]
        );
    }

    #[test]
    fn bad_values_and_unknown_options_are_errors() {
        assert!(matches!(
            parse(&args(&["--file-sync-level", "7"])),
            Err(CliError::Config(_))
        ));
        assert!(matches!(
            parse(&args(&["--no-such-option"])),
            Err(CliError::Usage(_))
        ));
        assert!(matches!(
            parse(&args(&["--properties", "/no/such/file"])),
            Err(CliError::PropertiesFile { .. })
        ));
        let help = parse(&args(&["--help"])).unwrap_err();
        assert!(
            help.to_string().contains("aeron.archive.control.channel"),
            "{help}"
        );
    }

    #[test]
    fn java_style_is_detected() {
        assert!(is_java_style(&["-Daeron.dir=/x".into()]));
        assert!(is_java_style(&["--archiving-media-driver".into()]));
        assert!(!is_java_style(&["--archive-dir".into(), "-D".into()]));
        assert_eq!(
            driver_env_var("aeron.spies.simulate.connection"),
            "AERON_SPIES_SIMULATE_CONNECTION"
        );
    }
}
