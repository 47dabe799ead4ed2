//! The user's rules and how rows are matched against them: `Conditions` (what a rule asks of a
//! row), `Rule` (conditions plus actions, in order) and `RuleSet`, which compiles every rule's
//! text conditions into one automaton per field (Aho-Corasick for `contains`, a `RegexSet` for
//! regexes, a hash map for exact text) so a row costs one pass, not one test per rule. The first
//! matching rule in order wins. Storing rules is `store::rules`; precedence against other
//! layers is `CategorySource::may_replace`.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use anyhow::Result;
use regex::{RegexSet, RegexSetBuilder};
use serde::{Deserialize, Serialize};

use crate::error::UserError;

/// Whether a row is money in or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// Money in (a positive amount)
    In,
    /// Money out (a negative amount)
    Out,
}

/// What a rule asks of a row; every condition given must hold. Text matching ignores case.
/// `payee_*` reads the payee, or the description where a row has no payee (a statement line).
/// Amounts are sizes (`12.50` matches -12.50 and 12.50; `sign` tells in from out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee_contains: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee_exact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee_regex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_contains: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_exact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_regex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_amount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_amount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<Sign>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

impl Conditions {
    /// `payee contains "STARBUCKS" and amount <= 20`: the words a rule's reason uses.
    pub fn describe(&self, account: Option<&str>) -> String {
        let mut parts = Vec::new();
        let text = [
            ("payee contains", &self.payee_contains),
            ("payee is", &self.payee_exact),
            ("payee matches", &self.payee_regex),
            ("description contains", &self.description_contains),
            ("description is", &self.description_exact),
            ("description matches", &self.description_regex),
        ];
        for (words, value) in text {
            if let Some(v) = value {
                parts.push(format!("{words} {v:?}"));
            }
        }
        if let Some(v) = &self.min_amount {
            parts.push(format!("amount >= {v}"));
        }
        if let Some(v) = &self.max_amount {
            parts.push(format!("amount <= {v}"));
        }
        match self.sign {
            Some(Sign::In) => parts.push("money in".into()),
            Some(Sign::Out) => parts.push("money out".into()),
            None => {}
        }
        if let Some(c) = &self.currency {
            parts.push(format!("currency {c}"));
        }
        if let Some(a) = account {
            parts.push(format!("account {a:?}"));
        }
        if parts.is_empty() { "every row".into() } else { parts.join(" and ") }
    }
}

/// A rule as stored: conditions and actions, in the order rules are tried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    pub id: i64,
    pub position: i64,
    pub when: Conditions,
    pub account_id: Option<i64>,
    pub account: Option<String>,
    pub category_id: Option<i64>,
    pub category: Option<String>,
    /// A new payee for the rows it matches.
    pub payee: Option<String>,
    pub tags: Vec<String>,
}

impl Rule {
    /// `rule 3: payee contains "STARBUCKS"`: why a row got what it got.
    pub fn reason(&self) -> String {
        format!("rule {}: {}", self.id, self.when.describe(self.account.as_deref()))
    }
}

/// What a row offers the rules.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub account_id: i64,
    pub amount: i64,
    pub currency: &'a str,
    /// The currency's decimals (2 for USD), to compare amounts with a rule's bounds.
    pub exponent: u8,
    pub payee: Option<&'a str>,
    pub description: &'a str,
}

impl<'a> Subject<'a> {
    /// What the rules look at in row `t` of account `account_id`.
    pub fn of(account_id: i64, t: &'a crate::model::NewTransaction) -> Subject<'a> {
        Subject {
            account_id,
            amount: t.amount,
            currency: t.currency.code(),
            exponent: t.currency.exponent(),
            payee: t.payee.as_deref(),
            description: &t.description,
        }
    }
}

const PAYEE: usize = 0;
const DESCRIPTION: usize = 1;

/// Text conditions of one field, compiled for all rules at once.
#[derive(Debug)]
struct FieldIndex {
    contains: Option<AhoCorasick>,
    /// Pattern id -> the rules that asked for it.
    contains_rules: Vec<Vec<u32>>,
    exact: HashMap<String, Vec<u32>>,
    regexes: Option<RegexSet>,
    regex_rules: Vec<u32>,
}

/// One rule, ready to check the conditions the automata do not.
#[derive(Debug)]
struct Compiled {
    /// One bit per text condition the rule has (contains, exact, regex per field).
    needs: u8,
    min: Option<i128>,
    max: Option<i128>,
}

/// Every rule compiled: [`RuleSet::first_match`] finds the first rule in order a row meets.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    compiled: Vec<Compiled>,
    fields: Vec<FieldIndex>,
    /// Rules without text conditions: checked on every row.
    untexted: Vec<u32>,
}

