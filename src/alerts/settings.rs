//! `[alerts]` in the config file: the thresholds of each alert kind, checked once at load.
//! `config show` lists them through [`Section::shown`].

use anyhow::Result;
use serde::Deserialize;

use crate::error::UserError;

/// The thresholds in effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// How many days back `tally alerts` looks without --since or --days.
    pub days: u32,
    /// A charge is unusual above this many hundredths of its payee's median (300 = 3×).
    pub unusual_percent: u32,
    /// How many earlier charges of a payee make its "usual" amount.
    pub min_history: u32,
    /// Two equal charges at most this many days apart may be one charge twice.
    pub duplicate_days: u32,
    /// A consent that ends within this many days is an alert.
    pub consent_days: i64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { days: 30, unusual_percent: 300, min_history: 3, duplicate_days: 3, consent_days: 7 }
    }
}

/// The section as written: every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    days: Option<u32>,
    unusual_factor: Option<f64>,
    min_history: Option<u32>,
    duplicate_days: Option<u32>,
    consent_days: Option<i64>,
}

impl Section {
    /// The settings, or a usage error naming the key out of range.
    pub fn resolve(&self) -> Result<Settings> {
        let d = Settings::default();
        let bad = |key: &str, value: String, range: &str| -> anyhow::Error {
            UserError::usage(format!("[alerts] {key} = {value} is out of range"))
                .hint(format!("{key} goes {range}"))
                .into()
        };
        let days = self.days.unwrap_or(d.days);
        if !(1..=3660).contains(&days) {
            return Err(bad("days", days.to_string(), "from 1 to 3660"));
        }
        // A ratio, not money: turned into whole hundredths once, compared in integers after.
        let unusual_percent = match self.unusual_factor {
            None => d.unusual_percent,
            Some(f) if (1.0..=1000.0).contains(&f) => (f * 100.0).round() as u32,
            Some(f) => {
                return Err(bad("unusual_factor", f.to_string(), "from 1.0 to 1000 (3.0: three times the usual)"));
            }
        };
        let min_history = self.min_history.unwrap_or(d.min_history);
        if !(1..=100).contains(&min_history) {
            return Err(bad("min_history", min_history.to_string(), "from 1 to 100"));
        }
        let duplicate_days = self.duplicate_days.unwrap_or(d.duplicate_days);
        if duplicate_days > 31 {
            return Err(bad("duplicate_days", duplicate_days.to_string(), "from 0 (same day) to 31"));
        }
        let consent_days = self.consent_days.unwrap_or(d.consent_days);
        if !(0..=366).contains(&consent_days) {
            return Err(bad("consent_days", consent_days.to_string(), "from 0 to 366"));
        }
        Ok(Settings { days, unusual_percent, min_history, duplicate_days, consent_days })
    }

    /// Each setting for `config show` (`alerts_<key>`), its value, and whether the file set it.
    pub fn shown(&self, s: &Settings) -> Vec<(&'static str, String, bool)> {
        let factor = format!("{}.{:02}", s.unusual_percent / 100, s.unusual_percent % 100);
        vec![
            ("alerts_days", s.days.to_string(), self.days.is_some()),
            ("alerts_unusual_factor", factor, self.unusual_factor.is_some()),
            ("alerts_min_history", s.min_history.to_string(), self.min_history.is_some()),
            ("alerts_duplicate_days", s.duplicate_days.to_string(), self.duplicate_days.is_some()),
            ("alerts_consent_days", s.consent_days.to_string(), self.consent_days.is_some()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_factor_becomes_hundredths_and_out_of_range_keys_are_refused() {
        let s = Section { unusual_factor: Some(2.5), ..Section::default() };
        assert_eq!(s.resolve().unwrap().unusual_percent, 250);
        assert_eq!(Section::default().resolve().unwrap(), Settings::default());
        for bad in [
            Section { unusual_factor: Some(0.5), ..Section::default() },
            Section { duplicate_days: Some(40), ..Section::default() },
            Section { days: Some(0), ..Section::default() },
            Section { min_history: Some(0), ..Section::default() },
        ] {
            let err = bad.resolve().unwrap_err();
            assert!(crate::error::user_error(&err).is_some(), "{err:#}");
        }
    }
}
