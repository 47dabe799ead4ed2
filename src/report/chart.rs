//! `report ... --chart`: a report drawn in the terminal. It takes the rows the reports already
//! computed and turns them into blocks, one per currency (never summed across currencies),
//! each line a label, a sparkline over the periods (`▁▂▃▄▅▆▇█`), a horizontal bar scaled to the
//! block's largest figure (negative figures grow left of an axis) and the row's exact amount.
//! Bars and sparklines are the only things scaled; every printed figure is the row's own string.

use anyhow::Result;
use unicode_width::UnicodeWidthStr as _;

use super::{cashflow, merchants, networth, spending, trends};
use crate::money::{Currency, parse_amount};

/// One currency's picture.
#[derive(Debug, Default, PartialEq)]
pub struct Block {
    pub title: String,
    pub lines: Vec<Line>,
}

/// One row of a block: `value` draws the bar (none: no bar), `series` the sparkline.
#[derive(Debug, Default, PartialEq)]
pub struct Line {
    pub label: String,
    pub value: Option<i64>,
    pub series: Vec<i64>,
    pub shown: String,
}

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const NOTHING: &str = "(nothing to draw: every figure is zero)";

/// Minor units of a report's exact decimal string (the row's own figure, parsed back).
fn minor(amount: &str, currency: &str) -> Result<i64> {
    parse_amount(amount, Currency::parse(currency)?)
}

fn series(periods: &serde_json::Map<String, serde_json::Value>, currency: &str) -> Result<Vec<i64>> {
    periods.values().map(|v| minor(v.as_str().unwrap_or("0"), currency)).collect()
}

/// Rows grouped per currency, in the order they come (each report already orders them).
fn per_currency<T>(rows: &[T], currency: impl Fn(&T) -> &str) -> Vec<(String, Vec<&T>)> {
    let mut out: Vec<(String, Vec<&T>)> = Vec::new();
    for row in rows {
        match out.last_mut() {
            Some((c, group)) if c == currency(row) => group.push(row),
            _ => out.push((currency(row).to_string(), vec![row])),
        }
    }
    out
}

/// Each category's total as a bar, its periods as a sparkline; the total row is a sparkline.
pub fn spending(rows: &[spending::Row]) -> Result<Vec<Block>> {
    per_currency(rows, |r| &r.currency)
        .into_iter()
        .map(|(currency, group)| {
            let lines = group
                .iter()
                .map(|r| {
                    let bar = (r.category != spending::TOTAL).then(|| minor(&r.total, &currency)).transpose()?;
                    Ok(Line {
                        label: r.category.clone(),
                        value: bar,
                        series: series(&r.periods, &currency)?,
                        shown: r.total.clone(),
                    })
                })
                .collect::<Result<_>>()?;
            Ok(Block { title: format!("Spending by category ({currency})"), lines })
        })
        .collect()
}

/// Net per period as a bar (negative to the left); income, expenses and net as sparklines.
pub fn cashflow(rows: &[cashflow::Row]) -> Result<Vec<Block>> {
    per_currency(rows, |r| &r.currency)
        .into_iter()
        .map(|(currency, group)| {
            let periods: Vec<&&cashflow::Row> = group.iter().filter(|r| r.period != spending::TOTAL).collect();
            let mut lines = Vec::new();
            for r in &periods {
                let net = minor(&r.net, &currency)?;
                lines.push(Line {
                    label: r.period.clone(),
                    value: Some(net),
                    series: Vec::new(),
                    shown: r.net.clone(),
                });
            }
            let total = group.iter().find(|r| r.period == spending::TOTAL);
            type Pick = fn(&cashflow::Row) -> &str;
            let picks: [(&str, Pick); 3] =
                [("income", |r| &r.income), ("expenses", |r| &r.expenses), ("net", |r| &r.net)];
            for (label, pick) in picks {
                let series = periods.iter().map(|r| minor(pick(r), &currency)).collect::<Result<_>>()?;
                let shown = total.map(|t| pick(t).to_string()).unwrap_or_default();
                lines.push(Line { label: label.into(), value: None, series, shown });
            }
            Ok(Block { title: format!("Cash flow: net per period ({currency})"), lines })
        })
        .collect()
}

