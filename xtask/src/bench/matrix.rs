//! Who limits the stream: IPC throughput of every publisher against every subscriber ({C, ours, 0.2.16}²),
//! so that a gap to C can be put on the side that causes it.

use anyhow::Result;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::build::Bins;
use super::driver::Driver;
use super::scenario::{run_pair, Impl, SCENARIOS};
use super::stats::{median, range};
use super::Options;

/// Index of the IPC throughput scenario in [`SCENARIOS`].
const TPUT_IPC: usize = 2;

/// Messages/s per (publisher, subscriber), one value per repetition.
pub struct Matrix {
    pub impls: Vec<Impl>,
    pub runs: BTreeMap<(Impl, Impl), Vec<f64>>,
}

/// Runs every (publisher, subscriber) pair `opts.reps` times on its own driver, the pairs of each
/// repetition in a rotated order.
pub fn run(opts: &Options, bins: &Bins, impls: &[Impl], logs: &Path) -> Result<Matrix> {
    let sc = &SCENARIOS[TPUT_IPC];
    let driver = Driver::start(&bins.driver, &logs.join("matrix-driver.log"))?;
    let pairs: Vec<(Impl, Impl)> = impls
        .iter()
        .flat_map(|&p| impls.iter().map(move |&s| (p, s)))
        .collect();
    let mut runs: BTreeMap<(Impl, Impl), Vec<f64>> = BTreeMap::new();
    let mut stream = 30_000;
    for rep in 0..opts.reps {
        let mut order = pairs.clone();
        order.rotate_left(rep % pairs.len());
        for (publisher, subscriber) in order {
            let mut attempt = 0;
            let value = loop {
                stream += 2;
                let log = |role: &str| {
                    logs.join(format!(
                        "{rep}-matrix-{}-{}-{role}-{attempt}.log",
                        publisher.slug(),
                        subscriber.slug()
                    ))
                };
                match run_pair(
                    opts,
                    bins,
                    &driver.dir,
                    sc,
                    (subscriber, publisher),
                    stream,
                    &log,
                ) {
                    Ok(v) => break v[0],
                    Err(e) if attempt < 2 => {
                        println!(
                            "xtask bench: matrix {} → {} failed ({e:#}); retrying",
                            publisher.label(),
                            subscriber.label()
                        );
                        attempt += 1;
                    }
                    Err(e) => return Err(e),
                }
            };
            println!(
                "xtask bench: rep {}/{} matrix publisher {:<26} subscriber {:<26} {:.2} M msgs/s",
                rep + 1,
                opts.reps,
                publisher.label(),
                subscriber.label(),
                value / 1e6
            );
            runs.entry((publisher, subscriber)).or_default().push(value);
        }
    }
    driver.stop()?;
    Ok(Matrix {
        impls: impls.to_vec(),
        runs,
    })
}

/// Median of a pair's runs (NaN when missing).
fn med(m: &Matrix, pair: (Impl, Impl)) -> f64 {
    m.runs.get(&pair).map(|v| median(v)).unwrap_or(f64::NAN)
}

/// The matrix as markdown: medians (min–max) in M msgs/s, ratio to C → C, and per side the median ratio
/// of its row or column to C's, which says which side a gap belongs to.
pub fn table(m: &Matrix) -> String {
    let mut s = String::new();
    let base = med(m, (Impl::C, Impl::C));
    let _ = write!(s, "| publisher ↓ · subscriber → |");
    for i in &m.impls {
        let _ = write!(s, " {} |", i.label());
    }
    let _ = write!(s, " publisher effect (×C) |\n|---|");
    for _ in &m.impls {
        let _ = write!(s, "---:|");
    }
    s.push_str("---:|\n");
    for &p in &m.impls {
        let _ = write!(s, "| {} |", p.label());
        for &sub in &m.impls {
            match m.runs.get(&(p, sub)) {
                Some(v) => {
                    let (lo, hi) = range(v);
                    let _ = write!(
                        s,
                        " {:.1} M ({:.1}–{:.1}) {:.2}× |",
                        median(v) / 1e6,
                        lo / 1e6,
                        hi / 1e6,
                        median(v) / base
                    );
                }
                None => s.push_str(" – |"),
            }
        }
        let _ = writeln!(s, " {:.3} |", side_effect(m, p, true));
    }
    let _ = write!(s, "| subscriber effect (×C) |");
    for &sub in &m.impls {
        let _ = write!(s, " {:.3} |", side_effect(m, sub, false));
    }
    s.push_str(" |\n");
    s
}

/// Median over the other side's implementations of (pair with `imp` on this side) / (pair with C on this
/// side): below 1 means `imp` on this side slows the stream down whoever is on the other side.
pub fn side_effect(m: &Matrix, imp: Impl, publisher_side: bool) -> f64 {
    let ratios: Vec<f64> = m
        .impls
        .iter()
        .map(|&other| {
            let (with, with_c) = if publisher_side {
                ((imp, other), (Impl::C, other))
            } else {
                ((other, imp), (other, Impl::C))
            };
            med(m, with) / med(m, with_c)
        })
        .collect();
    median(&ratios)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_subscriber_shows_in_its_column_only() {
        let impls = vec![Impl::C, Impl::Rusteron];
        let mut runs = BTreeMap::new();
        runs.insert((Impl::C, Impl::C), vec![100.0]);
        runs.insert((Impl::Rusteron, Impl::C), vec![100.0]);
        runs.insert((Impl::C, Impl::Rusteron), vec![50.0]);
        runs.insert((Impl::Rusteron, Impl::Rusteron), vec![50.0]);
        let m = Matrix { impls, runs };
        assert_eq!(side_effect(&m, Impl::Rusteron, true), 1.0);
        assert_eq!(side_effect(&m, Impl::Rusteron, false), 0.5);
        assert!(table(&m).contains("| subscriber effect (×C) | 1.000 | 0.500 |"));
    }
}
