//! Report periods (month, quarter, year): their labels, their first and last days, and the
//! run of periods a report's columns span. Rollups are per month; a period is a set of months.

use anyhow::{Result, anyhow};
use chrono::{Datelike as _, Months, NaiveDate};

/// How a report buckets time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Period {
    #[default]
    Month,
    Quarter,
    Year,
}

impl Period {
    /// `2026-10`, `2026-Q4` or `2026`: the label of the period a date falls in.
    pub fn label(self, date: NaiveDate) -> String {
        match self {
            Period::Month => date.format("%Y-%m").to_string(),
            Period::Quarter => format!("{}-Q{}", date.year(), date.month0() / 3 + 1),
            Period::Year => date.year().to_string(),
        }
    }

    /// The period's label of a rollup month (`YYYY-MM`).
    pub fn of_month(self, month: &str) -> Result<String> {
        Ok(self.label(month_start(month)?))
    }

    /// The first day of the period a date falls in.
    pub fn start(self, date: NaiveDate) -> NaiveDate {
        let month0 = match self {
            Period::Month => date.month0(),
            Period::Quarter => date.month0() / 3 * 3,
            Period::Year => 0,
        };
        NaiveDate::from_ymd_opt(date.year(), month0 + 1, 1).expect("a first of the month exists")
    }

    /// How many months one period holds.
    pub fn months(self) -> u32 {
        match self {
            Period::Month => 1,
            Period::Quarter => 3,
            Period::Year => 12,
        }
    }

    /// The last day of the period a date falls in.
    pub fn end(self, date: NaiveDate) -> NaiveDate {
        self.start(date) + Months::new(self.months()) - chrono::Days::new(1)
    }

    /// The periods from the one holding `from` to the one holding `to`, oldest first: each
    /// label with its first and last day.
    pub fn span(self, from: NaiveDate, to: NaiveDate) -> Vec<Span> {
        let mut spans = Vec::new();
        let mut start = self.start(from);
        while start <= to {
            spans.push(Span { label: self.label(start), start, end: self.end(start) });
            start = start + Months::new(self.months());
        }
        spans
    }
}

/// One period of a report: its label and days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The first day of a rollup month (`YYYY-MM`).
pub fn month_start(month: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").map_err(|_| anyhow!("internal: bad month {month:?}"))
}

/// The last day of a rollup month.
pub fn month_end(month: &str) -> Result<NaiveDate> {
    Ok(Period::Month.end(month_start(month)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_have_labels_and_bounds() {
        assert_eq!(Period::Quarter.label(d("2026-11-05")), "2026-Q4");
        assert_eq!(Period::Quarter.start(d("2026-11-05")), d("2026-10-01"));
        assert_eq!(Period::Quarter.end(d("2026-11-05")), d("2026-12-31"));
        assert_eq!(Period::Year.end(d("2024-02-05")), d("2024-12-31"));
        assert_eq!(Period::Month.end(d("2024-02-05")), d("2024-02-29"));
        let labels: Vec<String> =
            Period::Quarter.span(d("2025-12-15"), d("2026-04-01")).into_iter().map(|s| s.label).collect();
        assert_eq!(labels, ["2025-Q4", "2026-Q1", "2026-Q2"]);
        assert_eq!(Period::Year.of_month("2026-03").unwrap(), "2026");
    }
}
