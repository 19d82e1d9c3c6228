//! Identifier conventions shared by the generators.

/// `ControlResponse` -> `controlResponse` (the SBE C generator's type and file names).
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Splits `controlResponse`, `ControlResponse`, `REPLICATE_END`, `startRecordingRequest2` into words.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in s.split(['_', '-', ' ']).filter(|p| !p.is_empty()) {
        let chars: Vec<char> = part.chars().collect();
        let mut cur = String::new();
        for (i, &ch) in chars.iter().enumerate() {
            let boundary = i > 0
                && ch.is_uppercase()
                && (chars[i - 1].is_lowercase()
                    || chars[i - 1].is_ascii_digit()
                    || (chars[i - 1].is_uppercase()
                        && chars.get(i + 1).is_some_and(|n| n.is_lowercase())));
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(ch);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// `startRecordingRequest2` -> `start_recording_request2`.
pub fn snake(s: &str) -> String {
    words(s)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `controlResponse` -> `CONTROL_RESPONSE`.
pub fn upper_snake(s: &str) -> String {
    snake(s).to_uppercase()
}

/// `REPLICATE_END` -> `ReplicateEnd`, `controlResponse` -> `ControlResponse`.
pub fn pascal(s: &str) -> String {
    words(s)
        .iter()
        .map(|w| {
            let lower = w.to_lowercase();
            let mut c = lower.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// A snake-case Rust identifier for `s`, escaped if it is a keyword.
pub fn rust_ident(s: &str) -> String {
    let id = snake(s);
    if RUST_KEYWORDS.contains(&id.as_str()) {
        format!("r#{id}")
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(lower_first("ControlResponse"), "controlResponse");
        assert_eq!(snake("startRecordingRequest2"), "start_recording_request2");
        assert_eq!(snake("fileIoMaxLength"), "file_io_max_length");
        assert_eq!(
            snake("ListRecordingsForUriRequest"),
            "list_recordings_for_uri_request"
        );
        assert_eq!(
            upper_snake("recordingSignalEvent"),
            "RECORDING_SIGNAL_EVENT"
        );
        assert_eq!(upper_snake("controlResponse"), "CONTROL_RESPONSE");
        assert_eq!(pascal("REPLICATE_END"), "ReplicateEnd");
        assert_eq!(pascal("OK"), "Ok");
        assert_eq!(pascal("messageHeader"), "MessageHeader");
        assert_eq!(rust_ident("type"), "r#type");
        assert_eq!(snake("HTTPServer"), "http_server");
    }
}
