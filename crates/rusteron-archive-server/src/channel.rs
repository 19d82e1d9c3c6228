//! Aeron channel URIs as the archive sees them: parsing, the archive's "stripped" form, and the key that
//! identifies a recording subscription.
//!
//! The stripped form keeps only the parameters that identify where data flows (endpoint, control, session
//! id, tags, ...) and drops the ones that describe log buffers (term length, MTU, initial position, ...), in
//! the parameter order of Aeron's `ChannelUriStringBuilder`, so catalog entries read the same as the Java
//! archive's.

use std::fmt;

/// Prefix of a spy subscription channel.
pub const SPY_PREFIX: &str = "aeron-spy:";
const SCHEME: &str = "aeron:";

/// Why a channel string is not a valid Aeron URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The string does not start with `aeron:` (after an optional `aeron-spy:` prefix).
    #[error("channel must start with 'aeron:' (or 'aeron-spy:aeron:'): {0}")]
    MissingScheme(String),
    /// The media is neither `udp` nor `ipc`.
    #[error("unknown media '{media}' in channel: {channel}")]
    UnknownMedia {
        /// Media found.
        media: String,
        /// The whole channel.
        channel: String,
    },
    /// A parameter lacks its `=value`.
    #[error("parameter '{param}' has no value in channel: {channel}")]
    ParamWithoutValue {
        /// The offending parameter.
        param: String,
        /// The whole channel.
        channel: String,
    },
    /// A size parameter is not a valid size.
    #[error("invalid size '{value}' for '{param}'")]
    BadSize {
        /// Parameter name.
        param: String,
        /// Value found.
        value: String,
    },
}

/// A parsed Aeron channel URI: `[aeron-spy:]aeron:<media>[?k=v|k=v...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelUri {
    /// `true` for `aeron-spy:` channels.
    pub spy: bool,
    /// `udp` or `ipc`.
    pub media: String,
    /// Parameters in the order they appeared.
    pub params: Vec<(String, String)>,
}

/// Parameters kept by [`ChannelUri::stripped`], in the order Aeron's `ChannelUriStringBuilder` emits them.
/// The flag tells whether the value is a size (re-formatted like `64k`).
const STRIPPED_ORDER: &[(&str, bool)] = &[
    ("tags", false),
    ("endpoint", false),
    ("interface", false),
    ("control", false),
    ("control-mode", false),
    ("session-id", false),
    ("ttl", false),
    ("alias", false),
    ("cc", false),
    ("fc", false),
    ("gtag", false),
    ("tether", false),
    ("group", false),
    ("rejoin", false),
    ("so-sndbuf", true),
    ("so-rcvbuf", true),
    ("rcv-wnd", true),
    ("media-rcv-ts-offset", false),
    ("channel-rcv-ts-offset", false),
    ("channel-snd-ts-offset", false),
    ("response-endpoint", false),
    ("response-correlation-id", false),
    ("stream-id", false),
];

impl ChannelUri {
    /// Parses a channel string.
    pub fn parse(channel: &str) -> Result<ChannelUri, ChannelError> {
        let (spy, rest) = match channel.strip_prefix(SPY_PREFIX) {
            Some(rest) => (true, rest),
            None => (false, channel),
        };
        let rest = rest
            .strip_prefix(SCHEME)
            .ok_or_else(|| ChannelError::MissingScheme(channel.to_owned()))?;
        let (media, query) = rest.split_once('?').unwrap_or((rest, ""));
        if media != "udp" && media != "ipc" {
            return Err(ChannelError::UnknownMedia {
                media: media.to_owned(),
                channel: channel.to_owned(),
            });
        }
        let mut params = Vec::new();
        for part in query.split('|').filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| ChannelError::ParamWithoutValue {
                    param: part.to_owned(),
                    channel: channel.to_owned(),
                })?;
            params.push((k.to_owned(), v.to_owned()));
        }
        Ok(ChannelUri {
            spy,
            media: media.to_owned(),
            params,
        })
    }

    /// The value of parameter `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets (or replaces) parameter `key`.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.params.iter_mut().find(|(k, _)| k == key) {
            Some(p) => p.1 = value,
            None => self.params.push((key.to_owned(), value)),
        }
    }

    /// Removes parameter `key`.
    pub fn remove(&mut self, key: &str) {
        self.params.retain(|(k, _)| k != key);
    }

    /// `true` for `aeron:udp` channels.
    pub fn is_udp(&self) -> bool {
        self.media == "udp"
    }

    /// The archive's stripped form: media plus the identifying parameters, no spy prefix.
    pub fn stripped(&self) -> Result<ChannelUri, ChannelError> {
        let mut params = Vec::new();
        for (key, is_size) in STRIPPED_ORDER {
            if let Some(v) = self.get(key) {
                let v = if *is_size {
                    format_size(parse_size(key, v)?)
                } else {
                    v.to_owned()
                };
                params.push(((*key).to_owned(), v));
            }
        }
        Ok(ChannelUri {
            spy: false,
            media: self.media.clone(),
            params,
        })
    }

    /// The key under which a recording subscription is registered (and found again by stop requests):
    /// `<streamId>:<media>?endpoint=..|interface=..|control=..|session-id=..|tags=..` with only the
    /// parameters present.
    pub fn recording_key(&self, stream_id: i32) -> String {
        let mut key = format!("{stream_id}:{}?", self.media);
        for name in ["endpoint", "interface", "control", "session-id", "tags"] {
            if let Some(v) = self.get(name) {
                key.push_str(name);
                key.push('=');
                key.push_str(v);
                key.push('|');
            }
        }
        key.pop();
        key
    }
}

