#![allow(clippy::disallowed_methods, clippy::print_stdout)] // a bench reads its arguments and prints its figures
//! Re-sync cost against history size: a database with 10k stored transactions and one with
//! 1M, the same bank, the same small delta. Work must follow the change, not the history.
//!
//! `cargo bench --bench resync` prints the median of several runs of the real binary for a
//! re-sync with no upstream change and for one new day of data, and the 1M / 10k ratios.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tally::sandbox::{self, Options, robot};

const NOW: &str = "2026-11-23T12:00:00Z";
const RUNS: usize = 9;

struct Bench {
    dir: tempfile::TempDir,
    bank: sandbox::Sandbox,
    now: chrono::DateTime<chrono::Utc>,
}

impl Bench {
    fn new() -> Bench {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let now = tally::config::parse_now(NOW).unwrap();
        let bank = sandbox::serve(listener, Options { seed: 42, scale: 1, now: Some(now) }).unwrap();
        Bench { dir: tempfile::tempdir().unwrap(), bank, now }
    }

    fn tally(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tally"));
        cmd.args(args)
            .env_clear()
            .env("TALLY_HOME", self.dir.path())
            .env("TALLY_NOW", self.now.to_rfc3339())
            .env("TALLY_SANDBOX_URL", self.bank.url())
            .env("TALLY_SECRETS", "file")
            .stdin(Stdio::null());
        cmd
    }

    fn link(&self) {
        let mut child = self
            .tally(&["link", "sandbox", "--all", "--no-browser"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let url = lines
            .by_ref()
            .map(Result::unwrap)
            .find_map(|l| l.split_whitespace().find(|w| w.contains("/authorize?")).map(str::to_string))
            .unwrap();
        let http = tally::context::http_client().unwrap();
        robot::follow(&http, &robot::consent(&http, &url, robot::Decision::Approve).unwrap()).unwrap();
        lines.for_each(drop);
        assert!(child.wait().unwrap().success());
    }

    fn sync(&self) -> Duration {
        let start = Instant::now();
        let out = self.tally(&["sync", "-q"]).output().unwrap();
        let took = start.elapsed();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        took
    }

    /// Fill the accounts with `rows` old posted transactions (a long history), in one transaction.
    fn pad_history(&self, rows: usize) {
        let mut db = rusqlite::Connection::open(self.dir.path().join("tally.db")).unwrap();
        let have: i64 = db.query_row("SELECT count(*) FROM \"transaction\"", [], |r| r.get(0)).unwrap();
        let accounts: Vec<i64> = {
            let mut stmt = db.prepare("SELECT id FROM account ORDER BY id").unwrap();
            stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        let tx = db.transaction().unwrap();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO \"transaction\" (account_id, external_id, fingerprint, booked_date, amount, currency,
                         description, status, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'USD', 'OLD HISTORY', 'posted', ?6, ?6)",
                )
                .unwrap();
            let first = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
            for i in 0..rows.saturating_sub(have as usize) {
                let day = first + chrono::Days::new((i % 8000) as u64);
                insert
                    .execute(rusqlite::params![
                        accounts[i % accounts.len()],
                        format!("old-{i}"),
                        format!("{i:016x}"),
                        day.to_string(),
                        -((i % 10_000) as i64 + 100),
                        NOW
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Medians of (no-change re-sync, one-new-day re-sync) with `rows` stored transactions.
fn measure(rows: usize) -> (Duration, Duration) {
    let b = Bench::new();
    b.link();
    b.sync();
    b.pad_history(rows);
    b.sync(); // warm the page cache once
    let unchanged = median((0..RUNS).map(|_| b.sync()).collect());
    let one_day = median(
        (0..RUNS)
            .map(|_| {
                b.bank.advance_days(1);
                b.sync()
            })
            .collect(),
    );
    (unchanged, one_day)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument naming something else skips us.
    if std::env::args().skip(1).any(|a| !a.starts_with('-') && !"resync".contains(a.as_str())) {
        return;
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("re-sync cost against stored history ({RUNS} runs each, medians of the real binary)");
    let small = measure(10_000);
    println!("  10k rows: no change {:7.1} ms   one new day {:7.1} ms", ms(small.0), ms(small.1));
    let large = measure(1_000_000);
    println!("  1M rows:  no change {:7.1} ms   one new day {:7.1} ms", ms(large.0), ms(large.1));
    println!(
        "  ratio 1M/10k: no change {:.2}x   one new day {:.2}x   (history grew 100x)",
        ms(large.0) / ms(small.0),
        ms(large.1) / ms(small.1)
    );
}
