//! `tally import`: real banks' quirks, dedupe through the shared reconciler, atomic files.

use std::path::PathBuf;

use crate::common::{NOW, TestEnv};

pub fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name).display().to_string()
}

/// The import summary's rows: (account, new, matched, unchanged, status).
fn summary(run: &crate::common::Run) -> Vec<(String, u64, u64, u64, String)> {
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["account"].as_str().unwrap_or("").to_string(),
                r["new"].as_u64().unwrap(),
                r["matched"].as_u64().unwrap(),
                r["unchanged"].as_u64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn txs(env: &TestEnv, account: &str) -> serde_json::Value {
    env.run(&["tx", "list", "--account", account, "--format", "json"]).ok().json()
}

#[test]
fn ofx_sgml_with_two_statements_then_xml() {
    let env = TestEnv::new();
    let run = env.run(&["import", &fixture("bank-sgml.ofx"), "--format", "json"]).fails_with(1);
    assert!(run.stderr.contains("--create-account"), "asks before creating: {}", run.stderr);
    let run = env.run(&["import", &fixture("bank-sgml.ofx"), "--create-account", "--format", "json"]).ok();
    assert_eq!(
        summary(&run),
        [
            ("Checking ····2333".into(), 3, 0, 0, "imported".into()),
            ("Credit card ····4242".into(), 2, 0, 0, "imported".into())
        ]
    );
    let checking = txs(&env, "Checking ····2333");
    let coffee = checking.as_array().unwrap().iter().find(|t| t["amount"] == "-38.00").unwrap();
    assert_eq!(coffee["payee"], "ACME COFFEE & CO", "a bare & survives");
    assert_eq!(coffee["description"], "Café au lait & croissant", "CHARSET:1252 and &amp; decoded");
    let shown = env.run(&["tx", "show", &coffee["id"].to_string(), "--format", "json"]).ok().json();
    assert_eq!(shown["external_id"], "ofx:202611050002");
    let accounts = env.run(&["accounts", "--format", "json"]).ok().json();
    let card = accounts.as_array().unwrap().iter().find(|a| a["kind"] == "credit").unwrap();
    assert_eq!(card["balance"], "-27.48", "LEDGERBAL recorded");

    let again = env.run(&["import", &fixture("bank-sgml.ofx"), "--format", "json"]).ok();
    assert_eq!(summary(&again)[0].1, 0, "re-importing adds nothing");
    assert_eq!(summary(&again)[0].3, 3);

    let run = env.run(&["import", &fixture("savings-xml.ofx"), "--create-account", "--format", "json"]).ok();
    assert_eq!(summary(&run)[0].1, 2);
    let savings = txs(&env, "Savings ····3000");
    assert!(savings.as_array().unwrap().iter().any(|t| t["date"] == "2026-11-30" && t["currency"] == "EUR"));
}

#[test]
fn csv_profiles_encodings_decimal_commas_preambles_and_trailers() {
    let env = TestEnv::new();
    let run = env
        .run(&["import", &fixture("de-giro.csv"), "--profile", "de-giro", "--create-account", "--format", "json"])
        .ok();
    assert_eq!(summary(&run)[0].1, 3, "the closing balance line is a trailer, not a row");
    let rows = txs(&env, "de-giro");
    let rent = rows.as_array().unwrap().iter().find(|t| t["amount"] == "-1150.00").unwrap();
    assert_eq!(rent["description"], "Miete November € inkl. NK", "cp1252 decoded");
    assert_eq!(rent["payee"], "Müller Hausverwaltung");
    assert_eq!(rent["date"], "2026-11-03");

    // Detected, not named: BOM, debit and credit columns, two identical purchases, a trailer.
    let run = env.run(&["import", &fixture("bom-debit-credit.csv"), "--account", "de-giro", "--format", "json"]).ok();
    assert_eq!(summary(&run)[0].1, 3);
    let bakery: Vec<_> = txs(&env, "de-giro")
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["description"] == "Bäckerei Schmidt")
        .cloned()
        .collect();
    assert_eq!(bakery.len(), 2, "two identical purchases on one day stay two rows");
    assert!(bakery.iter().all(|t| t["amount"] == "-3.80"));
    let again = env.run(&["import", &fixture("bom-debit-credit.csv"), "--account", "de-giro", "--format", "json"]).ok();
    assert_eq!((summary(&again)[0].1, summary(&again)[0].3), (0, 3));
}