impl fmt::Display for ChannelUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.spy {
            f.write_str(SPY_PREFIX)?;
        }
        write!(f, "{SCHEME}{}", self.media)?;
        for (i, (k, v)) in self.params.iter().enumerate() {
            write!(f, "{}{k}={v}", if i == 0 { '?' } else { '|' })?;
        }
        Ok(())
    }
}

/// Parses an Aeron size (`1024`, `64k`, `1m`, `1g`, case-insensitive suffix).
pub fn parse_size(param: &str, value: &str) -> Result<u64, ChannelError> {
    let bad = || ChannelError::BadSize {
        param: param.to_owned(),
        value: value.to_owned(),
    };
    let v = value.trim();
    let (digits, mult) = match v.chars().last().map(|c| c.to_ascii_lowercase()) {
        Some('k') => (&v[..v.len() - 1], 1u64 << 10),
        Some('m') => (&v[..v.len() - 1], 1 << 20),
        Some('g') => (&v[..v.len() - 1], 1 << 30),
        _ => (v, 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(bad)
}

/// Formats a size the way Aeron does: the largest of `g`, `m`, `k` that divides it exactly.
pub fn format_size(size: u64) -> String {
    match size {
        0 => "0".to_owned(),
        s if s % (1 << 30) == 0 => format!("{}g", s >> 30),
        s if s % (1 << 20) == 0 => format!("{}m", s >> 20),
        s if s % (1 << 10) == 0 => format!("{}k", s >> 10),
        s => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        for c in [
            "aeron:ipc",
            "aeron:udp?endpoint=localhost:40123",
            "aeron-spy:aeron:udp?endpoint=a:1|session-id=7",
        ] {
            assert_eq!(ChannelUri::parse(c).unwrap().to_string(), c);
        }
    }

    #[test]
    fn bad_channels_are_errors() {
        assert!(matches!(
            ChannelUri::parse("udp://x"),
            Err(ChannelError::MissingScheme(_))
        ));
        assert!(matches!(
            ChannelUri::parse("aeron:tcp?x=1"),
            Err(ChannelError::UnknownMedia { .. })
        ));
        assert!(matches!(
            ChannelUri::parse("aeron:udp?endpoint"),
            Err(ChannelError::ParamWithoutValue { .. })
        ));
    }

    #[test]
    fn stripping_keeps_identity_and_drops_buffer_params() {
        let c = ChannelUri::parse(
            "aeron:ipc?alias=test42|rejoin=false|mtu=8k|term-length=1m|pub-wnd=512k|ttl=6",
        )
        .unwrap();
        assert_eq!(
            c.stripped().unwrap().to_string(),
            "aeron:ipc?ttl=6|alias=test42|rejoin=false"
        );
        let c = ChannelUri::parse(
            "aeron-spy:aeron:udp?term-length=64k|endpoint=localhost:3333|session-id=77|so-rcvbuf=131072|sparse=true|tags=1,2",
        )
        .unwrap();
        assert_eq!(
            c.stripped().unwrap().to_string(),
            "aeron:udp?tags=1,2|endpoint=localhost:3333|session-id=77|so-rcvbuf=128k"
        );
        assert_eq!(
            ChannelUri::parse("aeron:ipc?term-length=64k")
                .unwrap()
                .stripped()
                .unwrap()
                .to_string(),
            "aeron:ipc"
        );
    }

    #[test]
    fn recording_key_matches_java_format() {
        let c =
            ChannelUri::parse("aeron:udp?term-length=64k|session-id=77|endpoint=localhost:3333")
                .unwrap();
        assert_eq!(
            c.recording_key(33),
            "33:udp?endpoint=localhost:3333|session-id=77"
        );
        assert_eq!(
            ChannelUri::parse("aeron:ipc").unwrap().recording_key(10),
            "10:ipc"
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("x", "64k").unwrap(), 65536);
        assert_eq!(parse_size("x", "1M").unwrap(), 1 << 20);
        assert!(parse_size("x", "lots").is_err());
        assert_eq!(format_size(65536), "64k");
        assert_eq!(format_size(1000), "1000");
        assert_eq!(format_size(3 << 30), "3g");
    }
}
