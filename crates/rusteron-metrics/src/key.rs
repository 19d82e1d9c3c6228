//! Decoding of the key area of a counter's metadata record into its fields.

use crate::KeyLayout;

/// The decoded key fields of a counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CounterKey {
    /// A system counter and its system counter id.
    System {
        /// The system counter id.
        system_counter_id: i32,
    },
    /// A stream counter (positions, limits, per-stream totals).
    Stream {
        /// Registration id of the publication, subscription or image.
        registration_id: i64,
        /// Session id.
        session_id: i32,
        /// Stream id.
        stream_id: i32,
        /// Channel URI (possibly truncated by the driver to fit the key).
        channel: String,
    },
    /// A channel endpoint counter.
    Channel {
        /// Channel URI (possibly truncated by the driver to fit the key).
        channel: String,
    },
    /// A client heartbeat.
    Heartbeat {
        /// The client id.
        client_id: i64,
    },
    /// The local socket address of a channel endpoint.
    LocalSockaddr {
        /// Counter id of the channel's status counter.
        channel_status_id: i32,
        /// The address, e.g. `127.0.0.1:40123`.
        address: String,
    },
    /// An archive recording position.
    RecordingPosition {
        /// Recording id.
        recording_id: i64,
        /// Session id of the recorded image.
        session_id: i32,
        /// Source identity of the recorded image.
        source_identity: String,
        /// Archive id, when it fits in the key.
        archive_id: Option<i64>,
    },
    /// An archive counter.
    Archive {
        /// Archive id.
        archive_id: i64,
    },
    /// A key this crate does not decode.
    Opaque,
}

impl CounterKey {
    /// Decodes `key` (the metadata record's key area) according to `layout`. Truncated or malformed keys
    /// decode to [`CounterKey::Opaque`] rather than failing.
    pub fn decode(layout: KeyLayout, key: &[u8]) -> CounterKey {
        Self::try_decode(layout, key).unwrap_or(CounterKey::Opaque)
    }

    fn try_decode(layout: KeyLayout, key: &[u8]) -> Option<CounterKey> {
        Some(match layout {
            KeyLayout::SystemCounter => CounterKey::System {
                system_counter_id: i32_at(key, 0)?,
            },
            KeyLayout::Stream => CounterKey::Stream {
                registration_id: i64_at(key, 0)?,
                session_id: i32_at(key, 8)?,
                stream_id: i32_at(key, 12)?,
                channel: str_at(key, 16)?,
            },
            KeyLayout::Channel => CounterKey::Channel {
                channel: str_at(key, 0)?,
            },
            KeyLayout::Heartbeat => CounterKey::Heartbeat {
                client_id: i64_at(key, 0)?,
            },
            KeyLayout::LocalSockaddr => CounterKey::LocalSockaddr {
                channel_status_id: i32_at(key, 0)?,
                address: str_at(key, 4)?,
            },
            KeyLayout::RecordingPosition => {
                let source_identity = str_at(key, 12)?;
                let archive_offset = 16 + usize::try_from(i32_at(key, 12)?).ok()?;
                CounterKey::RecordingPosition {
                    recording_id: i64_at(key, 0)?,
                    session_id: i32_at(key, 8)?,
                    archive_id: i64_at(key, archive_offset),
                    source_identity,
                }
            }
            KeyLayout::ArchiveId => CounterKey::Archive {
                archive_id: i64_at(key, 0)?,
            },
            KeyLayout::Opaque => CounterKey::Opaque,
        })
    }

    /// The stream id, for stream counters.
    pub fn stream_id(&self) -> Option<i32> {
        match self {
            CounterKey::Stream { stream_id, .. } => Some(*stream_id),
            _ => None,
        }
    }

    /// The session id, for stream counters and recording positions.
    pub fn session_id(&self) -> Option<i32> {
        match self {
            CounterKey::Stream { session_id, .. }
            | CounterKey::RecordingPosition { session_id, .. } => Some(*session_id),
            _ => None,
        }
    }

