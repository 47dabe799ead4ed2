//! `tally rules`: conditions, order, precedence against the user's own choices, previews,
//! re-application to history, TOML round trips and hledger rules, all through the binary.

use serde_json::Value;
use tally::model::CategorySource;
use tally::store::{categories, transactions};

use crate::common::TestEnv;
use crate::import::fixture;

/// A database with an imported statement (no payees, no provider categories).
fn imported() -> TestEnv {
    let env = TestEnv::new();
    env.run(&["import", &fixture("us-checking.csv"), "--profile", "us-checking", "--create-account"]).ok();
    env
}

fn rows(env: &TestEnv) -> Vec<Value> {
    env.run(&["tx", "list", "--format", "json"]).ok().json().as_array().unwrap().clone()
}

/// The category of the row whose description is `description`.
fn category_of(env: &TestEnv, description: &str) -> Value {
    let rows = rows(env);
    let row =
        rows.iter().find(|r| r["description"] == description).unwrap_or_else(|| panic!("{description}: {rows:#?}"));
    row["category"].clone()
}

fn show(env: &TestEnv, description: &str) -> Value {
    let id = rows(env).iter().find(|r| r["description"] == description).unwrap()["id"].as_i64().unwrap();
    env.run(&["tx", "show", &id.to_string(), "--format", "json"]).ok().json()
}

fn add(env: &TestEnv, args: &[&str]) {
    let mut all = vec!["rules", "add"];
    all.extend(args);
    env.run(&all).ok();
}

#[test]
fn rules_categorize_imported_rows_as_they_land_with_a_reason() {
    let env = TestEnv::new();
    add(&env, &["--description-contains", "netflix", "--category", "Subscriptions:Streaming"]);
    env.run(&["import", &fixture("us-checking.csv"), "--profile", "us-checking", "--create-account"]).ok();
    assert_eq!(category_of(&env, "NETFLIX.COM"), "Subscriptions:Streaming");
    let shown = show(&env, "NETFLIX.COM");
    assert_eq!(shown["category_source"], "rule");
    assert_eq!(shown["category_reason"], "rule 1: description contains \"netflix\"");
}

#[test]
fn renames_and_tags_land_with_new_rows_too() {
    let env = TestEnv::new();
    add(&env, &["--description-contains", "trader joe", "--rename-payee", "Trader Joe's", "--tag", "groceries"]);
    env.run(&["import", &fixture("us-checking.csv"), "--profile", "us-checking", "--create-account"]).ok();
    assert_eq!(show(&env, "TRADER JOE'S #552")["payee"], "Trader Joe's");
    let tags: String = env.query("SELECT tags FROM \"transaction\" WHERE description = 'TRADER JOE''S #552'");
    assert_eq!(tags, "groceries");
    let planned = env.run(&["rules", "apply", "--dry-run", "--format", "json"]).ok().json();
    assert_eq!(planned, serde_json::json!([]), "nothing left for apply to do");
}

#[test]
fn the_first_rule_in_order_wins_and_move_changes_the_order() {
    let env = imported();
    add(&env, &["--description-contains", "NETFLIX", "--category", "Entertainment"]);
    add(&env, &["--description-regex", "^netflix\\.com$", "--category", "Subscriptions:Streaming"]);
    let preview = env.run(&["rules", "test", "1", "--format", "json"]).ok().json();
    let previewed: Vec<&Value> = preview.as_array().unwrap().iter().map(|r| &r["description"]).collect();
    assert_eq!(previewed, ["NETFLIX.COM"]);
    assert_eq!(preview[0]["new_category"], "Entertainment");
    let second = env.run(&["rules", "test", "2", "--format", "json"]).ok().json();
    assert_eq!(second, serde_json::json!([]), "rule 1 comes first");
    assert_eq!(category_of(&env, "NETFLIX.COM"), Value::Null, "a preview writes nothing");
    env.run(&["rules", "apply"]).ok();
    assert_eq!(category_of(&env, "NETFLIX.COM"), "Entertainment");

    env.run(&["rules", "move", "2", "--to", "1"]).ok();
    let listed = env.run(&["rules", "list", "--format", "json"]).ok().json();
    let order: Vec<i64> = listed.as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(order, [2, 1]);
    let run = env.run(&["rules", "apply"]).ok();
    assert!(run.stderr.contains("Rules changed 1 rows"), "{run:#?}");
    assert_eq!(category_of(&env, "NETFLIX.COM"), "Subscriptions:Streaming");
    let again = env.run(&["rules", "apply"]).ok();
    assert!(again.stderr.contains("Rules changed 0 rows"), "a second apply changes nothing: {again:#?}");

    env.run(&["rules", "remove", "2"]).ok();
    env.run(&["rules", "remove", "2"]).fails_with(2);
    assert_eq!(env.run(&["rules", "list", "--format", "json"]).ok().json().as_array().unwrap().len(), 1);
}

