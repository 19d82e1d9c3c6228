//! Counters the archive allocates through its Aeron client: the RecordingPos counter of each active
//! recording (type 100), one counter per control session (type 113) and the control session count (102).

use std::time::Duration;

use rusteron_client::{Aeron, AeronCError, AeronCounter};

/// Type id of a recording position counter.
pub const RECORDING_POSITION_TYPE_ID: i32 = 100;
/// Type id of the "Archive Control Sessions" counter.
pub const CONTROL_SESSIONS_TYPE_ID: i32 = 102;
/// Type id of a control session counter.
pub const CONTROL_SESSION_TYPE_ID: i32 = 113;
/// Longest counter key.
pub const MAX_KEY_LENGTH: usize = 112;
/// Longest counter label.
pub const MAX_LABEL_LENGTH: usize = 380;
/// Longest source identity kept in a RecordingPos key.
pub const MAX_SOURCE_IDENTITY_LENGTH: usize = MAX_KEY_LENGTH - 16 - 8;

/// Key of a RecordingPos counter: recordingId i64, sessionId i32, source identity length i32, the identity
/// bytes, then archiveId i64.
pub fn recording_pos_key(
    recording_id: i64,
    session_id: i32,
    source_identity: &str,
    archive_id: i64,
) -> Vec<u8> {
    let identity =
        &source_identity.as_bytes()[..source_identity.len().min(MAX_SOURCE_IDENTITY_LENGTH)];
    let mut key = Vec::with_capacity(16 + identity.len() + 8);
    key.extend_from_slice(&recording_id.to_le_bytes());
    key.extend_from_slice(&session_id.to_le_bytes());
    key.extend_from_slice(&(identity.len() as i32).to_le_bytes());
    key.extend_from_slice(identity);
    key.extend_from_slice(&archive_id.to_le_bytes());
    key
}

/// Label of a RecordingPos counter: `rec-pos: <recordingId> <sessionId> <streamId> <channel> - archiveId=<id>`.
pub fn recording_pos_label(
    recording_id: i64,
    session_id: i32,
    stream_id: i32,
    stripped_channel: &str,
    archive_id: i64,
) -> String {
    let suffix = format!(" - archiveId={archive_id}");
    let mut label = format!("rec-pos: {recording_id} {session_id} {stream_id} {stripped_channel}");
    truncate(&mut label, MAX_LABEL_LENGTH - suffix.len());
    label.push_str(&suffix);
    label
}

/// Label of a control session counter.
pub fn control_session_label(
    client_info: &str,
    source_identity: &str,
    session_id: i32,
    archive_id: i64,
) -> String {
    let suffix = format!(" - archiveId={archive_id}");
    let mut label = String::from("control-session: ");
    if !client_info.is_empty() {
        label.push_str(client_info);
        label.push(' ');
    }
    label.push_str(&format!(
        "sourceIdentity={source_identity} sessionId={session_id}"
    ));
    truncate(&mut label, MAX_LABEL_LENGTH - suffix.len());
    label.push_str(&suffix);
    label
}

fn truncate(s: &mut String, max: usize) {
    if s.len() > max {
        let mut at = max;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
    }
}

/// Allocates a counter and waits for it.
pub fn add_counter(
    aeron: &Aeron,
    type_id: i32,
    key: &[u8],
    label: &str,
    timeout: Duration,
) -> Result<AeronCounter, AeronCError> {
    aeron
        .async_add_counter(type_id, key, label)?
        .poll_blocking(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recording_pos_key_layout() {
        let key = recording_pos_key(5, 77, "aeron:ipc", 42);
        assert_eq!(key.len(), 16 + 9 + 8);
        assert_eq!(i64::from_le_bytes(key[0..8].try_into().unwrap()), 5);
        assert_eq!(i32::from_le_bytes(key[8..12].try_into().unwrap()), 77);
        assert_eq!(i32::from_le_bytes(key[12..16].try_into().unwrap()), 9);
        assert_eq!(&key[16..25], b"aeron:ipc");
        assert_eq!(i64::from_le_bytes(key[25..33].try_into().unwrap()), 42);
        let long = "x".repeat(200);
        assert_eq!(recording_pos_key(1, 1, &long, 1).len(), MAX_KEY_LENGTH);
        let label = recording_pos_label(1, 2, 3, &"c".repeat(500), 9);
        assert!(label.len() <= MAX_LABEL_LENGTH && label.ends_with(" - archiveId=9"));
    }
}