/// Each account's latest balance as a bar and its balances over time as a sparkline.
pub fn networth(rows: &[networth::Row]) -> Result<Vec<Block>> {
    per_currency(rows, |r| &r.currency)
        .into_iter()
        .map(|(currency, group)| {
            let lines = group
                .iter()
                .map(|r| {
                    let series = series(&r.periods, &currency)?;
                    let last = r.periods.values().next_back().and_then(|v| v.as_str()).unwrap_or_default().to_string();
                    let bar = (r.account != spending::TOTAL).then(|| series.last().copied().unwrap_or(0));
                    Ok(Line { label: r.account.clone(), value: bar, series, shown: last })
                })
                .collect::<Result<_>>()?;
            Ok(Block { title: format!("Net worth: balances at the last period's end ({currency})"), lines })
        })
        .collect()
}

/// What was spent with each payee.
pub fn merchants(rows: &[merchants::Row]) -> Result<Vec<Block>> {
    per_currency(rows, |r| &r.currency)
        .into_iter()
        .map(|(currency, group)| {
            let lines = group
                .iter()
                .map(|r| {
                    let value = Some(minor(&r.spent, &currency)?);
                    Ok(Line { label: r.payee.clone(), value, series: Vec::new(), shown: r.spent.clone() })
                })
                .collect::<Result<_>>()?;
            Ok(Block { title: format!("Spending by payee ({currency})"), lines })
        })
        .collect()
}

/// Each category's change against its average (a drop grows to the left).
pub fn trends(rows: &[trends::Row]) -> Result<Vec<Block>> {
    per_currency(rows, |r| &r.currency)
        .into_iter()
        .map(|(currency, group)| {
            let period = group.first().map(|r| r.period.clone()).unwrap_or_default();
            let lines = group
                .iter()
                .map(|r| {
                    let value = Some(minor(&r.change, &currency)?);
                    let shown = match r.change_pct.as_str() {
                        "" => r.change.clone(),
                        pct => format!("{} ({pct})", r.change),
                    };
                    Ok(Line { label: r.category.clone(), value, series: Vec::new(), shown })
                })
                .collect::<Result<_>>()?;
            Ok(Block { title: format!("Change in {period} against the average before ({currency})"), lines })
        })
        .collect()
}

/// How the picture is drawn: total width in columns, and whether to colour it.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub width: usize,
    pub color: bool,
}

/// The blocks as text, or `None` when there is nothing to draw (no rows, or every figure zero).
pub fn render(blocks: &[Block], style: Style) -> Option<String> {
    if blocks.iter().all(is_blank) {
        return None;
    }
    let mut out = String::new();
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&paint(&block.title, "\x1b[1m", style.color));
        out.push('\n');
        if is_blank(block) {
            out.push_str(NOTHING);
            out.push('\n');
            continue;
        }
        draw(&mut out, block, style);
    }
    Some(out)
}

fn is_blank(block: &Block) -> bool {
    block.lines.iter().all(|l| l.value.unwrap_or(0) == 0 && l.series.iter().all(|v| *v == 0))
}

/// The columns of a block: label, sparkline, bar (left of the axis, axis, right) and amount.
fn draw(out: &mut String, block: &Block, style: Style) {
    let width = style.width.max(20);
    let label_w = block.lines.iter().map(|l| label(&l.label).width()).max().unwrap_or(0).min(width / 3).max(1);
    let shown_w = block.lines.iter().map(|l| l.shown.width()).max().unwrap_or(0);
    let spark_n = block.lines.iter().map(|l| l.series.len()).max().unwrap_or(0).min(width / 4);
    let spark_w = if spark_n > 0 { spark_n + 2 } else { 0 };
    let bar_w = width.saturating_sub(label_w + 2 + spark_w + 2 + shown_w).max(3);
    let values = block.lines.iter().filter_map(|l| l.value);
    let neg = values.clone().filter(|v| *v < 0).map(|v| v.unsigned_abs()).max().unwrap_or(0);
    let pos = values.filter(|v| *v > 0).map(|v| v.unsigned_abs()).max().unwrap_or(0);
    let bars = Bars::new(bar_w, neg, pos);
    for line in &block.lines {
        let name = clip(&label(&line.label), label_w);
        out.push_str(&name);
        out.push_str(&" ".repeat(label_w - name.width() + 2));
        if spark_n > 0 {
            let tail = &line.series[line.series.len().saturating_sub(spark_n)..];
            let spark = sparkline(tail);
            out.push_str(&paint(&spark, "\x1b[36m", style.color));
            out.push_str(&" ".repeat(spark_n - tail.len() + 2));
        }
        match line.value {
            Some(v) => out.push_str(&bars.draw(v, style.color)),
            None => out.push_str(&" ".repeat(bars.width())),
        }
        out.push_str(&format!("  {:>shown_w$}", line.shown));
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        out.push('\n');
    }
}