#[test]
fn a_users_choice_is_never_overwritten_by_a_rule() {
    let env = imported();
    let store = env.store();
    let netflix = rows(&env).into_iter().find(|r| r["description"] == "NETFLIX.COM").unwrap()["id"].as_i64().unwrap();
    let fees = categories::id_by_name(store.db(), "Fees").unwrap().unwrap();
    let choice = transactions::Categorized { category_id: fees, source: CategorySource::User, reason: "mine".into() };
    transactions::set_category(store.db(), netflix, &choice).unwrap();
    drop(store);

    add(&env, &["--description-contains", "NETFLIX", "--category", "Entertainment", "--tag", "tv"]);
    let test = env.run(&["rules", "test", "1", "--format", "json"]).ok().json();
    assert_eq!(test, serde_json::json!([]), "the preview leaves the user's row out");
    env.run(&["rules", "apply"]).ok();
    let shown = show(&env, "NETFLIX.COM");
    assert_eq!((shown["category"].as_str(), shown["category_source"].as_str()), (Some("Fees"), Some("user")));
    // Re-importing the file (the categorizer at landing) does not overwrite it either.
    env.run(&["import", &fixture("us-checking.csv"), "--profile", "us-checking", "--account", "us-checking"]).ok();
    assert_eq!(show(&env, "NETFLIX.COM")["category_source"], "user");
}

#[test]
fn each_condition_kind_and_the_actions() {
    let env = imported();
    let account = rows(&env)[0]["account"].as_str().unwrap().to_string();
    // Each rule is tested alone by its flags: what it would change, nothing written.
    let preview = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["rules", "test", "--format", "json", "--category", "Shopping"];
        all.extend(args);
        let json = env.run(&all).ok().json();
        json.as_array().unwrap().iter().map(|r| r["description"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(preview(&["--payee-contains", "joe's"]), ["TRADER JOE'S #552"], "no payee: the description stands in");
    assert_eq!(preview(&["--description-exact", "netflix.com"]), ["NETFLIX.COM"]);
    assert!(preview(&["--description-exact", "NETFLIX"]).is_empty(), "exact is not contains");
    assert_eq!(preview(&["--description-regex", "PAYROLL\\s+PPD$"]), ["ACME CORP PAYROLL PPD"]);
    assert_eq!(preview(&["--sign", "in"]), ["ACME CORP PAYROLL PPD"]);
    let small = preview(&["--sign", "out", "--min-amount", "15", "--max-amount", "16"]);
    assert_eq!(small, ["NETFLIX.COM"]);
    assert_eq!(preview(&["--currency", "EUR", "--sign", "in"]), Vec::<String>::new());
    assert_eq!(preview(&["--currency", "usd", "--account", &account, "--sign", "in"]), ["ACME CORP PAYROLL PPD"]);
    assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\" WHERE category_source = 'rule'"), 0);

    add(
        &env,
        &["--description-contains", "trader joe", "--rename-payee", "Trader Joe's", "--tag", "food", "--tag", "weekly"],
    );
    env.run(&["rules", "apply"]).ok();
    let shown = show(&env, "TRADER JOE'S #552");
    assert_eq!(shown["payee"], "Trader Joe's");
    assert_eq!(
        env.query::<String>("SELECT tags FROM \"transaction\" WHERE description = 'TRADER JOE''S #552'"),
        "food weekly"
    );
}

#[test]
fn bad_rules_are_usage_errors_with_hints() {
    let env = imported();
    let cases: [(&[&str], &str); 6] = [
        (&["--payee-regex", "(unclosed", "--category", "Fees"], "invalid regex"),
        (&["--category", "Fees"], "at least one condition"),
        (&["--payee-contains", "x"], "needs an action"),
        (&["--payee-contains", "x", "--category", "Nope:Never"], "no category named"),
        (&["--min-amount=-5", "--category", "Fees"], "is not an amount"),
        (&["--currency", "XYZ", "--category", "Fees"], "ISO 4217"),
    ];
    for (args, message) in cases {
        let mut all = vec!["rules", "add"];
        all.extend(args);
        let run = env.run(&all).fails_with(2);
        assert!(run.stderr.contains(message) && run.stderr.contains("hint:"), "{args:?}: {run:#?}");
    }
    assert_eq!(env.run(&["rules", "list", "--format", "json"]).ok().json(), serde_json::json!([]));
}

