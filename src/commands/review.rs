//! `tally review`: walk the rows no layer could file (and the ones the model filed with little
//! confidence) at a terminal, one fuzzy menu per row. Which rows, and what each answer does, is
//! `categorize::review`; this file is the terminal's side of it and the summary.

use anyhow::Result;

use crate::categorize::review::{self, Answer, Item, Reviewer};
use crate::context::Ctx;
use crate::error::usage;
use crate::money::{Currency, format_amount};
use crate::output::Output;

/// Walk uncategorized and doubtful rows at a terminal: accept, change, skip, or make a rule
///
/// For each row (newest first) pick: accept the suggestion, choose another category, skip,
/// or "always categorize PAYEE as …", which adds a rule and files later rows of that payee too.
/// Esc or "quit" stops; every answer given so far is kept. Rows the learned model filed below
/// `[categorize] review_below` are offered too. Needs a terminal: scripts use
/// `tally tx categorize` and `tally rules add`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// At most this many rows
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Only this account (name or id)
    #[arg(long)]
    pub account: Option<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> Result<()> {
    if !ctx.interactive() {
        return usage(
            "tally review needs a terminal to ask you about each row",
            "from a script, file rows with `tally tx categorize ID... CATEGORY` or add a rule with `tally rules add`",
        );
    }
    let today = ctx.now().date_naive();
    let review_below = ctx.config.review_below;
    let out = ctx.out.clone();
    let store = ctx.store()?;
    let account_id =
        args.account.as_deref().map(|a| super::accounts::resolve(store.db(), a)).transpose()?.map(|a| a.id);
    let items = review::queue(store.db(), account_id, args.limit, review_below)?;
    if items.is_empty() {
        out.status("Nothing to review: every row has a category you or your rules gave, or one the model is sure of.");
        return Ok(());
    }
    let outcome = review::walk(store, &items, &mut Terminal { out: &out }, today)?;
    let mut said = format!("Filed {} rows", outcome.filed);
    if outcome.by_rule > 0 {
        said.push_str(&format!(", {} more by your new rules", outcome.by_rule));
    }
    said.push_str(&format!("; skipped {}.", outcome.skipped));
    out.status(&said);
    for rule in &outcome.rules {
        out.status(&format!("Added {rule}."));
    }
    if !outcome.rules.is_empty() {
        out.hint("`tally rules apply` files the rest of your history by the new rules");
    }
    Ok(())
}

/// The terminal: the row on stderr, then a fuzzy menu (typing filters it; Esc quits).
struct Terminal<'a> {
    out: &'a Output,
}

impl Terminal<'_> {
    fn pick(&self, prompt: &str, items: &[String], default: usize) -> Result<Option<usize>> {
        Ok(dialoguer::FuzzySelect::new().with_prompt(prompt).items(items).default(default).interact_opt()?)
    }
}

impl Reviewer for Terminal<'_> {
    fn ask(&mut self, item: &Item, n: usize, of: usize, categories: &[String]) -> Result<Answer> {
        let t = &item.row;
        let amount = Currency::parse(&t.currency).map(|c| format_amount(t.amount, c)).unwrap_or_default();
        let payee = t.rule_payee.as_deref().or(t.payee.as_deref()).unwrap_or(&t.description);
        self.out
            .status(&format!("\n[{n}/{of}] {}  {amount} {}  {payee}  ({})", t.booked_date, t.currency, t.account_name));
        if payee != t.description {
            self.out.status(&format!("        {}", t.description));
        }
        let mut menu = Vec::new();
        let mut answers = Vec::new();
        if let Some(s) = &item.suggestion {
            menu.push(format!("accept {}  ({})", s.category, s.reason));
            answers.push(Some(Answer::Accept));
        }
        menu.push("change category…".to_string());
        answers.push(None);
        let who = if item.merchant.is_empty() { payee.to_string() } else { item.merchant.clone() };
        menu.push(format!("always categorize {who} as…"));
        answers.push(None);
        menu.push("skip".to_string());
        answers.push(Some(Answer::Skip));
        menu.push("quit".to_string());
        answers.push(Some(Answer::Quit));
        let Some(choice) = self.pick("This row", &menu, 0)? else { return Ok(Answer::Quit) };
        if let Some(answer) = answers[choice].clone() {
            return Ok(answer);
        }
        let always = menu[choice].starts_with("always");
        let default =
            item.suggestion.as_ref().and_then(|s| categories.iter().position(|c| *c == s.category)).unwrap_or(0);
        let Some(category) = self.pick("Category", categories, default)? else { return Ok(Answer::Skip) };
        let name = categories[category].clone();
        Ok(if always { Answer::Always(name) } else { Answer::Change(name) })
    }
}
