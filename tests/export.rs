//! `tally export`: journals that the real hledger, ledger and beancount load and whose account
//! balances equal tally's own sums; stable bytes on re-export; filters, pending and removed
//! rows; the --output file's safety. A missing tool skips its check with a reason, except
//! under CI, where `.ci/run` installs them and a missing one fails.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use tally::model::TxStatus;

use crate::common::TestEnv;

/// (account, currency) -> minor units.
type Totals = BTreeMap<(String, String), i64>;

/// How one tool computes the totals of a journal file.
type ToolTotals = fn(&Path) -> Totals;

/// An exact decimal in a currency's minor units (the tools print `0` for nothing).
fn minor(decimal: &str, currency: &str) -> i64 {
    let exponent = match currency {
        "JPY" => 0,
        "KWD" => 3,
        _ => 2,
    };
    let (int, frac) = decimal.split_once('.').unwrap_or((decimal, ""));
    assert!(frac.len() <= exponent, "{decimal} {currency}");
    let digits = format!("{}{frac:0<exponent$}", int.trim_start_matches('-'));
    let sign = if int.starts_with('-') { -1 } else { 1 };
    sign * digits.parse::<i64>().unwrap()
}

/// A synced sandbox with pending rows (they show up when syncing day by day) and removed ones.
fn synced_with_pending() -> TestEnv {
    let env = TestEnv::new();
    env.linked_and_synced();
    for _ in 0..20 {
        if status_count(&env, TxStatus::Pending) > 0 && status_count(&env, TxStatus::Removed) > 0 {
            return env;
        }
        env.pass_days(1);
        env.run(&["sync"]).ok();
    }
    panic!("no pending and removed rows after 20 daily syncs");
}

fn status_count(env: &TestEnv, status: TxStatus) -> i64 {
    tally::store::transactions::count_by_status(env.store().db(), status).unwrap()
}

/// tally's balance of each account today, as `report networth` gives it: the one a journal
/// opens and asserts (posted rows: an export leaves pending out).
fn tally_totals(env: &TestEnv) -> Totals {
    let rows = env.run(&["report", "networth", "--period", "year", "--format", "json"]).ok().json();
    let mut totals = Totals::new();
    for r in rows.as_array().unwrap().iter().filter(|r| r["account"] != "Total") {
        let (account, currency) = (r["account"].as_str().unwrap(), r["currency"].as_str().unwrap());
        let newest = r.as_object().unwrap().keys().filter(|k| k.chars().all(|c| c.is_ascii_digit())).max().unwrap();
        let balance = minor(r[newest].as_str().unwrap(), currency);
        totals.insert((account.to_string(), currency.to_string()), balance);
    }
    assert!(totals.len() >= 4, "the sandbox has four accounts: {totals:?}");
    totals
}

/// Whether `tool` can run; without it, a skip (printed) or, under CI, a failure.
fn have(tool: &str, probe: &[&str]) -> bool {
    if Command::new(tool).args(probe).output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "{tool} is missing under CI (.ci/run installs it)");
    // Straight to stderr: libtest keeps `eprintln!` to itself unless the test fails.
    let why = format!("skipped: {tool} is not installed (.ci/run installs it)");
    writeln!(std::io::stderr().lock(), "\n{}: {why}", module_path!()).unwrap();
    false
}

fn run_tool(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap();
    let (stdout, stderr) = (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap());
    assert!(out.status.success() && stderr.trim().is_empty(), "{tool} {args:?} failed:\n{stdout}\n{stderr}");
    stdout
}

/// `AMOUNT CUR` pieces (`1.00 EUR, -2.50 USD`) into the totals of `account`.
fn add_amounts(totals: &mut Totals, account: &str, text: &str) {
    for piece in text.split(',').map(str::trim).filter(|p| !p.is_empty() && *p != "0") {
        let (amount, currency) = piece.split_once(' ').unwrap_or_else(|| panic!("{piece:?}"));
        let currency = currency.trim();
        totals.insert((account.to_string(), currency.to_string()), minor(amount, currency));
    }
}

