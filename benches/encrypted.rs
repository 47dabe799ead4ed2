#![allow(clippy::disallowed_methods, clippy::print_stdout)] // a bench reads its arguments and prints its figures
//! The cost of encryption at rest: the same import, sync and report on a plain database and on
//! an encrypted one (`tally init --encrypt`), in the same run. Prints medians and the ratio.
//!
//! `cargo bench --bench encrypted` (ROWS=N sets the CSV import's size, 200k by default).

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tally::sandbox::{self, Options, robot};

const NOW: &str = "2026-11-23T12:00:00Z";
const RUNS: usize = 5;

fn tally(home: &Path, bank: &sandbox::Sandbox, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tally"));
    cmd.args(args)
        .env_clear()
        .env("TALLY_HOME", home)
        .env("TALLY_NOW", NOW)
        .env("TALLY_SANDBOX_URL", bank.url())
        .env("TALLY_SECRETS", "file")
        .stdin(Stdio::null());
    cmd
}

fn timed(mut cmd: Command) -> Duration {
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let took = start.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    took
}

fn link(home: &Path, bank: &sandbox::Sandbox) {
    let mut child = tally(home, bank, &["link", "sandbox", "--all", "--no-browser"])
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

/// Medians of (import, first sync, report) for one kind of database.
fn measure(dir: &Path, csv: &Path, encrypt: bool) -> [Duration; 3] {
    let mut import = Vec::new();
    let mut sync = Vec::new();
    let mut report = Vec::new();
    for run in 0..RUNS {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let now = tally::config::parse_now(NOW).unwrap();
        let bank = sandbox::serve(listener, Options { seed: 42, scale: 1, now: Some(now) }).unwrap();
        let home: PathBuf = dir.join(format!("{encrypt}-{run}"));
        if encrypt {
            timed(tally(&home, &bank, &["init", "--encrypt"]));
        }
        let csv = csv.to_str().unwrap();
        import.push(timed(tally(&home, &bank, &["import", csv, "--create-account", "--currency", "USD", "-q"])));
        link(&home, &bank);
        sync.push(timed(tally(&home, &bank, &["sync", "-q"])));
        report.push(timed(tally(&home, &bank, &["report", "spending", "--format", "csv"])));
    }
    [import, sync, report].map(|mut xs| {
        xs.sort();
        xs[xs.len() / 2]
    })
}

fn main() {
    if std::env::args().skip(1).any(|a| !a.starts_with('-') && !"encrypted".contains(a.as_str())) {
        return;
    }
    let rows = std::env::var("ROWS").ok().and_then(|r| r.parse().ok()).unwrap_or(200_000);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("statement.csv");
    write_csv(&csv, rows);
    let plain = measure(dir.path(), &csv, false);
    let encrypted = measure(dir.path(), &csv, true);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("plain vs encrypted database ({RUNS} runs each, medians of the real binary)");
    for (i, what) in
        [format!("import {rows} rows"), "sync (sandbox)".into(), "report spending".into()].iter().enumerate()
    {
        let (p, e) = (ms(plain[i]), ms(encrypted[i]));
        println!("  {what:18} plain {p:8.1} ms   encrypted {e:8.1} ms   ratio {:.2}", e / p);
    }
}
