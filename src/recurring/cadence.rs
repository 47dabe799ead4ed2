//! How often a series comes: the cadence its gaps fit best, and the date it is due next.

use chrono::{Days, Months, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    Weekly,
    Biweekly,
    /// Twice a month on fixed days (a salary on the 1st and the 15th).
    Semimonthly,
    Monthly,
    Quarterly,
    Yearly,
}

impl Cadence {
    const ALL: [Cadence; 6] = [
        Cadence::Weekly,
        Cadence::Biweekly,
        Cadence::Semimonthly,
        Cadence::Monthly,
        Cadence::Quarterly,
        Cadence::Yearly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Biweekly => "biweekly",
            Cadence::Semimonthly => "semimonthly",
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
            Cadence::Yearly => "yearly",
        }
    }

    /// The usual days between two rows.
    pub fn days(self) -> u64 {
        match self {
            Cadence::Weekly => 7,
            Cadence::Biweekly => 14,
            Cadence::Semimonthly => 15,
            Cadence::Monthly => 30,
            Cadence::Quarterly => 91,
            Cadence::Yearly => 365,
        }
    }

    /// How many days a gap may be off (months differ in length; weekends move a booking).
    pub fn tolerance_days(self) -> u64 {
        match self {
            Cadence::Weekly => 1,
            Cadence::Biweekly => 2,
            Cadence::Semimonthly => 3,
            Cadence::Monthly => 4,
            Cadence::Quarterly => 10,
            Cadence::Yearly => 15,
        }
    }

    /// The fewest rows that make a series: twice is enough only for a yearly charge.
    fn min_rows(self) -> usize {
        match self {
            Cadence::Weekly | Cadence::Biweekly | Cadence::Semimonthly => 4,
            Cadence::Monthly | Cadence::Quarterly => 3,
            Cadence::Yearly => 2,
        }
    }

    /// The cadence most gaps between `dates` (sorted) fit: at least three in four of them,
    /// the best share, then the smallest total error. `None` for an irregular payee.
    pub fn of(dates: &[NaiveDate]) -> Option<Cadence> {
        let gaps: Vec<u64> = dates.windows(2).map(|w| (w[1] - w[0]).num_days().unsigned_abs()).collect();
        if gaps.is_empty() {
            return None;
        }
        let mut best: Option<(Cadence, usize, u64)> = None;
        for c in Cadence::ALL {
            if dates.len() < c.min_rows() {
                continue;
            }
            let off = |g: &u64| g.abs_diff(c.days());
            let fit = gaps.iter().filter(|g| off(g) <= c.tolerance_days()).count();
            let error: u64 = gaps.iter().map(off).sum();
            if fit * 4 < gaps.len() * 3 {
                continue;
            }
            if best.is_none_or(|(_, f, e)| fit > f || (fit == f && error < e)) {
                best = Some((c, fit, error));
            }
        }
        best.map(|(c, _, _)| c)
    }

    /// When the next row is due after `dates` (sorted, at least two).
    pub fn next(self, dates: &[NaiveDate]) -> NaiveDate {
        let last = dates[dates.len() - 1];
        let months = |d: NaiveDate, n: u32| d.checked_add_months(Months::new(n)).unwrap_or(d);
        match self {
            Cadence::Weekly | Cadence::Biweekly => last + Days::new(self.days()),
            // The pattern repeats monthly: the one before the last, a month on.
            Cadence::Semimonthly => months(dates[dates.len() - 2], 1),
            Cadence::Monthly => months(last, 1),
            Cadence::Quarterly => months(last, 3),
            Cadence::Yearly => months(last, 12),
        }
    }
}

impl std::fmt::Display for Cadence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every(start: &str, step: i64, n: usize) -> Vec<NaiveDate> {
        let start: NaiveDate = start.parse().unwrap();
        (0..n).map(|i| start + chrono::Duration::days(step * i as i64)).collect()
    }

    #[test]
    fn gaps_decide_the_cadence() {
        assert_eq!(Cadence::of(&every("2026-01-02", 7, 6)), Some(Cadence::Weekly));
        assert_eq!(Cadence::of(&every("2026-01-02", 14, 6)), Some(Cadence::Biweekly));
        let salary: Vec<NaiveDate> =
            (1..=6).flat_map(|m| [1, 15].map(|d| NaiveDate::from_ymd_opt(2026, m, d).unwrap())).collect();
        assert_eq!(Cadence::of(&salary), Some(Cadence::Semimonthly));
        assert_eq!(Cadence::next(Cadence::Semimonthly, &salary), NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        let monthly: Vec<NaiveDate> =
            ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"].map(|d| d.parse().unwrap()).to_vec();
        assert_eq!(Cadence::of(&monthly), Some(Cadence::Monthly));
        assert_eq!(Cadence::of(&every("2025-02-01", 91, 3)), Some(Cadence::Quarterly));
        assert_eq!(Cadence::of(&every("2024-03-10", 366, 2)), Some(Cadence::Yearly));
        assert_eq!(Cadence::of(&every("2026-01-02", 30, 2)), None, "two months are not a series yet");
        let irregular: Vec<NaiveDate> =
            [1, 3, 9, 10, 24, 29, 41, 44].iter().map(|d| every("2026-01-01", 1, 60)[*d]).collect();
        assert_eq!(Cadence::of(&irregular), None);
    }
}