/// Every tally account's total equals the journal account's ending in its (tool-made) name;
/// and the journal balances to zero per currency, as double entry must.
fn assert_same(tool: &str, tally: &Totals, journal: &Totals, name: impl Fn(&str) -> String) {
    for ((account, currency), total) in tally {
        let leaf = format!(":{}", name(account));
        let found: Vec<_> = journal.iter().filter(|((a, c), _)| a.ends_with(&leaf) && c == currency).collect();
        let got = found.first().map_or(0, |(_, v)| **v);
        assert!(found.len() <= 1, "{tool}: {account} matches several accounts: {found:?}");
        assert_eq!(got, *total, "{tool}: {account} {currency}: journal {journal:#?}");
    }
    let mut per_currency: BTreeMap<&str, i64> = BTreeMap::new();
    for ((_, currency), v) in journal {
        *per_currency.entry(currency).or_default() += v;
    }
    assert!(per_currency.values().all(|v| *v == 0), "{tool}: unbalanced {per_currency:?}");
}

fn export_to(env: &TestEnv, format: &str, file: &Path) {
    env.run(&["export", format, "--output", file.to_str().unwrap()]).ok();
}

/// Per-account totals as `hledger bal` computes them from `file`.
fn hledger_totals(file: &Path) -> Totals {
    let csv = run_tool("hledger", &["-f", file.to_str().unwrap(), "bal", "-O", "csv", "--flat", "-N"]);
    let mut journal = Totals::new();
    for record in csv::Reader::from_reader(csv.as_bytes()).records() {
        let record = record.unwrap();
        add_amounts(&mut journal, &record[0], &record[1]);
    }
    journal
}

/// Per-account totals as `ledger bal` computes them from `file`.
fn ledger_totals(file: &Path) -> Totals {
    let out = run_tool("ledger", &["-f", file.to_str().unwrap(), "bal", "--flat", "--no-total"]);
    // A line is `AMOUNT CUR  ACCOUNT`; an account with several currencies has its other
    // amounts on the lines above, without the account.
    let (mut journal, mut above) = (Totals::new(), Vec::new());
    for line in out.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        above.push(format!("{} {}", words[0], words[1]));
        if words.len() > 2 {
            add_amounts(&mut journal, &words[2..].join(" "), &above.join(","));
            above.clear();
        }
    }
    journal
}

/// Sum the postings beancount's own loader reads, per account and currency.
const BEAN_TOTALS: &str = r#"
import sys
from collections import defaultdict
from beancount import loader
from beancount.core import data
entries, errors, _ = loader.load_file(sys.argv[1])
assert not errors, errors
totals = defaultdict(lambda: 0)
for e in entries:
    if isinstance(e, data.Transaction):
        for p in e.postings:
            totals[(p.account, p.units.currency)] += p.units.number
for (account, currency), n in sorted(totals.items()):
    print(f"{account}\t{n} {currency}")
"#;

/// `bean-check` says nothing about `file`; then the totals beancount computes from it.
fn beancount_totals(file: &Path) -> Totals {
    assert_eq!(run_tool("bean-check", &[file.to_str().unwrap()]), "", "bean-check reports nothing");
    let mut journal = Totals::new();
    for line in run_tool("python3", &["-c", BEAN_TOTALS, file.to_str().unwrap()]).lines() {
        let (account, amount) = line.split_once('\t').unwrap();
        add_amounts(&mut journal, account, amount);
    }
    journal
}

#[test]
fn hledger_and_ledger_load_the_journal_and_agree_with_tally() {
    let env = synced_with_pending();
    let tally = tally_totals(&env);
    assert!(tally.len() >= 4, "the sandbox has four accounts: {tally:?}");
    let dir = tempfile::tempdir().unwrap();

    if have("hledger", &["--version"]) {
        let file = dir.path().join("tally.hledger");
        export_to(&env, "hledger", &file);
        assert_same("hledger", &tally, &hledger_totals(&file), str::to_string);
        // The ids are tags hledger can query by.
        let tagged = run_tool("hledger", &["-f", file.to_str().unwrap(), "reg", "tag:tally-id=^1$"]);
        assert_eq!(tagged.lines().count(), 2, "tally-id 1 is one entry of two postings:\n{tagged}");
    }
    if have("ledger", &["--version"]) {
        let file = dir.path().join("tally.ledger");
        export_to(&env, "ledger", &file);
        assert_same("ledger", &tally, &ledger_totals(&file), str::to_string);
    }
}

