//! The counters table.

use std::fmt::Write;

use rusteron_metrics::rusteron_client::{epoch_clock, AeronCnc};
use rusteron_metrics::{format_epoch_ms, CounterSnapshot};

/// A header (directory, CnC version, driver pid, heartbeat age) and one row per counter:
/// id, type id, type name, value, label.
pub fn render(cnc: &AeronCnc, dir: &str, counters: &[CounterSnapshot]) -> String {
    let mut s = String::new();
    let now = epoch_clock();
    let heartbeat_age = now - cnc.to_driver_heartbeat();
    match cnc.constants() {
        Ok(c) => {
            // Copies: the constants struct is packed.
            let (v, pid, liveness_ns) = (c.cnc_version, c.pid, c.client_liveness_timeout);
            let alive = heartbeat_age <= liveness_ns / 1_000_000;
            let _ = writeln!(
                s,
                "{} - {dir} (CnC {}.{}.{}, driver pid {}, heartbeat {heartbeat_age} ms ago{})",
                format_epoch_ms(now),
                (v >> 16) & 0xff,
                (v >> 8) & 0xff,
                v & 0xff,
                pid,
                if alive { "" } else { ", NOT ALIVE" }
            );
        }
        Err(e) => {
            let _ = writeln!(
                s,
                "{} - {dir} (CnC constants unavailable: {e})",
                format_epoch_ms(now)
            );
        }
    }
    let type_width = counters
        .iter()
        .map(|c| c.type_name().len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        s,
        "{:>4} {:>4} {:<type_width$} {:>20}  LABEL",
        "ID", "TYPE", "NAME", "VALUE"
    );
    for c in counters {
        let _ = writeln!(
            s,
            "{:>4} {:>4} {:<type_width$} {:>20}  {}",
            c.id,
            c.type_id,
            c.type_name(),
            group_thousands(c.value),
            c.label
        );
    }
    let _ = writeln!(s, "{} counters", counters.len());
    s
}

/// `1234567` as `1,234,567`.
fn group_thousands(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if v < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::group_thousands;

    #[test]
    fn groups_thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(-1234567), "-1,234,567");
        assert_eq!(group_thousands(i64::MIN), "-9,223,372,036,854,775,808");
    }
}
