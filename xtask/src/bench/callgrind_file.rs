//! Reads what `cargo xtask bench --callgrind` needs from one callgrind output file (one thread, one dump):
//! the instructions executed in it and how often each function was called.

use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::Path;

/// Instructions and call counts of one dump of one thread.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Profile {
    /// Instructions executed (the `summary:` / `totals:` line).
    pub instructions: u64,
    /// Calls per called function name, summed over all call sites.
    pub calls: HashMap<String, u64>,
    /// Inclusive instructions per function (its own and those of everything it called).
    pub inclusive: HashMap<String, u64>,
}

impl Profile {
    /// Calls of `name` (0 when it was never called).
    pub fn calls_of(&self, name: &str) -> u64 {
        self.calls.get(name).copied().unwrap_or(0)
    }

    /// Inclusive instructions of the functions whose name ends with `suffix`, added up.
    pub fn inclusive_of(&self, suffix: &str) -> u64 {
        self.inclusive
            .iter()
            .filter(|(name, _)| name.ends_with(suffix))
            .map(|(_, c)| *c)
            .sum()
    }

    /// Reads a callgrind output file.
    pub fn read(path: &Path) -> Result<Profile> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Profile::parse(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// Parses the callgrind format (compressed or plain names; only `Ir` is used).
    pub fn parse(text: &str) -> Result<Profile> {
        let mut names: HashMap<String, String> = HashMap::new();
        let mut profile = Profile::default();
        let mut called: Option<String> = None;
        let mut current = String::new();
        let mut total = None;
        for line in text.lines() {
            if let Some(rest) = line
                .strip_prefix("cfn=")
                .or_else(|| line.strip_prefix("cfunc="))
            {
                called = Some(resolve(&mut names, rest));
            } else if let Some(rest) = line.strip_prefix("fn=") {
                current = resolve(&mut names, rest);
            } else if line
                .starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-' || c == '*')
            {
                // A cost line `<position> <Ir>`: the function's own cost, or right after `calls=` the
                // inclusive cost of that call; both belong to the current function's inclusive cost.
                if let Some(ir) = line
                    .split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<u64>().ok())
                {
                    *profile.inclusive.entry(current.clone()).or_default() += ir;
                }
            } else if let Some(rest) = line.strip_prefix("calls=") {
                let n: u64 = rest
                    .split_whitespace()
                    .next()
                    .unwrap_or("0")
                    .parse()
                    .context("calls= count")?;
                if let Some(f) = called.take() {
                    *profile.calls.entry(f).or_default() += n;
                }
            } else if let Some(rest) = line
                .strip_prefix("summary:")
                .or_else(|| line.strip_prefix("totals:"))
            {
                let v: u64 = rest
                    .split_whitespace()
                    .next()
                    .unwrap_or("0")
                    .parse()
                    .context("summary/totals")?;
                total = Some(total.map_or(v, |t: u64| t.max(v)));
            }
        }
        profile.instructions = total.context("no summary: or totals: line")?;
        Ok(profile)
    }
}

/// `(12) name` defines id 12; `(12)` refers to it; a plain `name` is itself.
fn resolve(names: &mut HashMap<String, String>, spec: &str) -> String {
    let spec = spec.trim();
    if let Some(rest) = spec.strip_prefix('(') {
        if let Some(close) = rest.find(')') {
            let id = &rest[..close];
            let name = rest[close + 1..].trim();
            if name.is_empty() {
                return names.get(id).cloned().unwrap_or_default();
            }
            names.insert(id.to_string(), name.to_string());
            return name.to_string();
        }
    }
    spec.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shaped like a real dump (callgrind 3.19, compressed names, one thread).
    const DUMP: &str = "# callgrind format\nversion: 1\npart: 1\nthread: 1\n\nevents: Ir\nsummary: 45900000\n\n\
        fl=(146) /tmp/t.c\nfn=(644) work\n4 30600000\n\nfn=(536) main\n6 7650000\ncfn=(644)\ncalls=7650000 -2 \n* 30600000\n\
        cfn=(700) aeron_image_poll\ncalls=5 +1\n* 10\nfn=(701) other\ncfn=(700)\ncalls=2 0\n0 4\ntotals: 45900000\n";

    #[test]
    fn reads_instructions_and_calls_through_compressed_names() {
        let p = Profile::parse(DUMP).unwrap();
        assert_eq!(p.instructions, 45_900_000);
        assert_eq!(p.calls_of("work"), 7_650_000);
        assert_eq!(p.calls_of("aeron_image_poll"), 7);
        assert_eq!(p.calls_of("main"), 0);
        // main: 7650000 own + 30600000 in work + 10 in aeron_image_poll.
        assert_eq!(p.inclusive_of("main"), 7_650_000 + 30_600_000 + 10);
        assert_eq!(p.inclusive_of("work"), 30_600_000);
    }

    #[test]
    fn plain_names_and_missing_totals() {
        let p = Profile::parse("summary: 10\nfn=a\ncfn=b\ncalls=3 1\n1 2\n").unwrap();
        assert_eq!(p.calls_of("b"), 3);
        assert!(Profile::parse("fn=a\n").is_err());
    }
}