#[test]
fn bean_check_accepts_the_beancount_file_and_it_agrees_with_tally() {
    if !have("bean-check", &["--version"]) {
        return;
    }
    let env = synced_with_pending();
    let tally = tally_totals(&env);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tally.beancount");
    export_to(&env, "beancount", &file);
    assert_same("beancount", &tally, &beancount_totals(&file), |a| a.replace(' ', "-"));
}

/// Account names and texts that would break a naive journal, in currencies with 0, 2 and 3
/// decimals: each tool still loads the journal, and the tally accounts' totals are tally's
/// (compared as a set: the names are the tools' business).
#[test]
fn hostile_names_and_texts_still_make_journals_the_tools_load() {
    let env = TestEnv::new();
    let texts = [
        "; not a comment",
        "(42) not a code",
        "\"quoted\" \\ back",
        "* starred ! bang",
        "=SUM(A1)",
        "two\nlines\u{1b}[2J",
    ];
    let accounts = [
        ("Cash (old); \"x\"", "EUR", ["-5.00", "1234.56"]),
        ("über  konto", "EUR", ["-0.01", "7.00"]),
        ("銀行", "JPY", ["-1500", "250000"]),
        ("Kuwait: main", "KWD", ["-12.345", "100.5"]),
    ];
    for (i, (name, currency, amounts)) in accounts.iter().enumerate() {
        env.run(&["accounts", "add", name, "--currency", currency]).ok();
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(["Date", "Amount", "Description"]).unwrap();
        for (j, text) in texts.iter().enumerate() {
            csv.write_record([&format!("2026-10-{:02}", j + 1), amounts[j % 2], text]).unwrap();
        }
        let path = env.home().join(format!("{i}.csv"));
        std::fs::write(&path, csv.into_inner().unwrap()).unwrap();
        env.run(&["import", path.to_str().unwrap(), "--account", name]).ok();
    }
    let tally = tally_totals(&env);
    assert_eq!(tally.len(), 4, "{tally:?}");
    let expected: Vec<(String, i64)> = {
        let mut v: Vec<_> = tally.iter().map(|((_, c), t)| (c.clone(), *t)).collect();
        v.sort();
        v
    };
    let of_accounts = |journal: &Totals| -> Vec<(String, i64)> {
        let mut v: Vec<_> =
            journal.iter().filter(|((a, _), _)| a.starts_with("Assets:")).map(|((_, c), t)| (c.clone(), *t)).collect();
        v.sort();
        v
    };
    let dir = tempfile::tempdir().unwrap();
    let checks: [(&str, &str, ToolTotals); 3] = [
        ("hledger", "hledger", hledger_totals),
        ("ledger", "ledger", ledger_totals),
        ("beancount", "bean-check", beancount_totals),
    ];
    for (format, tool, totals) in checks {
        if have(tool, &["--version"]) {
            let file = dir.path().join(format!("hostile.{format}"));
            export_to(&env, format, &file);
            let text = std::fs::read_to_string(&file).unwrap();
            let unknown = text.matches(": tally knows no balance for it, so no opening balance or assertion.").count();
            assert_eq!(unknown, 4, "{format}: hand-made accounts have no balance, and the journal says so:\n{text}");
            assert!(!text.contains("Opening balance"), "{format}: {text}");
            let journal = totals(&file);
            assert_eq!(of_accounts(&journal), expected, "{format}: {journal:#?}");
            assert_eq!(journal.keys().filter(|(a, _)| a.starts_with("Assets:")).count(), 4, "{format}: four accounts");
        }
    }
}

/// Export `format` with `extra` flags to stdout.
fn export(env: &TestEnv, format: &str, extra: &[&str]) -> String {
    let mut args = vec!["export", format];
    args.extend_from_slice(extra);
    env.run(&args).ok().stdout
}

