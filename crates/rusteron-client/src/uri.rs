//! Channel URIs: [`AeronUriStringBuilder`] builds them, [`AeronUri`] parses them.
//!
//! Format: `aeron:<media>[?key=value|key=value...]`, optionally prefixed (e.g. `aeron-spy:`).

use crate::AeronCError;

/// The media of a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// Shared memory between processes on one host.
    Ipc,
    /// UDP unicast or multicast.
    Udp,
}

impl Media {
    /// The URI spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Media::Ipc => "ipc",
            Media::Udp => "udp",
        }
    }
}

/// Control modes of a multi-destination channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlMode {
    /// Destinations added by the application.
    Manual,
    /// Destinations added dynamically by receivers.
    Dynamic,
    /// Response channel.
    Response,
}

impl ControlMode {
    /// The URI spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            ControlMode::Manual => "manual",
            ControlMode::Dynamic => "dynamic",
            ControlMode::Response => "response",
        }
    }
}

/// A parsed channel URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AeronUri {
    /// Optional prefix such as `aeron-spy`.
    pub prefix: Option<String>,
    /// The media (`ipc`, `udp`).
    pub media: String,
    /// Parameters in order of appearance.
    pub params: Vec<(String, String)>,
}

impl AeronUri {
    /// Parses `uri`.
    pub fn parse(uri: &str) -> Result<Self, AeronCError> {
        let bad = |why: &'static str| AeronCError::with_message(-1, why);
        let (prefix, rest) = match uri.strip_prefix("aeron:") {
            Some(rest) => (None, rest),
            None => {
                let (p, r) = uri
                    .split_once(":aeron:")
                    .ok_or_else(|| bad("channel URI must start with 'aeron:'"))?;
                (Some(p.to_string()), r)
            }
        };
        let (media, query) = match rest.split_once('?') {
            Some((m, q)) => (m, Some(q)),
            None => (rest, None),
        };
        if media.is_empty() {
            return Err(bad("channel URI has no media"));
        }
        let mut params = Vec::new();
        if let Some(q) = query {
            for pair in q.split('|').filter(|p| !p.is_empty()) {
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| bad("channel URI parameter without '='"))?;
                if k.is_empty() {
                    return Err(bad("channel URI parameter with empty key"));
                }
                params.push((k.to_string(), v.to_string()));
            }
        }
        Ok(AeronUri {
            prefix,
            media: media.to_string(),
            params,
        })
    }

    /// The value of `key`, if present (the last one wins).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl std::fmt::Display for AeronUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(p) = &self.prefix {
            write!(f, "{p}:")?;
        }
        write!(f, "aeron:{}", self.media)?;
        for (i, (k, v)) in self.params.iter().enumerate() {
            write!(f, "{}{k}={v}", if i == 0 { '?' } else { '|' })?;
        }
        Ok(())
    }
}

impl std::str::FromStr for AeronUri {
    type Err = AeronCError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AeronUri::parse(s)
    }
}

/// Builds channel URIs: `AeronUriStringBuilder::default().media(Media::Udp).endpoint("127.0.0.1:40123").build()`.
#[derive(Debug, Clone, Default)]
pub struct AeronUriStringBuilder {
    prefix: Option<String>,
    media: Option<String>,
    params: Vec<(String, String)>,
}

impl AeronUriStringBuilder {
    /// Starts from an existing URI, keeping its parameters.
    pub fn from_uri(uri: &str) -> Result<Self, AeronCError> {
        let u = AeronUri::parse(uri)?;
        Ok(AeronUriStringBuilder {
            prefix: u.prefix,
            media: Some(u.media),
            params: u.params,
        })
    }

    /// Sets the prefix (e.g. `aeron-spy`).
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = Some(prefix.to_string());
        self
    }

    /// Sets the media.
    pub fn media(mut self, media: Media) -> Self {
        self.media = Some(media.as_str().to_string());
        self
    }

    /// Sets (or replaces) any parameter.
    pub fn put(mut self, key: &str, value: impl ToString) -> Self {
        let value = value.to_string();
        match self.params.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.params.push((key.to_string(), value)),
        }
        self
    }

    /// Removes a parameter.
    pub fn remove(mut self, key: &str) -> Self {
        self.params.retain(|(k, _)| k != key);
        self
    }

    /// `endpoint=` (host:port).
    pub fn endpoint(self, endpoint: &str) -> Self {
        self.put("endpoint", endpoint)
    }
    /// `control=` (host:port of the control endpoint).
    pub fn control(self, control: &str) -> Self {
        self.put("control", control)
    }
    /// `control-mode=`.
    pub fn control_mode(self, mode: ControlMode) -> Self {
        self.put("control-mode", mode.as_str())
    }
    /// `interface=`.
    pub fn network_interface(self, interface: &str) -> Self {
        self.put("interface", interface)
    }
    /// `mtu=`.
    pub fn mtu(self, mtu: u32) -> Self {
        self.put("mtu", mtu)
    }
    /// `term-length=`.
    pub fn term_length(self, len: u32) -> Self {
        self.put("term-length", len)
    }
    /// `session-id=`.
    pub fn session_id(self, id: i32) -> Self {
        self.put("session-id", id)
    }
    /// `reliable=`.
    pub fn reliable(self, reliable: bool) -> Self {
        self.put("reliable", reliable)
    }
    /// `ttl=`.
    pub fn ttl(self, ttl: u8) -> Self {
        self.put("ttl", ttl)
    }
    /// `linger=` (ns).
    pub fn linger_ns(self, ns: u64) -> Self {
        self.put("linger", format!("{ns}ns"))
    }
    /// `sparse=`.
    pub fn sparse(self, sparse: bool) -> Self {
        self.put("sparse", sparse)
    }
    /// `tags=`.
    pub fn tags(self, tags: &str) -> Self {
        self.put("tags", tags)
    }
    /// `alias=`.
    pub fn alias(self, alias: &str) -> Self {
        self.put("alias", alias)
    }

    /// The URI string.
    pub fn build(&self) -> Result<String, AeronCError> {
        let media = self
            .media
            .clone()
            .ok_or_else(|| AeronCError::with_message(-1, "channel URI needs a media"))?;
        Ok(AeronUri {
            prefix: self.prefix.clone(),
            media,
            params: self.params.clone(),
        }
        .to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_and_parse_round_trip() {
        let s = AeronUriStringBuilder::default()
            .media(Media::Udp)
            .endpoint("127.0.0.1:40123")
            .mtu(1408)
            .term_length(65536)
            .put("mtu", 4096)
            .build()
            .unwrap();
        assert_eq!(
            s,
            "aeron:udp?endpoint=127.0.0.1:40123|mtu=4096|term-length=65536"
        );
        let u = AeronUri::parse(&s).unwrap();
        assert_eq!(u.media, "udp");
        assert_eq!(u.get("mtu"), Some("4096"));
        assert_eq!(u.to_string(), s);
        let spy = AeronUri::parse("aeron-spy:aeron:ipc").unwrap();
        assert_eq!(spy.prefix.as_deref(), Some("aeron-spy"));
        assert_eq!(spy.to_string(), "aeron-spy:aeron:ipc");
        assert!(AeronUri::parse("udp://x").is_err());
        assert!(AeronUri::parse("aeron:udp?novalue").is_err());
        let b = AeronUriStringBuilder::from_uri("aeron:ipc?term-length=65536")
            .unwrap()
            .remove("term-length");
        assert_eq!(b.build().unwrap(), "aeron:ipc");
    }
}
