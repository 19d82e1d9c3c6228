//! Archive configuration, named after the Java archive's system properties (`aeron.archive.*`), so a
//! properties file or `-Dname=value` arguments written for the Java `Archive` work unchanged.

use std::path::PathBuf;
use std::time::Duration;

use crate::channel::parse_size;
use crate::storage::checksum::{Checksum, RECORD_CHECKSUM_PROP, REPLAY_CHECKSUM_PROP};
use crate::storage::SyncLevel;
use crate::threading::{AgentIdleStrategy, ThreadingMode};

/// A property that could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The value does not parse for this property.
    #[error("invalid value '{value}' for {name}: {why}")]
    InvalidValue {
        /// Property name.
        name: String,
        /// Value given.
        value: String,
        /// What is wrong with it.
        why: String,
    },
    /// The configuration as a whole is not usable.
    #[error("invalid archive configuration: {0}")]
    Invalid(String),
}

/// Everything the archive server can be configured with. Defaults are the Java archive's.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchiveConfig {
    /// `aeron.dir`: the media driver directory the archive's client connects to (None: Aeron's default).
    pub aeron_dir: Option<PathBuf>,
    /// `aeron.archive.dir`: where the catalog and segment files live.
    pub archive_dir: PathBuf,
    /// `aeron.archive.mark.file.dir`: where `archive-mark.dat` goes (None: the archive dir).
    pub mark_file_dir: Option<PathBuf>,
    /// `aeron.archive.dir.delete.on.start`: wipe the archive dir at start.
    pub delete_archive_dir_on_start: bool,
    /// `aeron.archive.control.channel`: UDP control request channel (None: only the local IPC channel).
    pub control_channel: Option<String>,
    /// `aeron.archive.control.stream.id`.
    pub control_stream_id: i32,
    /// `aeron.archive.control.channel.enabled`.
    pub control_channel_enabled: bool,
    /// `aeron.archive.local.control.channel`: IPC control request channel.
    pub local_control_channel: String,
    /// `aeron.archive.local.control.stream.id`.
    pub local_control_stream_id: i32,
    /// `aeron.archive.control.term.buffer.length`: term length of response publications.
    pub control_term_buffer_length: u64,
    /// `aeron.archive.control.term.buffer.sparse`.
    pub control_term_buffer_sparse: bool,
    /// `aeron.archive.control.mtu.length`.
    pub control_mtu_length: u64,
    /// `aeron.archive.control.response.channel`: response channel of the archive's own client (replication).
    pub control_response_channel: Option<String>,
    /// `aeron.archive.control.response.stream.id`.
    pub control_response_stream_id: i32,
    /// `aeron.archive.recording.events.channel`.
    pub recording_events_channel: String,
    /// `aeron.archive.recording.events.stream.id`.
    pub recording_events_stream_id: i32,
    /// `aeron.archive.recording.events.enabled`.
    pub recording_events_enabled: bool,
    /// `aeron.archive.replication.channel`: where replicated recordings are received.
    pub replication_channel: Option<String>,
    /// `aeron.archive.id` (None: the archive's Aeron client id).
    pub archive_id: Option<i64>,
    /// `aeron.archive.segment.file.length`: power of two in [64 KiB, 1 GiB].
    pub segment_file_length: u64,
    /// `aeron.archive.file.io.max.length`: largest read/write, power of two >= 64 KiB... used for replay IO.
    pub file_io_max_length: u64,
    /// `aeron.archive.file.sync.level` (0, 1, 2).
    pub file_sync_level: SyncLevel,
    /// `aeron.archive.catalog.file.sync.level` (0, 1, 2; at least the file sync level).
    pub catalog_file_sync_level: SyncLevel,
    /// `aeron.archive.catalog.capacity`: initial catalog file length.
    pub catalog_capacity: u64,
    /// `aeron.archive.connect.timeout`: response/replay connect timeout and session activity timeout.
    pub connect_timeout: Duration,
    /// `aeron.archive.session.liveness.check.interval`: interval of Ping messages to clients.
    pub session_liveness_check_interval: Duration,
    /// `aeron.archive.replay.linger.timeout`: linger of replay publications.
    pub replay_linger_timeout: Duration,
    /// `aeron.archive.max.concurrent.recordings`.
    pub max_concurrent_recordings: usize,
    /// `aeron.archive.max.concurrent.replays`.
    pub max_concurrent_replays: usize,
    /// `aeron.archive.low.storage.space.threshold`: recordings are refused when the archive dir's file
    /// system has no more usable bytes than this (None: [`DEFAULT_LOW_STORAGE_SPACE_THRESHOLD`]).
    pub low_storage_space_threshold: Option<u64>,
    /// `aeron.archive.error.buffer.length`: error log length in the mark file.
    pub error_buffer_length: u64,
    /// `aeron.archive.authenticator.supplier`: which authenticator [`ArchiveServer::launch`](crate::ArchiveServer::launch)
    /// uses, by the Java supplier's class name (None: accept everyone); see [`crate::server::suppliers`].
    pub authenticator_supplier: Option<String>,
    /// `aeron.archive.authorisation.service.supplier`: `ALLOW_ALL` (None: the default) or `DENY_ALL`.
    pub authorisation_service_supplier: Option<String>,
    /// `aeron.archive.record.checksum`: checksum written into each recorded data frame's session id field
    /// and into each catalog descriptor header (None: no checksum, Java's default); see
    /// [`crate::storage::checksum`].
    pub record_checksum: Option<Checksum>,
    /// `aeron.archive.replay.checksum`: checksum every replayed data frame is verified with before it is
    /// sent (None: no verification, Java's default).
    pub replay_checksum: Option<Checksum>,
    /// `aeron.archive.threading.mode`: how the conductor, recorder and replayer agents are run (default
    /// DEDICATED, as Java's).
    pub threading_mode: ThreadingMode,
    /// `aeron.archive.idle.strategy`: idle strategy of the conductor (and of the recorder and replayer when
    /// theirs is not set; of the one thread in SHARED mode).
    pub idle_strategy: AgentIdleStrategy,
    /// `aeron.archive.recorder.idle.strategy` (None: the archive idle strategy).
    pub recorder_idle_strategy: Option<AgentIdleStrategy>,
    /// `aeron.archive.replayer.idle.strategy` (None: the archive idle strategy).
    pub replayer_idle_strategy: Option<AgentIdleStrategy>,
}