#[test]
fn a_re_export_is_byte_identical_and_pending_rows_come_only_when_asked() {
    let env = synced_with_pending();
    let formats = ["csv", "json", "jsonl", "ledger", "hledger", "beancount"];
    let first: Vec<String> = formats.iter().map(|f| export(&env, f, &[])).collect();
    env.run(&["sync"]).ok();
    for (format, before) in formats.iter().zip(&first) {
        assert_eq!(&export(&env, format, &[]), before, "{format} changed with nothing upstream changed");
    }

    // Every live posted row, no pending or removed one; with --pending, pending ones too.
    let listed = env.run(&["tx", "list", "--limit", "0", "--format", "json"]).ok().json();
    let ids = |status: &str| -> Vec<i64> {
        let mut ids: Vec<i64> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| status == "any" || r["status"] == status)
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        ids.sort();
        ids
    };
    let exported = |text: &str| -> Vec<i64> {
        let rows: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
        let mut ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
        ids.sort();
        ids
    };
    assert_eq!(exported(&first[1]), ids("posted"));
    let with_pending = export(&env, "json", &["--pending"]);
    assert_eq!(exported(&with_pending), ids("any"), "pending rows, and never a removed one");
    assert!(ids("any").len() > ids("posted").len());
    let journal = export(&env, "ledger", &["--pending"]);
    assert_eq!(journal.matches(" ! ").count(), ids("pending").len(), "pending entries are flagged `!`");
    assert_eq!(journal.matches("    ; tally-id: ").count(), ids("any").len());
    // JSON lines: the same records as the JSON array, one per line.
    let lines: Vec<serde_json::Value> = first[2].lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(serde_json::Value::from(lines), serde_json::from_str::<serde_json::Value>(&first[1]).unwrap());
}

#[test]
fn filters_narrow_the_export_and_typos_are_errors() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let rows =
        |extra: &[&str]| -> Vec<serde_json::Value> { serde_json::from_str(&export(&env, "json", extra)).unwrap() };
    let all = rows(&[]);
    let checking = rows(&["--account", "Everyday Checking"]);
    assert!(!checking.is_empty() && checking.len() < all.len());
    assert!(checking.iter().all(|r| r["account"] == "Everyday Checking"));
    let food = rows(&["--category", "Food"]);
    assert!(!food.is_empty() && food.iter().all(|r| r["category"].as_str().unwrap().starts_with("Food:")));
    let october = rows(&["--from", "2026-10-01", "--to", "2026-10-31"]);
    assert!(!october.is_empty() && october.iter().all(|r| r["date"].as_str().unwrap().starts_with("2026-10")));

    let typo = env.run(&["export", "ledger", "--category", "Fod"]).fails_with(2);
    assert!(typo.stderr.contains("no category named \"Fod\""), "{}", typo.stderr);
    env.run(&["export", "csv", "--from", "2026-10-02", "--to", "2026-10-01"]).fails_with(2);
    env.run(&["export", "csv", "--account", "Nope"]).fails_with(2);
}

#[test]
fn the_output_file_is_private_and_never_replaced_by_accident() {
    use std::os::unix::fs::PermissionsExt as _;
    let env = TestEnv::new();
    env.linked_and_synced();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tally.beancount");
    let path = file.to_str().unwrap();
    let run = env.run(&["export", "beancount", "--output", path]).ok();
    assert_eq!(run.stdout, "", "the journal goes to the file, not stdout");
    assert!(run.stderr.contains("exported ") && run.stderr.contains(" transactions to "), "{}", run.stderr);
    let mode = |f: &Path| std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), export(&env, "beancount", &[]));

    std::fs::write(&file, "mine").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = env.run(&["export", "csv", "--output", path]).fails_with(2);
    assert!(refused.stderr.contains("already exists") && refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine", "left alone");
    env.run(&["export", "csv", "--output", path, "--force"]).ok();
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("id,date,account,"));
    assert_eq!(mode(&file), 0o600, "a replaced file is made private too");
}

/// The exported rows' fields but the id (each database numbers its own rows), sorted.
fn fields(format: &str, text: &str) -> Vec<Vec<String>> {
    const KEYS: [&str; 8] = ["date", "account", "payee", "description", "amount", "currency", "category", "status"];
    let mut rows: Vec<Vec<String>> = if format == "csv" {
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().skip(1).map(str::to_string).collect())
            .collect()
    } else {
        let values: Vec<serde_json::Value> = if format == "json" {
            serde_json::from_str(text).unwrap()
        } else {
            text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
        };
        let cell = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
        values.iter().map(|v| KEYS.iter().map(|k| cell(&v[*k])).collect()).collect()
    };
    rows.sort();
    rows
}