#[test]
fn ambiguous_dates_are_never_guessed() {
    let env = TestEnv::new();
    env.run(&["import", &fixture("us-checking.csv"), "--profile", "us-checking", "--create-account"]).ok();
    let run = env.run(&["import", &fixture("ambiguous.csv"), "--account", "us-checking"]).fails_with(1);
    assert!(run.stderr.contains("day-first or month-first"), "{}", run.stderr);
    assert!(run.stderr.contains("--date-order"), "{}", run.stderr);
    env.run(&["import", &fixture("ambiguous.csv"), "--account", "us-checking", "--date-order", "dmy"]).ok();
    let rows = txs(&env, "us-checking");
    assert!(rows.as_array().unwrap().iter().any(|t| t["date"] == "2026-04-03" && t["description"] == "Coffee"));
}

#[test]
fn a_broken_file_imports_nothing_and_the_others_still_import() {
    let env = TestEnv::new();
    env.run(&["import", &fixture("us-checking.csv"), "--profile", "us-checking", "--create-account"]).ok();
    let before: i64 = env.query("SELECT count(*) FROM \"transaction\"");
    let run = env
        .run(&[
            "import",
            &fixture("bad-amount.csv"),
            &fixture("bom-debit-credit.csv"),
            "--account",
            "us-checking",
            "--format",
            "json",
        ])
        .fails_with(1);
    assert!(run.stderr.contains("bad-amount.csv:4: amount \"twelve\""), "file:line and what: {}", run.stderr);
    let rows = summary(&run);
    assert_eq!(rows[0].4, "failed");
    assert_eq!((rows[1].1, rows[1].4.as_str()), (3, "imported"));
    let after: i64 = env.query("SELECT count(*) FROM \"transaction\"");
    assert_eq!(after, before + 3, "none of the broken file's good rows went in");
    // A file that fails creates no account either.
    env.run(&["import", &fixture("bank-sgml.ofx"), &fixture("bad-amount.csv"), "--create-account"]).fails_with(1);
    let accounts: i64 = env.query("SELECT count(*) FROM account");
    assert_eq!(accounts, 3, "us-checking and the OFX file's two accounts");
}

#[test]
fn garbage_empty_truncated_and_wrong_hints_fail_clearly() {
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let ofx = std::fs::read(fixture("bank-sgml.ofx")).unwrap();
    let cases = [
        (write("garbage.bin", &[0, 159, 146, 150, 0, 1, 2, 3]), "cannot tell what kind of file", vec![]),
        (write("empty.csv", b""), "is empty", vec![]),
        (write("truncated.ofx", &ofx[..ofx.len() / 2 + 7]), "cut short", vec![]),
        (fixture("us-checking.csv"), "not a readable OFX file", vec!["--file-format", "ofx"]),
        ("/nonexistent/statement.csv".to_string(), "cannot open", vec![]),
    ];
    for (path, expected, extra) in cases {
        let mut args = vec!["import", path.as_str(), "--create-account"];
        args.extend(extra);
        let run = env.run(&args);
        assert_eq!(run.code, 1, "{path}: {run:#?}");
        assert!(!run.stderr.contains("panicked"), "{run:#?}");
        assert!(run.stderr.contains(expected), "{path}: expected {expected:?} in {}", run.stderr);
    }
    // Nothing was written: no database at all, or one without rows.
    assert!(!env.db().exists() || env.query::<i64>("SELECT count(*) FROM \"transaction\"") == 0);
}

