//! Command-line options shared by the four programs (same meaning as the C samples' flags).

use std::str::FromStr;

/// Parsed `wire <command> [--name value]...`.
pub struct Args {
    /// `ping`, `pong`, `publisher` or `subscriber`; `None` under `cargo bench`.
    pub command: Option<String>,
    /// Aeron directory of the external driver (C samples: `-p`).
    pub dir: Option<String>,
    /// Ping channel, or the data channel of publisher/subscriber (`-c`).
    pub channel: String,
    /// Ping stream id, or the data stream id (`-s`).
    pub stream: i32,
    /// Pong channel (`-C`).
    pub pong_channel: String,
    /// Pong stream id (`-S`).
    pub pong_stream: i32,
    /// Measured messages (`-m`).
    pub messages: u64,
    /// Warm-up messages (`-w`); pong and subscriber expect `messages + warmup` in total.
    pub warmup: u64,
    /// Message length in bytes (`-L`).
    pub length: usize,
    /// Fragment limit per poll (`-f`; the C samples use 10).
    pub fragment_limit: usize,
}

impl Args {
    /// Parses the process arguments; unknown flags are ignored (cargo passes `--bench`).
    pub fn from_env() -> Self {
        let raw: Vec<String> = std::env::args().skip(1).collect();
        let get = |name: &str| -> Option<&str> {
            let flag = format!("--{name}");
            let i = raw.iter().position(|a| *a == flag)?;
            raw.get(i + 1).map(String::as_str)
        };
        fn parse<T: FromStr>(v: Option<&str>, default: T) -> T {
            v.and_then(|v| v.parse().ok()).unwrap_or(default)
        }
        Args {
            command: raw.first().filter(|c| !c.starts_with('-')).cloned(),
            dir: get("dir").map(str::to_string),
            channel: parse(
                get("channel"),
                "aeron:udp?endpoint=localhost:20123".to_string(),
            ),
            stream: parse(get("stream"), 1002),
            pong_channel: parse(
                get("pong-channel"),
                "aeron:udp?endpoint=localhost:20124".to_string(),
            ),
            pong_stream: parse(get("pong-stream"), 1003),
            messages: parse(get("messages"), 100_000),
            warmup: parse(get("warmup"), 10_000),
            length: parse(get("length"), 32),
            fragment_limit: parse(get("fragment-limit"), 10),
        }
    }
}
