//! `tally tx show ID`: one transaction in full, with its pending link and category reasons.

use anyhow::Result;
use serde::Serialize;

use crate::context::Ctx;
use crate::error::usage;
use crate::model::{CategorySource, TxStatus};
use crate::money::{Currency, format_amount};
use crate::store::transactions;

#[derive(Debug, Serialize)]
struct Detail {
    id: i64,
    account: String,
    external_id: String,
    date: String,
    value_date: Option<String>,
    amount: String,
    currency: String,
    payee: Option<String>,
    description: String,
    status: TxStatus,
    replaced_pending: Option<String>,
    link_reason: Option<String>,
    category: Option<String>,
    category_source: Option<CategorySource>,
    category_reason: Option<String>,
    provider_category: Option<String>,
    fingerprint: String,
    raw_record: Option<i64>,
}

pub fn run(ctx: &mut Ctx, id: i64) -> Result<()> {
    let Some(t) = transactions::by_id(ctx.store()?.db(), id)? else {
        return usage(format!("no transaction with id {id}"), "`tally tx list` shows ids in its first column");
    };
    let currency = Currency::parse(&t.currency)?;
    let reason = match t.category {
        Some(_) => t.category_reason,
        None => Some(uncategorized_reason(t.provider_category.as_deref())),
    };
    ctx.out.record(&Detail {
        id: t.id,
        account: t.account_name,
        external_id: t.external_id,
        date: t.booked_date.to_string(),
        value_date: t.value_date.map(|d| d.to_string()),
        amount: format_amount(t.amount, currency),
        currency: t.currency,
        payee: t.rule_payee.or(t.payee),
        description: t.description,
        status: t.status,
        replaced_pending: t.pending_external_id,
        link_reason: t.link_reason,
        category: t.category,
        category_source: t.category_source,
        category_reason: reason,
        provider_category: t.provider_category,
        fingerprint: t.fingerprint,
        raw_record: t.raw_record_id,
    })
}

/// Why a row has no category: no layer decided (the last layer, "uncategorized", explained).
fn uncategorized_reason(provider_category: Option<&str>) -> String {
    match provider_category {
        Some(code) => format!("no choice of yours, no rule, and the bank's category {code} maps to none of yours"),
        None => "no choice of yours, no rule, and no category from the bank".into(),
    }
}
