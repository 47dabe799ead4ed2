//! The `tally` binary: parse the command line, run it, turn the result into an exit code.

fn main() -> std::process::ExitCode {
    let result = tally::cli::parse().and_then(tally::commands::run);
    tally::error::exit(result)
}
