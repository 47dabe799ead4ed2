//! `report ... --html FILE`: one self-contained HTML page (no scripts, no network: a CSP that
//! allows nothing but inline styles) with an SVG chart per currency of spending by category
//! over time, cash flow and net worth, each followed by a table of its figures so they read
//! without the picture. It takes the rows the reports computed; every text in it is escaped.

use std::fmt::Write as _;

use anyhow::Result;

use super::svg::{self, Frame, PALETTE, Series, esc};
use super::{cashflow, networth, spending};
use crate::money::{Currency, parse_amount};

/// The three reports over the same filters, and a line saying what those filters are.
#[derive(Debug)]
pub struct Dashboard<'a> {
    pub subtitle: String,
    pub spending: &'a [spending::Row],
    pub cashflow: &'a [cashflow::Row],
    pub networth: &'a [networth::Row],
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
h2{margin-top:2em}svg.chart{max-width:100%;height:auto;border:1px solid #ddd}\
svg text{font-size:11px;fill:#444}line.zero{stroke:#888;stroke-width:1}\
div.figures{overflow-x:auto}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ddd;padding:2px 8px}\
td.n{text-align:right;font-variant-numeric:tabular-nums}ul.legend{list-style:none;padding:0}\
ul.legend li{display:inline-block;margin-right:1em}ul.legend span{display:inline-block;width:.8em;height:.8em;margin-right:.3em}";

/// The page.
pub fn page(d: &Dashboard<'_>) -> Result<String> {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
    );
    let _ = write!(out, "<title>tally report</title><style>{STYLE}</style></head><body>");
    let _ = write!(out, "<h1>tally report</h1><p>{}</p>", esc(&d.subtitle));
    out.push_str("<h2>Spending by category over time</h2>");
    section(&mut out, &per_currency(d.spending, |r| &r.currency), "spending", spending_chart)?;
    out.push_str("<h2>Cash flow</h2>");
    section(&mut out, &per_currency(d.cashflow, |r| &r.currency), "cashflow", cashflow_chart)?;
    out.push_str("<h2>Net worth</h2>");
    section(&mut out, &per_currency(d.networth, |r| &r.currency), "networth", networth_chart)?;
    out.push_str("</body></html>\n");
    Ok(out)
}

type Chart<T> = fn(&mut String, &str, &str, &[&T]) -> Result<()>;

fn section<T>(out: &mut String, groups: &[(String, Vec<&T>)], name: &str, chart: Chart<T>) -> Result<()> {
    if groups.is_empty() {
        out.push_str("<p>Nothing to draw: no figures for these filters.</p>");
    }
    for (i, (currency, rows)) in groups.iter().enumerate() {
        let _ = write!(out, "<figure><figcaption>{}</figcaption>", esc(currency));
        chart(out, &format!("{name}-{i}"), currency, rows)?;
        out.push_str("</figure>");
    }
    Ok(())
}

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

fn minor(amount: &str, currency: &str) -> Result<i64> {
    parse_amount(amount, Currency::parse(currency)?)
}

/// A row's period columns as a series.
fn series(
    name: &str,
    color: &'static str,
    periods: &serde_json::Map<String, serde_json::Value>,
    currency: &str,
) -> Result<Series> {
    let points = periods
        .values()
        .map(|v| {
            let shown = v.as_str().unwrap_or_default();
            Ok((minor(shown, currency)?, shown.to_string()))
        })
        .collect::<Result<_>>()?;
    Ok(Series { name: name.to_string(), color, points })
}

fn labels(periods: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    periods.keys().cloned().collect()
}

fn spending_chart(out: &mut String, id: &str, currency: &str, rows: &[&spending::Row]) -> Result<()> {
    let periods = rows.first().map(|r| labels(&r.periods)).unwrap_or_default();
    let categories: Vec<&&spending::Row> = rows.iter().filter(|r| r.category != spending::TOTAL).collect();
    let all: Vec<Series> = categories
        .iter()
        .enumerate()
        .map(|(i, r)| series(&r.category, PALETTE[i % PALETTE.len()], &r.periods, currency))
        .collect::<Result<_>>()?;
    let title = format!("Spending by category per period ({currency})");
    let desc = format!("Stacked bars: each period's spending in {currency}, one colour per category.");
    out.push_str(&svg::bars(&Frame { id, title: &title, desc: &desc, periods: &periods }, &all, true, None));
    legend(out, &all);
    let mut head = vec!["category".to_string()];
    head.extend(periods.iter().cloned());
    head.extend(["total".into(), "share".into()]);
    let body = rows
        .iter()
        .map(|r| {
            let mut cells = vec![r.category.clone()];
            cells.extend(r.periods.values().map(|v| v.as_str().unwrap_or_default().to_string()));
            cells.extend([r.total.clone(), r.share.clone()]);
            cells
        })
        .collect::<Vec<_>>();
    table(out, &title, &head, &body);
    Ok(())
}