#[test]
fn a_statement_overlapping_synced_data_matches_instead_of_duplicating() {
    let env = TestEnv::new();
    env.linked_and_synced();
    // The bank's own CSV for November: a day later than the aggregator saw, other words.
    let synced =
        env.run(&["tx", "list", "--account", "Euro Account", "--from", "2026-11-01", "--format", "json"]).ok().json();
    let synced = synced.as_array().unwrap();
    assert!(synced.len() >= 3);
    let mut csv = String::from("Buchungstag;Verwendungszweck;Betrag\n");
    for t in synced {
        let date =
            chrono::NaiveDate::parse_from_str(t["date"].as_str().unwrap(), "%Y-%m-%d").unwrap() + chrono::Days::new(1);
        csv.push_str(&format!(
            "{};Kartenzahlung;{}\n",
            date.format("%d.%m.%Y"),
            t["amount"].as_str().unwrap().replace('.', ",")
        ));
    }
    csv.push_str("20.11.2026;Bargeld Automat;-50,00\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("euro-november.csv");
    std::fs::write(&path, csv).unwrap();
    let path = path.display().to_string();

    let dry = env.run(&["import", &path, "--account", "Euro Account", "--dry-run", "--format", "json"]).ok();
    assert_eq!(summary(&dry)[0], ("Euro Account".into(), 1, synced.len() as u64, 0, "dry run".into()));
    let before: i64 = env.query("SELECT count(*) FROM \"transaction\"");
    let run = env.run(&["import", &path, "--account", "Euro Account", "--format", "json"]).ok();
    assert_eq!(summary(&run)[0].1, 1);
    assert_eq!(summary(&run)[0].2, synced.len() as u64);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\""), before + 1);
    let again = env.run(&["import", &path, "--account", "Euro Account", "--format", "json"]).ok();
    assert_eq!((summary(&again)[0].1, summary(&again)[0].2, summary(&again)[0].3), (0, synced.len() as u64, 1));
}

#[test]
fn inspect_prints_a_profile_that_imports_the_file() {
    let env = TestEnv::new();
    let run = env.run(&["import", "--inspect", &fixture("de-giro.csv")]).ok();
    assert!(run.stderr.contains("4 line(s) before the header"), "{}", run.stderr);
    std::fs::create_dir_all(env.home().join("profiles")).unwrap();
    std::fs::write(env.home().join("profiles/mybank.toml"), format!("{}currency = \"EUR\"\n", run.stdout)).unwrap();
    let run = env
        .run(&["import", &fixture("de-giro.csv"), "--profile", "mybank", "--create-account", "--format", "json"])
        .ok();
    assert_eq!(summary(&run)[0].1, 3);
    let run = env.run(&["import", &fixture("de-giro.csv"), "--profile", "nope"]).fails_with(1);
    assert!(run.stderr.contains("no CSV profile named \"nope\""), "{}", run.stderr);
}

#[test]
fn exported_csv_defuses_spreadsheet_formulas() {
    let env = TestEnv::new();
    env.run(&["import", &fixture("us-checking.csv"), "--profile", "us-checking", "--create-account"]).ok();
    let csv = env.run(&["tx", "list", "--format", "csv"]).ok().stdout;
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(csv.contains(",-54.21,"), "plain negative amounts stay numbers: {csv}");
}

#[test]
fn qif_accounts_splits_and_year_spellings() {
    let env = TestEnv::new();
    // QIF names no currency: tally asks for one rather than guess.
    let run = env.run(&["import", &fixture("two-accounts.qif"), "--create-account"]).fails_with(1);
    assert!(run.stderr.contains("--currency CODE"), "{}", run.stderr);
    let run = env
        .run(&["import", &fixture("two-accounts.qif"), "--create-account", "--currency", "USD", "--format", "json"])
        .ok();
    assert_eq!(
        summary(&run),
        [("Joint Checking".into(), 3, 0, 0, "imported".into()), ("Travel Visa".into(), 2, 0, 0, "imported".into())]
    );
    let checking = txs(&env, "Joint Checking");
    let rent = checking.as_array().unwrap().iter().find(|t| t["payee"] == "City Properties").unwrap();
    assert_eq!((rent["date"].as_str(), rent["amount"].as_str()), (Some("2026-11-02"), Some("-1850.00")), "11/ 2'26");
    let costco = checking.as_array().unwrap().iter().find(|t| t["payee"] == "Costco").unwrap();
    assert_eq!(costco["amount"], "-120.00", "the total of the splits");
    let split_kept: i64 = env.query("SELECT count(*) FROM raw_record WHERE body LIKE '%SGifts%'");
    assert_eq!(split_kept, 1, "the splits stay in the raw record");
    let visa = txs(&env, "Travel Visa");
    assert_eq!(visa.as_array().unwrap().len(), 2, "two identical Netflix charges on one day stay two");
    let again = env.run(&["import", &fixture("two-accounts.qif"), "--format", "json"]).ok();
    assert!(summary(&again).iter().all(|r| r.1 == 0), "re-importing adds nothing: {}", again.stdout);

    let run = env.run(&["import", &fixture("ambiguous.qif"), "--account", "Joint Checking"]).fails_with(1);
    assert!(run.stderr.contains("--date-order"), "{}", run.stderr);
    env.run(&["import", &fixture("ambiguous.qif"), "--account", "Joint Checking", "--date-order", "mdy"]).ok();
    assert!(txs(&env, "Joint Checking").as_array().unwrap().iter().any(|t| t["date"] == "2026-03-04"));
}

