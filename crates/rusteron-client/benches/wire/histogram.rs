//! Prints an HdrHistogram like the C `hdr_percentiles_print(h, stdout, 5, 1000.0, CLASSIC)` that `cping`
//! uses, so that `cargo xtask bench` reads every implementation's percentiles the same way.

use hdrhistogram::Histogram;

/// Writes the classic percentile distribution (values in microseconds, 5 ticks per half distance).
pub fn print_classic(h: &Histogram<u64>) {
    println!(
        "{:>12} {:>14} {:>10} {:>14}\n",
        "Value", "Percentile", "TotalCount", "1/(1-Percentile)"
    );
    for v in h.iter_quantiles(5) {
        let q = v.quantile_iterated_to();
        let value = v.value_iterated_to() as f64 / 1000.0;
        let total = h.count_between(0, v.value_iterated_to());
        if q < 1.0 {
            println!("{value:12.3} {q:2.12} {total:10} {:14.2}", 1.0 / (1.0 - q));
        } else {
            println!("{value:12.3} {q:2.12} {total:10}",);
        }
    }
    println!(
        "#[Mean    = {:12.3}, StdDeviation   = {:12.3}]",
        h.mean() / 1000.0,
        h.stdev() / 1000.0
    );
    println!(
        "#[Max     = {:12.3}, Total count    = {:12}]",
        h.max() as f64 / 1000.0,
        h.len()
    );
}
