//! `tally import`: bank statement files into accounts, through the same reconciler as sync.
//! Each file is all or nothing; one bad file never stops the others.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;

use crate::context::Ctx;
use crate::error::UserError;
use crate::import::profile::DateOrder;
use crate::import::run::{self, Routes, Target, Targets};
use crate::import::{self, AccountHint, Format, ImportError, Importer, Input, Options, ProfileChoice};
use crate::money::Currency;

/// Import bank statement files (OFX/QFX, CSV, QIF, CAMT, zips of CAMT)
///
/// The format is detected from the content. OFX and CAMT files name their accounts (CAMT by
/// IBAN, so a synced account is found), and QIF files may; CSV files go into --account. An
/// account tally does not know is created only after asking, or with --create-account. Rows already known — from an earlier import, an overlapping statement, or a
/// sync of the same account — are matched, not added again. A file with any error imports
/// nothing and says where the error is.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Statement files; `-` reads one from stdin (pipes and FIFOs work too)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The account the rows belong to (name or id), overriding any the file names; with
    /// --create-account, a name tally does not know is created
    #[arg(long)]
    pub account: Option<String>,
    /// The file format (`--format` is the global table|csv|json flag, for the summary)
    #[arg(long = "file-format", value_enum, default_value_t = Format::Auto, value_name = "FORMAT")]
    pub file_format: Format,
    /// Show what would be imported (new, matched, unchanged) and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Create the account a file names when tally does not know it (a terminal asks instead)
    #[arg(long)]
    pub create_account: bool,
    /// A CSV profile: built in (us-checking, de-giro) or profiles/NAME.toml beside the config
    #[arg(long)]
    pub profile: Option<String>,
    /// For CSV dates like 03/04/2026: day first or month first
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrder>,
    /// The currency of new accounts and of files that name none (QIF, most CSV)
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Show what tally detects in a CSV file and print a profile to save, instead of importing
    #[arg(long)]
    pub inspect: bool,
}

#[derive(Debug, Serialize, Default)]
struct FileRow {
    file: String,
    account: Option<String>,
    new: u64,
    /// New rows that got a category as they landed.
    categorized: u64,
    matched: u64,
    unchanged: u64,
    status: &'static str,
    error: Option<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    if args.inspect {
        return inspect(ctx, &args);
    }
    let mark = super::alerts::mark(ctx);
    let mut rows = Vec::new();
    for path in &args.files {
        match import_file(ctx, path, &args) {
            Ok(mut done) => rows.append(&mut done),
            Err(e) => {
                ctx.out.warn(&format!("{e:#}"));
                if let Some(hint) = crate::error::user_error(&e).and_then(|u| u.hint.as_deref()) {
                    ctx.out.hint(hint);
                }
                rows.push(FileRow {
                    file: import::input::name_of(path),
                    account: None,
                    new: 0,
                    categorized: 0,
                    matched: 0,
                    unchanged: 0,
                    status: "failed",
                    error: Some(format!("{e:#}")),
                });
            }
        }
    }
    // The summary is status for people, which -q silences (the errors above still show); as
    // JSON or CSV it is the data a script asked for, and is printed with -q too.
    if !(ctx.out.quiet() && ctx.out.format() == crate::output::Format::Table) {
        ctx.out.rows(&rows)?;
    }
    super::alerts::after_run(ctx, mark);
    let failed = rows.iter().filter(|r| r.status == "failed").count();
    if failed > 0 {
        return Err(UserError::failure(format!(
            "{failed} of {} files failed; nothing from them was imported",
            args.files.len()
        ))
        .into());
    }
    Ok(())
}

/// What opening a file needs from the command line (and the profiles directory).
fn options(ctx: &Ctx, args: &Args) -> Result<Options> {
    let profile = args.profile.clone().map(|name| ProfileChoice::Named { name, dir: profiles_dir(ctx) });
    let currency = args.currency.as_deref().map(Currency::parse).transpose()?;
    Ok(Options { date_order: args.date_order, profile, currency })
}

