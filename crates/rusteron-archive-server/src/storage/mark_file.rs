//! The archive mark file `archive-mark.dat`, in the Java archive's layout, so Java tools (`ArchiveTool`,
//! `AeronStat`-style error readers) and test harnesses that wait for it understand it.
//!
//! Layout (`aeron-archive-mark-codecs.xml`, schema id 100, version 2, generated into
//! [`rusteron_archive_codecs::mark`]):
//!
//! | offset | what |
//! |---|---|
//! | 0 | SBE message header: block length 128, template id 200, schema id 100, version 2 |
//! | 8 | `version` i32: 0 while starting, then [`SEMANTIC_VERSION`] (3.1.0), written last |
//! | 16 | `activityTimestamp` i64: epoch ms, refreshed every second while alive, -1 after a clean stop |
//! | 24 | `startTimestamp` i64, 32 `pid` i64, 40 `controlStreamId`, 44 `localControlStreamId`, 48 `eventsStreamId` |
//! | 52 | `headerLength` i32 = [`HEADER_LENGTH`] (8 KiB), 56 `errorBufferLength` i32, 64 `archiveId` i64 |
//! | 136 | var data: `controlChannel`, `localControlChannel`, `eventsChannel`, `aeronDirectory` (u32 length + ASCII) |
//! | 8192 | the distinct error log ([`super::error_log`]), `errorBufferLength` bytes |
//!
//! The file length is `align(8192 + errorBufferLength, filePageSize)`. The file is memory-mapped like Java's
//! and the version and activity timestamp are stored with release ordering, so a concurrent reader sees a
//! complete header once the version is set. When the mark file directory is not the archive directory, the
//! archive directory gets an `archive-mark.lnk` file holding the mark file directory's path.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, AtomicI64, Ordering};

use memmap2::MmapMut;
use rusteron_archive_codecs::mark::{
    MarkFileHeaderDecoder, MarkFileHeaderEncoder, MessageHeaderDecoder,
};

use super::error_log::DistinctErrorLog;
use super::{io_err, StorageError};

/// Name of the mark file.
pub const MARK_FILE_NAME: &str = "archive-mark.dat";
/// Name of the link file put in the archive dir when the mark file lives elsewhere.
pub const LINK_FILE_NAME: &str = "archive-mark.lnk";
/// Space reserved for the header; the error log starts here.
pub const HEADER_LENGTH: usize = 8 * 1024;
/// Archive file format 3.1.0, stored in the `version` field once the archive is ready.
pub const SEMANTIC_VERSION: i32 = (3 << 16) | (1 << 8);
/// Major version this implementation reads and writes.
pub const MAJOR_VERSION: i32 = 3;
/// A mark file whose activity timestamp is younger than this belongs to a live archive (Java's
/// `Archive.Configuration.LIVENESS_TIMEOUT_MS`).
pub const LIVENESS_TIMEOUT_MS: i64 = 10_000;
/// Default driver file page size (`aeron.file.page.size`).
pub const DEFAULT_FILE_PAGE_SIZE: usize = 4096;

/// Offset of the `version` field (message header + block offset 0).
pub const VERSION_OFFSET: usize = MessageHeaderDecoder::ENCODED_LENGTH;
/// Offset of the `activityTimestamp` field.
pub const ACTIVITY_TIMESTAMP_OFFSET: usize = MessageHeaderDecoder::ENCODED_LENGTH + 8;

/// Offset of the `archiveId` field.
pub const ARCHIVE_ID_OFFSET: usize = MessageHeaderDecoder::ENCODED_LENGTH + 56;