#[test]
fn camt_053_goes_to_the_synced_account_by_iban() {
    let env = TestEnv::new();
    env.linked_and_synced();
    let before = txs(&env, "Euro Account").as_array().unwrap().len();
    let run = env.run(&["import", &fixture("statement.camt053.xml"), "--format", "json"]).ok();
    let rows = summary(&run);
    assert_eq!(rows[0].0, "Euro Account", "matched by IBAN, no --account needed");
    assert_eq!(rows[0].1 + rows[0].2, 4, "three entries, one of them a batch of two");
    assert!(!run.stderr.contains("do not reconcile"), "{}", run.stderr);
    let after = txs(&env, "Euro Account");
    assert_eq!(after.as_array().unwrap().len(), before + rows[0].1 as usize);
    let find = |desc: &str| after.as_array().unwrap().iter().find(|t| t["description"] == desc).cloned();
    assert_eq!(find("Strom November").unwrap()["amount"], "-100.00");
    assert_eq!(find("Beitrag 2026").unwrap()["payee"], "Versicherung AG");
    assert_eq!(find("REVERSAL Lastschrift Rueckgabe").unwrap()["amount"], "99.00");
    let rewe = find("REWE SAGT DANKE 4471 & more").unwrap();
    let shown = env.run(&["tx", "show", &rewe["id"].to_string(), "--format", "json"]).ok().json();
    assert_eq!((shown["date"].as_str(), shown["value_date"].as_str()), (Some("2026-11-02"), Some("2026-11-01")));
    // The synced balance stays; the statement's goes beside it (tests/accounts.rs has more).
    let eur = env.run(&["accounts", "show", "Euro Account", "--format", "json"]).ok().json();
    assert_eq!(
        (eur["balance_as_of"].as_str(), eur["statement_balance"].as_str()),
        (Some(NOW), Some("775.55")),
        "{eur}"
    );
}

#[test]
fn camt_052_pending_entries_and_balances_that_do_not_reconcile() {
    let env = TestEnv::new();
    let run = env.run(&["import", &fixture("report.camt052.xml"), "--create-account", "--format", "json"]).ok();
    assert!(run.stderr.contains("the balances do not reconcile"), "{}", run.stderr);
    assert_eq!(summary(&run)[0].1, 2);
    let rows = txs(&env, "Tagesgeld");
    let pending = rows.as_array().unwrap().iter().find(|t| t["description"] == "Kartenzahlung vorgemerkt").unwrap();
    assert_eq!(pending["status"], "pending");
}

#[test]
fn a_file_that_repeats_an_id_updates_rather_than_fails() {
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repeat.csv");
    std::fs::write(
        &path,
        "Date,Description,Amount,Reference\n2026-11-02,Coffee,-4.50,R1\n2026-11-02,Coffee corrected,-4.80,R1\n",
    )
    .unwrap();
    let run =
        env.run(&["import", path.to_str().unwrap(), "--create-account", "--currency", "USD", "--format", "json"]).ok();
    assert_eq!((summary(&run)[0].1, summary(&run)[0].3), (1, 1));
    let rows = txs(&env, "repeat");
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["amount"], "-4.80", "the later line wins");
}

#[test]
fn ofx_investment_cash() {
    let env = TestEnv::new();
    let run = env.run(&["import", &fixture("brokerage.qfx"), "--create-account", "--format", "json"]).ok();
    assert_eq!(summary(&run)[0].0, "Investment ····5678");
    assert_eq!(summary(&run)[0].1, 2);
    let account = env.run(&["accounts", "show", "Investment ····5678", "--format", "json"]).ok().json();
    assert_eq!((account["kind"].as_str(), account["balance"].as_str()), (Some("investment"), Some("512.34")));
}