/// A label as the tables show it: control and bidi characters escaped.
fn label(text: &str) -> String {
    crate::output::escape(text).into_owned()
}

/// `text` cut with `…` to at most `width` columns.
fn clip(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn paint(text: &str, code: &str, color: bool) -> String {
    if color { format!("{code}{text}\x1b[0m") } else { text.to_string() }
}

/// Bars on one scale: `left` columns for the largest negative figure, an axis `│` when there
/// are negative figures, and `right` columns for the largest positive one.
#[derive(Debug)]
struct Bars {
    left: usize,
    right: usize,
    /// The figure `left + right` columns stand for.
    span: u128,
}

impl Bars {
    fn new(width: usize, neg: u64, pos: u64) -> Bars {
        let span = u128::from(neg) + u128::from(pos);
        if neg == 0 {
            return Bars { left: 0, right: width, span: span.max(1) };
        }
        let room = width - 1;
        let most = if pos > 0 { room - 1 } else { room };
        let left = scale(u128::from(neg), room, span).clamp(1, most);
        Bars { left, right: room - left, span }
    }

    fn width(&self) -> usize {
        self.left + self.right + usize::from(self.left > 0)
    }

    fn draw(&self, value: i64, color: bool) -> String {
        let room = self.left + self.right;
        let len = scale(u128::from(value.unsigned_abs()), room, self.span);
        let mut out = String::new();
        if self.left > 0 {
            let l = if value < 0 { len.clamp(1, self.left) } else { 0 };
            out.push_str(&" ".repeat(self.left - l));
            out.push_str(&paint(&"█".repeat(l), "\x1b[31m", color && l > 0));
            out.push('│');
        }
        let r = if value > 0 { len.clamp(1, self.right.max(1)).min(self.right) } else { 0 };
        out.push_str(&paint(&"█".repeat(r), "\x1b[32m", color && r > 0));
        out.push_str(&" ".repeat(self.right - r));
        out
    }
}

/// `amount` of `span` in `room` columns, rounded (integer arithmetic: only a bar's length).
fn scale(amount: u128, room: usize, span: u128) -> usize {
    if span == 0 {
        return 0;
    }
    ((amount * room as u128 + span / 2) / span) as usize
}

/// A sparkline from the series' lowest point (or zero) to its highest (or zero).
pub fn sparkline(series: &[i64]) -> String {
    let lo = i128::from(series.iter().copied().min().unwrap_or(0).min(0));
    let hi = i128::from(series.iter().copied().max().unwrap_or(0).max(0));
    series
        .iter()
        .map(|v| {
            if hi == lo {
                return SPARKS[0];
            }
            let step = ((i128::from(*v) - lo) * 7 + (hi - lo) / 2) / (hi - lo);
            SPARKS[step.clamp(0, 7) as usize]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(label: &str, value: i64, shown: &str) -> Line {
        Line { label: label.into(), value: Some(value), series: vec![], shown: shown.into() }
    }

    fn plain(width: usize) -> Style {
        Style { width, color: false }
    }

    #[test]
    fn bars_are_scaled_to_the_largest_and_fit_the_width() {
        let block = Block {
            title: "t".into(),
            lines: vec![line("Rent", 185_000, "1850.00"), line("Coffee", 4_000, "40.00"), line("Tiny", 1, "0.01")],
        };
        for width in [20, 40, 80, 200] {
            let text = render(std::slice::from_ref(&block), plain(width)).unwrap();
            for l in text.lines() {
                assert!(l.width() <= width, "{width}: {l:?} is {} wide", l.width());
            }
            let rent = text.lines().find(|l| l.starts_with("Rent")).unwrap();
            let tiny = text.lines().find(|l| l.starts_with("Tiny")).unwrap();
            assert!(rent.matches('█').count() > tiny.matches('█').count(), "{text}");
            assert_eq!(tiny.matches('█').count(), 1, "a figure that is not zero shows: {text}");
            assert!(rent.ends_with("1850.00") && tiny.ends_with("0.01"), "exact amounts: {text}");
        }
        let wide = render(std::slice::from_ref(&block), plain(80)).unwrap();
        let rent = wide.lines().find(|l| l.starts_with("Rent")).unwrap();
        assert_eq!(rent.width(), 80, "the largest bar fills the line: {rent:?}");
    }

    #[test]
    fn negative_figures_grow_left_of_an_axis() {
        let block = Block {
            title: "t".into(),
            lines: vec![
                line("2026-01", 50_000, "500.00"),
                line("2026-02", -25_000, "-250.00"),
                line("2026-03", 0, "0.00"),
            ],
        };
        let text = render(&[block], plain(60)).unwrap();
        let lines: Vec<&str> = text.lines().skip(1).collect();
        let axis: Vec<usize> = lines.iter().map(|l| l.chars().position(|c| c == '│').unwrap()).collect();
        assert!(axis.windows(2).all(|w| w[0] == w[1]), "one axis: {text}");
        let before = |l: &str| l.chars().take(axis[0]).filter(|c| *c == '█').count();
        let after = |l: &str| l.chars().skip(axis[0]).filter(|c| *c == '█').count();
        assert_eq!((before(lines[0]), before(lines[2])), (0, 0), "{text}");
        assert!((before(lines[1]) * 2).abs_diff(after(lines[0])) <= 2, "one scale on both sides: {text}");
        assert_eq!(after(lines[1]) + after(lines[2]), 0, "{text}");
        assert!(lines[1].ends_with("-250.00"), "{text}");
        let all_negative = Block { title: "t".into(), lines: vec![line("a", -5, "-0.05"), line("b", -10, "-0.10")] };
        let text = render(&[all_negative], plain(40)).unwrap();
        assert!(text.lines().skip(1).all(|l| l.contains("█│")), "{text}");
    }

    #[test]
    fn zero_and_empty_reports_have_nothing_to_draw() {
        assert_eq!(render(&[], plain(80)), None);
        let zero = Block { title: "t".into(), lines: vec![line("a", 0, "0.00")] };
        assert_eq!(render(std::slice::from_ref(&zero), plain(80)), None);
        let some = Block { title: "u".into(), lines: vec![line("b", 100, "1.00")] };
        let text = render(&[zero, some], plain(80)).unwrap();
        assert!(text.starts_with(&format!("t\n{NOTHING}\n\nu\n")), "{text}");
    }

    #[test]
    fn sparklines_span_the_series_from_zero() {
        assert_eq!(sparkline(&[0, 50, 100]), "▁▅█");
        assert_eq!(sparkline(&[-100, 0, 100]), "▁▅█");
        assert_eq!(sparkline(&[0, 0]), "▁▁");
        assert_eq!(sparkline(&[i64::MIN, i64::MAX]), "▁█");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn extreme_figures_and_hostile_labels_never_break_the_picture() {
        let block = Block {
            title: "t".into(),
            lines: vec![
                line("evil\u{1b}[2J", i64::MIN, "min"),
                line(&"東".repeat(100), i64::MAX, "max"),
                Line { label: "s".into(), value: None, series: vec![1; 500], shown: "x".into() },
            ],
        };
        let text = render(&[block], plain(50)).unwrap();
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(text.lines().all(|l| l.width() <= 50), "{text}");
    }

    #[test]
    fn colour_only_when_asked() {
        let block = Block { title: "t".into(), lines: vec![line("a", 100, "1.00"), line("b", -100, "-1.00")] };
        assert!(!render(std::slice::from_ref(&block), plain(40)).unwrap().contains('\u{1b}'));
        let colored = render(&[block], Style { width: 40, color: true }).unwrap();
        assert!(colored.contains("\x1b[32m") && colored.contains("\x1b[31m"), "{colored:?}");
    }
}
