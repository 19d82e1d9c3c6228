//! [`TestArchive`]: an embedded media driver (shared threading, sleeping idle) and an archive server on a
//! unique temporary directory, with control channels on free UDP ports of 127.0.0.1. Everything is stopped
//! and removed on drop.

use std::path::Path;
use std::time::Duration;

use rusteron_media_driver::TestMediaDriver;

use crate::config::ArchiveConfig;
use crate::error::ServerError;
use crate::server::{suppliers, ArchiveServer, Authenticator, Authoriser};

/// A free UDP port on 127.0.0.1 (bound then released).
pub fn free_udp_port() -> Result<u16, ServerError> {
    Ok(std::net::UdpSocket::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The environment variable that sets the threading mode of every [`TestArchive`] (`SHARED`, `DEDICATED`,
/// `INVOKER` is refused: a test archive needs its own threads); unset: the default (DEDICATED). `cargo xtask
/// test` runs the server's tests once per mode with it.
pub const THREADING_MODE_ENV: &str = "RUSTERON_ARCHIVE_THREADING_MODE";

/// The threading mode [`THREADING_MODE_ENV`] asks for, if set.
pub fn threading_mode_from_env() -> Result<Option<crate::threading::ThreadingMode>, ServerError> {
    use crate::config::ConfigError;
    use crate::threading::ThreadingMode;
    let Ok(value) = std::env::var(THREADING_MODE_ENV) else {
        return Ok(None);
    };
    let invalid = |why: &str| ConfigError::InvalidValue {
        name: THREADING_MODE_ENV.into(),
        value: value.clone(),
        why: why.into(),
    };
    match value.parse::<ThreadingMode>() {
        Ok(ThreadingMode::Invoker) => {
            Err(invalid("a test archive runs on its own threads (SHARED or DEDICATED)").into())
        }
        Ok(mode) => Ok(Some(mode)),
        Err(why) => Err(invalid(&why).into()),
    }
}

/// A media driver plus an archive for tests.
pub struct TestArchive {
    // Drop order: the archive stops before its driver, then the directories go.
    server: ArchiveServer,
    driver: TestMediaDriver,
    archive_tmp: tempfile::TempDir,
    control_request_channel: String,
    control_response_channel: String,
    recording_events_channel: String,
    control_request_stream_id: i32,
}

impl std::fmt::Debug for TestArchive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestArchive")
            .field("aeron_dir", &self.driver.dir())
            .field("control_request_channel", &self.control_request_channel)
            .finish()
    }
}

impl TestArchive {
    /// Starts a driver and an archive with the test defaults (128 KiB segments, short timeouts, control on
    /// a free port, deleting the archive dir on start).
    pub fn start() -> Result<TestArchive, ServerError> {
        Self::start_with(|_| {})
    }

    /// As [`start`](Self::start), after `configure` adjusted the archive configuration. The authenticator
    /// and authoriser are the ones the configuration names (default: accept everyone, allow everything).
    pub fn start_with(
        configure: impl FnOnce(&mut ArchiveConfig),
    ) -> Result<TestArchive, ServerError> {
        Self::start_inner(configure, None, None)
    }

    /// As [`start_with`](Self::start_with), with an authenticator (the authoriser is the configured one).
    pub fn start_with_authenticator(
        configure: impl FnOnce(&mut ArchiveConfig),
        authenticator: Box<dyn Authenticator>,
    ) -> Result<TestArchive, ServerError> {
        Self::start_inner(configure, Some(authenticator), None)
    }

    /// As [`start_with`](Self::start_with), with an authenticator and an authoriser.
    pub fn start_with_auth(
        configure: impl FnOnce(&mut ArchiveConfig),
        authenticator: Box<dyn Authenticator>,
        authoriser: Box<dyn Authoriser>,
    ) -> Result<TestArchive, ServerError> {
        Self::start_inner(configure, Some(authenticator), Some(authoriser))
    }

    /// Starts the driver and the archive; `None` means the one the configuration names.
    fn start_inner(
        configure: impl FnOnce(&mut ArchiveConfig),
        authenticator: Option<Box<dyn Authenticator>>,
        authoriser: Option<Box<dyn Authoriser>>,
    ) -> Result<TestArchive, ServerError> {
        let driver = TestMediaDriver::launch_with(|b| b.spies_simulate_connection(true))
            .map_err(|e| ServerError::Driver(e.to_string()))?;
        let archive_tmp = tempfile::Builder::new()
            .prefix("rusteron-archive-")
            .tempdir()?;
        let control_request_channel = format!("aeron:udp?endpoint=127.0.0.1:{}", free_udp_port()?);
        let recording_events_channel = format!(
            "aeron:udp?control-mode=dynamic|control=127.0.0.1:{}",
            free_udp_port()?
        );
        let mut config = ArchiveConfig {
            aeron_dir: Some(driver.dir().into()),
            archive_dir: archive_tmp.path().join("archive"),
            delete_archive_dir_on_start: true,
            control_channel: Some(control_request_channel.clone()),
            control_response_channel: Some("aeron:udp?endpoint=127.0.0.1:0".to_owned()),
            recording_events_channel: recording_events_channel.clone(),
            replication_channel: Some("aeron:udp?endpoint=127.0.0.1:0".to_owned()),
            segment_file_length: 128 * 1024,
            connect_timeout: Duration::from_secs(5),
            replay_linger_timeout: Duration::from_millis(100),
            max_concurrent_replays: 100,
            ..ArchiveConfig::default()
        };
        if let Some(mode) = threading_mode_from_env()? {
            config.threading_mode = mode;
        }
        configure(&mut config);
        let control_request_channel = config.control_channel.clone().unwrap_or_default();
        let control_request_stream_id = config.control_stream_id;
        let recording_events_channel = config.recording_events_channel.clone();
        let authenticator = match authenticator {
            Some(a) => a,
            None => suppliers::authenticator_for(config.authenticator_supplier.as_deref())?,
        };
        let authoriser = match authoriser {
            Some(a) => a,
            None => suppliers::authoriser_for(config.authorisation_service_supplier.as_deref())?,
        };
        let server = ArchiveServer::launch_with(config, authenticator, authoriser)?;
        Ok(TestArchive {
            server,
            driver,
            archive_tmp,
            control_request_channel,
            control_response_channel: "aeron:udp?endpoint=127.0.0.1:0".to_owned(),
            recording_events_channel,
            control_request_stream_id,
        })
    }

    /// The media driver directory clients must use.
    pub fn aeron_dir(&self) -> &str {
        self.driver.dir()
    }

    /// The archive's UDP control request channel (`aeron:udp?endpoint=127.0.0.1:<port>`).
    pub fn control_request_channel(&self) -> &str {
        &self.control_request_channel
    }

    /// The control request stream id.
    pub fn control_request_stream_id(&self) -> i32 {
        self.control_request_stream_id
    }

    /// A response channel for clients (`aeron:udp?endpoint=127.0.0.1:0`).
    pub fn control_response_channel(&self) -> &str {
        &self.control_response_channel
    }

    /// The recording events channel (only published on when events are enabled).
    pub fn recording_events_channel(&self) -> &str {
        &self.recording_events_channel
    }

    /// The archive directory (catalog and segment files).
    pub fn archive_dir(&self) -> &Path {
        &self.server.config().archive_dir
    }

    /// The archive server.
    pub fn server(&self) -> &ArchiveServer {
        &self.server
    }

    /// Closes the archive (recordings stopped, catalog synced, threads ended) and the driver, and returns
    /// the temporary directory holding the archive dir (`archive/`), removed when the returned value drops.
    pub fn close_keeping_files(self) -> tempfile::TempDir {
        let TestArchive {
            server,
            driver,
            archive_tmp,
            ..
        } = self;
        server.close();
        drop(driver);
        archive_tmp
    }

    /// The temporary directory holding the archive dir.
    pub fn temp_dir(&self) -> &Path {
        self.archive_tmp.path()
    }
}
