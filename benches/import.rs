#![allow(clippy::disallowed_methods, clippy::print_stdout, unsafe_code)] // a bench reads its arguments, prints its figures, asks the kernel for memory use
//! Importing a 1M-row CSV against the floor issue 14 sets: the sqlite3 shell's own bulk load
//! of the same file (`.import --csv` into a temporary table, then one `INSERT … SELECT` into a
//! table with a unique (account, id) index and a date index, in WAL mode), measured in the
//! same run. The file has 7 columns (date, account, payee, description, amount, currency,
//! bank id), ~3,000 Zipf-distributed payees and bank-style descriptions. Prints both medians,
//! their ratio (target ≤ 1.5×), `--dry-run`'s median, and the import's peak memory
//! (getrusage maxrss of the children; target < 100 MiB).
//!
//! `cargo bench --bench import` (ROWS=N to change the size; needs `sqlite3` on the PATH:
//! `apt-get install sqlite3`).

use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 3;
const PAYEES: usize = 3000;
const ACCOUNTS: [&str; 4] = ["Everyday Checking", "Joint Savings", "Travel Card", "Household"];

fn rows() -> usize {
    std::env::var("ROWS").ok().and_then(|r| r.parse().ok()).unwrap_or(1_000_000)
}

/// A small deterministic generator (xorshift), so every run writes the same file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Cumulative Zipf(1) weights over the payees: a few are most of the rows, as in real life.
fn zipf() -> Vec<f64> {
    let mut acc = 0.0;
    let mut cumulative: Vec<f64> = (1..=PAYEES)
        .map(|k| {
            acc += 1.0 / k as f64;
            acc
        })
        .collect();
    cumulative.iter_mut().for_each(|c| *c /= acc);
    cumulative
}

/// A bank-like export of `n` rows.
fn write_csv(path: &Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "Date,Account,Payee,Description,Amount,Currency,Transaction ID").unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2018, 1, 1).unwrap();
    let weights = zipf();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let kinds = ["CARD PAYMENT TO", "DIRECT DEBIT", "CONTACTLESS", "ONLINE TRANSFER", "STANDING ORDER"];
    for i in 0..n {
        let day = start + chrono::Days::new((i * 2922 / n) as u64);
        let u = rng.unit();
        let payee = weights.partition_point(|w| *w < u).min(PAYEES - 1);
        let account = ACCOUNTS[(rng.next() % 4) as usize];
        let cents = (rng.next() % 25_000) as i64 - 20_000;
        let kind = kinds[payee % kinds.len()];
        let reference = rng.next() % 1_000_000;
        writeln!(
            f,
            "{day},{account},MERCHANT {payee:04},{kind} MERCHANT {payee:04} REF {reference:06} {day},{}.{:02},USD,TX{i:09}",
            cents / 100,
            (cents % 100).abs()
        )
        .unwrap();
    }
}

/// The floor: the sqlite3 shell imports the file into a temporary table, then moves it into
/// an indexed table in one statement, in WAL mode.
fn floor(csv_path: &Path, dir: &Path) -> Duration {
    let db = dir.join("floor.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let script = format!(
        "PRAGMA journal_mode=WAL;\n\
         CREATE TABLE tx (date TEXT, account TEXT, payee TEXT, description TEXT, amount TEXT, currency TEXT, id TEXT);\n\
         CREATE UNIQUE INDEX tx_id ON tx (account, id);\n\
         CREATE INDEX tx_date ON tx (date);\n\
         .import --csv --schema temp {} staging\n\
         INSERT INTO tx SELECT * FROM temp.staging;\n",
        csv_path.display()
    );
    let start = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg(&db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("sqlite3 on the PATH");
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let status = child.wait().unwrap();
    let took = start.elapsed();
    assert!(status.success(), "sqlite3 failed");
    took
}

/// `tally import` as a user runs it, into a new account. Returns the time and the peak RSS.
fn tally_import(csv_path: &Path, dir: &Path, run: usize, dry_run: bool) -> Duration {
    let home = dir.join(format!("home-{run}-{dry_run}"));
    let mut args = vec!["import", csv_path.to_str().unwrap(), "--create-account", "--currency", "USD", "-q"];
    if dry_run {
        args.push("--dry-run");
    }
    let start = Instant::now();
    let out =
        Command::new(env!("CARGO_BIN_EXE_tally")).args(&args).env_clear().env("TALLY_HOME", &home).output().unwrap();
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
    let baseline = median((0..RUNS).map(|_| floor(&csv_path, dir.path())).collect());
    println!("  sqlite3 shell bulk load: {:8.0} ms", baseline.as_secs_f64() * 1000.0);
    let floor_mib = children_peak_mib();
    let import = median((0..RUNS).map(|r| tally_import(&csv_path, dir.path(), r, false)).collect());
    println!("  tally import:            {:8.0} ms", import.as_secs_f64() * 1000.0);
    let dry = median((0..RUNS).map(|r| tally_import(&csv_path, dir.path(), r, true)).collect());
    println!("  tally import --dry-run:  {:8.0} ms", dry.as_secs_f64() * 1000.0);
    // maxrss is the largest child so far: the shell's, until an import goes past it.
    println!(
        "  ratio: {:.2}x (target 1.5x)   peak memory: {:.0} MiB (sqlite3 shell alone: {floor_mib:.0} MiB; target < 100)",
        import.as_secs_f64() / baseline.as_secs_f64(),
        children_peak_mib()
    );
}