impl Default for ArchiveConfig {
    fn default() -> Self {
        ArchiveConfig {
            aeron_dir: None,
            archive_dir: PathBuf::from("aeron-archive"),
            mark_file_dir: None,
            delete_archive_dir_on_start: false,
            control_channel: None,
            control_stream_id: 10,
            control_channel_enabled: true,
            local_control_channel: "aeron:ipc?term-length=64k".to_owned(),
            local_control_stream_id: 10,
            control_term_buffer_length: 64 * 1024,
            control_term_buffer_sparse: true,
            control_mtu_length: 1408,
            control_response_channel: None,
            control_response_stream_id: 20,
            recording_events_channel: "aeron:udp?control-mode=dynamic|control=localhost:8030"
                .to_owned(),
            recording_events_stream_id: 30,
            recording_events_enabled: false,
            replication_channel: None,
            archive_id: None,
            segment_file_length: 128 * 1024 * 1024,
            file_io_max_length: 1024 * 1024,
            file_sync_level: SyncLevel::None,
            catalog_file_sync_level: SyncLevel::None,
            catalog_capacity: 1024 * 1024,
            connect_timeout: Duration::from_secs(5),
            session_liveness_check_interval: Duration::from_secs(1),
            replay_linger_timeout: Duration::from_secs(5),
            max_concurrent_recordings: 20,
            max_concurrent_replays: 20,
            low_storage_space_threshold: None,
            error_buffer_length: 1024 * 1024,
            authenticator_supplier: None,
            authorisation_service_supplier: None,
            record_checksum: None,
            replay_checksum: None,
            threading_mode: ThreadingMode::default(),
            idle_strategy: AgentIdleStrategy::default(),
            recorder_idle_strategy: None,
            replayer_idle_strategy: None,
        }
    }
}