/// What the mark file describes. Built from the archive configuration by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkFileSettings {
    /// Directory of the mark file (`aeron.archive.mark.file.dir`, or the archive dir).
    pub mark_file_dir: PathBuf,
    /// The archive dir (for the link file).
    pub archive_dir: PathBuf,
    /// UDP control channel, if enabled.
    pub control_channel: Option<String>,
    /// Control stream id.
    pub control_stream_id: i32,
    /// IPC control channel.
    pub local_control_channel: String,
    /// IPC control stream id.
    pub local_control_stream_id: i32,
    /// Recording events channel (`None` when events are disabled).
    pub events_channel: Option<String>,
    /// Recording events stream id.
    pub events_stream_id: i32,
    /// Media driver directory the archive uses.
    pub aeron_directory: String,
    /// Archive id.
    pub archive_id: i64,
    /// Length of the error log area.
    pub error_buffer_length: usize,
    /// File page size the total length is aligned to (power of two).
    pub file_page_size: usize,
}

impl MarkFileSettings {
    /// The settings of an archive running with `config` and `archive_id`.
    pub fn from_config(
        config: &crate::config::ArchiveConfig,
        archive_id: i64,
        aeron_directory: &str,
    ) -> Self {
        MarkFileSettings {
            mark_file_dir: config.mark_file_dir(),
            archive_dir: config.archive_dir.clone(),
            control_channel: config
                .control_channel
                .clone()
                .filter(|_| config.control_channel_enabled),
            control_stream_id: config.control_stream_id,
            local_control_channel: config.local_control_channel.clone(),
            local_control_stream_id: config.local_control_stream_id,
            events_channel: Some(config.recording_events_channel.clone()),
            events_stream_id: config.recording_events_stream_id,
            aeron_directory: aeron_directory.to_owned(),
            archive_id,
            error_buffer_length: config.error_buffer_length as usize,
            file_page_size: DEFAULT_FILE_PAGE_SIZE,
        }
    }

    /// Total file length: `align(HEADER_LENGTH + error_buffer_length, file_page_size)`.
    pub fn file_length(&self) -> usize {
        let page = self.file_page_size.max(1).next_power_of_two();
        (HEADER_LENGTH + self.error_buffer_length).div_ceil(page) * page
    }
}

/// The header fields of a mark file, as read back by [`read_mark_file`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkFileHeader {
    /// 0 while the archive starts, [`SEMANTIC_VERSION`] once ready.
    pub version: i32,
    /// Epoch ms of the last liveness update; -1 after a clean stop.
    pub activity_timestamp: i64,
    /// Epoch ms of the start.
    pub start_timestamp: i64,
    /// Process id of the archive.
    pub pid: i64,
    /// Control stream id.
    pub control_stream_id: i32,
    /// IPC control stream id.
    pub local_control_stream_id: i32,
    /// Recording events stream id.
    pub events_stream_id: i32,
    /// Header length (8192).
    pub header_length: i32,
    /// Error log length.
    pub error_buffer_length: i32,
    /// Archive id (-1 if unknown).
    pub archive_id: i64,
    /// UDP control channel (empty if none).
    pub control_channel: String,
    /// IPC control channel.
    pub local_control_channel: String,
    /// Recording events channel.
    pub events_channel: String,
    /// Media driver directory.
    pub aeron_directory: String,
}

impl MarkFileHeader {
    /// `true` if this header belongs to an archive that is still alive at `now_ms`: ready, updated within
    /// [`LIVENESS_TIMEOUT_MS`], and (unlike Java, which only looks at the timestamp) its process still exists.
    pub fn is_active(&self, now_ms: i64) -> bool {
        self.version != 0
            && self.activity_timestamp >= 0
            && now_ms - self.activity_timestamp < LIVENESS_TIMEOUT_MS
            && process_exists(self.pid)
    }
}

impl MarkFileHeader {
    /// `true` if an archive may still be using its files at `now_ms`: the activity timestamp is younger than
    /// [`LIVENESS_TIMEOUT_MS`] and the process still exists, whether or not the archive finished starting
    /// (a starting archive is recovering its catalog). `rusteron-archive-tool` refuses changes then.
    pub fn may_be_running(&self, now_ms: i64) -> bool {
        self.activity_timestamp >= 0
            && now_ms - self.activity_timestamp < LIVENESS_TIMEOUT_MS
            && process_exists(self.pid)
    }
}

/// `true` if a process with this id exists (or cannot be checked).
fn process_exists(pid: i64) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: kill with signal 0 sends nothing; it only checks that the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

