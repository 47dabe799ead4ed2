//! Where a SimpleFIN sync stands. One `/accounts` request answers for every account at once,
//! for one date window of at most 90 days, so a pass walks windows from the oldest day any
//! tracked account needs to today, and each window's answer is handed to sync one account
//! per page. The position (`sf1:` + JSON) names accounts by id, so a resumed sync neither
//! repeats nor skips one whatever order the server lists them in.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context as _, Result};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

const PREFIX: &str = "sf1:";
/// The Bridge refuses longer ranges.
pub const MAX_WINDOW_DAYS: u64 = 90;
/// Each sync re-reads this many days before the last one, for late and changed rows.
pub const OVERLAP_DAYS: u64 = 14;
/// A first sync reaches this far back (five requests of the day's 24).
pub const HISTORY_DAYS: u64 = 365;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Per account: the day its last complete pass ended. Not here: never fetched.
    #[serde(default)]
    pub since: BTreeMap<String, NaiveDate>,
    /// The pass under way, if one is.
    #[serde(default)]
    pub pass: Option<Pass>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pass {
    /// The first day of the window being read.
    pub from: NaiveDate,
    /// Accounts this window has handed to sync already.
    #[serde(default)]
    pub done: BTreeSet<String>,
    /// Accounts the server reported a problem for during this pass: their rows are kept, but
    /// nothing is inferred from what is missing, and they are read again next time.
    #[serde(default)]
    pub troubled: BTreeSet<String>,
    /// Accounts sync was told failed during this pass: none of their rows is handed out.
    #[serde(default)]
    pub failed: BTreeSet<String>,
}

impl Position {
    pub fn parse(position: Option<&str>) -> Result<Position> {
        let Some(position) = position else { return Ok(Position::default()) };
        let json = position.strip_prefix(PREFIX).context("the stored SimpleFIN position is not one; link again")?;
        serde_json::from_str(json).context("the stored SimpleFIN position is damaged; link again")
    }

    pub fn encode(&self) -> String {
        format!("{PREFIX}{}", serde_json::to_string(self).expect("serializes"))
    }

    /// The first day a new pass must read for `wanted`: the earliest any of them needs.
    /// `None` when nothing is wanted.
    pub fn pass_start(&self, wanted: &[String], today: NaiveDate) -> Option<NaiveDate> {
        wanted
            .iter()
            .map(|a| match self.since.get(a) {
                Some(d) => *d - Days::new(OVERLAP_DAYS),
                None => today - Days::new(HISTORY_DAYS),
            })
            .min()
    }
}

/// The exclusive end of the window starting on `from`: 90 days on, or tomorrow when that is
/// sooner (the last window of a pass reaches today).
pub fn window_end(from: NaiveDate, today: NaiveDate) -> NaiveDate {
    (from + Days::new(MAX_WINDOW_DAYS)).min(today + Days::new(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_pass_starts_where_the_neediest_account_needs_it_and_windows_stay_within_90_days() {
        let today = day("2026-11-23");
        let mut p = Position::default();
        let wanted = vec!["a".to_string(), "b".to_string()];
        assert_eq!(p.pass_start(&wanted, today), Some(day("2025-11-23")));
        p.since.insert("a".into(), day("2026-11-20"));
        assert_eq!(p.pass_start(&wanted, today), Some(day("2025-11-23")), "b was never fetched");
        p.since.insert("b".into(), day("2026-11-22"));
        assert_eq!(p.pass_start(&wanted, today), Some(day("2026-11-06")));
        assert_eq!(p.pass_start(&[], today), None);

        let mut from = day("2025-11-23");
        let mut windows = 0;
        while from <= today {
            let end = window_end(from, today);
            assert!((end - from).num_days() <= 90 && end > from);
            windows += 1;
            from = end;
        }
        assert_eq!((windows, from), (5, day("2026-11-24")));
    }

    #[test]
    fn positions_round_trip_and_foreign_ones_are_refused() {
        let pass = Pass { from: day("2026-01-01"), done: ["a".to_string()].into(), ..Pass::default() };
        let p = Position { pass: Some(pass), ..Position::default() };
        assert_eq!(Position::parse(Some(&p.encode())).unwrap(), p);
        for bad in ["w2:{}", "sf1:{not json", "c1.17"] {
            assert!(Position::parse(Some(bad)).is_err(), "{bad}");
        }
    }
}
