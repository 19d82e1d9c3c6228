//! An SVG bar chart of the round-trip latency percentiles per implementation (log scale), one panel per
//! transport. Plain SVG text: no plotting dependency.

use std::fmt::Write as _;

use super::parse::QUANTILES;
use super::report::values;
use super::scenario::{Impl, Kind, Results, SCENARIOS};
use super::stats::median;

const PANEL_W: f64 = 420.0;
const PANEL_H: f64 = 260.0;
const LEFT: f64 = 60.0;
const TOP: f64 = 40.0;
const COLORS: [&str; 3] = ["#555555", "#d9541e", "#3b7dd8"];

/// The chart as SVG text.
pub fn latency_svg(r: &Results) -> String {
    let panels: Vec<usize> = SCENARIOS
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == Kind::Rtt)
        .map(|(i, _)| i)
        .collect();
    let labels: Vec<&str> = QUANTILES.iter().map(|(_, l)| *l).chain(["max"]).collect();
    let all: Vec<f64> = panels
        .iter()
        .flat_map(|&si| {
            r.impls
                .iter()
                .flat_map(move |&i| (0..5).map(move |m| median(&values(r, si, i, m))))
        })
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let lo = all
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .log10()
        .floor();
    let hi = all
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .log10()
        .ceil()
        .max(lo + 1.0);
    let width = LEFT + panels.len() as f64 * (PANEL_W + LEFT) + 20.0;
    let height = TOP + PANEL_H + 90.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="20" font-size="15">Round-trip latency (µs, log scale): median of the repetitions</text>"#
    );
    for (p, &si) in panels.iter().enumerate() {
        let x0 = LEFT + p as f64 * (PANEL_W + LEFT);
        let y = |v: f64| TOP + PANEL_H - (v.log10() - lo) / (hi - lo) * PANEL_H;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" font-size="13" text-anchor="middle">{}</text>"#,
            x0 + PANEL_W / 2.0,
            TOP - 6.0,
            SCENARIOS[si].label
        );
        for d in (lo as i32)..=(hi as i32) {
            let v = 10f64.powi(d);
            let yy = y(v);
            let _ = writeln!(
                s,
                r##"<line x1="{x0}" x2="{}" y1="{yy}" y2="{yy}" stroke="#dddddd"/>"##,
                x0 + PANEL_W
            );
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
                x0 - 4.0,
                yy + 4.0,
                fmt_tick(v)
            );
        }
        let group = PANEL_W / labels.len() as f64;
        let bar = group * 0.8 / r.impls.len() as f64;
        for (m, label) in labels.iter().enumerate() {
            let gx = x0 + m as f64 * group + group * 0.1;
            for (k, &imp) in r.impls.iter().enumerate() {
                let v = median(&values(r, si, imp, m));
                if !(v.is_finite() && v > 0.0) {
                    continue;
                }
                let top = y(v).min(TOP + PANEL_H);
                let _ = writeln!(
                    s,
                    r#"<rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} {label}: {v:.2} µs</title></rect>"#,
                    gx + k as f64 * bar,
                    bar - 1.0,
                    TOP + PANEL_H - top,
                    color(imp),
                    imp.label()
                );
            }
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{}" text-anchor="middle">{label}</text>"#,
                gx + group * 0.4,
                TOP + PANEL_H + 16.0
            );
        }
        let _ = writeln!(
            s,
            r#"<line x1="{x0}" x2="{x0}" y1="{TOP}" y2="{}" stroke="black"/>"#,
            TOP + PANEL_H
        );
        let _ = writeln!(
            s,
            r#"<line x1="{x0}" x2="{}" y1="{}" y2="{}" stroke="black"/>"#,
            x0 + PANEL_W,
            TOP + PANEL_H,
            TOP + PANEL_H
        );
    }
    for (k, &imp) in r.impls.iter().enumerate() {
        let lx = LEFT + k as f64 * 220.0;
        let ly = TOP + PANEL_H + 45.0;
        let _ = writeln!(
            s,
            r#"<rect x="{lx}" y="{}" width="14" height="14" fill="{}"/>"#,
            ly - 11.0,
            color(imp)
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{ly}">{}</text>"#,
            lx + 20.0,
            imp.label()
        );
    }
    s.push_str("</svg>\n");
    s
}

fn color(imp: Impl) -> &'static str {
    match imp {
        Impl::C => COLORS[0],
        Impl::Rusteron => COLORS[1],
        Impl::Legacy => COLORS[2],
    }
}

fn fmt_tick(v: f64) -> String {
    if v >= 1.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}