/// Java's default `aeron.archive.low.storage.space.threshold`: the default segment file length, 128 MiB
/// (whatever segment length is configured).
pub const DEFAULT_LOW_STORAGE_SPACE_THRESHOLD: u64 = 128 * 1024 * 1024;

/// What [`ArchiveConfig::set_property`] did with a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// It is an archive property and was applied.
    Archive,
    /// It is not an archive property (e.g. a media driver one); the caller decides what to do.
    NotArchive,
}

fn invalid(name: &str, value: &str, why: impl Into<String>) -> ConfigError {
    ConfigError::InvalidValue {
        name: name.to_owned(),
        value: value.to_owned(),
        why: why.into(),
    }
}

fn parse_bool(name: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim() {
        "true" | "TRUE" | "True" | "1" | "yes" => Ok(true),
        "false" | "FALSE" | "False" | "0" | "no" => Ok(false),
        _ => Err(invalid(name, value, "expected true or false")),
    }
}

fn parse_num<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ConfigError> {
    value
        .trim()
        .parse()
        .map_err(|_| invalid(name, value, "not a number"))
}

fn parse_size_prop(name: &str, value: &str) -> Result<u64, ConfigError> {
    parse_size(name, value).map_err(|e| invalid(name, value, e.to_string()))
}

/// Parses an Aeron duration: a number with an optional `ns`, `us`, `ms` or `s` suffix (no suffix: ns).
pub fn parse_duration(name: &str, value: &str) -> Result<Duration, ConfigError> {
    let v = value.trim().to_ascii_lowercase();
    let (digits, unit_ns) = if let Some(d) = v.strip_suffix("ns") {
        (d, 1)
    } else if let Some(d) = v.strip_suffix("us") {
        (d, 1_000)
    } else if let Some(d) = v.strip_suffix("ms") {
        (d, 1_000_000)
    } else if let Some(d) = v.strip_suffix('s') {
        (d, 1_000_000_000)
    } else {
        (v.as_str(), 1)
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| invalid(name, value, "expected a duration like 5s or 100ms"))?;
    n.checked_mul(unit_ns)
        .map(Duration::from_nanos)
        .ok_or_else(|| invalid(name, value, "too large"))
}

fn parse_sync(name: &str, value: &str) -> Result<SyncLevel, ConfigError> {
    let level: u8 = parse_num(name, value)?;
    SyncLevel::from_level(level).ok_or_else(|| invalid(name, value, "sync level must be 0, 1 or 2"))
}

/// An agent's own idle strategy: empty means "the archive idle strategy" (Java's default of "").
fn parse_idle(name: &str, value: &str) -> Result<Option<AgentIdleStrategy>, ConfigError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|why: String| invalid(name, value, &why))
}

