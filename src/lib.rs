//! tally: link bank accounts, sync transactions into local SQLite, categorize and report.
//! The binary in `main.rs` is a thin shell over these modules; tests start the sandbox through them.

pub mod alerts;
pub mod budget;
pub mod categorize;
pub mod cli;
pub mod commands;
pub mod config;
pub mod consent;
pub mod context;
pub mod error;
pub mod export;
pub mod files;
pub mod import;
pub mod model;
pub mod money;
pub mod oauth;
pub mod output;
pub mod providers;
pub mod recurring;
pub mod report;
pub mod sandbox;
pub mod secrets;
pub mod store;
pub mod sync;
pub mod transfers;
