//! `tally budget`: set, list and remove monthly or yearly budgets per category, and show a month's
//! status with a bar per category. The arithmetic is `budget`'s; storage `store::budgets`.

use std::io::IsTerminal as _;

use anyhow::Result;
use chrono::{Datelike as _, NaiveDate};
use clap::Subcommand;
use serde::Serialize;

use crate::budget::{self, Line};
use crate::commands::categories::resolve;
use crate::context::Ctx;
use crate::error::{UserError, usage};
use crate::money::{Currency, parse_styled};
use crate::output::Format;
use crate::report::money;
use crate::store::budgets;

/// Monthly or yearly budgets per category: what you mean to spend, and how it is going
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Budget AMOUNT a month for CATEGORY (and everything under it)
    ///
    /// A budget holds from its month (--from, else this month) until a later one of the same
    /// category and currency replaces it. With --rollover, what is left at the end of a month
    /// adds to the next, and overspending takes from it. With --yearly, AMOUNT is for each
    /// calendar year (from --from's year, else this one): a month's status shows it against the
    /// year's spending so far, and --rollover carries from year to year.
    Set {
        /// The category (`Food`, `Food:Groceries`, or a unique leaf name)
        category: String,
        #[arg(allow_hyphen_values = true)]
        /// The amount a month (a year with --yearly), with `.` as the decimal point (250, 250.00, 1,250.00)
        amount: String,
        /// The currency (ISO code); without it, the one currency of your accounts
        #[arg(long)]
        currency: Option<String>,
        /// Carry what is left (or overspent) into the next month (the next year with --yearly)
        #[arg(long)]
        rollover: bool,
        /// A budget for each calendar year instead of each month
        #[arg(long)]
        yearly: bool,
        /// The first month it holds (YYYY-MM), or with --yearly the first year (YYYY); without
        /// it, this month (this year)
        #[arg(long, value_name = "MONTH", value_parser = parse_start)]
        from: Option<NaiveDate>,
    },
    /// List the budgets, with the month each holds from
    List,
    /// Remove a category's budgets (every month, every currency unless --currency)
    Remove {
        /// The category
        category: String,
        /// Only the budget in this currency
        #[arg(long)]
        currency: Option<String>,
    },
    /// Budgeted, carried, spent, pending, committed and remaining per category, with a bar
    ///
    /// Spending counts as in reports: transfers never, refunds reduce it. Pending rows are shown
    /// apart; committed is recurring charges still expected this month. A parent category
    /// without a budget of its own sums its budgeted children.
    Status {
        /// The month (YYYY-MM); without it, this month
        #[arg(long, value_name = "MONTH", value_parser = parse_month)]
        month: Option<NaiveDate>,
        /// Exit with status 1 when a category is over its budget (for cron)
        #[arg(long)]
        over: bool,
    },
}

#[derive(Debug, Serialize, Default)]
struct ListRow {
    category: String,
    amount: String,
    currency: String,
    /// `month` or `year`: what the amount is for.
    period: &'static str,
    from: String,
    rollover: bool,
}

#[derive(Debug, Serialize, Default)]
struct StatusRow {
    category: String,
    currency: String,
    /// `month`, or `year` (spent and pending are then the year's so far).
    period: &'static str,
    budgeted: String,
    carried: String,
    spent: String,
    pending: String,
    committed: String,
    remaining: String,
    /// `ok`, `at_risk` (committed charges would overflow it) or `over`.
    status: &'static str,
    /// Only in tables: machines read the figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    bar: Option<String>,
}