/// `tally export csv|json|jsonl --pending` imported into a fresh tally (accounts created as
/// the rows name them) exports again as the same rows: dates, accounts, payees, texts (a
/// formula the CSV defused, several lines), amounts, currencies, categories and pending
/// status; importing the file again adds nothing.
#[test]
fn an_export_imported_into_a_fresh_tally_gives_the_same_rows() {
    let env = synced_with_pending();
    env.run(&["accounts", "add", "Cash (old); \"x\"", "--currency", "EUR"]).ok();
    let hostile =
        "Date,Amount,Payee,Description\n2026-10-01,-5.00,=SUM(A1),\"two\nlines\"\n2026-10-02,1.5,+49 30 1234,-2+3 'x\n";
    let path = env.home().join("hostile.csv");
    std::fs::write(&path, hostile).unwrap();
    env.run(&["import", path.to_str().unwrap(), "--account", "Cash (old); \"x\""]).ok();
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "json", "jsonl"] {
        let file = dir.path().join(format!("all.{format}"));
        env.run(&["export", format, "--pending", "--output", file.to_str().unwrap()]).ok();
        let sent = std::fs::read_to_string(&file).unwrap();
        if format == "csv" {
            assert!(sent.contains(",'=SUM(A1),"), "the export defuses the formula: {sent}");
        }

        let other = TestEnv::new();
        let path = file.to_str().unwrap();
        let first = other.run(&["import", path, "--create-account"]).ok();
        let back = export(&other, format, &["--pending"]);
        let (sent_rows, back_rows) = (fields(format, &sent), fields(format, &back));
        assert!(sent_rows.len() > 100, "{sent}");
        assert!(sent_rows.iter().any(|r| r[7] == "pending") && sent_rows.iter().any(|r| !r[6].is_empty()));
        assert_eq!(back_rows, sent_rows, "{format}: the rows came back changed ({})", first.stderr);
        // The texts themselves, not the CSV's defused cells, are what came back.
        let texts = fields("json", &export(&other, "json", &["--pending"]));
        assert!(texts.iter().any(|r| r[2] == "=SUM(A1)" && r[3] == "two\nlines"), "{format}: defused text");
        assert!(texts.iter().any(|r| r[2] == "+49 30 1234" && r[3] == "-2+3 'x"), "{format}: defused text");

        other.run(&["import", path]).ok();
        assert_eq!(fields(format, &export(&other, format, &["--pending"])), sent_rows, "{format}: imported twice");
    }
}

/// One account's export imported into an account of another name with --account: every row
/// goes there, the rest as it was.
#[test]
fn an_accounts_export_imports_into_the_account_named_on_the_command_line() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checking.jsonl");
    env.run(&["export", "jsonl", "--account", "Everyday Checking", "--output", file.to_str().unwrap()]).ok();
    let other = TestEnv::new();
    other.run(&["accounts", "add", "Joint", "--currency", "USD"]).ok();
    other.run(&["import", file.to_str().unwrap(), "--account", "Joint"]).ok();
    let renamed = |text: &str| -> Vec<Vec<String>> {
        let mut rows = fields("jsonl", text);
        rows.iter_mut().for_each(|r| r[1] = "Joint".into());
        rows
    };
    let sent = std::fs::read_to_string(&file).unwrap();
    assert!(sent.lines().count() > 100);
    assert_eq!(fields("jsonl", &export(&other, "jsonl", &[])), renamed(&sent));
}

#[test]
fn the_config_renames_journal_accounts_and_refuses_names_no_tool_takes() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let config = env.home().join("config.toml");
    std::fs::write(
        &config,
        "[export.accounts]\n\"Everyday Checking\" = \"Assets:Chase:Checking\"\n\
         [export.categories]\n\"Food\" = \"Expenses:Eating\"\n",
    )
    .unwrap();
    let journal = export(&env, "hledger", &[]);
    assert!(journal.contains("    Assets:Chase:Checking  "), "{journal}");
    assert!(journal.contains("    Expenses:Eating:Groceries  "), "a parent's name covers its children");
    assert!(!journal.contains("Everyday Checking") && !journal.contains("Expenses:Food"), "{journal}");
    let beancount = export(&env, "beancount", &[]);
    assert!(beancount.contains(" open Assets:Chase:Checking USD\n"), "{beancount}");

    std::fs::write(&config, "[export.categories]\n\"Food\" = \"Spending:Food\"\n").unwrap();
    let bad = env.run(&["export", "ledger"]).fails_with(2);
    assert!(bad.stderr.contains("\"Spending:Food\", which is not a journal account name"), "{}", bad.stderr);
    assert!(bad.stderr.contains("hint: start it with one of Assets, Liabilities"), "{}", bad.stderr);
}

