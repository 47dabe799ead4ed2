//! `tally import` of CSV layouts real banks export (issue 14 item 2): headers in other
//! languages or none at all, a value date beside the booking date, blank lines and metadata
//! around the table, an amount with a Debit/Credit type column.

use crate::common::TestEnv;
use crate::import::fixture;
use crate::import_shapes::dated_amounts;

fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter().map(|(d, a)| (d.to_string(), a.to_string())).collect()
}

fn import(env: &TestEnv, name: &str, currency: &str) -> crate::common::Run {
    env.run(&["import", &fixture(name), "--create-account", "--currency", currency, "--format", "json"]).ok()
}

#[test]
fn the_booking_date_is_chosen_over_the_value_date_and_blank_lines_are_skipped() {
    let env = TestEnv::new();
    let inspect = env.run(&["import", "--inspect", &fixture("fr-two-dates.csv")]).ok();
    assert!(
        inspect.stderr.contains("\"Date opération\" is taken as the booking date, not \"Date de valeur\""),
        "{}",
        inspect.stderr
    );
    assert_eq!(import(&env, "fr-two-dates.csv", "EUR").json()[0]["new"], 3, "the closing balance is not a row");
    assert_eq!(
        dated_amounts(&env, "fr-two-dates"),
        pairs(&[("2026-01-23", "-45.30"), ("2026-01-24", "2345.67"), ("2026-01-31", "-2.00")])
    );
    import(&env, "es-concepto.csv", "EUR");
    assert_eq!(dated_amounts(&env, "es-concepto"), pairs(&[("2026-01-23", "-32.15"), ("2026-01-28", "1850.00")]));
}

#[test]
fn an_amount_with_a_debit_credit_type_column() {
    let env = TestEnv::new();
    let inspect = env.run(&["import", "--inspect", &fixture("nl-af-bij.csv")]).ok();
    assert!(inspect.stderr.contains("\"Af Bij\" debit/credit type"), "{}", inspect.stderr);
    import(&env, "nl-af-bij.csv", "EUR");
    assert_eq!(dated_amounts(&env, "nl-af-bij"), pairs(&[("2026-01-23", "-12.50"), ("2026-01-25", "2345.67")]));
    let listed = env.run(&["tx", "list", "--account", "nl-af-bij", "--format", "json"]).ok().json();
    let salary = listed.as_array().unwrap().iter().find(|t| t["amount"] == "2345.67").unwrap().clone();
    assert_eq!(
        (salary["payee"].as_str(), salary["description"].as_str()),
        (Some("Werkgever BV"), Some("Salaris januari"))
    );
}

#[test]
fn polish_headers_with_a_currency_column_and_headers_no_list_knows() {
    let env = TestEnv::new();
    import(&env, "pl-opis.csv", "PLN");
    assert_eq!(dated_amounts(&env, "pl-opis"), pairs(&[("2026-01-23", "-23.99"), ("2026-01-26", "5400.00")]));
    // Estonian headers are in no list: the columns are told by what is in them.
    let inspect = env.run(&["import", "--inspect", &fixture("ee-unknown-headers.csv")]).ok();
    assert!(
        inspect.stderr.contains("columns: \"Kuupäev\" date, \"Selgitus\" description, \"Summa\" amount"),
        "{}",
        inspect.stderr
    );
    import(&env, "ee-unknown-headers.csv", "EUR");
    assert_eq!(
        dated_amounts(&env, "ee-unknown-headers"),
        pairs(&[("2026-01-23", "-18.40"), ("2026-01-24", "1500.00")])
    );
}

#[test]
fn a_file_without_a_header_row_is_read_from_its_first_line() {
    let env = TestEnv::new();
    let inspect = env.run(&["import", "--inspect", &fixture("no-header.csv")]).ok();
    assert!(inspect.stderr.contains("the first line is a row, not a header"), "{}", inspect.stderr);
    assert!(inspect.stdout.contains("header = false"), "{}", inspect.stdout);
    assert_eq!(import(&env, "no-header.csv", "GBP").json()[0]["new"], 3, "the first line is not lost");
    assert_eq!(
        dated_amounts(&env, "no-header"),
        pairs(&[("2026-01-23", "-12.50"), ("2026-01-24", "-30.00"), ("2026-01-31", "2100.00")])
    );
    let again = env.run(&["import", &fixture("no-header.csv"), "--account", "no-header", "--format", "json"]).ok();
    assert_eq!((again.json()[0]["new"].as_u64(), again.json()[0]["unchanged"].as_u64()), (Some(0), Some(3)));
}