fn corrupt(path: &Path, what: impl Into<String>) -> StorageError {
    StorageError::Corrupt {
        path: path.to_path_buf(),
        what: what.into(),
    }
}

/// Current time in epoch milliseconds.
pub fn epoch_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Decodes the header of the mark file at `path`.
pub fn read_mark_file(path: &Path) -> Result<MarkFileHeader, StorageError> {
    let bytes = std::fs::read(path).map_err(io_err(path))?;
    decode_header(path, &bytes)
}

fn decode_header(path: &Path, bytes: &[u8]) -> Result<MarkFileHeader, StorageError> {
    let bad = |e: rusteron_archive_codecs::CodecError| corrupt(path, e.to_string());
    let head = bytes.get(..HEADER_LENGTH.min(bytes.len())).unwrap_or(&[]);
    let d = MarkFileHeaderDecoder::decode(head).map_err(bad)?;
    let string = |r: rusteron_archive_codecs::Result<&str>| r.map(str::to_owned).map_err(bad);
    Ok(MarkFileHeader {
        version: d.version(),
        activity_timestamp: d.activity_timestamp(),
        start_timestamp: d.start_timestamp(),
        pid: d.pid(),
        control_stream_id: d.control_stream_id(),
        local_control_stream_id: d.local_control_stream_id(),
        events_stream_id: d.events_stream_id(),
        header_length: d.header_length(),
        error_buffer_length: d.error_buffer_length(),
        archive_id: d.archive_id(),
        control_channel: string(d.control_channel())?,
        local_control_channel: string(d.local_control_channel())?,
        events_channel: string(d.events_channel())?,
        aeron_directory: string(d.aeron_directory())?,
    })
}

/// An open, memory-mapped mark file of a running archive.
pub struct MarkFile {
    path: PathBuf,
    map: MmapMut,
    error_buffer_length: usize,
}

impl std::fmt::Debug for MarkFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MarkFile")
            .field("path", &self.path)
            .finish()
    }
}

impl MarkFile {
    /// Creates (or takes over) the mark file described by `settings`, writes the header with `version` 0
    /// and writes or removes the link file. Fails with [`StorageError::ArchiveActive`] if the existing file
    /// belongs to a live archive. Errors left in the error log of a previous run are saved to
    /// `archive-errors-<epoch ms>.log` beside it. Call [`signal_ready`](Self::signal_ready) once started.
    pub fn create(settings: &MarkFileSettings, now_ms: i64) -> Result<MarkFile, StorageError> {
        let dir = &settings.mark_file_dir;
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let path = dir.join(MARK_FILE_NAME);
        if path.is_file() {
            Self::check_previous(&path, now_ms)?;
        }
        let length = settings.file_length();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(io_err(&path))?;
        file.set_len(length as u64).map_err(io_err(&path))?;
        // SAFETY: the file was just created/truncated by us and sized to `length`; nothing else in this
        // process maps it, other processes only read it (as Java's readers do), and the mapping lives in
        // `self` so every access below stays within it.
        let mut map = unsafe { MmapMut::map_mut(&file) }.map_err(io_err(&path))?;
        Self::encode(settings, &mut map, now_ms).map_err(|e| corrupt(&path, e))?;
        map.flush().map_err(io_err(&path))?;
        write_link_file(settings)?;
        Ok(MarkFile {
            path,
            map,
            error_buffer_length: settings.error_buffer_length,
        })
    }

