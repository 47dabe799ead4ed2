//! How `tally report` draws (`--chart` in the terminal, `--html FILE` as a page): the rows the
//! reports computed, handed to `report::chart` and `report::html`, and written out.

use anyhow::Result;
use chrono::NaiveDate;

use crate::context::Ctx;
use crate::report::{self, Converter, Period, chart};
use crate::store::reports::Scope;

/// `--chart`: the blocks drawn as wide as `COLUMNS`, else the terminal, else 80 columns, in
/// colour only when stdout takes it (a terminal, no NO_COLOR, or `--color always`).
pub fn picture(ctx: &Ctx, blocks: Vec<chart::Block>) -> Result<()> {
    use std::io::IsTerminal as _;
    let stdout = std::io::stdout();
    let width = ctx.config.columns.map(usize::from).or_else(|| {
        stdout.is_terminal().then(|| terminal_size::terminal_size_of(&stdout)).flatten().map(|(w, _)| usize::from(w.0))
    });
    let color = anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never;
    match chart::render(&blocks, chart::Style { width: width.unwrap_or(80), color }) {
        Some(text) => ctx.out.data(&text),
        None => {
            ctx.out.status("(nothing to draw: no figures, or every figure is zero)");
            Ok(())
        }
    }
}

/// `--html`: spending, cash flow and net worth over the same filters, as one page (and the
/// accounts whose net worth is only the sum of their rows).
pub fn dashboard(
    db: &crate::store::Db,
    scope: &Scope,
    period: Period,
    depth: Option<usize>,
    today: NaiveDate,
    mut convert: Option<&mut Converter<'_>>,
) -> Result<(String, Vec<String>)> {
    let spans = report::columns(db, scope, period)?;
    let grid = report::spending::grid(db, scope, period, depth, convert.as_deref_mut())?;
    let spending = report::spending::spending(&grid, &spans)?;
    let grid = report::cashflow::grid(db, scope, period, convert.as_deref_mut())?;
    let cashflow = report::cashflow::cashflow(&grid, &spans)?;
    let to = scope.to.unwrap_or(today);
    let worth_spans = report::columns(db, &Scope { to: Some(to), category: None, ..scope.clone() }, period)?;
    let networth_scope = Scope { category: None, ..scope.clone() };
    let (networth, unanchored) = report::networth::networth(db, &networth_scope, &worth_spans, today, convert)?;
    let subtitle = describe(scope, period, spans.first().zip(spans.last()));
    let dashboard = report::html::Dashboard { subtitle, spending: &spending, cashflow: &cashflow, networth: &networth };
    Ok((report::html::page(&dashboard)?, unanchored))
}

/// What the page covers, in words.
fn describe(scope: &Scope, period: Period, span: Option<(&report::Span, &report::Span)>) -> String {
    let mut parts = vec![match span {
        Some((first, last)) => format!("{} to {}, per {period:?}", first.label, last.label).to_lowercase(),
        None => "no periods with data".to_string(),
    }];
    if let Some(c) = &scope.category {
        parts.push(format!("category {c} (spending and cash flow; net worth counts every row)"));
    }
    if let Some(c) = &scope.currency {
        parts.push(format!("currency {c}"));
    }
    if scope.account_id.is_some() {
        parts.push("one account".to_string());
    }
    parts.join("; ")
}
