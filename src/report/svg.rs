//! Inline SVG charts for the HTML page: bars per period (stacked or side by side, negative
//! figures below a zero line) and a line over periods. Every text is escaped; coordinates are
//! the only thing computed in floating point, and every figure shown (in a bar's tooltip) is
//! the caller's exact string.

use std::fmt::Write as _;

/// One series: a name, a colour and, per period, its figure in minor units and as shown.
#[derive(Debug, Default)]
pub struct Series {
    pub name: String,
    pub color: &'static str,
    pub points: Vec<(i64, String)>,
}

/// What a chart is and says: `id` for aria, the title and a one-line description.
#[derive(Debug)]
pub struct Frame<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    pub periods: &'a [String],
}

const W: f64 = 760.0;
const H: f64 = 300.0;
const LEFT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 36.0;

/// Colours for a chart's series, in turn.
pub const PALETTE: [&str; 10] =
    ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/// `&`, `<`, `>` and quotes as entities: text from a bank shows as text.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The vertical scale: `lo..=hi` (always holding zero) over the plot's height.
struct Scale {
    lo: i128,
    hi: i128,
}

impl Scale {
    fn y(&self, v: i128) -> f64 {
        let plot = H - TOP - BOTTOM;
        TOP + (self.hi - v) as f64 / (self.hi - self.lo) as f64 * plot
    }
}

fn open(out: &mut String, frame: &Frame<'_>) {
    let (id, title, desc) = (esc(frame.id), esc(frame.title), esc(frame.desc));
    let _ = write!(
        out,
        "<svg id=\"{id}\" class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         aria-label=\"{title}\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>"
    );
}

/// The period labels along the bottom (every k-th when there are many) and the zero line.
fn axes(out: &mut String, frame: &Frame<'_>, scale: &Scale) {
    let n = frame.periods.len().max(1);
    let slot = (W - 2.0 * LEFT) / n as f64;
    let every = n.div_ceil(12);
    for (i, label) in frame.periods.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let x = LEFT + slot * (i as f64 + 0.5);
        let _ = write!(out, "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>", H - 12.0, esc(label));
    }
    let zero = scale.y(0);
    let _ = write!(out, "<line class=\"zero\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{zero:.1}\" y2=\"{zero:.1}\"/>", W - LEFT);
}

/// Bars per period: stacked (positive figures up from zero, negative down) or side by side;
/// `line` is drawn over them as a polyline with a dot per period (cash flow's net).
pub fn bars(frame: &Frame<'_>, series: &[Series], stacked: bool, line: Option<&Series>) -> String {
    let n = frame.periods.len();
    let mut lo = 0i128;
    let mut hi = 0i128;
    for i in 0..n {
        let at = |s: &Series| i128::from(s.points.get(i).map_or(0, |p| p.0));
        if stacked {
            hi = hi.max(series.iter().map(at).filter(|v| *v > 0).sum());
            lo = lo.min(series.iter().map(at).filter(|v| *v < 0).sum());
        } else {
            hi = hi.max(series.iter().map(at).max().unwrap_or(0));
            lo = lo.min(series.iter().map(at).min().unwrap_or(0));
        }
        if let Some(l) = line {
            (hi, lo) = (hi.max(at(l)), lo.min(at(l)));
        }
    }
    let mut out = String::new();
    open(&mut out, frame);
    if hi == lo {
        return nothing(out);
    }
    let scale = Scale { lo, hi };
    let slot = (W - 2.0 * LEFT) / n.max(1) as f64;
    let group = slot * 0.8;
    for (i, period) in frame.periods.iter().enumerate() {
        let x0 = LEFT + slot * i as f64 + (slot - group) / 2.0;
        let (mut up, mut down) = (0i128, 0i128);
        let width = if stacked { group } else { group / series.len().max(1) as f64 };
        for (k, s) in series.iter().enumerate() {
            let Some((v, shown)) = s.points.get(i) else { continue };
            if *v == 0 && stacked {
                continue;
            }
            let v = i128::from(*v);
            let (from, to) = match (stacked, v >= 0) {
                (true, true) => {
                    up += v;
                    (up - v, up)
                }
                (true, false) => {
                    down += v;
                    (down - v, down)
                }
                (false, _) => (0, v),
            };
            let (y1, y2) = (scale.y(from), scale.y(to));
            let x = if stacked { x0 } else { x0 + width * k as f64 };
            let _ = write!(
                out,
                "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\">\
                 <title>{}: {}, {}</title></rect>",
                y1.min(y2),
                width.max(1.0),
                (y1 - y2).abs().max(1.0),
                s.color,
                esc(period),
                esc(&s.name),
                esc(shown)
            );
        }
    }
    if let Some(l) = line {
        trace(&mut out, frame, &scale, l, false);
    }
    axes(&mut out, frame, &scale);
    out.push_str("</svg>");
    out
}

