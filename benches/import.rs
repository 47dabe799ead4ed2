#![allow(clippy::disallowed_methods, clippy::print_stdout, unsafe_code)] // a bench reads its arguments, prints its figures, asks the kernel for memory use
//! Importing a 1M-row CSV against a raw SQLite bulk load of the same rows (the csv crate, one
//! prepared INSERT, one transaction, tally's schema), measured in the same run. Prints the
//! medians, their ratio, and the import's peak memory.
//!
//! `cargo bench --bench import` (about a minute; ROWS=N to change the size).

use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 3;

fn rows() -> usize {
    std::env::var("ROWS").ok().and_then(|r| r.parse().ok()).unwrap_or(1_000_000)
}

/// A bank-like export: dates over eight years, a few hundred payees, varied amounts.
fn write_csv(path: &Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "Date,Description,Amount").unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2018, 1, 1).unwrap();
    for i in 0..n {
        let day = start + chrono::Days::new((i * 2922 / n) as u64);
        let cents = (i as i64 * 7919) % 250_000 - 200_000;
        writeln!(f, "{day},PAYEE {} STORE #{},{}.{:02}", i % 397, i % 13, cents / 100, (cents % 100).abs()).unwrap();
    }
}

/// The floor: parse with the csv crate, insert with one prepared statement, one transaction.
fn bulk_load(csv_path: &Path, dir: &Path) -> Duration {
    let db_path = dir.join("baseline.db");
    let _ = std::fs::remove_file(&db_path);
    drop(tally::store::Store::open(&db_path, tally::store::OpenMode::Create).unwrap());
    let mut db = rusqlite::Connection::open(&db_path).unwrap();
    db.pragma_update(None, "journal_mode", "WAL").unwrap();
    db.pragma_update(None, "synchronous", "NORMAL").unwrap();
    db.execute(
        "INSERT INTO account (id, external_id, name, kind, currency, created_at) VALUES (1, 'a', 'A', 'checking', 'USD', '')",
        [],
    )
    .unwrap();
    let start = Instant::now();
    let tx = db.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO \"transaction\" (account_id, external_id, fingerprint, booked_date, amount, currency,
                     description, status, created_at, updated_at)
                 VALUES (1, ?1, '', ?2, ?3, 'USD', ?4, 'posted', '', '')",
            )
            .unwrap();
        let usd = tally::money::Currency::parse("USD").unwrap();
        let mut reader = csv::Reader::from_path(csv_path).unwrap();
        for (i, r) in reader.records().enumerate() {
            let r = r.unwrap();
            let amount = tally::money::parse_amount(&r[2], usd).unwrap();
            insert.execute(rusqlite::params![i as i64, &r[0], amount, &r[1]]).unwrap();
        }
    }
    tx.commit().unwrap();
    start.elapsed()
}

/// `tally import` as a user runs it, into a new account. Returns the time and the peak RSS.
fn tally_import(csv_path: &Path, dir: &Path, run: usize) -> Duration {
    let home = dir.join(format!("home-{run}"));
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(["import", csv_path.to_str().unwrap(), "--create-account", "--currency", "USD", "-q"])
        .env_clear()
        .env("TALLY_HOME", &home)
        .output()
        .unwrap();
    let took = start.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    took
}

/// The largest resident set of any child so far, in MiB (Linux reports KiB).
fn children_peak_mib() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() {
    if std::env::args().skip(1).any(|a| !a.starts_with('-') && !"import".contains(a.as_str())) {
        return;
    }
    let n = rows();
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("big.csv");
    write_csv(&csv_path, n);
    let size = std::fs::metadata(&csv_path).unwrap().len() as f64 / (1 << 20) as f64;
    println!("importing a {n}-row CSV ({size:.0} MiB), {RUNS} runs each, medians");
    let baseline = median((0..RUNS).map(|_| bulk_load(&csv_path, dir.path())).collect());
    println!("  raw SQLite bulk load: {:8.0} ms", baseline.as_secs_f64() * 1000.0);
    let import = median((0..RUNS).map(|r| tally_import(&csv_path, dir.path(), r)).collect());
    println!("  tally import:         {:8.0} ms", import.as_secs_f64() * 1000.0);
    println!(
        "  ratio: {:.2}x (target 1.5x)   peak memory of tally import: {:.0} MiB",
        import.as_secs_f64() / baseline.as_secs_f64(),
        children_peak_mib()
    );
}