/// Amount bounds as millionths of a unit, so `12.5` compares with cents or yen alike.
const MICRO: u32 = 6;

/// A size `12.50` as millionths; a clear usage error otherwise.
pub fn parse_bound(text: &str) -> Result<i128> {
    let bad = || {
        UserError::usage(format!("{text:?} is not an amount"))
            .hint("write a size such as 12.50 (no sign, no grouping; --sign tells in from out)")
    };
    let (whole, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > MICRO as usize
        || whole.len() > 15
    {
        return Err(bad().into());
    }
    let whole: i128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let frac_value: i128 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| bad())? };
    Ok(whole * 10i128.pow(MICRO) + frac_value * 10i128.pow(MICRO - frac.len() as u32))
}

/// A regex for a rule, or a usage error saying what is wrong with it.
pub fn check_regex(pattern: &str) -> Result<()> {
    match regex::RegexBuilder::new(pattern).case_insensitive(true).build() {
        Ok(_) => Ok(()),
        Err(e) => Err(UserError::usage(format!("invalid regex {pattern:?}: {e}"))
            .hint("rules use Rust regex syntax (no look-around); escape `.`, `*` or `(` with `\\` to match them literally, or use --payee-contains")
            .into()),
    }
}

/// Lowercased (exact text compares case-insensitively), with surrounding space dropped.
fn fold(text: &str) -> String {
    text.trim().to_lowercase()
}