/// A line over the periods with a dot (and its figure as a tooltip) per period; `area` fills
/// down to zero.
pub fn line(frame: &Frame<'_>, series: &Series, area: bool) -> String {
    let lo = series.points.iter().map(|p| i128::from(p.0)).min().unwrap_or(0).min(0);
    let hi = series.points.iter().map(|p| i128::from(p.0)).max().unwrap_or(0).max(0);
    let mut out = String::new();
    open(&mut out, frame);
    if hi == lo {
        return nothing(out);
    }
    let scale = Scale { lo, hi };
    trace(&mut out, frame, &scale, series, area);
    axes(&mut out, frame, &scale);
    out.push_str("</svg>");
    out
}

fn trace(out: &mut String, frame: &Frame<'_>, scale: &Scale, series: &Series, area: bool) {
    let slot = (W - 2.0 * LEFT) / frame.periods.len().max(1) as f64;
    let xy: Vec<(f64, f64)> = series
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (LEFT + slot * (i as f64 + 0.5), scale.y(i128::from(p.0))))
        .collect();
    let path: Vec<String> = xy.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    if area && let (Some(first), Some(last)) = (xy.first(), xy.last()) {
        let zero = scale.y(0);
        let _ = write!(
            out,
            "<polygon class=\"area\" fill=\"{}\" fill-opacity=\"0.2\" points=\"{:.1},{zero:.1} {} {:.1},{zero:.1}\"/>",
            series.color,
            first.0,
            path.join(" "),
            last.0
        );
    }
    let _ = write!(
        out,
        "<polyline class=\"line\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>",
        series.color,
        path.join(" ")
    );
    for ((x, y), ((_, shown), period)) in xy.iter().zip(series.points.iter().zip(frame.periods)) {
        let _ = write!(
            out,
            "<circle class=\"point\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{}\"><title>{}: {}, {}</title></circle>",
            series.color,
            esc(period),
            esc(&series.name),
            esc(shown)
        );
    }
}

fn nothing(mut out: String) -> String {
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">nothing to draw: every figure is zero</text></svg>",
        W / 2.0,
        H / 2.0
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(periods: &[String]) -> Frame<'_> {
        Frame { id: "c", title: "T <b>", desc: "d", periods }
    }

    #[test]
    fn stacked_bars_go_up_and_down_from_zero() {
        let periods = vec!["2026-01".to_string(), "2026-02".to_string()];
        let a = Series {
            name: "<script>x</script>".into(),
            color: "#000",
            points: vec![(100, "1.00".into()), (-50, "-0.50".into())],
        };
        let b = Series { name: "b".into(), color: "#111", points: vec![(300, "3.00".into()), (0, "0.00".into())] };
        let svg = bars(&frame(&periods), &[a, b], true, None);
        assert_eq!(svg.matches("<rect").count(), 3, "zero is not drawn: {svg}");
        assert!(!svg.contains("<script") && svg.contains("&lt;script&gt;") && svg.contains("T &lt;b&gt;"), "{svg}");
        assert!(svg.contains("2026-02: &lt;script&gt;x&lt;/script&gt;, -0.50"), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn all_zero_or_extreme_figures_draw_sensibly() {
        let periods = vec!["p".to_string()];
        let zero = Series { name: "z".into(), color: "#000", points: vec![(0, "0.00".into())] };
        assert!(line(&frame(&periods), &zero, true).contains("nothing to draw"));
        let big = Series { name: "m".into(), color: "#000", points: vec![(i64::MIN, "min".into())] };
        let other = Series { name: "n".into(), color: "#000", points: vec![(i64::MAX, "max".into())] };
        let svg = bars(&frame(&periods), &[big, other], false, None);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }
}