fn profiles_dir(ctx: &Ctx) -> PathBuf {
    ctx.config.config_path.parent().unwrap_or(Path::new(".")).join("profiles")
}

/// Open the file; at a terminal, ask which way round its dates are when it cannot tell.
fn open(ctx: &Ctx, args: &Args, input: &mut Input) -> Result<Box<dyn Importer>> {
    let mut options = options(ctx, args)?;
    match import::open(input, args.file_format, &options) {
        Err(e) if args.date_order.is_none() && ctx.interactive() => match ImportError::of(&e) {
            Some(ImportError::AmbiguousDates { candidates, .. }) => {
                options.date_order = Some(ask_date_order(&e, *candidates)?);
                import::open(input, args.file_format, &options)
            }
            None => Err(e),
        },
        other => other,
    }
}

fn ask_date_order(e: &anyhow::Error, candidates: [DateOrder; 2]) -> Result<DateOrder> {
    let items = candidates.map(|o| match o {
        DateOrder::Dmy => "day first (03/04 is the 3rd of April)",
        DateOrder::Mdy => "month first (03/04 is March 4th)",
    });
    let choice =
        dialoguer::Select::new().with_prompt(format!("{e}. Which is it?")).items(items).default(0).interact()?;
    Ok(candidates[choice])
}

fn inspect(ctx: &mut Ctx, args: &Args) -> Result<()> {
    for path in &args.files {
        let mut input = Input::open(path)?;
        let name = input.name().to_string();
        if import::archive::is_zip(input.head()) {
            let zip = import::open(&mut input, args.file_format, &options(ctx, args)?)?;
            let n = zip.statements().len();
            ctx.out.status(&format!("{name}: a zip of {} files ({n} statements); it imports as it is", zip.name()));
            continue;
        }
        match import::format_of(&input, args.file_format)? {
            format @ (Format::Camt | Format::Qif | Format::Tally) => {
                ctx.out.status(&format!("{name}: {format:?}; it imports as it is, no profile needed"));
            }
            Format::Csv | Format::Auto => {
                let options = Options { date_order: args.date_order, ..Options::default() };
                let mut detected = import::csv_profile(&input, &options)?;
                // A profile that imports the file as it is: with the currency, if one was named.
                if let Some(code) = &args.currency {
                    detected.profile.currency = Some(Currency::parse(code)?.code().to_string());
                }
                ctx.out.status(&format!("{name}: CSV"));
                for note in &detected.notes {
                    ctx.out.status(&format!("  {note}"));
                }
                let dir = profiles_dir(ctx);
                ctx.out.status(&format!("  save this as {}/NAME.toml and use --profile NAME:", dir.display()));
                ctx.out.line(toml::to_string(&detected.profile)?.trim_end())?;
                if detected.profile.currency.is_none() && detected.profile.currency_column.is_none() {
                    ctx.out
                        .line("# currency = \"EUR\"  (the file names none: set it, or import with --currency CODE)")?;
                }
            }
            Format::Ofx => {
                let mut ofx = import::open(&mut input, Format::Ofx, &Options::default())?;
                for (i, (hint, _)) in ofx.statements().into_iter().enumerate() {
                    let n = ofx.rows(i, hint.currency.unwrap_or(Currency::parse("USD")?))?.count();
                    ctx.out.status(&format!(
                        "{name}: OFX statement for {} ({n} transactions)",
                        hint.identity.as_deref().unwrap_or("?")
                    ));
                }
            }
        }
    }
    Ok(())
}