    fn check_previous(path: &Path, now_ms: i64) -> Result<(), StorageError> {
        let bytes = std::fs::read(path).map_err(io_err(path))?;
        let Ok(old) = decode_header(path, &bytes) else {
            log::warn!("replacing unreadable mark file {}", path.display());
            return Ok(());
        };
        if old.version != 0 && old.version >> 16 != MAJOR_VERSION {
            return Err(corrupt(
                path,
                format!(
                    "mark file major version {} (need {MAJOR_VERSION})",
                    old.version >> 16
                ),
            ));
        }
        if old.is_active(now_ms) {
            return Err(StorageError::ArchiveActive {
                path: path.to_path_buf(),
                pid: old.pid,
            });
        }
        let (start, len) = (
            old.header_length.max(0) as usize,
            old.error_buffer_length.max(0) as usize,
        );
        if start >= HEADER_LENGTH && len > 0 && start + len <= bytes.len() {
            let text = DistinctErrorLog::format_existing(&bytes[start..start + len]);
            if !text.is_empty() {
                let saved = path.with_file_name(format!("archive-errors-{now_ms}.log"));
                std::fs::write(&saved, text).map_err(io_err(&saved))?;
                log::warn!(
                    "errors of the previous archive run saved to {}",
                    saved.display()
                );
            }
        }
        Ok(())
    }

    fn encode(s: &MarkFileSettings, buf: &mut [u8], now_ms: i64) -> Result<(), String> {
        let e = |e: rusteron_archive_codecs::CodecError| e.to_string();
        MarkFileHeaderEncoder::wrap_and_apply_header(&mut buf[..HEADER_LENGTH])
            .map_err(e)?
            .version(0)
            .activity_timestamp(now_ms)
            .start_timestamp(now_ms)
            .pid(i64::from(std::process::id()))
            .control_stream_id(s.control_stream_id)
            .local_control_stream_id(s.local_control_stream_id)
            .events_stream_id(s.events_stream_id)
            .header_length(HEADER_LENGTH as i32)
            .error_buffer_length(s.error_buffer_length as i32)
            .archive_id(s.archive_id)
            .control_channel(s.control_channel.as_deref().unwrap_or(""))
            .map_err(e)?
            .local_control_channel(&s.local_control_channel)
            .map_err(e)?
            .events_channel(s.events_channel.as_deref().unwrap_or(""))
            .map_err(e)?
            .aeron_directory(&s.aeron_directory)
            .map_err(e)?
            .finish()
            .map_err(|err| format!("header does not fit in {HEADER_LENGTH} bytes: {err}"))?;
        Ok(())
    }

    /// Path of the mark file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn atomic_i64(&self, offset: usize) -> &AtomicI64 {
        let bytes = &self.map[offset..offset + 8];
        assert_eq!(
            bytes.as_ptr() as usize % 8,
            0,
            "mark file field must be 8-byte aligned"
        );
        // SAFETY: the 8 bytes are inside the mapping (sliced above), 8-byte aligned (checked; the mapping is
        // page aligned and the offset a multiple of 8), and only ever accessed atomically by this process.
        unsafe { &*(bytes.as_ptr() as *const AtomicI64) }
    }

    fn atomic_i32(&self, offset: usize) -> &AtomicI32 {
        let bytes = &self.map[offset..offset + 4];
        assert_eq!(
            bytes.as_ptr() as usize % 4,
            0,
            "mark file field must be 4-byte aligned"
        );
        // SAFETY: as for `atomic_i64`, with 4 bytes and 4-byte alignment.
        unsafe { &*(bytes.as_ptr() as *const AtomicI32) }
    }

    /// Stores the archive id (known only once the archive's Aeron client is connected, when the id is not
    /// configured). Call before [`signal_ready`](Self::signal_ready).
    pub fn set_archive_id(&self, archive_id: i64) {
        self.atomic_i64(ARCHIVE_ID_OFFSET)
            .store(archive_id.to_le(), Ordering::Release);
    }

    /// Stores the activity timestamp (release ordering), as the conductor does every second.
    pub fn update_activity_timestamp(&self, now_ms: i64) {
        self.atomic_i64(ACTIVITY_TIMESTAMP_OFFSET)
            .store(now_ms.to_le(), Ordering::Release);
    }

    /// The activity timestamp currently stored.
    pub fn activity_timestamp(&self) -> i64 {
        i64::from_le(
            self.atomic_i64(ACTIVITY_TIMESTAMP_OFFSET)
                .load(Ordering::Acquire),
        )
    }

    /// Marks the archive ready: stores the activity timestamp, then the version (last, as Java does), and
    /// flushes the file.
    pub fn signal_ready(&self, now_ms: i64) -> Result<(), StorageError> {
        self.update_activity_timestamp(now_ms);
        self.atomic_i32(VERSION_OFFSET)
            .store(SEMANTIC_VERSION.to_le(), Ordering::Release);
        self.map.flush().map_err(io_err(&self.path))
    }

    /// Marks a clean stop: activity timestamp -1, flushed.
    pub fn signal_terminated(&self) -> Result<(), StorageError> {
        self.update_activity_timestamp(-1);
        self.map.flush().map_err(io_err(&self.path))
    }

    /// Records an error in the distinct error log at offset [`HEADER_LENGTH`] (same text again only bumps
    /// its count and last-seen time). Returns `false` when the log is full.
    pub fn record_error(&mut self, text: &str, now_ms: i64) -> bool {
        let area = &mut self.map[HEADER_LENGTH..HEADER_LENGTH + self.error_buffer_length];
        DistinctErrorLog::new(area).record(text, now_ms)
    }
}

