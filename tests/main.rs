//! The one integration-test binary: every file below is a module of it.
#![allow(clippy::disallowed_methods)] // tests may read the environment (TALLY_BLESS, CI)

mod common;

mod accounts;
mod alerts;
mod budget;
mod categories;
mod categorize;
mod config;
mod connections;
mod counts;
mod crash;
mod cron;
mod demo;
mod doctor;
mod empty_csv;
mod enablebanking;
mod encrypt;
mod errors;
mod export;
mod export_all;
mod fdx;
mod files;
mod generated;
mod gocardless;
mod help;
mod hostile;
mod hostile_input;
mod import;
mod import_account;
mod import_camt;
mod import_hints;
mod import_input;
mod import_layouts;
mod import_ofx;
mod import_qif;
mod import_shapes;
mod interrupt;
mod keyring;
mod leaks;
mod learned;
mod learned_counts;
mod link;
mod migrations;
mod plaid;
mod provider_json;
mod purge;
mod quota;
mod readme;
mod recurring;
mod relink;
mod replay;
mod report;
mod report_chart;
mod report_currency;
mod report_flows;
mod report_html;
mod report_search;
mod review;
mod rules;
mod sandbox;
mod secrets;
mod simplefin;
mod sync;
mod tables;
mod teller;
mod transfers;
mod tx;
mod window;

/// A test file that is not declared above would silently never run.
#[test]
fn every_test_file_is_a_module() {
    let main = include_str!("main.rs");
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(module) = name.strip_suffix(".rs").filter(|m| *m != "main") {
            assert!(main.contains(&format!("mod {module};")), "tests/{name} is not declared in tests/main.rs");
        }
    }
}