#[test]
fn export_then_import_into_a_fresh_database_gives_the_same_rules() {
    let env = imported();
    add(&env, &["--payee-contains", "STARBUCKS", "--max-amount", "20", "--sign", "out", "--category", "Food:Coffee"]);
    add(&env, &["--description-regex", "^AMZN", "--currency", "USD", "--rename-payee", "Amazon", "--tag", "online"]);
    add(&env, &["--description-exact", "NETFLIX.COM", "--category", "Subscriptions:Streaming", "--position", "1"]);
    let listed = env.run(&["rules", "list", "--format", "json"]).ok().json();
    let exported = env.run(&["rules", "export"]).ok().stdout;
    assert!(exported.contains("[[rule]]") && exported.contains("payee_contains = \"STARBUCKS\""), "{exported}");

    let fresh = TestEnv::new();
    let path = fresh.home().join("rules.toml");
    std::fs::create_dir_all(fresh.home()).unwrap();
    std::fs::write(&path, &exported).unwrap();
    fresh.run(&["rules", "import", path.to_str().unwrap()]).ok();
    // The same rules in the same order; ids are the new database's own.
    let without_ids = |v: Value| -> Vec<Value> {
        v.as_array()
            .unwrap()
            .iter()
            .cloned()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("id");
                r
            })
            .collect()
    };
    assert_eq!(without_ids(fresh.run(&["rules", "list", "--format", "json"]).ok().json()), without_ids(listed));
    assert_eq!(fresh.run(&["rules", "export"]).ok().stdout, exported);

    std::fs::write(&path, "[[rule]]\npayee_contain = \"typo\"\ncategory = \"Fees\"\n").unwrap();
    let run = fresh.run(&["rules", "import", path.to_str().unwrap()]).fails_with(2);
    assert!(run.stderr.contains("payee_contain") && run.stderr.contains("hint:"), "{run:#?}");
}

#[test]
fn hledger_rules_become_rules_and_categories() {
    let env = imported();
    let path = env.home().join("checking.csv.rules");
    std::fs::write(
        &path,
        "# hledger rules for my checking account\n\
         skip 1\n\
         fields _, date, description, amount, _, _, _\n\
         date-format %m/%d/%Y\n\
         currency $\n\
         account1 assets:bank:checking\n\
         \n\
         if NETFLIX|SPOTIFY\n  account2 expenses:subscriptions:streaming\n\
         \n\
         if\n\
         TRADER JOE\n\
         WHOLEFDS\n  account2 expenses:food:groceries\n  comment weekly shop\n\
         \n\
         if %description PAYROLL\n  account2 income:salary\n  description Acme payroll\n\
         \n\
         if %amount ^-1\\.00$\n  account2 expenses:oddities\n\
         \n\
         if ^=HYPERLINK\n  account2 expenses:Hostile Cells\n",
    )
    .unwrap();
    let run = env.run(&["rules", "import", "--hledger", path.to_str().unwrap()]).ok();
    assert!(run.stderr.contains("Imported 5 rules"), "{run:#?}");
    assert!(run.stderr.contains("%amount"), "the block it cannot express is named: {run:#?}");
    env.run(&["rules", "apply"]).ok();
    assert_eq!(category_of(&env, "NETFLIX.COM"), "Subscriptions:Streaming");
    assert_eq!(category_of(&env, "TRADER JOE'S #552"), "Food:Groceries");
    assert_eq!(category_of(&env, "ACME CORP PAYROLL PPD"), "Income:Salary");
    assert_eq!(show(&env, "ACME CORP PAYROLL PPD")["payee"], "Acme payroll");
    assert_eq!(category_of(&env, "=HYPERLINK(\"http://evil\")"), "Hostile Cells", "a new category, made");
    assert_eq!(env.query::<String>("SELECT kind FROM category WHERE full_name = 'Hostile Cells'"), "expense");
}