    /// The channel, for stream and channel counters.
    pub fn channel(&self) -> Option<&str> {
        match self {
            CounterKey::Stream { channel, .. } | CounterKey::Channel { channel } => Some(channel),
            _ => None,
        }
    }
}

fn i32_at(key: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_ne_bytes(key.get(at..at + 4)?.try_into().ok()?))
}

fn i64_at(key: &[u8], at: usize) -> Option<i64> {
    Some(i64::from_ne_bytes(key.get(at..at + 8)?.try_into().ok()?))
}

/// A string stored as an `i32` length at `at` followed by its bytes.
fn str_at(key: &[u8], at: usize) -> Option<String> {
    let len = usize::try_from(i32_at(key, at)?).ok()?;
    let bytes = key.get(at + 4..at + 4 + len)?;
    Some(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream_key(reg: i64, session: i32, stream: i32, channel: &str) -> Vec<u8> {
        let mut k = Vec::new();
        k.extend_from_slice(&reg.to_ne_bytes());
        k.extend_from_slice(&session.to_ne_bytes());
        k.extend_from_slice(&stream.to_ne_bytes());
        k.extend_from_slice(&(channel.len() as i32).to_ne_bytes());
        k.extend_from_slice(channel.as_bytes());
        k.resize(112, 0);
        k
    }

    #[test]
    fn decodes_a_stream_key() {
        let k = stream_key(42, -7, 1001, "aeron:ipc");
        let key = CounterKey::decode(KeyLayout::Stream, &k);
        assert_eq!(
            key,
            CounterKey::Stream {
                registration_id: 42,
                session_id: -7,
                stream_id: 1001,
                channel: "aeron:ipc".into()
            }
        );
        assert_eq!(key.stream_id(), Some(1001));
        assert_eq!(key.session_id(), Some(-7));
        assert_eq!(key.channel(), Some("aeron:ipc"));
    }

    #[test]
    fn malformed_keys_are_opaque() {
        let mut k = stream_key(1, 2, 3, "x");
        k[16..20].copy_from_slice(&500i32.to_ne_bytes());
        assert_eq!(
            CounterKey::decode(KeyLayout::Stream, &k),
            CounterKey::Opaque
        );
        k[16..20].copy_from_slice(&(-1i32).to_ne_bytes());
        assert_eq!(
            CounterKey::decode(KeyLayout::Stream, &k),
            CounterKey::Opaque
        );
        assert_eq!(
            CounterKey::decode(KeyLayout::Heartbeat, &[1, 2]),
            CounterKey::Opaque
        );
    }

    #[test]
    fn decodes_other_layouts() {
        let mut k = vec![0u8; 112];
        k[..4].copy_from_slice(&5i32.to_ne_bytes());
        assert_eq!(
            CounterKey::decode(KeyLayout::SystemCounter, &k),
            CounterKey::System {
                system_counter_id: 5
            }
        );
        k[4..8].copy_from_slice(&3i32.to_ne_bytes());
        k[8..11].copy_from_slice(b"a:1");
        assert_eq!(
            CounterKey::decode(KeyLayout::LocalSockaddr, &k),
            CounterKey::LocalSockaddr {
                channel_status_id: 5,
                address: "a:1".into()
            }
        );
        let mut r = vec![0u8; 112];
        r[..8].copy_from_slice(&9i64.to_ne_bytes());
        r[8..12].copy_from_slice(&4i32.to_ne_bytes());
        r[12..16].copy_from_slice(&2i32.to_ne_bytes());
        r[16..18].copy_from_slice(b"id");
        r[18..26].copy_from_slice(&77i64.to_ne_bytes());
        assert_eq!(
            CounterKey::decode(KeyLayout::RecordingPosition, &r),
            CounterKey::RecordingPosition {
                recording_id: 9,
                session_id: 4,
                source_identity: "id".into(),
                archive_id: Some(77)
            }
        );
    }
}