fn write_link_file(s: &MarkFileSettings) -> Result<(), StorageError> {
    let link = s.archive_dir.join(LINK_FILE_NAME);
    let same = match (s.mark_file_dir.canonicalize(), s.archive_dir.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => s.mark_file_dir == s.archive_dir,
    };
    if same {
        if link.exists() {
            std::fs::remove_file(&link).map_err(io_err(&link))?;
        }
        return Ok(());
    }
    std::fs::create_dir_all(&s.archive_dir).map_err(io_err(&s.archive_dir))?;
    let target = s
        .mark_file_dir
        .canonicalize()
        .unwrap_or_else(|_| s.mark_file_dir.clone());
    std::fs::write(&link, target.to_string_lossy().as_bytes()).map_err(io_err(&link))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &Path) -> MarkFileSettings {
        MarkFileSettings {
            mark_file_dir: dir.to_path_buf(),
            archive_dir: dir.to_path_buf(),
            control_channel: Some("aeron:udp?endpoint=localhost:8010".into()),
            control_stream_id: 10,
            local_control_channel: "aeron:ipc?term-length=64k".into(),
            local_control_stream_id: 11,
            events_channel: Some("aeron:udp?control-mode=dynamic|control=localhost:8030".into()),
            events_stream_id: 30,
            aeron_directory: "/dev/shm/aeron-test".into(),
            archive_id: 42,
            error_buffer_length: 64 * 1024,
            file_page_size: 4096,
        }
    }

    fn i32_at(b: &[u8], at: usize) -> i32 {
        i32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }
    fn i64_at(b: &[u8], at: usize) -> i64 {
        i64::from_le_bytes(b[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn offsets_match_the_schema_and_the_java_layout() {
        let meta = MarkFileHeaderDecoder::META;
        assert_eq!(meta.block_length, 128);
        let offset = |name: &str| meta.fields.iter().find(|f| f.name == name).unwrap().offset;
        assert_eq!(VERSION_OFFSET, 8 + offset("version"));
        assert_eq!(ACTIVITY_TIMESTAMP_OFFSET, 8 + offset("activityTimestamp"));
        assert_eq!(ARCHIVE_ID_OFFSET, 8 + offset("archiveId"));
        let expected = [
            ("version", 0),
            ("activityTimestamp", 8),
            ("startTimestamp", 16),
            ("pid", 24),
            ("controlStreamId", 32),
            ("localControlStreamId", 36),
            ("eventsStreamId", 40),
            ("headerLength", 44),
            ("errorBufferLength", 48),
            ("archiveId", 56),
        ];
        for (name, at) in expected {
            assert_eq!(offset(name), at, "{name}");
        }
    }

    #[test]
    fn created_file_has_the_java_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path());
        let mark = MarkFile::create(&s, 1_000).unwrap();
        let bytes = std::fs::read(dir.path().join(MARK_FILE_NAME)).unwrap();
        assert_eq!(bytes.len(), 8192 + 64 * 1024);
        // Message header: block length 128, template 200, schema 100, version 2.
        assert_eq!(&bytes[0..8], &[128, 0, 200, 0, 100, 0, 2, 0]);
        assert_eq!(i32_at(&bytes, 8), 0, "version is written last");
        assert_eq!(i64_at(&bytes, 16), 1_000);
        assert_eq!(i64_at(&bytes, 24), 1_000);
        assert_eq!(i64_at(&bytes, 32), i64::from(std::process::id()));
        assert_eq!(
            (i32_at(&bytes, 40), i32_at(&bytes, 44), i32_at(&bytes, 48)),
            (10, 11, 30)
        );
        assert_eq!((i32_at(&bytes, 52), i32_at(&bytes, 56)), (8192, 64 * 1024));
        assert_eq!(i64_at(&bytes, 64), 42);
        let first = "aeron:udp?endpoint=localhost:8010";
        assert_eq!(i32_at(&bytes, 136) as usize, first.len());
        assert_eq!(&bytes[140..140 + first.len()], first.as_bytes());

        mark.set_archive_id(-7777);
        mark.signal_ready(2_000).unwrap();
        let h = read_mark_file(mark.path()).unwrap();
        assert_eq!(h.version, SEMANTIC_VERSION);
        assert_eq!(h.activity_timestamp, 2_000);
        assert_eq!(h.local_control_channel, "aeron:ipc?term-length=64k");
        assert_eq!(h.aeron_directory, "/dev/shm/aeron-test");
        assert_eq!(h.archive_id, -7777);
        mark.signal_terminated().unwrap();
        assert_eq!(read_mark_file(mark.path()).unwrap().activity_timestamp, -1);
    }

    #[test]
    fn a_live_archive_is_refused_a_stale_one_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path());
        let now = epoch_ms();
        let mut mark = MarkFile::create(&s, now).unwrap();
        mark.signal_ready(now).unwrap();
        assert!(matches!(
            MarkFile::create(&s, now + 1),
            Err(StorageError::ArchiveActive { .. })
        ));
        // Older than the liveness timeout: taken over, and the old errors are saved.
        assert!(mark.record_error("boom", now));
        drop(mark);
        let again = MarkFile::create(&s, now + LIVENESS_TIMEOUT_MS + 1).unwrap();
        let saved: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("archive-errors-")
            })
            .collect();
        assert_eq!(saved.len(), 1);
        assert!(std::fs::read_to_string(saved[0].path())
            .unwrap()
            .contains("boom"));
        drop(again);
    }

    #[test]
    fn a_dead_process_is_not_alive_even_when_recent() {
        let h = MarkFileHeader {
            version: SEMANTIC_VERSION,
            activity_timestamp: 1_000,
            start_timestamp: 0,
            pid: i64::from(i32::MAX - 7),
            control_stream_id: 0,
            local_control_stream_id: 0,
            events_stream_id: 0,
            header_length: 8192,
            error_buffer_length: 0,
            archive_id: 1,
            control_channel: String::new(),
            local_control_channel: String::new(),
            events_channel: String::new(),
            aeron_directory: String::new(),
        };
        assert!(!h.is_active(1_500), "no such pid");
        let mine = MarkFileHeader {
            pid: i64::from(std::process::id()),
            ..h.clone()
        };
        assert!(mine.is_active(1_500));
        assert!(!mine.is_active(1_000 + LIVENESS_TIMEOUT_MS));
        assert!(!MarkFileHeader { version: 0, ..mine }.is_active(1_500));
    }

    #[test]
    fn link_file_names_a_separate_mark_dir() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = settings(&dir.path().join("mark"));
        s.archive_dir = dir.path().join("archive");
        let _m = MarkFile::create(&s, 1).unwrap();
        let link =
            std::fs::read_to_string(dir.path().join("archive").join(LINK_FILE_NAME)).unwrap();
        assert!(link.ends_with("mark"), "{link}");
    }

    #[test]
    fn too_long_channels_are_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = settings(dir.path());
        s.aeron_directory = "x".repeat(HEADER_LENGTH);
        assert!(matches!(
            MarkFile::create(&s, 1),
            Err(StorageError::Corrupt { .. })
        ));
    }
}