pub fn run(ctx: &mut Ctx, cmd: Command) -> Result<()> {
    let this_month = budget::month_of(ctx.now().date_naive());
    match cmd {
        Command::Set { category, amount, currency, rollover, yearly, from } => {
            let db = ctx.store_or_create()?.db();
            let category = resolve(db, &category)?;
            let currency = currency_for(db, currency.as_deref())?;
            let minor = parse_styled(&amount, '.', currency).map_err(|e| {
                UserError::usage(format!("{e}")).hint(format!(
                    "write the amount a month like 250 or 250.00 ({currency} has {} decimals)",
                    currency.exponent()
                ))
            })?;
            if minor < 0 {
                return usage(
                    format!("a budget of {amount} is negative"),
                    "give what you mean to spend a month, such as 250",
                );
            }
            let from = from.unwrap_or(this_month);
            let starts_on = if yearly { from.with_month(1).expect("January exists") } else { from };
            let new = budgets::NewBudget {
                category_id: category.id,
                amount: minor,
                currency: currency.code(),
                starts_on,
                rollover,
                yearly,
            };
            budgets::set(db, &new)?;
            let rolls = if rollover { ", rolling over" } else { "" };
            ctx.out.status(&format!(
                "Budget for {}: {} {} a {} from {}{rolls}",
                category.full_name,
                money(minor, currency.code())?,
                currency,
                period(yearly),
                start(starts_on, yearly)
            ));
            Ok(())
        }
        Command::List => {
            let rows = budgets::list(ctx.store()?.db())?
                .into_iter()
                .map(|b| {
                    Ok(ListRow {
                        amount: money(b.amount, &b.currency)?,
                        category: b.category,
                        currency: b.currency,
                        period: period(b.yearly),
                        from: start(b.starts_on, b.yearly),
                        rollover: b.rollover,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            ctx.out.rows(&rows)
        }
        Command::Remove { category, currency } => {
            let db = ctx.store()?.db();
            let category = resolve(db, &category)?;
            let currency = currency.map(|c| Currency::parse(&c)).transpose()?;
            let n = budgets::remove(db, category.id, currency.as_ref().map(Currency::code))?;
            if n == 0 {
                return usage(
                    format!("{} has no budget to remove", category.full_name),
                    "`tally budget list` shows the budgets",
                );
            }
            ctx.out.status(&format!("Removed {n} budget(s) of {}", category.full_name));
            Ok(())
        }
        Command::Status { month, over } => {
            let today = ctx.now().date_naive();
            let lines = budget::status(ctx.store()?.db(), month.unwrap_or(this_month), today)?;
            if lines.is_empty() {
                ctx.out.hint("`tally budget set CATEGORY AMOUNT` sets a budget");
            }
            let bars = ctx.out.format() == Format::Table;
            let rows = lines.iter().map(|l| row(l, bars)).collect::<Result<Vec<_>>>()?;
            ctx.out.rows(&rows)?;
            let overs: Vec<String> = lines
                .iter()
                .filter(|l| l.over() && !l.summed)
                .map(|l| Ok(format!("{} by {} {}", l.category, money(-l.remaining(), &l.currency)?, l.currency)))
                .collect::<Result<_>>()?;
            if over && !overs.is_empty() {
                return Err(UserError::failure(format!("over budget: {}", overs.join(", ")))
                    .hint("`tally tx list --category NAME` shows what was spent")
                    .into());
            }
            Ok(())
        }
    }
}

/// `--currency`, else the one currency the accounts hold.
fn currency_for(db: &crate::store::Db, given: Option<&str>) -> Result<Currency> {
    if let Some(code) = given {
        return Currency::parse(code);
    }
    match budgets::account_currencies(db)?.as_slice() {
        [one] => Currency::parse(one),
        [] => usage("there are no accounts to take a currency from", "give one with --currency USD"),
        many => {
            usage(format!("your accounts hold several currencies ({})", many.join(", ")), "say which with --currency")
        }
    }
}

fn row(l: &Line, bars: bool) -> Result<StatusRow> {
    let m = |v: i64| money(v, &l.currency);
    let status = if l.over() {
        "over"
    } else if l.remaining() < l.committed {
        "at_risk"
    } else {
        "ok"
    };
    Ok(StatusRow {
        category: if l.summed { format!("{} (sum)", l.category) } else { l.category.clone() },
        currency: l.currency.clone(),
        period: period(l.yearly),
        budgeted: m(l.budgeted)?,
        carried: m(l.carried)?,
        spent: m(l.spent)?,
        pending: m(l.pending)?,
        committed: m(l.committed)?,
        remaining: m(l.remaining())?,
        status,
        bar: bars.then(|| bar(l, fancy())),
    })
}

/// Blocks on a terminal that takes color; plain ASCII when piped or with `NO_COLOR`.
fn fancy() -> bool {
    std::io::stdout().is_terminal() && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

const BAR: usize = 20;

/// Spent, pending and committed as parts of the bar, the rest of the budget free; a bar that
/// is over ends with `!`.
pub fn bar(l: &Line, fancy: bool) -> String {
    let (spent, pending, committed) = (l.spent.max(0), l.pending.max(0), l.committed.max(0));
    let whole = l.available().max(spent + pending + committed).max(1);
    let cells = |v: i64| usize::try_from(i128::from(v) * BAR as i128 / i128::from(whole)).unwrap_or(BAR);
    let (s, p) = (cells(spent), cells(spent + pending) - cells(spent));
    let c = cells(spent + pending + committed) - s - p;
    let [fs, fp, fc, ff] = if fancy { ['█', '▓', '░', '·'] } else { ['#', '=', '+', '.'] };
    let mut out: String = [(fs, s), (fp, p), (fc, c), (ff, BAR - s - p - c)]
        .iter()
        .flat_map(|(ch, n)| std::iter::repeat_n(*ch, *n))
        .collect();
    if l.over() {
        out.push('!');
    }
    out
}

/// What a budget's amount is for.
fn period(yearly: bool) -> &'static str {
    if yearly { "year" } else { "month" }
}

/// When a budget starts: `2026-11`, or `2026` for a yearly one.
fn start(starts_on: NaiveDate, yearly: bool) -> String {
    starts_on.format(if yearly { "%Y" } else { "%Y-%m" }).to_string()
}

/// `YYYY-MM` as its first day, or `YYYY` as its January's.
fn parse_start(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    match s.parse::<i32>() {
        Ok(year) if s.len() == 4 => NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| format!("{s:?} is not a year")),
        _ => parse_month(s)
            .map_err(|_| format!("{s:?} is not a month or a year; write YYYY-MM (2026-11) or YYYY (2026)")),
    }
}

/// `YYYY-MM` as its first day.
fn parse_month(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a month; write it as YYYY-MM (2026-11)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_splits_spent_pending_committed_and_free() {
        let l = Line { budgeted: 1000, spent: 500, pending: 100, committed: 200, ..Line::default() };
        assert_eq!(bar(&l, false), "##########==++++....");
        let over = Line { budgeted: 100, spent: 200, ..Line::default() };
        assert_eq!(bar(&over, false), "####################!");
        assert_eq!(parse_month("2026-02").unwrap(), NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
        assert!(parse_month("2026-13").is_err());
        assert_eq!(parse_start("2027").unwrap(), NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert_eq!(parse_start("2027-03").unwrap(), NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
        assert!(parse_start("27").unwrap_err().contains("YYYY-MM (2026-11) or YYYY (2026)"));
    }
}