impl RuleSet {
    /// Compile `rules`, which must be in order (first wins). A bad regex or amount is a usage error.
    pub fn new(rules: Vec<Rule>) -> Result<RuleSet> {
        let mut compiled = Vec::with_capacity(rules.len());
        let mut untexted = Vec::new();
        let mut contains: [Vec<String>; 2] = Default::default();
        let mut contains_ids: [HashMap<String, usize>; 2] = Default::default();
        let mut contains_rules: [Vec<Vec<u32>>; 2] = Default::default();
        let mut exact: [HashMap<String, Vec<u32>>; 2] = Default::default();
        let mut regexes: [Vec<String>; 2] = Default::default();
        let mut regex_rules: [Vec<u32>; 2] = Default::default();
        for (index, rule) in rules.iter().enumerate() {
            let index = index as u32;
            let w = &rule.when;
            let mut needs = 0u8;
            let per_field = [
                (PAYEE, &w.payee_contains, &w.payee_exact, &w.payee_regex),
                (DESCRIPTION, &w.description_contains, &w.description_exact, &w.description_regex),
            ];
            for (field, c, e, r) in per_field {
                if let Some(c) = c {
                    needs |= bit(field, 0);
                    let folded = c.to_lowercase();
                    let next = contains[field].len();
                    let id = *contains_ids[field].entry(folded.clone()).or_insert(next);
                    if id == next {
                        contains[field].push(folded);
                        contains_rules[field].push(Vec::new());
                    }
                    contains_rules[field][id].push(index);
                }
                if let Some(e) = e {
                    needs |= bit(field, 1);
                    exact[field].entry(fold(e)).or_default().push(index);
                }
                if let Some(r) = r {
                    needs |= bit(field, 2);
                    check_regex(r)?;
                    regexes[field].push(r.clone());
                    regex_rules[field].push(index);
                }
            }
            if needs == 0 {
                untexted.push(index);
            }
            let min = w.min_amount.as_deref().map(parse_bound).transpose()?;
            let max = w.max_amount.as_deref().map(parse_bound).transpose()?;
            compiled.push(Compiled { needs, min, max });
        }
        let mut fields = Vec::new();
        for field in [PAYEE, DESCRIPTION] {
            let automaton = if contains[field].is_empty() {
                None
            } else {
                Some(AhoCorasickBuilder::new().ascii_case_insensitive(true).build(&contains[field])?)
            };
            let set = if regexes[field].is_empty() {
                None
            } else {
                // Checked one by one above, so a failure here is a size limit.
                Some(RegexSetBuilder::new(&regexes[field]).case_insensitive(true).size_limit(1 << 28).build()?)
            };
            fields.push(FieldIndex {
                contains: automaton,
                contains_rules: std::mem::take(&mut contains_rules[field]),
                exact: std::mem::take(&mut exact[field]),
                regexes: set,
                regex_rules: std::mem::take(&mut regex_rules[field]),
            });
        }
        Ok(RuleSet { rules, compiled, fields, untexted })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether any rule renames a payee or adds tags (actions beyond a category).
    pub fn renames_or_tags(&self) -> bool {
        self.rules.iter().any(|r| r.payee.is_some() || !r.tags.is_empty())
    }

    /// The first rule in order whose every condition `s` meets.
    pub fn first_match(&self, s: &Subject<'_>) -> Option<&Rule> {
        if self.rules.is_empty() {
            return None;
        }
        // (rule, condition bit) for every text condition the row meets.
        let mut hits: Vec<(u32, u8)> = Vec::new();
        let texts = [s.payee.unwrap_or(s.description), s.description];
        for (field, index) in self.fields.iter().enumerate() {
            let text = texts[field];
            // Aho-Corasick folds ASCII case only: fold other scripts here (patterns are folded).
            let folded;
            let haystack = if text.is_ascii() {
                text
            } else {
                folded = text.to_lowercase();
                &folded
            };
            if let Some(ac) = &index.contains {
                for m in ac.find_overlapping_iter(haystack) {
                    hits.extend(index.contains_rules[m.pattern().as_usize()].iter().map(|&r| (r, bit(field, 0))));
                }
            }
            if !index.exact.is_empty()
                && let Some(rules) = index.exact.get(&fold(text))
            {
                hits.extend(rules.iter().map(|&r| (r, bit(field, 1))));
            }
            if let Some(set) = &index.regexes {
                for i in set.matches(text).iter() {
                    hits.push((index.regex_rules[i], bit(field, 2)));
                }
            }
        }
        hits.sort_unstable();
        let mut best: Option<u32> = None;
        let mut i = 0;
        while i < hits.len() {
            let rule = hits[i].0;
            let mut got = 0u8;
            while i < hits.len() && hits[i].0 == rule {
                got |= hits[i].1;
                i += 1;
            }
            if got == self.compiled[rule as usize].needs && self.rest_holds(rule as usize, s) {
                best = Some(rule);
                break;
            }
        }
        if let Some(&rule) =
            self.untexted.iter().take_while(|&&r| best.is_none_or(|b| r < b)).find(|&&r| self.rest_holds(r as usize, s))
        {
            best = Some(rule);
        }
        best.map(|r| &self.rules[r as usize])
    }

    /// The conditions no automaton checks: amount, sign, account, currency.
    fn rest_holds(&self, index: usize, s: &Subject<'_>) -> bool {
        let (rule, c) = (&self.rules[index], &self.compiled[index]);
        let w = &rule.when;
        if rule.account_id.is_some_and(|a| a != s.account_id) {
            return false;
        }
        if w.currency.as_deref().is_some_and(|cur| !cur.eq_ignore_ascii_case(s.currency)) {
            return false;
        }
        match w.sign {
            Some(Sign::In) if s.amount <= 0 => return false,
            Some(Sign::Out) if s.amount >= 0 => return false,
            _ => {}
        }
        if c.min.is_some() || c.max.is_some() {
            let size = s.amount.unsigned_abs() as i128 * 10i128.pow(MICRO.saturating_sub(s.exponent as u32));
            if c.min.is_some_and(|m| size < m) || c.max.is_some_and(|m| size > m) {
                return false;
            }
        }
        true
    }
}

fn bit(field: usize, kind: u8) -> u8 {
    1 << (field as u8 * 3 + kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: i64, when: Conditions) -> Rule {
        Rule { id, position: id, when, ..Rule::default() }
    }

    fn subject<'a>(payee: Option<&'a str>, description: &'a str, amount: i64) -> Subject<'a> {
        Subject { account_id: 1, amount, currency: "USD", exponent: 2, payee, description }
    }

    fn first(set: &RuleSet, s: Subject<'_>) -> Option<i64> {
        set.first_match(&s).map(|r| r.id)
    }

    #[test]
    fn the_first_rule_in_order_wins_and_every_condition_must_hold() {
        let set = RuleSet::new(vec![
            rule(
                1,
                Conditions { payee_contains: Some("star".into()), max_amount: Some("5".into()), ..Default::default() },
            ),
            rule(2, Conditions { description_contains: Some("STARBUCKS".into()), ..Default::default() }),
            rule(3, Conditions { payee_contains: Some("starbucks".into()), ..Default::default() }),
            rule(4, Conditions { sign: Some(Sign::In), ..Default::default() }),
        ])
        .unwrap();
        assert_eq!(first(&set, subject(None, "STARBUCKS #1234 SEATTLE WA", -450)), Some(1));
        assert_eq!(first(&set, subject(None, "STARBUCKS #1234 SEATTLE WA", -650)), Some(2), "too big for rule 1");
        assert_eq!(first(&set, subject(Some("Starbucks"), "POS 1234", -650)), Some(3));
        assert_eq!(first(&set, subject(Some("Starbucks"), "POS 1234", 650)), Some(3), "3 comes before 4");
        assert_eq!(first(&set, subject(Some("ACME"), "SALARY", 650)), Some(4));
        assert_eq!(first(&set, subject(Some("ACME"), "SALARY", -650)), None);
    }

    #[test]
    fn exact_regex_currency_and_bounds() {
        let set = RuleSet::new(vec![
            rule(
                1,
                Conditions { payee_exact: Some(" Rewe ".into()), currency: Some("eur".into()), ..Default::default() },
            ),
            rule(2, Conditions { description_regex: Some(r"^netflix\.com".into()), ..Default::default() }),
            rule(3, Conditions { min_amount: Some("1000".into()), ..Default::default() }),
        ])
        .unwrap();
        let eur = Subject { currency: "EUR", ..subject(Some("REWE"), "REWE SAGT DANKE", -1007) };
        assert_eq!(first(&set, eur), Some(1));
        assert_eq!(first(&set, subject(Some("REWE"), "REWE SAGT DANKE", -1007)), None, "USD is not EUR");
        assert_eq!(first(&set, subject(Some("REWE MARKT"), "x", -1)), None, "exact is not contains");
        assert_eq!(first(&set, subject(None, "NETFLIX.COM 866", -1599)), Some(2));
        assert_eq!(first(&set, subject(None, "PAY NETFLIX.COM", -1599)), None);
        assert_eq!(first(&set, subject(None, "RENT", -100_000)), Some(3));
        assert_eq!(first(&set, subject(None, "RENT", -99_999)), None);
        let yen = Subject { currency: "JPY", exponent: 0, ..subject(None, "RENT", -1000) };
        assert_eq!(first(&set, yen), Some(3), "1000 yen is 1000 units");
    }

    #[test]
    fn text_outside_ascii_matches_without_case() {
        let set =
            RuleSet::new(vec![rule(1, Conditions { payee_contains: Some("Bäckerei".into()), ..Default::default() })])
                .unwrap();
        assert_eq!(first(&set, subject(None, "BÄCKEREI MÜLLER", -300)), Some(1));
    }

    #[test]
    fn a_bad_regex_or_amount_is_a_usage_error_with_a_hint() {
        let err =
            RuleSet::new(vec![rule(1, Conditions { payee_regex: Some("(unclosed".into()), ..Default::default() })])
                .unwrap_err();
        let user = crate::error::user_error(&err).unwrap();
        assert!(user.hint.as_deref().unwrap().contains("escape"), "{user:?}");
        assert!(parse_bound("-5").is_err() && parse_bound("1,000").is_err() && parse_bound("").is_err());
        assert_eq!(parse_bound("12.5").unwrap(), 12_500_000);
    }

    #[test]
    fn the_reason_names_the_rule_and_its_conditions() {
        let r = rule(3, Conditions { payee_contains: Some("STARBUCKS".into()), ..Default::default() });
        assert_eq!(r.reason(), "rule 3: payee contains \"STARBUCKS\"");
    }
}