#[test]
fn rules_come_before_the_banks_categories_on_sync() {
    let env = TestEnv::new();
    env.link();
    add(&env, &["--description-contains", "NETFLIX", "--category", "Entertainment"]);
    env.run(&["sync"]).ok();
    let netflix = env.run(&["tx", "list", "--search", "netflix", "--format", "json"]).ok().json();
    let netflix = netflix.as_array().unwrap();
    assert!(netflix.len() >= 24, "two years of a monthly subscription");
    assert!(netflix.iter().all(|r| r["category"] == "Entertainment"), "{netflix:#?}");
    let id = netflix[0]["id"].as_i64().unwrap().to_string();
    let shown = env.run(&["tx", "show", &id, "--format", "json"]).ok().json();
    assert_eq!(
        (shown["category_source"].as_str(), shown["category_reason"].as_str()),
        (Some("rule"), Some("rule 1: description contains \"NETFLIX\""))
    );
    // Rows no rule matches keep the bank's category.
    let provider: i64 = env.query("SELECT count(*) FROM \"transaction\" WHERE category_source = 'provider'");
    assert!(provider > 0);

    // A rule added later reaches the history through `rules apply`, and only there.
    add(&env, &["--description-contains", "BLUE BOTTLE", "--category", "Food:Restaurants"]);
    let dry = env.run(&["rules", "apply", "--dry-run", "--format", "json"]).ok();
    let planned = dry.json().as_array().unwrap().len();
    assert!(planned > 0 && dry.stderr.contains("nothing written"), "{dry:#?}");
    assert_eq!(env.query::<i64>("SELECT count(*) FROM \"transaction\" WHERE category_reason LIKE 'rule 2:%'"), 0);
    let run = env.run(&["rules", "apply"]).ok();
    assert!(run.stderr.contains(&format!("Rules changed {planned} rows")), "{run:#?}");
    assert_eq!(
        env.query::<i64>("SELECT count(*) FROM \"transaction\" WHERE category_reason LIKE 'rule 2:%'") as usize,
        planned
    );
}

#[test]
fn a_renamed_payee_is_shown_and_searched_and_a_new_delivery_keeps_it() {
    let env = imported();
    let reimport = || {
        env.run(&["import", &fixture("us-checking.csv"), "--account", "us-checking", "--format", "json"]).ok().stdout
    };
    let before = reimport();
    add(&env, &["--description-contains", "TRADER JOE", "--rename-payee", "Trader Joe's", "--tag", "groceries"]);
    env.run(&["rules", "apply"]).ok();
    let listed = env.run(&["tx", "list", "--search", "trader joe's", "--format", "json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed:#?}");
    assert_eq!(listed[0]["payee"], "Trader Joe's");
    // The bank's payee is kept apart, so the same file again is no change, and the rename stays.
    assert_eq!(reimport(), before);
    assert_eq!(show(&env, "TRADER JOE'S #552")["payee"], "Trader Joe's");
}

#[test]
fn a_mistyped_rule_leaves_no_database_behind() {
    let env = TestEnv::without_database();
    let run = env.run(&["rules", "add", "--payee-regex", "(", "--category", "Food"]).fails_with(2);
    assert!(run.stderr.contains("invalid regex") && run.stderr.contains("hint:"), "{run:#?}");
    env.run(&["rules", "add", "--payee-contains", "x", "--tag", "two words", "--category", "Food"]).fails_with(2);
    assert!(!env.db().exists(), "a refused rule created {}", env.db().display());
}

#[test]
fn removing_a_rule_or_putting_one_before_it_takes_back_its_stale_decisions() {
    let env = imported();
    add(&env, &["--description-contains", "netflix", "--category", "Subscriptions:Streaming"]);
    add(&env, &["--description-contains", "trader", "--category", "Food:Groceries"]);
    env.run(&["rules", "apply"]).ok();
    assert_eq!(category_of(&env, "NETFLIX.COM"), "Subscriptions:Streaming");
    assert_eq!(category_of(&env, "TRADER JOE'S #552"), "Food:Groceries");

    // Removed: its rows go back to what the other layers say (here nothing), not later.
    let run = env.run(&["rules", "remove", "1"]).ok();
    assert!(run.stderr.contains("1 rows it categorized went back"), "{}", run.stderr);
    assert_eq!(category_of(&env, "NETFLIX.COM"), Value::Null);
    assert!(show(&env, "NETFLIX.COM")["category_source"].is_null());

    // A rename-only rule tried first now decides the Trader Joe's row: no rule files it any more.
    add(&env, &["--description-contains", "trader", "--rename-payee", "Trader Joe's", "--position", "1"]);
    let dry = env.run(&["rules", "apply", "--dry-run", "--format", "json"]).ok().json();
    let stale = dry.as_array().unwrap().iter().find(|r| r["rule"].is_null()).expect("the stale row is listed");
    assert_eq!((&stale["category"], &stale["new_category"]), (&Value::from("Food:Groceries"), &Value::Null));
    assert_eq!(category_of(&env, "TRADER JOE'S #552"), "Food:Groceries", "a dry run writes nothing");
    env.run(&["rules", "apply"]).ok();
    assert_eq!(category_of(&env, "TRADER JOE'S #552"), Value::Null);
    assert_eq!(show(&env, "TRADER JOE'S #552")["payee"], "Trader Joe's");
}