/// Amounts of `account` as the JSON listing writes them, oldest first.
fn amounts(env: &TestEnv, account: &str) -> Vec<String> {
    let mut rows: Vec<(String, String)> = txs(env, account)
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["date"].as_str().unwrap().to_string(), t["amount"].as_str().unwrap().to_string()))
        .collect();
    rows.sort();
    rows.into_iter().map(|(_, a)| a).collect()
}

/// Import `csv` as a new account `name` in `currency`.
fn import_csv(env: &TestEnv, dir: &std::path::Path, name: &str, csv: &str, currency: &str) -> crate::common::Run {
    let path = dir.join(format!("{name}.csv"));
    std::fs::write(&path, csv).unwrap();
    env.run(&["import", path.to_str().unwrap(), "--create-account", "--currency", currency, "--format", "json"])
}

#[test]
fn csv_amounts_are_read_in_one_style_per_column_and_never_scaled() {
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Three decimals where the currency has three: not thousands.
    import_csv(&env, d, "kwd", "Date;Text;Amount\n2026-11-02;Fuel;-12.345\n2026-11-03;Rent;-400\n", "KWD").ok();
    assert_eq!(amounts(&env, "kwd"), ["-12.345", "-400.000"]);
    // More decimals than USD has: refused at file:line, never read as 125.00.
    let run = import_csv(&env, d, "toll", "Date;Text;Amount\n2026-11-02;Toll;-0.125\n", "USD").fails_with(1);
    assert!(run.stderr.contains("toll.csv:2: amount \"-0.125\""), "{}", run.stderr);
    assert!(run.stderr.contains("more decimals than USD allows (2)"), "{}", run.stderr);
    // `1,234` is 1234 where the column groups with commas, 1.234 where it writes decimal commas.
    import_csv(&env, d, "usd", "Date;Text;Amount\n2026-11-02;A;1,234\n2026-11-03;B;2,500.00\n", "USD").ok();
    assert_eq!(amounts(&env, "usd"), ["1234.00", "2500.00"]);
    import_csv(&env, d, "kwd-comma", "Date;Text;Amount\n2026-11-02;A;1,234\n2026-11-03;B;12,5\n", "KWD").ok();
    assert_eq!(amounts(&env, "kwd-comma"), ["1.234", "12.500"]);
    let run = import_csv(&env, d, "eur", "Date;Text;Amount\n2026-11-02;A;1,234\n2026-11-03;B;12,50\n", "EUR");
    assert!(run.fails_with(1).stderr.contains("eur.csv:2: amount \"1,234\": \"1,234\" has more decimals than EUR"));
    // No decimals at all.
    import_csv(&env, d, "jpy", "Date;Text;Amount\n2026-11-02;A;\"1,500\"\n2026-11-03;B;-800\n", "JPY").ok();
    assert_eq!(amounts(&env, "jpy"), ["1500", "-800"]);
    let run = import_csv(&env, d, "jpy-bad", "Date;Text;Amount\n2026-11-02;A;15.5\n", "JPY").fails_with(1);
    assert!(run.stderr.contains("more decimals than JPY allows (0)"), "{}", run.stderr);
    // A comma alone before three digits, in a currency with three decimals: asked, not guessed.
    let run = import_csv(&env, d, "kwd-either", "Date;Text;Amount\n2026-11-02;A;1,234\n", "KWD").fails_with(1);
    assert!(run.stderr.contains("could be a whole number or have three decimals"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: pin it in a CSV profile"), "{}", run.stderr);
    // Pinned, it imports.
    std::fs::create_dir_all(env.home().join("profiles")).unwrap();
    let profile = "delimiter = \";\"\nencoding = \"utf-8\"\ndate_column = \"Date\"\ndate_format = \"%Y-%m-%d\"\n\
                   amount_column = \"Amount\"\ndecimal = \",\"\ndescription_column = \"Text\"\n";
    std::fs::write(env.home().join("profiles/kwd-comma.toml"), profile).unwrap();
    let path = d.join("kwd-either.csv").display().to_string();
    env.run(&["import", &path, "--profile", "kwd-comma", "--account", "kwd"]).ok();
    assert!(amounts(&env, "kwd").contains(&"1.234".to_string()));
}

#[test]
fn a_column_of_whole_numbers_is_decided_by_its_first_telling_value_past_the_sample() {
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("Date;Text;Amount\n");
    for day in 0..250 {
        csv.push_str(&format!("2026-01-01;Whole {day};-{}\n", day + 1));
    }
    let mut late = csv.clone();
    late.push_str("2026-12-01;Late;1.234,56\n");
    import_csv(&env, dir.path(), "late", &late, "EUR").ok();
    assert!(amounts(&env, "late").contains(&"1234.56".to_string()));
    // Two styles in one column: the file stops where the second one appears.
    let mut mixed = csv;
    mixed.push_str("2026-12-01;Point;12.50\n2026-12-02;Comma;1.234,56\n");
    let run = import_csv(&env, dir.path(), "mixed", &mixed, "EUR").fails_with(1);
    assert!(run.stderr.contains("mixed.csv:253: amount \"1.234,56\" does not use '.'"), "{}", run.stderr);
    // --inspect says what it chose.
    let run = env.run(&["import", "--inspect", &fixture("de-giro.csv")]).ok();
    assert!(run.stderr.contains("amounts use ',' for decimals"), "{}", run.stderr);
}

#[test]
fn ofx_and_camt_amounts_keep_three_decimals() {
    let env = TestEnv::new();
    let run = env.run(&["import", &fixture("kwd.ofx"), "--create-account", "--format", "json"]).ok();
    let account = summary(&run)[0].0.clone();
    assert_eq!(amounts(&env, &account), ["-12.345", "1250.500"], "a point, and the comma OFX allows");
    let shown = env.run(&["accounts", "show", &account, "--format", "json"]).ok().json();
    assert_eq!(shown["balance"], "1238.155");
    env.run(&["import", &fixture("bhd.camt053.xml"), "--create-account"]).ok();
    assert_eq!(amounts(&env, "Manama Current"), ["-12.345"]);

    // No decimals at all: whole yen, trailing zeros allowed, a fraction refused.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("kwd.ofx")).unwrap().replace("KWD", "JPY").replace("2001234567", "77");
    let yen = dir.path().join("yen.ofx");
    std::fs::write(&yen, text.replace("-12.345", "-1500").replace("1250,500", "80000.00").replace("1238.155", "78500"))
        .unwrap();
    let run = env.run(&["import", yen.to_str().unwrap(), "--create-account", "--format", "json"]).ok();
    assert_eq!(amounts(&env, &summary(&run)[0].0), ["-1500", "80000"]);
    std::fs::write(&yen, text.replace("-12.345", "-15.5").replace("1250,500", "1").replace("1238.155", "1")).unwrap();
    let run = env.run(&["import", yen.to_str().unwrap()]).fails_with(1);
    assert!(run.stderr.contains("\"-15.5\" has more decimals than JPY allows (0)"), "{}", run.stderr);

    // The same files in dollars: too precise, refused with where.
    let usd = dir.path().join("usd.ofx");
    let text = std::fs::read_to_string(fixture("kwd.ofx")).unwrap();
    std::fs::write(
        &usd,
        text.replace("KWD", "USD")
            .replace("-12.345", "-0.125")
            .replace("1238.155", "1238.15")
            .replace("2001234567", "2009999999"),
    )
    .unwrap();
    let run = env.run(&["import", usd.to_str().unwrap(), "--create-account"]).fails_with(1);
    assert!(run.stderr.contains("STMTTRN[1]: TRNAMT: \"-0.125\" has more decimals than USD"), "{}", run.stderr);
    let camt = dir.path().join("usd.camt053.xml");
    let text = std::fs::read_to_string(fixture("bhd.camt053.xml")).unwrap();
    std::fs::write(
        &camt,
        text.replace("BHD", "USD")
            .replace("BH67", "BH99")
            .replace("87.655", "87.65")
            .replace("\"USD\">12.345", "\"USD\">1,234"),
    )
    .unwrap();
    let run = env.run(&["import", camt.to_str().unwrap(), "--create-account"]).fails_with(1);
    assert!(run.stderr.contains("Ntry[1]/Amt: \"1,234\" is not a decimal number"), "{}", run.stderr);
}
