//! Charts drawn on the server as SVG: no script, legible on a phone (they scale to the width
//! and keep their text at a readable size), each with a title for screen readers. The pages
//! show the same numbers in a table beside every chart.

use std::fmt::Write;

/// The house colours of the charts, in series order.
const SERIES: [&str; 5] = ["#a4161a", "#d08c60", "#166534", "#6a737d", "#b8b0a2"];

/// Colours that say what a series is: resolved green, on the spot a lighter green, in progress
/// amber, declined grey, merged light grey; received in the house red.
pub const RECEIVED: &str = "#a4161a";
pub const RESOLVED: &str = "#166534";
pub const ON_SPOT: &str = "#5a9e6f";
pub const IN_PROGRESS: &str = "#d08c60";
pub const DECLINED: &str = "#6a737d";
pub const MERGED: &str = "#b8b0a2";

fn colour(colours: &[&'static str], i: usize) -> &'static str {
    colours.get(i).copied().unwrap_or(SERIES[i % SERIES.len()])
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Shortens a label to `max` characters, with an ellipsis.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// A whole-number step for about four gridlines up to `max` (1, 2 or 5 times a power of ten),
/// and the axis top, a multiple of it.
fn axis(max: i64) -> (i64, i64) {
    let max = max.max(1);
    let rough = (max as f64 / 4.0).max(1.0);
    let p = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|s| *s >= rough).unwrap_or(10.0 * p) as i64;
    let step = step.max(1);
    (step, max.div_euclid(step) * step + if max % step == 0 { 0 } else { step })
}

/// The legend, wrapped to `width`: its SVG and the y where the plot may start.
fn legend(names: &[&str], colours: &[&'static str], x0: f64, width: f64) -> (String, f64) {
    let mut out = String::new();
    let (mut x, mut y) = (x0, 16.0);
    for (i, name) in names.iter().enumerate() {
        let w = 16.0 + 13.0 * name.chars().count() as f64 + 14.0;
        if x > x0 && x + w > width {
            x = x0;
            y += 18.0;
        }
        let _ = write!(
            out,
            r#"<rect x="{x:.0}" y="{:.0}" width="12" height="12" fill="{}"/><text x="{:.0}" y="{y:.0}" font-size="13">{}</text>"#,
            y - 11.0,
            colour(colours, i),
            x + 16.0,
            esc(name)
        );
        x += w;
    }
    (out, y + 16.0)
}

/// Vertical columns per period, one column per series side by side (e.g. received and resolved
/// per month).
pub fn columns(title: &str, labels: &[String], series: &[(&str, &'static str, Vec<i64>)]) -> String {
    // About as wide as a phone, so that the text keeps its size there.
    let n = labels.len().max(1) as f64;
    let (left, height, width) = (36.0, 170.0, 400.0);
    let colours: Vec<&'static str> = series.iter().map(|(_, c, _)| *c).collect();
    let (keys, top) = legend(&series.iter().map(|(n, _, _)| *n).collect::<Vec<_>>(), &colours, left, width);
    let slot = (width - left - 8.0) / n;
    let (step, top_value) = axis(series.iter().flat_map(|(_, _, v)| v.iter()).copied().max().unwrap_or(0));
    let max = top_value as f64;
    let mut out = format!(
        r#"<svg class="chart" viewBox="0 0 {width:.0} {:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{keys}"#,
        top + height + 30.0,
        esc(title),
        esc(title)
    );
    for v in (0..=top_value).step_by(step as usize) {
        let y = top + height - height * v as f64 / max;
        let _ = write!(
            out,
            r##"<line x1="{left:.0}" x2="{:.0}" y1="{y:.1}" y2="{y:.1}" stroke="#e6e0d6"/><text x="{:.0}" y="{:.1}" font-size="12" text-anchor="end" fill="#6a737d">{v}</text>"##,
            width - 4.0,
            left - 5.0,
            y + 4.0
        );
    }
    let gap = (slot * 0.2).min(6.0);
    let bar = (slot - gap) / series.len().max(1) as f64;
    // A label needs about 36 units: every k-th one when the slots are narrower.
    let every = (36.0 / slot).ceil().max(1.0) as usize;
    for (i, label) in labels.iter().enumerate() {
        let x0 = left + slot * i as f64 + gap / 2.0;
        for (j, (name, fill, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0);
            let h = height * v as f64 / max;
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{}"><title>{} {}：{v}</title></rect>"#,
                x0 + bar * j as f64,
                top + height - h,
                (bar - 0.5).max(0.5),
                fill,
                esc(label),
                esc(name)
            );
        }
        if i % every == 0 {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.0}" font-size="12" text-anchor="middle">{}</text>"#,
                x0 + (slot - gap) / 2.0,
                top + height + 18.0,
                esc(&short_month(label))
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// 2026年3月 → 3月 (January keeps its year: 2026年1月 → 26年1月); other labels shortened.
fn short_month(label: &str) -> String {
    match label.split_once('年') {
        Some((y, "1月")) => format!("{}年1月", y.get(2..).unwrap_or(y)),
        Some((_, m)) => m.to_owned(),
        None => short(label, 5),
    }
}

/// Horizontal bars, one row per label, each bar split into the series stacked left to right
/// (e.g. a channel's cases by outcome). The total is written after the bar.
pub fn stacked(
    title: &str,
    labels: &[String],
    names: &[&str],
    colours: &[&'static str],
    values: &[Vec<i64>],
) -> String {
    let (left, row) = (92.0, 28.0);
    let span = 240.0;
    let width = left + span + 48.0;
    let (keys, top) = legend(names, colours, 8.0, width);
    let height = top + row * labels.len() as f64 + 8.0;
    let max = values.iter().map(|v| v.iter().sum::<i64>()).max().unwrap_or(0).max(1) as f64;
    let mut out = format!(
        r#"<svg class="chart" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{keys}"#,
        esc(title),
        esc(title)
    );
    for (i, label) in labels.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            out,
            r#"<text x="{:.0}" y="{:.0}" font-size="13" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + 17.0,
            esc(&short(label, 6))
        );
        let mut x = left;
        let empty = Vec::new();
        let parts = values.get(i).unwrap_or(&empty);
        for (j, v) in parts.iter().enumerate() {
            let w = span * *v as f64 / max;
            if *v > 0 {
                let _ = write!(
                    out,
                    r#"<rect x="{x:.1}" y="{:.0}" width="{w:.1}" height="20" fill="{}"><title>{} {}：{v}</title></rect>"#,
                    y + 3.0,
                    colour(colours, j),
                    esc(label),
                    esc(names.get(j).copied().unwrap_or(""))
                );
            }
            x += w;
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.0}" font-size="13">{}</text>"#,
            x + 6.0,
            y + 17.0,
            parts.iter().sum::<i64>()
        );
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars of shares (0–1) per label, one bar per series under each other (e.g. an
/// agency's on-time and satisfaction rates). A missing share draws no bar and reads "—".
pub fn shares(title: &str, labels: &[String], series: &[(&str, Vec<Option<f64>>)]) -> String {
    let left = 92.0;
    let bar = 14.0;
    let row = bar * series.len() as f64 + 10.0;
    let span = 230.0;
    let width = left + span + 58.0;
    let (keys, top) = legend(&series.iter().map(|(n, _)| *n).collect::<Vec<_>>(), &[], 8.0, width);
    let height = top + row * labels.len() as f64 + 8.0;
    let mut out = format!(
        r#"<svg class="chart" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{keys}"#,
        esc(title),
        esc(title)
    );
    for (i, label) in labels.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            out,
            r#"<text x="{:.0}" y="{:.1}" font-size="13" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + row / 2.0 + 2.0,
            esc(&short(label, 6))
        );
        for (j, (name, values)) in series.iter().enumerate() {
            let by = y + bar * j as f64;
            let v = values.get(i).copied().flatten();
            let w = span * v.unwrap_or(0.0);
            let text = v.map_or_else(|| "—".to_owned(), |v| format!("{:.1}%", v * 100.0));
            let _ = write!(
                out,
                r#"<rect x="{left:.0}" y="{by:.1}" width="{w:.1}" height="{:.1}" fill="{}"><title>{} {}：{text}</title></rect><text x="{:.1}" y="{:.1}" font-size="11">{text}</text>"#,
                bar - 2.0,
                SERIES[j % SERIES.len()],
                esc(label),
                esc(name),
                left + w + 4.0,
                by + bar - 4.0
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// The shade class (heat-0 … heat-4) of a count in a heat table whose largest count is `max`.
pub fn heat_class(n: i64, max: i64) -> &'static str {
    if n <= 0 || max <= 0 {
        return "heat-0";
    }
    match (n * 4 + max - 1) / max {
        0 | 1 => "heat-1",
        2 => "heat-2",
        3 => "heat-3",
        _ => "heat-4",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_their_labels_and_scale_to_the_largest_value() {
        let svg = columns(
            "按月",
            &["2026年1月".into(), "<b>".into()],
            &[("收集", RECEIVED, vec![3, 7]), ("解决", RESOLVED, vec![1, 2])],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains(">8<") && !svg.contains(">10<"), "axis in steps of 2 up to 8: {svg}");
        assert_eq!(axis(9), (5, 10));
        assert_eq!(axis(15), (5, 15));
        assert_eq!(axis(0), (1, 1));
        assert_eq!(axis(1234), (500, 1500));
        let s = stacked("渠道", &["扫码留言".into()], &["办理中", "已办结"], &[IN_PROGRESS, RESOLVED], &[vec![2, 3]]);
        assert!(s.contains(RESOLVED));
        assert!(s.contains(">5<"), "{s}");
        let r = shares("单位", &["交通局".into()], &[("按期", vec![Some(0.5)]), ("满意", vec![None])]);
        assert!(r.contains("50.0%") && r.contains("—"));
        assert_eq!(heat_class(0, 9), "heat-0");
        assert_eq!(heat_class(9, 9), "heat-4");
        assert_eq!(heat_class(1, 9), "heat-1");
    }
}