fn cashflow_chart(out: &mut String, id: &str, currency: &str, rows: &[&cashflow::Row]) -> Result<()> {
    let periods: Vec<&&cashflow::Row> = rows.iter().filter(|r| r.period != spending::TOTAL).collect();
    let labels: Vec<String> = periods.iter().map(|r| r.period.clone()).collect();
    type Pick = fn(&cashflow::Row) -> &str;
    let pick = |name: &str, color: &'static str, f: Pick| -> Result<Series> {
        let points = periods.iter().map(|r| Ok((minor(f(r), currency)?, f(r).to_string()))).collect::<Result<_>>()?;
        Ok(Series { name: name.to_string(), color, points })
    };
    let income = pick("income", "#59a14f", |r| &r.income)?;
    let expenses = pick("expenses", "#e15759", |r| &r.expenses)?;
    let net = pick("net", "#4e79a7", |r| &r.net)?;
    let title = format!("Cash flow per period ({currency})");
    let desc = format!("Income and expenses side by side per period in {currency}; the line is the net.");
    let frame = Frame { id, title: &title, desc: &desc, periods: &labels };
    let both = [income, expenses];
    out.push_str(&svg::bars(&frame, &both, false, Some(&net)));
    legend(out, both.iter().chain([&net]));
    let head = ["period", "income", "expenses", "net", "savings rate"].map(String::from);
    let body = rows
        .iter()
        .map(|r| vec![r.period.clone(), r.income.clone(), r.expenses.clone(), r.net.clone(), r.savings_rate.clone()])
        .collect::<Vec<_>>();
    table(out, &title, &head, &body);
    Ok(())
}

fn networth_chart(out: &mut String, id: &str, currency: &str, rows: &[&networth::Row]) -> Result<()> {
    let periods = rows.first().map(|r| labels(&r.periods)).unwrap_or_default();
    let total = rows.iter().find(|r| r.account == spending::TOTAL);
    let line = match total {
        Some(t) => series("net worth", "#4e79a7", &t.periods, currency)?,
        None => Series::default(),
    };
    let title = format!("Net worth over time ({currency})");
    let desc = format!("The sum of every account's balance in {currency} at the end of each period.");
    out.push_str(&svg::line(&Frame { id, title: &title, desc: &desc, periods: &periods }, &line, true));
    let mut head = vec!["account".to_string()];
    head.extend(periods.iter().cloned());
    let body = rows
        .iter()
        .map(|r| {
            let mut cells = vec![r.account.clone()];
            cells.extend(r.periods.values().map(|v| v.as_str().unwrap_or_default().to_string()));
            cells
        })
        .collect::<Vec<_>>();
    table(out, &title, &head, &body);
    Ok(())
}

fn legend<'a>(out: &mut String, series: impl IntoIterator<Item = &'a Series>) {
    out.push_str("<ul class=\"legend\">");
    for s in series {
        let _ = write!(out, "<li><span style=\"background:{}\"></span>{}</li>", s.color, esc(&s.name));
    }
    out.push_str("</ul>");
}

/// The figures of a chart: the first column is a label, the others right-aligned.
fn table(out: &mut String, caption: &str, head: &[String], body: &[Vec<String>]) {
    let _ = write!(out, "<div class=\"figures\"><table><caption>{}</caption><thead><tr>", esc(caption));
    for h in head {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in body {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            match i {
                0 => {
                    let _ = write!(out, "<th scope=\"row\">{}</th>", esc(cell));
                }
                _ => {
                    let _ = write!(out, "<td class=\"n\">{}</td>", esc(cell));
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_text_is_escaped_and_nothing_is_fetched() {
        let mut periods = serde_json::Map::new();
        periods.insert("2026-01".into(), "12.50".into());
        let spending = [spending::Row {
            category: "<script>alert(1)</script>".into(),
            currency: "USD".into(),
            periods,
            total: "12.50".into(),
            ..Default::default()
        }];
        let page =
            page(&Dashboard { subtitle: "a & b".into(), spending: &spending, cashflow: &[], networth: &[] }).unwrap();
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && page.contains("a &amp; b"), "{page}");
        assert!(!page.contains("http://") && !page.contains("https://"), "{page}");
        assert_eq!(page.matches("<svg").count(), 1);
        assert_eq!(page.matches("Nothing to draw").count(), 2, "cash flow and net worth are empty: {page}");
    }
}