fn non_empty(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

impl ArchiveConfig {
    /// Applies one property by its Java name. Properties outside the archive (e.g. `aeron.dir` is taken,
    /// other `aeron.*` driver properties are not) return [`Applied::NotArchive`].
    pub fn set_property(&mut self, name: &str, value: &str) -> Result<Applied, ConfigError> {
        let n = name;
        match name {
            "aeron.dir" => self.aeron_dir = non_empty(value).map(PathBuf::from),
            "aeron.archive.dir" => self.archive_dir = PathBuf::from(value.trim()),
            "aeron.archive.mark.file.dir" => {
                self.mark_file_dir = non_empty(value).map(PathBuf::from)
            }
            "aeron.archive.dir.delete.on.start" => {
                self.delete_archive_dir_on_start = parse_bool(n, value)?
            }
            "aeron.archive.control.channel" => self.control_channel = non_empty(value),
            "aeron.archive.control.stream.id" => self.control_stream_id = parse_num(n, value)?,
            "aeron.archive.control.channel.enabled" => {
                self.control_channel_enabled = parse_bool(n, value)?
            }
            "aeron.archive.local.control.channel" => {
                self.local_control_channel = value.trim().to_owned()
            }
            "aeron.archive.local.control.stream.id" => {
                self.local_control_stream_id = parse_num(n, value)?
            }
            "aeron.archive.control.term.buffer.length" => {
                self.control_term_buffer_length = parse_size_prop(n, value)?
            }
            "aeron.archive.control.term.buffer.sparse" => {
                self.control_term_buffer_sparse = parse_bool(n, value)?
            }
            "aeron.archive.control.mtu.length" => {
                self.control_mtu_length = parse_size_prop(n, value)?
            }
            "aeron.archive.control.response.channel" => {
                self.control_response_channel = non_empty(value)
            }
            "aeron.archive.control.response.stream.id" => {
                self.control_response_stream_id = parse_num(n, value)?
            }
            "aeron.archive.recording.events.channel" => {
                self.recording_events_channel = value.trim().to_owned()
            }
            "aeron.archive.recording.events.stream.id" => {
                self.recording_events_stream_id = parse_num(n, value)?
            }
            "aeron.archive.recording.events.enabled" => {
                self.recording_events_enabled = parse_bool(n, value)?
            }
            "aeron.archive.replication.channel" => self.replication_channel = non_empty(value),
            "aeron.archive.id" => self.archive_id = Some(parse_num(n, value)?),
            "aeron.archive.segment.file.length" => {
                self.segment_file_length = parse_size_prop(n, value)?
            }
            "aeron.archive.file.io.max.length" => {
                self.file_io_max_length = parse_size_prop(n, value)?
            }
            "aeron.archive.file.sync.level" => self.file_sync_level = parse_sync(n, value)?,
            "aeron.archive.catalog.file.sync.level" => {
                self.catalog_file_sync_level = parse_sync(n, value)?
            }
            "aeron.archive.catalog.capacity" => self.catalog_capacity = parse_size_prop(n, value)?,
            "aeron.archive.connect.timeout" => self.connect_timeout = parse_duration(n, value)?,
            "aeron.archive.session.liveness.check.interval" => {
                self.session_liveness_check_interval = parse_duration(n, value)?
            }
            "aeron.archive.replay.linger.timeout" => {
                self.replay_linger_timeout = parse_duration(n, value)?
            }
            "aeron.archive.max.concurrent.recordings" => {
                self.max_concurrent_recordings = parse_num(n, value)?
            }
            "aeron.archive.max.concurrent.replays" => {
                self.max_concurrent_replays = parse_num(n, value)?
            }
            "aeron.archive.low.storage.space.threshold" => {
                self.low_storage_space_threshold = Some(parse_size_prop(n, value)?)
            }
            "aeron.archive.error.buffer.length" => {
                self.error_buffer_length = parse_size_prop(n, value)?
            }
            crate::server::suppliers::AUTHENTICATOR_SUPPLIER_PROP => {
                // Checked now, so a bad name fails at parse time (exit code 2 in the binary).
                crate::server::suppliers::authenticator_for(Some(value))?;
                self.authenticator_supplier = non_empty(value);
            }
            crate::server::suppliers::AUTHORISATION_SERVICE_SUPPLIER_PROP => {
                crate::server::suppliers::authoriser_for(Some(value))?;
                self.authorisation_service_supplier = non_empty(value);
            }
            // Java's `Checksums.newInstance` names; anything else is refused now, as Java refuses it at start.
            RECORD_CHECKSUM_PROP => self.record_checksum = Checksum::from_property(n, value)?,
            REPLAY_CHECKSUM_PROP => self.replay_checksum = Checksum::from_property(n, value)?,
            "aeron.archive.threading.mode" => {
                self.threading_mode = value
                    .parse()
                    .map_err(|why: String| invalid(n, value, &why))?
            }
            "aeron.archive.idle.strategy" => {
                self.idle_strategy = value
                    .parse()
                    .map_err(|why: String| invalid(n, value, &why))?
            }
            "aeron.archive.recorder.idle.strategy" => {
                self.recorder_idle_strategy = parse_idle(n, value)?
            }
            "aeron.archive.replayer.idle.strategy" => {
                self.replayer_idle_strategy = parse_idle(n, value)?
            }
            // Accepted for compatibility and ignored: Java's archive has no CPU affinity properties (these
            // names were accepted before and stay harmless), and the deprecated catalog entry limit is
            // ignored by Java too.
            "aeron.archive.conductor.cpu.affinity"
            | "aeron.archive.recorder.cpu.affinity"
            | "aeron.archive.replayer.cpu.affinity"
            | "aeron.archive.max.catalog.entries" => {}
            _ => return Ok(Applied::NotArchive),
        }
        Ok(Applied::Archive)
    }

    /// Applies `key=value` lines (Java properties style: `#`/`!` comments, blank lines, `=` or `:`).
    /// Returns the properties that are not archive properties, in order.
    pub fn apply_properties_text(
        &mut self,
        text: &str,
    ) -> Result<Vec<(String, String)>, ConfigError> {
        let mut others = Vec::new();
        for (k, v) in parse_properties_text(text)? {
            if self.set_property(&k, &v)? == Applied::NotArchive {
                others.push((k, v));
            }
        }
        Ok(others)
    }

    /// The low storage space threshold in effect: the configured one or [`DEFAULT_LOW_STORAGE_SPACE_THRESHOLD`].
    pub fn effective_low_storage_space_threshold(&self) -> u64 {
        self.low_storage_space_threshold
            .unwrap_or(DEFAULT_LOW_STORAGE_SPACE_THRESHOLD)
    }

    /// Checks the values that have to satisfy Aeron's rules.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let pow2_in = |name: &str, v: u64, min: u64, max: u64| {
            if !v.is_power_of_two() || v < min || v > max {
                Err(ConfigError::Invalid(format!(
                    "{name}={v} must be a power of two in [{min}, {max}]"
                )))
            } else {
                Ok(())
            }
        };
        pow2_in(
            "aeron.archive.segment.file.length",
            self.segment_file_length,
            64 * 1024,
            1 << 30,
        )?;
        pow2_in(
            "aeron.archive.file.io.max.length",
            self.file_io_max_length,
            64 * 1024,
            1 << 30,
        )?;
        if (self.catalog_file_sync_level as u8) < (self.file_sync_level as u8) {
            return Err(ConfigError::Invalid(
                "aeron.archive.catalog.file.sync.level must be at least aeron.archive.file.sync.level".into(),
            ));
        }
        if self.control_channel_enabled {
            match &self.control_channel {
                Some(c) if c.starts_with("aeron:udp") => {}
                Some(c) => {
                    return Err(ConfigError::Invalid(format!(
                        "control channel must be UDP: {c}"
                    )))
                }
                None => {}
            }
        }
        if !self.local_control_channel.starts_with("aeron:ipc") {
            return Err(ConfigError::Invalid(format!(
                "local control channel must be IPC: {}",
                self.local_control_channel
            )));
        }
        Ok(())
    }

    /// Where the mark file goes.
    pub fn mark_file_dir(&self) -> PathBuf {
        self.mark_file_dir
            .clone()
            .unwrap_or_else(|| self.archive_dir.clone())
    }
}