/// `--account`, else the account the file names, else a new account (only with
/// --create-account or a yes at the terminal).
fn target_for(ctx: &mut Ctx, args: &Args, input: &Input, hint: &AccountHint) -> Result<Target> {
    let db = ctx.store_or_create()?.db();
    if let Some(key) = &args.account {
        if args.create_account && is_new_name(db, key)? {
            // The name is the user's; the file's identity goes with it unless an account has it.
            let identity = if Target::known(db, hint)?.is_some() { None } else { hint.identity.clone() };
            let named = AccountHint { name: Some(key.clone()), identity, ..hint.clone() };
            let currency = args.currency.as_deref().map(Currency::parse).transpose()?;
            return Target::new_account(input.name(), input.stem(), &named, currency);
        }
        return super::accounts::resolve(db, key).map(|a| Target::Existing(Box::new(a)));
    }
    if let Some(known) = Target::known(db, hint)? {
        return Ok(known);
    }
    let file = input.name();
    let name = run::default_name(input.stem(), hint);
    let what = hint.identity.as_deref().map_or(String::new(), |i| format!(" ({i})"));
    let create = args.create_account
        || (ctx.interactive()
            && dialoguer::Confirm::new()
                .with_prompt(format!("{file} is for an account tally does not know{what}. Create \"{name}\"?"))
                .interact()?);
    if !create {
        return Err(UserError::usage(format!("{file}: no account for this statement{what}"))
            .hint("import into an existing account with --account NAME, or add it with --create-account")
            .into());
    }
    Target::new_account(file, input.stem(), hint, args.currency.as_deref().map(Currency::parse).transpose()?)
}

/// `key` names no account (by name or id) and is not a number (an id that is not there is a
/// mistake, not a name).
fn is_new_name(db: &crate::store::Db, key: &str) -> Result<bool> {
    let numeric = key.parse::<i64>().is_ok();
    let taken = crate::store::accounts::list(db)?
        .iter()
        .any(|a| a.name.eq_ignore_ascii_case(key) || (numeric && key.parse() == Ok(a.id)));
    Ok(!taken && !numeric && !key.trim().is_empty())
}

fn import_file(ctx: &mut Ctx, path: &Path, args: &Args) -> Result<Vec<FileRow>> {
    let mut input = Input::open(path)?;
    let mut importer = open(ctx, args, &mut input)?;
    for w in importer.warnings() {
        ctx.out.warn(&w);
    }
    let file = input.name().to_string();
    let statements = importer.statements();
    if statements.is_empty() {
        // A header and no rows is a statement of nothing, not an error.
        ctx.out.status(&format!("{file} has no rows: nothing to import"));
        let row = FileRow {
            file,
            account: None,
            new: 0,
            categorized: 0,
            matched: 0,
            unchanged: 0,
            status: "no rows",
            error: None,
        };
        return Ok(vec![row]);
    }
    let targets = match (&args.account, importer.routed_by()) {
        // Rows that name their account go to it, unless --account says where all of them go.
        (None, Some(column)) => Targets::ByName(Routes { column, create: args.create_account }),
        (Some(account), Some(column)) => {
            ctx.out.warn(&format!(
                "{file}: every row goes into {account:?} (--account); the {column:?} column naming each row's account is not used"
            ));
            Targets::Each(vec![target_for(ctx, args, &input, &statements[0].0)?; statements.len()])
        }
        // One account for every statement: decided (and created, if it is new) once.
        (Some(_), None) => Targets::Each(vec![target_for(ctx, args, &input, &statements[0].0)?; statements.len()]),
        (None, None) => Targets::Each(
            statements.iter().map(|(hint, _)| target_for(ctx, args, &input, hint)).collect::<Result<_>>()?,
        ),
    };
    let now = ctx.now();
    let transfers = ctx.config.transfers;
    let store = ctx.store_or_create()?;
    let counts = run::apply(store, &file, importer.as_mut(), &targets, args.dry_run, &transfers, now)?;
    for note in counts.iter().flat_map(|c| &c.notes) {
        ctx.out.warn(note);
    }
    Ok(counts
        .into_iter()
        .map(|c| FileRow {
            file: file.clone(),
            account: Some(c.account),
            new: c.new,
            categorized: c.categorized,
            matched: c.matched,
            unchanged: c.unchanged,
            status: if args.dry_run { "dry run" } else { "imported" },
            error: None,
        })
        .collect())
}
