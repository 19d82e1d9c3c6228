//! The soak's archives: directories, channels and the `-D` arguments of the server binary in its three
//! drop-in modes (archive with an embedded driver, media driver alone, archive alone).

use std::path::{Path, PathBuf};

/// A free UDP port of 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// One archive of the soak.
#[derive(Debug, Clone)]
pub struct ArchiveSetup {
    /// Name in messages ("archive", "replica").
    pub name: &'static str,
    /// Media driver directory.
    pub aeron_dir: PathBuf,
    /// Archive directory.
    pub archive_dir: PathBuf,
    /// Control request channel (UDP, fixed for the archive's life so the replica finds it).
    pub control: String,
    /// `aeron.archive.threading.mode`.
    pub threading_mode: String,
    /// `aeron.archive.file.sync.level` and `aeron.archive.catalog.file.sync.level`.
    pub sync_level: u8,
    /// `aeron.archive.record.checksum`, if any.
    pub record_checksum: Option<&'static str>,
    /// `aeron.archive.low.storage.space.threshold`, if not the default (128 MiB).
    pub low_storage_threshold: Option<&'static str>,
    /// Log file of its processes.
    pub log: PathBuf,
}

impl ArchiveSetup {
    /// An archive below `base` (dirs `<name>-aeron`, `<name>`), logging to `logs/<name>.log`.
    pub fn new(
        name: &'static str,
        base: &Path,
        archive_dir: PathBuf,
        threading_mode: &str,
    ) -> ArchiveSetup {
        ArchiveSetup {
            name,
            aeron_dir: base.join(format!("{name}-aeron")),
            archive_dir,
            control: format!("aeron:udp?endpoint=127.0.0.1:{}", free_port()),
            threading_mode: threading_mode.to_owned(),
            sync_level: 1,
            record_checksum: None,
            low_storage_threshold: None,
            log: base.join(format!("{name}.log")),
        }
    }

    fn driver_props(&self) -> Vec<String> {
        vec![
            format!("-Daeron.dir={}", self.aeron_dir.display()),
            "-Daeron.dir.delete.on.start=true".into(),
            "-Daeron.threading.mode=SHARED".into(),
            "-Daeron.shared.idle.strategy=sleeping".into(),
            "-Daeron.spies.simulate.connection=true".into(),
        ]
    }

    fn archive_props(&self) -> Vec<String> {
        let mut a = vec![
            format!("-Daeron.dir={}", self.aeron_dir.display()),
            format!("-Daeron.archive.dir={}", self.archive_dir.display()),
            format!("-Daeron.archive.control.channel={}", self.control),
            "-Daeron.archive.control.response.channel=aeron:udp?endpoint=127.0.0.1:0".into(),
            "-Daeron.archive.replication.channel=aeron:udp?endpoint=127.0.0.1:0".into(),
            "-Daeron.archive.segment.file.length=256k".into(),
            format!("-Daeron.archive.threading.mode={}", self.threading_mode),
            format!("-Daeron.archive.file.sync.level={}", self.sync_level),
            format!(
                "-Daeron.archive.catalog.file.sync.level={}",
                self.sync_level
            ),
        ];
        if let Some(c) = self.record_checksum {
            a.push(format!("-Daeron.archive.record.checksum={c}"));
        }
        if let Some(t) = self.low_storage_threshold {
            a.push(format!("-Daeron.archive.low.storage.space.threshold={t}"));
        }
        a
    }

    /// Archive and media driver in one process (`ArchivingMediaDriver`).
    pub fn embedded_args(&self) -> Vec<String> {
        let mut a = self.driver_props();
        a.extend(self.archive_props());
        a.push("io.aeron.archive.ArchivingMediaDriver".into());
        a
    }

    /// The media driver alone (`MediaDriver`).
    pub fn driver_args(&self) -> Vec<String> {
        let mut a = self.driver_props();
        a.push("io.aeron.driver.MediaDriver".into());
        a
    }

    /// The archive alone, on the driver of `aeron_dir` (`Archive`).
    pub fn archive_args(&self) -> Vec<String> {
        let mut a = self.archive_props();
        a.push("io.aeron.archive.Archive".into());
        a
    }
}