/// Splits Java-properties text into `(key, value)` pairs (`#`/`!` comments, `=` or `:` separators).
pub fn parse_properties_text(text: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let (k, v) = line
            .split_once(['=', ':'])
            .ok_or_else(|| ConfigError::Invalid(format!("not a key=value line: {line}")))?;
        out.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threading_properties_take_javas_names() {
        let mut c = ArchiveConfig::default();
        assert_eq!(c.threading_mode, ThreadingMode::Dedicated, "Java's default");
        c.set_property("aeron.archive.threading.mode", "SHARED")
            .unwrap();
        assert_eq!(c.threading_mode, ThreadingMode::Shared);
        assert!(c
            .set_property("aeron.archive.threading.mode", "PARALLEL")
            .is_err());
        assert_eq!(
            c.threading_mode,
            ThreadingMode::Shared,
            "unchanged by a refused value"
        );
        c.set_property(
            "aeron.archive.idle.strategy",
            "org.agrona.concurrent.YieldingIdleStrategy",
        )
        .unwrap();
        c.set_property("aeron.archive.recorder.idle.strategy", "spin")
            .unwrap();
        c.set_property("aeron.archive.replayer.idle.strategy", "")
            .unwrap();
        assert_eq!(c.idle_strategy, AgentIdleStrategy::Yielding);
        assert_eq!(c.recorder_idle_strategy, Some(AgentIdleStrategy::BusySpin));
        assert_eq!(
            c.replayer_idle_strategy, None,
            "empty: the archive idle strategy"
        );
        assert!(c
            .set_property("aeron.archive.replayer.idle.strategy", "com.acme.Idle")
            .is_err());
    }

    #[test]
    fn checksum_properties_take_javas_names_and_refuse_others() {
        let mut c = ArchiveConfig::default();
        c.set_property(
            "aeron.archive.record.checksum",
            "io.aeron.archive.checksum.Crc32c",
        )
        .unwrap();
        c.set_property("aeron.archive.replay.checksum", "CRC-32C")
            .unwrap();
        assert_eq!(
            (c.record_checksum, c.replay_checksum),
            (Some(Checksum::Crc32c), Some(Checksum::Crc32c))
        );
        c.set_property("aeron.archive.record.checksum", "org.agrona.checksum.Crc32")
            .unwrap();
        assert_eq!(c.record_checksum, Some(Checksum::Crc32));
        c.set_property("aeron.archive.record.checksum", "").unwrap();
        assert_eq!(c.record_checksum, None);
        let e = c
            .set_property("aeron.archive.replay.checksum", "com.acme.Md5")
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("failed to create Checksum instance for class: com.acme.Md5"),
            "{e}"
        );
        assert_eq!(
            c.replay_checksum,
            Some(Checksum::Crc32c),
            "unchanged by a refused value"
        );
        // Java's conclude has no rule between the two: a replay checksum alone is accepted.
        c.set_property("aeron.archive.record.checksum", "").unwrap();
        assert!(c.validate().is_ok());
    }

    #[test]
    fn java_properties_apply() {
        let mut c = ArchiveConfig::default();
        let others = c
            .apply_properties_text(
                "# comment\naeron.archive.dir=/tmp/a\naeron.archive.control.channel=aeron:udp?endpoint=localhost:8010\n\
                 aeron.archive.segment.file.length=128k\naeron.archive.connect.timeout=250ms\naeron.archive.id=42\n\
                 aeron.archive.file.sync.level=1\naeron.archive.catalog.file.sync.level=2\n\
                 aeron.spies.simulate.connection=true\n",
            )
            .unwrap();
        assert_eq!(c.archive_dir, PathBuf::from("/tmp/a"));
        assert_eq!(
            c.control_channel.as_deref(),
            Some("aeron:udp?endpoint=localhost:8010")
        );
        assert_eq!(c.segment_file_length, 128 * 1024);
        assert_eq!(c.connect_timeout, Duration::from_millis(250));
        assert_eq!(c.archive_id, Some(42));
        assert_eq!(c.file_sync_level, SyncLevel::Data);
        assert_eq!(
            others,
            vec![(
                "aeron.spies.simulate.connection".to_owned(),
                "true".to_owned()
            )]
        );
        c.validate().unwrap();
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let mut c = ArchiveConfig::default();
        let e = c
            .set_property("aeron.archive.control.stream.id", "ten")
            .unwrap_err();
        assert!(
            e.to_string().contains("aeron.archive.control.stream.id"),
            "{e}"
        );
        assert!(c
            .set_property("aeron.archive.file.sync.level", "3")
            .is_err());
        assert!(c
            .set_property("aeron.archive.connect.timeout", "soon")
            .is_err());
        c.segment_file_length = 100_000;
        assert!(c.validate().is_err());
        let mut c = ArchiveConfig {
            control_channel: Some("aeron:ipc".into()),
            ..Default::default()
        };
        assert!(c.validate().is_err());
        c.control_channel = None;
        c.file_sync_level = SyncLevel::DataAndMetadata;
        assert!(
            c.validate().is_err(),
            "catalog sync level below file sync level"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("x", "5s").unwrap(), Duration::from_secs(5));
        assert_eq!(
            parse_duration("x", "100us").unwrap(),
            Duration::from_micros(100)
        );
        assert_eq!(
            parse_duration("x", "1000").unwrap(),
            Duration::from_nanos(1000)
        );
    }
}
