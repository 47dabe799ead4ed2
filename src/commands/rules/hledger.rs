//! hledger CSV rules (`FILE.csv.rules`) read for their `if` blocks, so hledger users bring
//! their categorization along. Each matcher line of a block is a rule of its own (hledger ORs
//! them); `&` lines are ANDed onto the line before. A matcher on a named field (`%description`,
//! `%payee`) reads that field; a matcher on the whole record reads the description (tally has no
//! CSV record). hledger matches regexes without case, as tally's rules do. Assignments:
//! `account2` names the category (`expenses:food:groceries` is `Food:Groceries`, made when
//! missing, kind from the top account), `description` or `payee` renames the payee. Everything
//! else (`fields`, `skip`, `account1`, …) describes the CSV layout and is not a rule.

use super::args::RuleArgs;

/// What a rules file gave: rules with the kind of category to make if missing, and why the
/// blocks that could not become rules were skipped.
#[derive(Debug, Default)]
pub struct Parsed {
    pub rules: Vec<(RuleArgs, Option<&'static str>)>,
    pub skipped: Vec<String>,
}

fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with(';') || t.starts_with('*')
}

fn indented(line: &str) -> bool {
    line.starts_with(' ') || line.starts_with('\t')
}

pub fn parse(text: &str) -> Parsed {
    let lines: Vec<&str> = text.lines().collect();
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        i += 1;
        let Some(rest) = line.strip_prefix("if").filter(|r| r.is_empty() || r.starts_with([' ', '\t'])) else {
            continue;
        };
        let at = i;
        let mut groups: Vec<Vec<&str>> = Vec::new();
        if !rest.trim().is_empty() {
            groups.push(vec![rest.trim()]);
        }
        while i < lines.len() && !lines[i].trim().is_empty() && !indented(lines[i]) && !is_comment(lines[i]) {
            let m = lines[i].trim();
            match (m.strip_prefix('&'), groups.last_mut()) {
                (Some(and), Some(group)) => group.push(and.trim()),
                _ => groups.push(vec![m.trim_start_matches('&').trim()]),
            }
            i += 1;
        }
        let mut actions = RuleArgs::default();
        let mut kind = None;
        while i < lines.len() && indented(lines[i]) && !lines[i].trim().is_empty() {
            let assignment = lines[i].trim();
            i += 1;
            if is_comment(assignment) {
                continue;
            }
            let (field, value) = assignment.split_once(char::is_whitespace).unwrap_or((assignment, ""));
            let value = value.trim();
            if value.contains('%') {
                parsed.skipped.push(format!("line {}: {field} {value:?} refers to CSV fields", i));
                continue;
            }
            match field {
                "account2" => {
                    let (name, k) = category_of(value);
                    actions.category = Some(name);
                    kind = Some(k);
                }
                "description" | "payee" if !value.is_empty() => actions.rename_payee = Some(value.to_string()),
                _ => {}
            }
        }
        if actions.category.is_none() && actions.rename_payee.is_none() {
            parsed.skipped.push(format!("the `if` block at line {at} sets neither account2 nor a description"));
            continue;
        }
        for group in groups {
            match conditions(&group) {
                Ok(when) => parsed.rules.push((merge(when, &actions), kind)),
                Err(why) => parsed.skipped.push(format!("line {at}: {why}")),
            }
        }
    }
    parsed
}

fn merge(when: RuleArgs, actions: &RuleArgs) -> RuleArgs {
    RuleArgs { category: actions.category.clone(), rename_payee: actions.rename_payee.clone(), ..when }
}

/// One ANDed group of matchers as conditions.
fn conditions(group: &[&str]) -> Result<RuleArgs, String> {
    let mut when = RuleArgs::default();
    for matcher in group {
        if matcher.starts_with('!') {
            return Err(format!("negated matcher {matcher:?} has no tally equivalent"));
        }
        let (field, pattern) = match matcher.strip_prefix('%') {
            Some(m) => {
                let (f, p) = m.split_once(char::is_whitespace).unwrap_or((m, ""));
                (f, p.trim())
            }
            None => ("description", *matcher),
        };
        let slot = match field {
            "description" => &mut when.description_regex,
            "payee" => &mut when.payee_regex,
            _ => return Err(format!("matcher on CSV field %{field} has no tally equivalent")),
        };
        if pattern.is_empty() || slot.is_some() {
            return Err(format!("matcher {matcher:?} is empty or repeats a field"));
        }
        *slot = Some(pattern.to_string());
    }
    Ok(when)
}

/// hledger's `expenses:food:groceries` as tally's `Food:Groceries`, with the kind of its top.
pub fn category_of(account: &str) -> (String, &'static str) {
    let parts: Vec<&str> = account.split(':').map(str::trim).filter(|p| !p.is_empty()).collect();
    let top = parts.first().map(|p| p.to_lowercase()).unwrap_or_default();
    let (kind, fallback) = match top.as_str() {
        "income" | "revenue" | "revenues" => ("income", "Income"),
        "assets" | "asset" | "liabilities" | "liability" | "equity" => ("transfer", "Transfer"),
        _ => ("expense", "Uncategorized"),
    };
    let known_top = matches!(
        top.as_str(),
        "expenses"
            | "expense"
            | "income"
            | "revenue"
            | "revenues"
            | "assets"
            | "asset"
            | "liabilities"
            | "liability"
            | "equity"
    );
    let rest = if known_top { &parts[1..] } else { &parts[..] };
    if rest.is_empty() {
        return (fallback.to_string(), kind);
    }
    let capitalized: Vec<String> = rest
        .iter()
        .map(|p| {
            let mut c = p.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
        })
        .collect();
    let mut name = capitalized.join(":");
    if kind == "income" && !name.eq_ignore_ascii_case("income") {
        name = format!("Income:{name}");
    }
    (name, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_become_categories_of_their_kind() {
        assert_eq!(category_of("expenses:food:groceries"), ("Food:Groceries".into(), "expense"));
        assert_eq!(category_of("income:salary"), ("Income:Salary".into(), "income"));
        assert_eq!(category_of("assets:savings"), ("Savings".into(), "transfer"));
        assert_eq!(category_of("expenses"), ("Uncategorized".into(), "expense"));
    }

    #[test]
    fn blocks_or_their_lines_and_and_their_ampersands() {
        let text = "skip 1\nfields date, description, amount\n\nif\nSTARBUCKS\n%payee blue bottle\n& %description coffee\n  account2 expenses:food:coffee\n\nif %amount ^-5\n  account2 expenses:misc\n\nif WHOLEFDS\n  description Whole Foods\n";
        let parsed = parse(text);
        let rules: Vec<&RuleArgs> = parsed.rules.iter().map(|(r, _)| r).collect();
        assert_eq!(rules.len(), 3, "{parsed:?}");
        assert_eq!(rules[0].description_regex.as_deref(), Some("STARBUCKS"));
        assert_eq!(rules[0].category.as_deref(), Some("Food:Coffee"));
        assert_eq!(
            (rules[1].payee_regex.as_deref(), rules[1].description_regex.as_deref()),
            (Some("blue bottle"), Some("coffee"))
        );
        assert_eq!(rules[2].rename_payee.as_deref(), Some("Whole Foods"));
        assert_eq!(parsed.skipped.len(), 1, "%amount: {:?}", parsed.skipped);
    }
}
