//! Reads the programs' output: the classic HdrHistogram percentile table that `cping` prints (and our
//! `wire ping` prints the same way), and the `Total: ... msgs/sec` line of the streaming publishers.

use anyhow::{bail, Context, Result};

/// Latency quantiles reported, with their labels; the fifth column is the maximum.
pub const QUANTILES: [(f64, &str); 4] =
    [(0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p99.9")];

/// p50, p90, p99, p99.9 and max in microseconds, read identically from every implementation's table: each
/// quantile is the value of the first row whose percentile reaches it (for p99 and p99.9 the table's rows
/// are at 0.990625 and 0.9990234375: 5 ticks per half distance).
pub fn rtt(output: &str) -> Result<[f64; 5]> {
    let rows: Vec<(f64, f64)> = output.lines().filter_map(table_row).collect();
    if rows.is_empty() {
        bail!("no percentile table in the output");
    }
    let mut out = [0.0; 5];
    for (slot, (q, _)) in out.iter_mut().zip(QUANTILES) {
        *slot = rows
            .iter()
            .find(|(_, p)| *p >= q - 1e-12)
            .unwrap_or(rows.last().expect("not empty"))
            .0;
    }
    out[4] = output
        .lines()
        .find_map(|l| l.trim().strip_prefix("#[Max"))
        .and_then(|rest| rest.trim_start_matches([' ', '=']).split(',').next())
        .and_then(|v| v.trim().parse().ok())
        .context("no `#[Max = ...` line in the output")?;
    Ok(out)
}

/// `value percentile count [1/(1-p)]` with a percentile in [0, 1].
fn table_row(line: &str) -> Option<(f64, f64)> {
    let mut it = line.split_whitespace();
    let value: f64 = it.next()?.parse().ok()?;
    let percentile: f64 = it.next()?.parse().ok()?;
    let _count: u64 = it.next()?.parse().ok()?;
    (0.0..=1.0)
        .contains(&percentile)
        .then_some((value, percentile))
}

/// Messages per second from `Total: 1234ms, 1.234e+07 msgs/sec, ...`.
pub fn throughput(output: &str) -> Result<f64> {
    let line = output
        .lines()
        .find(|l| l.starts_with("Total: "))
        .context("no `Total:` line in the output")?;
    let field = line.split(", ").nth(1).context("malformed `Total:` line")?;
    let value = field
        .strip_suffix(" msgs/sec")
        .context("malformed `Total:` line")?;
    Ok(value.trim().parse()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const C_TABLE: &str = "Pinging 100000 messages of length 32 bytes
       Value     Percentile TotalCount 1/(1-Percentile)

       0.521     0.000000          1         1.00
       0.561     0.500000      68796         2.00
       0.581     0.900000      90567        10.00
       0.600     0.990625      99100       106.67
       0.700     0.999023      99910      1024.00
      14319.615     1.000000     100000
#[Mean    =       10.278, StdDeviation   =      189.533]
#[Max     =    14319.615, Total count    =       100000]
#[Buckets =           28, SubBuckets     =         2048]
Shutting down...";

    #[test]
    fn reads_the_c_percentile_table() {
        assert_eq!(
            rtt(C_TABLE).unwrap(),
            [0.561, 0.581, 0.600, 0.700, 14319.615]
        );
    }

    #[test]
    fn reads_the_publisher_total() {
        let c = "Done sending.\nTotal: 242ms, 2.064e+07 msgs/sec, 6.606e+08 bytes/sec, totals 5000000 messages 152 MB payloads";
        assert_eq!(throughput(c).unwrap(), 2.064e7);
        let ours = "Total: 423ms, 11798942.5 msgs/sec, 377566159.1 bytes/sec, totals 5000000 messages 152 MB payloads";
        assert_eq!(throughput(ours).unwrap(), 11798942.5);
        assert!(throughput("nothing").is_err());
    }
}
