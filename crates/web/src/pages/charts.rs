//! Charts drawn on the server as SVG: no script, legible on a phone (they scale to the width
//! and keep their text at a readable size), each with a title for screen readers. The pages
//! show the same numbers in a table beside every chart.

use std::fmt::Write;

/// The house colours of the charts, in series order.
const SERIES: [&str; 5] = ["#a4161a", "#d08c60", "#166534", "#6a737d", "#b8b0a2"];

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

/// A round upper bound for an axis: 1, 2 or 5 times a power of ten.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(max.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if max <= m * p {
            return m * p;
        }
    }
    10.0 * p
}

fn legend(out: &mut String, names: &[&str], x0: f64, y: f64) {
    let mut x = x0;
    for (i, name) in names.iter().enumerate() {
        let _ = write!(
            out,
            r#"<rect x="{x:.0}" y="{:.0}" width="12" height="12" fill="{}"/><text x="{:.0}" y="{y:.0}" font-size="13">{}</text>"#,
            y - 11.0,
            SERIES[i % SERIES.len()],
            x + 16.0,
            esc(name)
        );
        x += 16.0 + 14.0 * name.chars().count() as f64 + 18.0;
    }
}

/// Vertical columns per period, one column per series side by side (e.g. received and resolved
/// per month).
pub fn columns(title: &str, labels: &[String], series: &[(&str, Vec<i64>)]) -> String {
    let n = labels.len().max(1) as f64;
    let (left, top, height) = (44.0, 34.0, 180.0);
    let slot = (560.0 / n).clamp(22.0, 60.0);
    let width = left + slot * n + 10.0;
    let max = nice_max(series.iter().flat_map(|(_, v)| v.iter()).copied().max().unwrap_or(0) as f64);
    let mut out = format!(
        r#"<svg class="chart" viewBox="0 0 {width:.0} {:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        top + height + 46.0,
        esc(title),
        esc(title)
    );
    legend(&mut out, &series.iter().map(|(n, _)| *n).collect::<Vec<_>>(), left, 18.0);
    for k in 0..=4 {
        let v = max * f64::from(k) / 4.0;
        let y = top + height - height * f64::from(k) / 4.0;
        let _ = write!(
            out,
            r##"<line x1="{left:.0}" x2="{:.0}" y1="{y:.1}" y2="{y:.1}" stroke="#e6e0d6"/><text x="{:.0}" y="{:.1}" font-size="12" text-anchor="end" fill="#6a737d">{v:.0}</text>"##,
            width - 6.0,
            left - 6.0,
            y + 4.0
        );
    }
    let bar = (slot - 6.0) / series.len().max(1) as f64;
    let every = (labels.len() / 12).max(1);
    for (i, label) in labels.iter().enumerate() {
        let x0 = left + slot * i as f64 + 3.0;
        for (j, (name, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0);
            let h = height * v as f64 / max;
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{}"><title>{} {}：{v}</title></rect>"#,
                x0 + bar * j as f64,
                top + height - h,
                bar.max(1.0) - 1.0,
                SERIES[j % SERIES.len()],
                esc(label),
                esc(name)
            );
        }
        if i % every == 0 {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.0}" font-size="12" text-anchor="middle">{}</text>"#,
                x0 + (slot - 6.0) / 2.0,
                top + height + 18.0,
                esc(&short(label, 8))
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one row per label, each bar split into the series stacked left to right
/// (e.g. a channel's cases by outcome). The total is written after the bar.
pub fn stacked(title: &str, labels: &[String], names: &[&str], values: &[Vec<i64>]) -> String {
    let (left, top, row) = (120.0, 34.0, 28.0);
    let span = 400.0;
    let width = left + span + 60.0;
    let height = top + row * labels.len() as f64 + 8.0;
    let max = values.iter().map(|v| v.iter().sum::<i64>()).max().unwrap_or(0).max(1) as f64;
    let mut out = format!(
        r#"<svg class="chart" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    legend(&mut out, names, 8.0, 18.0);
    for (i, label) in labels.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            out,
            r#"<text x="{:.0}" y="{:.0}" font-size="13" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + 17.0,
            esc(&short(label, 8))
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
                    SERIES[j % SERIES.len()],
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
    let (left, top) = (120.0, 34.0);
    let bar = 14.0;
    let row = bar * series.len() as f64 + 10.0;
    let span = 380.0;
    let width = left + span + 70.0;
    let height = top + row * labels.len() as f64 + 8.0;
    let mut out = format!(
        r#"<svg class="chart" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    legend(&mut out, &series.iter().map(|(n, _)| *n).collect::<Vec<_>>(), 8.0, 18.0);
    for (i, label) in labels.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            out,
            r#"<text x="{:.0}" y="{:.1}" font-size="13" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + row / 2.0 + 2.0,
            esc(&short(label, 8))
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
        let svg = columns("按月", &["2026年1月".into(), "<b>".into()], &[("收集", vec![3, 7]), ("解决", vec![1, 2])]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains(">10<"), "axis rounded up to 10: {svg}");
        let s = stacked("渠道", &["扫码留言".into()], &["办理中", "已办结"], &[vec![2, 3]]);
        assert!(s.contains(">5<"), "{s}");
        let r = shares("单位", &["交通局".into()], &[("按期", vec![Some(0.5)]), ("满意", vec![None])]);
        assert!(r.contains("50.0%") && r.contains("—"));
        assert_eq!(heat_class(0, 9), "heat-0");
        assert_eq!(heat_class(9, 9), "heat-4");
        assert_eq!(heat_class(1, 9), "heat-1");
    }
}