/// How a tool checks a journal file: its exit status and what it said.
fn tool_check(tool: &str, file: &Path) -> (bool, String) {
    let path = file.to_str().unwrap();
    let args: Vec<&str> = match tool {
        "hledger" => vec!["-f", path, "check"],
        "ledger" => vec!["-f", path, "bal"],
        _ => vec![path],
    };
    let out = Command::new(tool).args(&args).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success() && !said.to_lowercase().contains("error"), said)
}

/// The journal with its first assertion off: `= 12.34` or `balance A  12.34` made `112.34`.
fn broken(text: &str, beancount: bool) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| if beancount { l.contains(" balance ") } else { l.contains(" = ") }).unwrap();
    let (head, amount) =
        if beancount { lines[at].rsplit_once("  ").unwrap() } else { lines[at].split_once(" = ").unwrap() };
    let sep = if beancount { "  " } else { " = " };
    let digits = amount.find(|c: char| c.is_ascii_digit()).unwrap();
    let line = format!("{head}{sep}{}1{}", &amount[..digits], &amount[digits..]);
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[at] = line;
    out.join("\n") + "\n"
}

/// Each account opens with tally's balance before its first exported row and asserts it; the
/// tools check those assertions (a wrong one fails them), with pending rows and with filters,
/// and the balances they end at are tally's.
#[test]
fn journals_open_and_assert_each_accounts_balance_and_the_tools_check_them() {
    let env = synced_with_pending();
    let tally = tally_totals(&env);
    let dir = tempfile::tempdir().unwrap();
    let checks: [(&str, &str, ToolTotals); 3] = [
        ("hledger", "hledger", hledger_totals),
        ("ledger", "ledger", ledger_totals),
        ("beancount", "bean-check", beancount_totals),
    ];
    let filters: [&[&str]; 4] =
        [&[], &["--pending"], &["--from", "2026-10-15"], &["--account", "Everyday Checking", "--from", "2026-11-01"]];
    for (format, tool, totals) in checks {
        if !have(tool, &["--version"]) {
            continue;
        }
        let beancount = format == "beancount";
        for (i, extra) in filters.iter().enumerate() {
            let text = export(&env, format, extra);
            let accounts = if extra.contains(&"--account") { 1 } else { tally.len() };
            let asserted = if beancount { text.matches(" balance ").count() } else { text.matches(" = ").count() };
            assert_eq!(asserted, accounts, "{format} {extra:?}: one assertion per account:\n{text}");
            assert_eq!(text.matches("Opening balance").count(), accounts, "{format} {extra:?}:\n{text}");
            let file = dir.path().join(format!("{i}.{format}"));
            std::fs::write(&file, &text).unwrap();
            let (ok, said) = tool_check(tool, &file);
            assert!(ok, "{tool} {extra:?} rejects the journal: {said}\n{text}");
            if !extra.contains(&"--pending") {
                // Whatever the first exported day, each account ends at tally's balance.
                let journal = totals(&file);
                let name = |a: &str| if beancount { a.replace(' ', "-") } else { a.to_string() };
                for ((account, currency), balance) in
                    tally.iter().filter(|(k, _)| accounts > 1 || k.0 == "Everyday Checking")
                {
                    let leaf = format!(":{}", name(account));
                    let got = journal.iter().find(|((a, c), _)| a.ends_with(&leaf) && c == currency).map(|(_, v)| *v);
                    assert_eq!(got, Some(*balance), "{format} {extra:?}: {account}");
                }
            }
            let wrong = dir.path().join(format!("{i}.wrong.{format}"));
            std::fs::write(&wrong, broken(&text, beancount)).unwrap();
            let (ok, said) = tool_check(tool, &wrong);
            assert!(!ok, "{tool} {extra:?} accepts a wrong assertion: {said}");
        }
    }
    // A category's rows are not an account's whole story: no balance would hold.
    let food = export(&env, "ledger", &["--category", "Food"]);
    assert!(food.contains("; No opening balances or assertions: a --category export"), "{food}");
    assert!(!food.contains(" = ") && !food.contains("Opening balance"), "{food}");
}