#[test]
fn a_category_column_is_kept_as_the_imported_label() {
    let env = TestEnv::new();
    let inspect = env.run(&["import", "--inspect", &fixture("app-categories.csv")]).ok();
    assert!(inspect.stderr.contains("\"Category\" category (kept as the imported label)"), "{}", inspect.stderr);
    import(&env, "app-categories.csv", "USD");
    let listed = env.run(&["tx", "list", "--account", "app-categories", "--format", "json"]).ok().json();
    let rent = listed.as_array().unwrap().iter().find(|t| t["amount"] == "-1850.00").unwrap().clone();
    let shown = env.run(&["tx", "show", &rent["id"].to_string(), "--format", "json"]).ok().json();
    assert_eq!(shown["provider_category"], "Rent");
}

/// (account, new, unchanged) per summary row.
fn per_account(run: &crate::common::Run) -> Vec<(String, u64, u64)> {
    let rows = run.json();
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["account"].as_str().unwrap().into(), r["new"].as_u64().unwrap(), r["unchanged"].as_u64().unwrap()))
        .collect()
}

#[test]
fn an_account_column_routes_each_row_to_the_account_it_names() {
    let env = TestEnv::new();
    let file = fixture("app-all-accounts.csv");
    let inspect = env.run(&["import", "--inspect", &file]).ok();
    assert!(
        inspect.stderr.contains("\"Account\" account (each row goes to the tally account it names)"),
        "{}",
        inspect.stderr
    );
    assert!(inspect.stdout.contains("account_column = \"Account\""), "{}", inspect.stdout);

    // Accounts tally does not know, and no --create-account: all of them named, nothing imported.
    env.run(&["accounts", "add", "Savings", "--currency", "USD"]).ok();
    let refused = env.run(&["import", &file]).fails_with(1);
    assert!(
        refused.stderr.contains(
            "the \"Account\" column names 2 account(s) tally does not know: \"Everyday Checking\", \"Travel Card\""
        ),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--create-account"), "{}", refused.stderr);
    assert!(dated_amounts(&env, "Savings").is_empty(), "the file is all or nothing");

    let run = env.run(&["import", &file, "--create-account", "--format", "json"]).ok();
    assert_eq!(
        per_account(&run),
        [("Everyday Checking".into(), 2, 0), ("Travel Card".into(), 1, 0), ("Savings".into(), 2, 0)],
        "names match without regard to case; the same row twice is two rows"
    );
    assert_eq!(dated_amounts(&env, "Everyday Checking"), pairs(&[("2026-01-04", "-82.17"), ("2026-01-06", "2400.00")]));
    assert_eq!(dated_amounts(&env, "Travel Card"), pairs(&[("2026-01-05", "-412.30")]));
    // The category column still travels with each row.
    let card = env.run(&["tx", "list", "--account", "Travel Card", "--format", "json"]).ok().json();
    let shown = env.run(&["tx", "show", &card[0]["id"].to_string(), "--format", "json"]).ok().json();
    assert_eq!(shown["provider_category"], "Travel");

    let again = env.run(&["import", &file, "--format", "json"]).ok();
    assert_eq!(
        per_account(&again),
        [("Everyday Checking".into(), 0, 2), ("Travel Card".into(), 0, 1), ("Savings".into(), 0, 2)]
    );
    // Each account's stored rows replay to the same rows (the two identical ones included).
    let listed = |account: &str| env.run(&["tx", "list", "--account", account, "--format", "json"]).ok().json();
    let before = ["Everyday Checking", "Travel Card", "Savings"].map(listed);
    env.run(&["sync", "--replay", "--format", "json"]).ok();
    assert_eq!(["Everyday Checking", "Travel Card", "Savings"].map(listed), before);
}

#[test]
fn account_puts_every_row_of_a_routed_file_in_one_account() {
    let env = TestEnv::new();
    let run = env
        .run(&["import", &fixture("app-two-accounts.csv"), "--account", "All", "--create-account", "--currency", "USD"])
        .ok();
    assert!(
        run.stderr.contains(
            "every row goes into \"All\" (--account); the \"Account\" column naming each row's account is not used"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(dated_amounts(&env, "All").len(), 3);
    let single = env.run(&["import", &fixture("app-categories.csv"), "--create-account", "--currency", "USD"]).ok();
    assert!(!single.stderr.contains("column"), "{}", single.stderr);
}
