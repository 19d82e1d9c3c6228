//! [`MarkFileKeeper`]: keeps a running archive's mark file alive: refreshes its activity timestamp every
//! second on a small thread (Java's conductor does it on its duty cycle) and marks a clean stop on
//! [`stop`](MarkFileKeeper::stop) or drop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::mark_file::{epoch_ms, MarkFile};
use super::StorageError;

/// How often the activity timestamp is refreshed (Java: 1 s).
pub const ACTIVITY_UPDATE_INTERVAL: Duration = Duration::from_secs(1);

/// Owns the mark file of a running archive and refreshes it.
#[derive(Debug)]
pub struct MarkFileKeeper {
    mark: Arc<Mutex<MarkFile>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MarkFileKeeper {
    /// Signals `mark` ready (version written) and starts refreshing it.
    pub fn start(mark: MarkFile) -> Result<MarkFileKeeper, StorageError> {
        mark.signal_ready(epoch_ms())?;
        let mark = Arc::new(Mutex::new(mark));
        let stop = Arc::new(AtomicBool::new(false));
        let (m, s) = (mark.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("archive-mark".into())
            .spawn(move || {
                let step = Duration::from_millis(50);
                let mut waited = Duration::ZERO;
                while !s.load(Ordering::Acquire) {
                    std::thread::sleep(step);
                    waited += step;
                    if waited >= ACTIVITY_UPDATE_INTERVAL {
                        waited = Duration::ZERO;
                        if let Ok(mark) = m.lock() {
                            mark.update_activity_timestamp(epoch_ms());
                        }
                    }
                }
            })
            .map_err(|source| StorageError::Io {
                path: "archive-mark thread".into(),
                source,
            })?;
        Ok(MarkFileKeeper {
            mark,
            stop,
            thread: Some(thread),
        })
    }

    /// Records an error in the mark file's distinct error log (for `ArchiveTool errors`-style readers).
    pub fn record_error(&self, text: &str) {
        if let Ok(mut mark) = self.mark.lock() {
            if !mark.record_error(text, epoch_ms()) {
                log::debug!("archive mark file error log is full");
            }
        }
    }

    /// Stops refreshing and marks the clean stop (activity timestamp -1).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
            match self.mark.lock() {
                Ok(mark) => {
                    if let Err(e) = mark.signal_terminated() {
                        log::warn!("marking the archive mark file terminated: {e}");
                    }
                }
                Err(_) => log::warn!("archive mark file lock poisoned"),
            }
        }
    }
}

impl Drop for MarkFileKeeper {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::super::mark_file::{read_mark_file, MarkFileSettings, SEMANTIC_VERSION};
    use super::*;

    #[test]
    fn keeps_the_timestamp_fresh_and_marks_the_stop() {
        let dir = tempfile::tempdir().unwrap();
        let settings = MarkFileSettings {
            mark_file_dir: dir.path().into(),
            archive_dir: dir.path().into(),
            control_channel: None,
            control_stream_id: 10,
            local_control_channel: "aeron:ipc".into(),
            local_control_stream_id: 10,
            events_channel: None,
            events_stream_id: 30,
            aeron_directory: "/tmp/x".into(),
            archive_id: 7,
            error_buffer_length: 4096,
            file_page_size: 4096,
        };
        let mark = MarkFile::create(&settings, 1).unwrap();
        let path = mark.path().to_path_buf();
        let keeper = MarkFileKeeper::start(mark).unwrap();
        let h = read_mark_file(&path).unwrap();
        assert_eq!(h.version, SEMANTIC_VERSION);
        assert!(h.activity_timestamp > 1);
        keeper.record_error("an error");
        std::thread::sleep(Duration::from_millis(1200));
        assert!(read_mark_file(&path).unwrap().activity_timestamp >= h.activity_timestamp);
        keeper.stop();
        assert_eq!(read_mark_file(&path).unwrap().activity_timestamp, -1);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            super::super::error_log::read_records(&bytes[8192..])[0].text,
            "an error"
        );
    }
}
