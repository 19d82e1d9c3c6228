//! The storage part of [`ArchiveServer::launch`](crate::ArchiveServer::launch), in Java's order: create the
//! mark file (refusing to start over a live archive), validate the catalog header, open the catalog and
//! recover the stop positions of recordings that were active when the previous process died; once the
//! archive serves requests, mark it ready and keep the mark file's activity timestamp fresh.

use crate::config::ArchiveConfig;
use crate::error::ServerError;

use super::catalog::Catalog;
use super::mark_file::{epoch_ms, MarkFile, MarkFileSettings};
use super::mark_keeper::MarkFileKeeper;
use super::recovery;

/// The media driver directory the archive's client will use (configured, else Aeron's default).
pub fn aeron_directory(config: &ArchiveConfig) -> String {
    match &config.aeron_dir {
        Some(dir) => dir.display().to_string(),
        None => rusteron_client::AeronContext::new()
            .map(|c| c.get_dir())
            .unwrap_or_default(),
    }
}

/// Creates the mark file (archive id still unknown unless configured: -1) and opens and recovers the
/// catalog. The archive dir must exist.
pub fn open_storage(config: &ArchiveConfig) -> Result<(MarkFile, Catalog), ServerError> {
    let now = epoch_ms();
    let settings = MarkFileSettings::from_config(
        config,
        config.archive_id.unwrap_or(-1),
        &aeron_directory(config),
    );
    let mark_file = MarkFile::create(&settings, now)?;
    match open_catalog(config, now) {
        Ok(catalog) => Ok((mark_file, catalog)),
        Err(e) => {
            // A start that failed leaves a stopped mark file (activity -1), not one that looks alive for the
            // liveness timeout to tools and to a retry in the same process.
            if let Err(m) = mark_file.signal_terminated() {
                log::warn!("marking {} stopped: {m}", mark_file.path().display());
            }
            Err(e)
        }
    }
}

fn open_catalog(config: &ArchiveConfig, now: i64) -> Result<Catalog, ServerError> {
    recovery::validate_catalog_header(&config.archive_dir)?;
    let mut catalog = Catalog::open(
        &config.archive_dir,
        config.catalog_capacity,
        config.catalog_file_sync_level,
    )?
    .with_checksum(config.record_checksum);
    let report = recovery::recover(
        &mut catalog,
        &config.archive_dir,
        config.file_sync_level,
        now,
    )?;
    if !report.recovered.is_empty() {
        log::warn!(
            "recovered {} recording(s) left active by the previous run",
            report.recovered.len()
        );
    }
    Ok(catalog)
}

/// Writes the archive id, marks the archive ready (mark file version set) and starts the keeper.
pub fn signal_ready(mark_file: MarkFile, archive_id: i64) -> Result<MarkFileKeeper, ServerError> {
    mark_file.set_archive_id(archive_id);
    Ok(MarkFileKeeper::start(mark_file)?)
}
