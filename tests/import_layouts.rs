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

#[test]
fn a_column_naming_several_accounts_is_warned_about() {
    let env = TestEnv::new();
    let run = import(&env, "app-two-accounts.csv", "USD");
    assert!(
        run.stderr.contains(
            "app-two-accounts.csv: column \"Account\" names 2 accounts (\"Everyday Checking\", \"Travel Card\"): \
             every row goes into the one account imported into"
        ),
        "{}",
        run.stderr
    );
    let single = import(&env, "app-categories.csv", "USD");
    assert!(!single.stderr.contains("names"), "{}", single.stderr);
}
