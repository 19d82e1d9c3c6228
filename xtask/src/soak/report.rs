//! The figures of a soak run and the table printed at the end.

/// Counts of one run (the main soak, the slow-disk run, the ENOSPC run).
#[derive(Debug, Default)]
pub struct Totals {
    /// Name of the run.
    pub name: String,
    /// Fault cycles completed.
    pub cycles: u64,
    /// `kill -9` of the archive process (with its embedded driver, or alone).
    pub archive_kills: u64,
    /// `kill -9` of a separate media driver.
    pub driver_kills: u64,
    /// Archive restarts checked.
    pub restarts: u64,
    /// Recordings replayed and compared after restarts.
    pub recordings_checked: u64,
    /// Bytes (stream positions) that replayed identical to what the publishers sent.
    pub bytes_verified: i64,
    /// Bytes below a recovered stop position that did not: must be 0.
    pub bytes_lost: i64,
    /// Bytes of torn frames recovery cut (above the recovered stop positions).
    pub bytes_cut: i64,
    /// Replays during recording that matched.
    pub live_replays: u64,
    /// Replications started into the replica (each cycle: the live recording and the newest stopped one).
    pub replications: u64,
    /// Error responses about replications the worker saw (its replica connection dies with the fault, so
    /// usually none: the replica's recordings are checked instead: stopped, identical up to their stop).
    pub replication_errors: u64,
    /// Observations that are not failures (e.g. the archive exited by itself when its driver died).
    pub notes: Vec<String>,
    /// Failures: lost bytes, wrong predictions, unexplained errors.
    pub errors: Vec<String>,
}

fn mib(bytes: i64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The table of all runs, then their notes and errors.
pub fn table(runs: &[Totals]) -> String {
    let mut s = String::from(
        "| run | cycles | archive kills | driver kills | restarts | recordings checked | bytes verified | bytes lost | cut (torn) | live replays | replications | errors |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for t in runs {
        s += &format!(
            "| {} | {} | {} | {} | {} | {} | {} ({}) | {} | {} | {} | {} | {} |\n",
            t.name,
            t.cycles,
            t.archive_kills,
            t.driver_kills,
            t.restarts,
            t.recordings_checked,
            t.bytes_verified,
            mib(t.bytes_verified),
            t.bytes_lost,
            t.bytes_cut,
            t.live_replays,
            t.replications,
            t.errors.len()
        );
    }
    for t in runs {
        for n in &t.notes {
            s += &format!("note ({}): {n}\n", t.name);
        }
        for e in &t.errors {
            s += &format!("ERROR ({}): {e}\n", t.name);
        }
    }
    s
}
