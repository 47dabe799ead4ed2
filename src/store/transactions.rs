//! The `transaction` table: reconciled rows and their listing filters. Which category decision
//! wins is `CategorySource::may_replace`'s call, not this SQL's; aggregate queries for reports
//! live in `reports.rs`.

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Row, params, params_from_iter, types::Value};
use sha2::{Digest, Sha256};

use super::{Db, parse_date, ts};
use crate::model::{CategorySource, NewTransaction, TxStatus};

/// A stored row, as the reconciler and `tx show` see it.
#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub external_id: String,
    pub fingerprint: String,
    pub booked_date: NaiveDate,
    pub value_date: Option<NaiveDate>,
    pub amount: i64,
    pub currency: String,
    /// The bank's payee (what a sync compares); a rule's rename is shown instead.
    pub payee: Option<String>,
    /// The payee a rule gave the row (`rules apply`), shown instead of the bank's.
    pub rule_payee: Option<String>,
    pub description: String,
    pub status: TxStatus,
    pub pending_external_id: Option<String>,
    pub link_reason: Option<String>,
    pub provider_category: Option<String>,
    pub category: Option<String>,
    pub category_source: Option<CategorySource>,
    pub category_reason: Option<String>,
    pub raw_record_id: Option<i64>,
    pub category_id: Option<i64>,
}

impl Transaction {
    /// The row as its source stated it, for the categorizer's layers.
    pub fn as_stated(&self) -> Result<NewTransaction> {
        Ok(NewTransaction {
            external_id: self.external_id.clone(),
            pending_external_id: self.pending_external_id.clone(),
            booked_date: self.booked_date,
            value_date: self.value_date,
            amount: self.amount,
            currency: crate::money::Currency::parse(&self.currency)?,
            payee: self.payee.clone(),
            description: self.description.clone(),
            pending: self.status == TxStatus::Pending,
            provider_category: self.provider_category.clone(),
        })
    }
}

/// A category decision to store with a row.
#[derive(Debug, Clone)]
pub struct Categorized {
    pub category_id: i64,
    pub source: CategorySource,
    pub reason: String,
}

/// The columns `from_row` reads, and the tables they come from.
macro_rules! columns {
    () => {
        "t.id, t.account_id, a.name, t.external_id, t.fingerprint, t.booked_date, t.value_date,
        t.amount, t.currency, t.payee, t.description, t.status, t.pending_external_id, t.link_reason,
        t.provider_category, c.full_name, t.category_source, t.category_reason, t.raw_record_id, t.category_id,
        t.rule_payee"
    };
}
macro_rules! tables {
    () => {
        "FROM \"transaction\" t
    JOIN account a ON a.id = t.account_id
    LEFT JOIN category c ON c.id = t.category_id"
    };
}
const SELECT: &str = concat!("SELECT ", columns!(), "\n    ", tables!());
/// How many columns `columns!()` names: a query that selects more reads them from here on.
const COLUMNS: usize = 21;

fn from_row(r: &Row<'_>) -> rusqlite::Result<Transaction> {
    Ok(Transaction {
        id: r.get(0)?,
        account_id: r.get(1)?,
        account_name: r.get(2)?,
        external_id: r.get(3)?,
        fingerprint: r.get(4)?,
        booked_date: parse_date(&r.get::<_, String>(5)?)?,
        value_date: r.get::<_, Option<String>>(6)?.as_deref().map(parse_date).transpose()?,
        amount: r.get(7)?,
        currency: r.get(8)?,
        payee: r.get(9)?,
        description: r.get(10)?,
        status: r.get(11)?,
        pending_external_id: r.get(12)?,
        link_reason: r.get(13)?,
        provider_category: r.get(14)?,
        category: r.get(15)?,
        category_source: r.get(16)?,
        category_reason: r.get(17)?,
        raw_record_id: r.get(18)?,
        category_id: r.get(19)?,
        rule_payee: r.get(20)?,
    })
}

/// Date, amount and normalized description: what identifies a row when ids cannot.
pub fn fingerprint(t: &NewTransaction) -> String {
    let description: String = t.description.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    let key = format!("{}|{}|{}|{}", t.booked_date, t.amount, t.currency, description);
    format!("{:x}", Sha256::digest(key.as_bytes()))[..16].to_string()
}

pub fn status_of(t: &NewTransaction) -> TxStatus {
    if t.pending { TxStatus::Pending } else { TxStatus::Posted }
}

pub fn by_external_id(db: &Db, account_id: i64, external_id: &str) -> Result<Option<Transaction>> {
    let sql = format!("{SELECT} WHERE t.account_id = ?1 AND t.external_id = ?2");
    Ok(db.prepare_cached(&sql)?.query_row(params![account_id, external_id], from_row).optional()?)
}

/// The row that took over the pending row `pending_external_id` (its posted row), if any.
pub fn replacing(db: &Db, account_id: i64, pending_external_id: &str) -> Result<Option<Transaction>> {
    let sql = format!("{SELECT} WHERE t.account_id = ?1 AND t.pending_external_id = ?2 LIMIT 1");
    Ok(db.prepare_cached(&sql)?.query_row(params![account_id, pending_external_id], from_row).optional()?)
}

pub fn by_id(db: &Db, id: i64) -> Result<Option<Transaction>> {
    Ok(db.query_row(&format!("{SELECT} WHERE t.id = ?1"), [id], from_row).optional()?)
}

pub fn insert(
    db: &Db,
    account_id: i64,
    t: &NewTransaction,
    category: Option<&Categorized>,
    raw_record_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    db.prepare_cached(
        "INSERT INTO \"transaction\" (account_id, external_id, fingerprint, booked_date, value_date, amount,
             currency, payee, description, status, provider_category, category_id, category_source,
             category_reason, raw_record_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
    )?
    .execute(params![
        account_id,
        t.external_id,
        fingerprint(t),
        t.booked_date.to_string(),
        t.value_date.map(|d| d.to_string()),
        t.amount,
        t.currency.code(),
        t.payee,
        t.description,
        status_of(t),
        t.provider_category,
        category.map(|c| c.category_id),
        category.map(|c| c.source),
        category.map(|c| c.reason.as_str()),
        raw_record_id,
        ts(now),
    ])?;
    Ok(db.last_insert_rowid())
}

/// How many rows [`insert_many`] puts in one statement: an import's whole block of 1,000
/// (17 parameters each: 17,000, under SQLite's limit of 32,766).
const CHUNK: usize = 1000;

/// Insert new rows of one account, several per statement; each row's id, or `None` where a
/// row with its external id exists already (the caller decides what that row becomes).
///
/// One statement per chunk rather than per row is what makes a long import fast: each
/// statement that fires triggers opens a statement journal (the first change to each page
/// copies it) and makes the search index flush its pending terms, so per-row statements pay
/// that per row. The rows land in order, as one `insert` each would.
pub fn insert_many(
    db: &Db,
    account_id: i64,
    rows: &[(&NewTransaction, Option<&Categorized>)],
    raw_record_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Vec<Option<i64>>> {
    let now = ts(now);
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let mut stmt = db.prepare_cached(&insert_sql(chunk.len()))?;
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 17);
        for (t, category) in chunk {
            values.extend([
                Value::Integer(account_id),
                Value::Text(t.external_id.clone()),
                Value::Text(fingerprint(t)),
                Value::Text(t.booked_date.to_string()),
                t.value_date.map_or(Value::Null, |d| Value::Text(d.to_string())),
                Value::Integer(t.amount),
                Value::Text(t.currency.code().to_string()),
                t.payee.clone().map_or(Value::Null, Value::Text),
                Value::Text(t.description.clone()),
                Value::Text(status_of(t).as_str().to_string()),
                t.provider_category.clone().map_or(Value::Null, Value::Text),
                category.map_or(Value::Null, |c| Value::Integer(c.category_id)),
                category.map_or(Value::Null, |c| Value::Text(c.source.as_str().to_string())),
                category.map_or(Value::Null, |c| Value::Text(c.reason.clone())),
                raw_record_id.map_or(Value::Null, Value::Integer),
                Value::Text(now.clone()),
                Value::Text(now.clone()),
            ]);
        }
        let mut landed: std::collections::HashMap<String, i64> = std::collections::HashMap::with_capacity(chunk.len());
        let mut returned = stmt.query(params_from_iter(values))?;
        while let Some(r) = returned.next()? {
            landed.insert(r.get(1)?, r.get(0)?);
        }
        // Within a chunk the first row of an id is the one inserted; a later one conflicts.
        out.extend(chunk.iter().map(|(t, _)| landed.remove(&t.external_id)));
    }
    Ok(out)
}

/// `INSERT … VALUES (…), (…) … ON CONFLICT DO NOTHING RETURNING id, external_id` for `n` rows.
fn insert_sql(n: usize) -> String {
    let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    let rows = vec![row; n].join(", ");
    format!(
        "INSERT INTO \"transaction\" (account_id, external_id, fingerprint, booked_date, value_date, amount,
             currency, payee, description, status, provider_category, category_id, category_source,
             category_reason, raw_record_id, created_at, updated_at)
         VALUES {rows} ON CONFLICT DO NOTHING RETURNING id, external_id"
    )
}

/// Overwrite a row's upstream fields in place. The category changes only when `category` may
/// replace the stored decision (a user's choice stays whatever the provider says).
pub fn update(
    db: &Db,
    id: i64,
    t: &NewTransaction,
    category: Option<&Categorized>,
    raw_record_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    db.execute(
        "UPDATE \"transaction\" SET external_id = ?2, fingerprint = ?3, booked_date = ?4, value_date = ?5,
             amount = ?6, currency = ?7, payee = ?8, description = ?9, status = ?10, provider_category = ?11,
             raw_record_id = coalesce(?12, raw_record_id), updated_at = ?13
         WHERE id = ?1",
        params![
            id,
            t.external_id,
            fingerprint(t),
            t.booked_date.to_string(),
            t.value_date.map(|d| d.to_string()),
            t.amount,
            t.currency.code(),
            t.payee,
            t.description,
            status_of(t),
            t.provider_category,
            raw_record_id,
            ts(now),
        ],
    )?;
    if let Some(c) = category {
        let stored: Option<CategorySource> = db
            .prepare_cached("SELECT category_source FROM \"transaction\" WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        if c.source.may_replace(stored) {
            set_category(db, id, c)?;
        }
    }
    Ok(())
}

/// Store a category decision on a row, replacing whatever was there: callers decide precedence.
pub fn set_category(db: &Db, id: i64, c: &Categorized) -> Result<()> {
    db.prepare_cached(
        "UPDATE \"transaction\" SET category_id = ?2, category_source = ?3, category_reason = ?4 WHERE id = ?1",
    )?
    .execute(params![id, c.category_id, c.source, c.reason])?;
    Ok(())
}

/// Forget a row's category decision: no layer decides it any more.
pub fn clear_category(db: &Db, id: i64) -> Result<()> {
    db.prepare_cached(
        "UPDATE \"transaction\" SET category_id = NULL, category_source = NULL, category_reason = NULL WHERE id = ?1",
    )?
    .execute([id])?;
    Ok(())
}

/// Live rows without a choice of the user's, each with the source its data came from (its
/// raw record's provider, `import:csv` for a file, else its connection's provider kind), oldest
/// first: what `tally categorize` runs the layers over again.
pub fn without_users_choice(db: &Db) -> Result<Vec<(Transaction, String)>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        ", coalesce(r.provider, cn.provider, '') ",
        tables!(),
        " LEFT JOIN raw_record r ON r.id = t.raw_record_id
          LEFT JOIN connection cn ON cn.id = a.connection_id
          WHERE t.status != 'removed' AND coalesce(t.category_source, '') != 'user'
          ORDER BY t.booked_date, t.id"
    );
    let mut stmt = db.prepare(sql)?;
    let rows = stmt.query_map([], |r| Ok((from_row(r)?, r.get(COLUMNS)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Record that a posted row replaced a pending one, and why they were linked.
pub fn set_pending_link(db: &Db, id: i64, pending_external_id: &str, reason: &str) -> Result<()> {
    db.execute(
        "UPDATE \"transaction\" SET pending_external_id = ?2, link_reason = ?3 WHERE id = ?1",
        params![id, pending_external_id, reason],
    )?;
    Ok(())
}

pub fn mark_removed(db: &Db, id: i64, now: DateTime<Utc>) -> Result<()> {
    db.execute(
        "UPDATE \"transaction\" SET status = ?3, updated_at = ?2 WHERE id = ?1",
        params![id, ts(now), TxStatus::Removed],
    )?;
    Ok(())
}

/// Filters of `tx list` and the reports. `None` means "any".
#[derive(Debug, Default, Clone)]
pub struct TxFilter {
    pub account_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub search: Option<String>,
    /// A category and everything under it (`Food` matches `Food:Groceries`).
    pub category: Option<String>,
    pub limit: Option<u64>,
}

impl TxFilter {
    /// The WHERE clause (removed rows excluded) and its parameters, for the tables `t`
    /// (transaction), `a` (account) and `c` (category).
    pub(super) fn clause(&self) -> (String, Vec<Value>) {
        self.clause_with(Fts::Drive)
    }

    /// The search text as a trigram-index query: three characters or more, as one quoted
    /// phrase (the index finds the same substrings, case-insensitively, without reading every
    /// row). `None` for no search or a shorter one (a LIKE scan finds those).
    pub(super) fn fts_query(&self) -> Option<String> {
        let search = self.search.as_ref().filter(|s| s.chars().count() >= 3)?;
        Some(format!("\"{}\"", search.replace('"', "\"\"")))
    }

    /// [`TxFilter::clause`], with the trigram search (if any) written the way `fts` says.
    pub(super) fn clause_with(&self, fts: Fts) -> (String, Vec<Value>) {
        let mut sql = String::from(" WHERE t.status != 'removed'");
        let mut args: Vec<Value> = Vec::new();
        // Every `?` in `cond` names the one value it comes with.
        let mut add = |cond: &str, value: Value| {
            args.push(value);
            sql.push_str(&cond.replace('?', &format!("?{}", args.len())));
        };
        if let Some(id) = self.account_id {
            add(" AND t.account_id = ?", Value::Integer(id));
        }
        if let Some(from) = self.from {
            add(" AND t.booked_date >= ?", Value::Text(from.to_string()));
        }
        if let Some(to) = self.to {
            add(" AND t.booked_date <= ?", Value::Text(to.to_string()));
        }
        if let Some(query) = self.fts_query() {
            if let Fts::Probe { date, id } = &fts {
                // Exact bounds on where the listed rows are (`store::search::plan` says why).
                add(" AND t.booked_date >= ?", Value::Text(date.clone()));
                add(
                    &format!(" AND +t.id IN (SELECT rowid FROM tx_search WHERE tx_search MATCH ? AND rowid >= {id})"),
                    Value::Text(query),
                );
            } else {
                add(fts.condition(), Value::Text(query));
            }
        } else if let Some(search) = &self.search {
            let pattern = format!("%{}%", search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            add(
                " AND (coalesce(t.payee, '') LIKE ? ESCAPE '\\' OR t.description LIKE ? ESCAPE '\\'
                   OR coalesce(t.rule_payee, '') LIKE ? ESCAPE '\\')",
                Value::Text(pattern),
            );
        }
        if let Some(category) = &self.category {
            add(" AND (c.full_name = ? COLLATE NOCASE OR c.full_name LIKE ? || ':%')", Value::Text(category.clone()));
        }
        (sql, args)
    }
}

/// How a trigram search joins the listing (see `store::search` for when each is used).
#[derive(Debug, Clone)]
pub(super) enum Fts {
    /// SQLite reads every match and looks its row up: cheap when few rows match.
    Drive,
    /// The matches become a set that a walk along the date index checks, newest first, until
    /// the limit: cheap when many rows match. The unary `+` keeps SQLite from driving by them.
    /// Every listed row is booked on or after `date` and has an id of at least `id`.
    Probe { date: String, id: i64 },
    /// The caller puts `tx_search s` first in its FROM and joins `t` on `t.id = s.rowid`.
    Joined,
}

impl Fts {
    fn condition(&self) -> &'static str {
        match self {
            Fts::Joined => " AND s.tx_search MATCH ?",
            _ => " AND t.id IN (SELECT rowid FROM tx_search WHERE tx_search MATCH ?)",
        }
    }
}

/// Rows for `tx list`, newest first.
pub fn list(db: &Db, filter: &TxFilter) -> Result<Vec<Transaction>> {
    let (clause, args) = filter.clause_with(super::search::plan(db, filter)?);
    let mut sql = format!("{SELECT}{clause} ORDER BY t.booked_date DESC, t.id DESC");
    if let Some(limit) = filter.limit {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    let mut stmt = db.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// How many rows `list` would return without its limit.
pub fn count(db: &Db, filter: &TxFilter) -> Result<u64> {
    let (clause, args) = filter.clause();
    let sql = format!(
        "SELECT count(*) FROM \"transaction\" t JOIN account a ON a.id = t.account_id
         LEFT JOIN category c ON c.id = t.category_id{clause}"
    );
    let n: i64 = db.query_row(&sql, params_from_iter(args), |r| r.get(0))?;
    Ok(n as u64)
}

/// How many of the rows `ids` have a category, per account (a sync's summary).
pub fn categorized_by_account(db: &Db, ids: &[i64]) -> Result<Vec<(i64, u64)>> {
    let mut per_account: std::collections::HashMap<i64, u64> = Default::default();
    let mut stmt =
        db.prepare_cached("SELECT account_id FROM \"transaction\" WHERE id = ?1 AND category_id IS NOT NULL")?;
    for id in ids {
        if let Some(account_id) = stmt.query_row([id], |r| r.get::<_, i64>(0)).optional()? {
            *per_account.entry(account_id).or_default() += 1;
        }
    }
    Ok(per_account.into_iter().collect())
}

/// How many live rows of an account have a category (a replay's summary: every row is new).
pub fn categorized_in_account(db: &Db, account_id: i64) -> Result<u64> {
    let n: i64 = db.query_row(
        "SELECT count(*) FROM \"transaction\" WHERE account_id = ?1 AND category_id IS NOT NULL AND status != 'removed'",
        [account_id],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Counts by status, for tests and summaries.
pub fn count_by_status(db: &Db, status: TxStatus) -> Result<i64> {
    Ok(db.query_row("SELECT count(*) FROM \"transaction\" WHERE status = ?1", [status], |r| r.get(0))?)
}

/// Live rows of an account booked on or after `from`: (row id, external id).
pub fn live_since(db: &Db, account_id: i64, from: NaiveDate) -> Result<Vec<(i64, String)>> {
    let mut stmt = db.prepare(
        "SELECT id, external_id FROM \"transaction\" WHERE account_id = ?1 AND booked_date >= ?2 AND status != 'removed'",
    )?;
    let rows = stmt
        .query_map(params![account_id, from.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Pending rows of an account booked between two dates (inclusive), oldest first.
pub fn pending_between(db: &Db, account_id: i64, from: NaiveDate, to: NaiveDate) -> Result<Vec<Transaction>> {
    let sql = format!(
        "{SELECT} WHERE t.account_id = ?1 AND t.status = 'pending' AND t.booked_date BETWEEN ?2 AND ?3
         ORDER BY t.booked_date, t.id"
    );
    let mut stmt = db.prepare(&sql)?;
    let rows = stmt
        .query_map(params![account_id, from.to_string(), to.to_string()], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Mark pending rows booked before `before` as removed, saying why. Returns how many.
pub fn expire_pending(db: &Db, account_id: i64, before: NaiveDate, reason: &str, now: DateTime<Utc>) -> Result<usize> {
    Ok(db.execute(
        "UPDATE \"transaction\" SET status = 'removed', link_reason = ?3, updated_at = ?4
         WHERE account_id = ?1 AND status = 'pending' AND booked_date < ?2",
        params![account_id, before.to_string(), reason, ts(now)],
    )?)
}

/// What the user (or their rules) said about a row, which a replay must not lose.
#[derive(Debug, Clone)]
pub struct UserFields {
    pub external_id: String,
    /// Set only for the user's own word (`CategorySource::is_users_word`).
    pub category_id: Option<i64>,
    pub category_source: Option<CategorySource>,
    pub category_reason: Option<String>,
    pub notes: Option<String>,
    pub tags: String,
}

pub fn user_fields(db: &Db, account_id: i64) -> Result<Vec<UserFields>> {
    let mut stmt = db.prepare(
        "SELECT external_id, category_id, category_source, category_reason, notes, tags FROM \"transaction\"
         WHERE account_id = ?1 AND (category_source IS NOT NULL OR notes IS NOT NULL OR tags != '')",
    )?;
    let rows = stmt.query_map([account_id], |r| {
        Ok(UserFields {
            external_id: r.get(0)?,
            category_id: r.get(1)?,
            category_source: r.get(2)?,
            category_reason: r.get(3)?,
            notes: r.get(4)?,
            tags: r.get(5)?,
        })
    })?;
    let mut kept = Vec::new();
    for row in rows {
        let mut f = row?;
        // A decision the categorizer makes again from the data is not kept: a rebuild re-derives it.
        if !f.category_source.is_some_and(CategorySource::is_users_word) {
            (f.category_id, f.category_source, f.category_reason) = (None, None, None);
        }
        if f.category_source.is_some() || f.notes.is_some() || !f.tags.is_empty() {
            kept.push(f);
        }
    }
    Ok(kept)
}

pub fn restore_user_fields(db: &Db, account_id: i64, f: &UserFields) -> Result<()> {
    db.execute(
        "UPDATE \"transaction\" SET notes = ?3, tags = ?4 WHERE account_id = ?1 AND external_id = ?2",
        params![account_id, f.external_id, f.notes, f.tags],
    )?;
    if let Some(source) = f.category_source {
        db.execute(
            "UPDATE \"transaction\" SET category_id = ?3, category_source = ?4, category_reason = ?5
             WHERE account_id = ?1 AND external_id = ?2",
            params![account_id, f.external_id, f.category_id, source, f.category_reason],
        )?;
    }
    Ok(())
}

/// Delete an account's rows (before a replay rebuilds them).
pub fn delete_for_account(db: &Db, account_id: i64) -> Result<()> {
    db.execute(
        "UPDATE \"transaction\" SET transfer_id = NULL
         WHERE transfer_id IN (SELECT id FROM \"transaction\" WHERE account_id = ?1)",
        [account_id],
    )?;
    db.execute("DELETE FROM \"transaction\" WHERE account_id = ?1", [account_id])?;
    Ok(())
}

/// Live rows of an account with this exact amount booked within `days` of `date`, closest
/// first: the rows an imported row may be the same purchase as.
pub fn near(db: &Db, account_id: i64, amount: i64, date: NaiveDate, days: u64) -> Result<Vec<Transaction>> {
    let sql = format!(
        "{SELECT} WHERE t.account_id = ?1 AND t.amount = ?2 AND t.booked_date BETWEEN ?3 AND ?4 AND t.status != 'removed'
         ORDER BY abs(julianday(t.booked_date) - julianday(?5)), t.id"
    );
    let (from, to) = (date - chrono::Days::new(days), date + chrono::Days::new(days));
    let mut stmt = db.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params![account_id, amount, from.to_string(), to.to_string(), date.to_string()], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::store::{Store, accounts, categories};

    fn setup() -> (Store, i64) {
        let store = Store::in_memory().unwrap();
        let a = accounts::NewAccount {
            connection_id: None,
            external_id: "a",
            identity: None,
            name: "A",
            official_name: None,
            kind: "checking",
            currency: "USD",
            mask: None,
            tracked: true,
        };
        let id = accounts::insert(store.db(), &a, Utc::now()).unwrap();
        (store, id)
    }

    #[test]
    fn insert_many_lands_every_row_once_across_statements_in_order() {
        let (store, a) = setup();
        let now = Utc::now();
        let mut rows: Vec<NewTransaction> = (0..CHUNK * 2 + 7)
            .map(|i| NewTransaction { external_id: format!("r{i}"), ..row(-(i as i64) - 1) })
            .collect();
        rows.push(NewTransaction { external_id: "r3".into(), ..row(-5) });
        let batch: Vec<_> = rows.iter().map(|t| (t, None)).collect();
        let ids = insert_many(store.db(), a, &batch, None, now).unwrap();
        assert_eq!(ids.len(), rows.len());
        assert!(ids.last().unwrap().is_none(), "a repeated id is left to the caller");
        let landed: Vec<i64> = ids.iter().flatten().copied().collect();
        assert!(landed.windows(2).all(|w| w[0] < w[1]), "in order");
        assert_eq!(landed.len(), CHUNK * 2 + 7);
        let stored = by_external_id(store.db(), a, &format!("r{}", CHUNK + 1)).unwrap().unwrap();
        assert_eq!((stored.id, stored.amount), (ids[CHUNK + 1].unwrap(), -(CHUNK as i64) - 2));
    }

    fn row(amount: i64) -> NewTransaction {
        NewTransaction {
            external_id: "x".into(),
            pending_external_id: None,
            booked_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            value_date: None,
            amount,
            currency: Currency::parse("USD").unwrap(),
            payee: None,
            description: "BLUE BOTTLE".into(),
            pending: false,
            provider_category: None,
        }
    }

    fn decision(db: &Db, name: &str, source: CategorySource) -> Categorized {
        Categorized { category_id: categories::id_by_name(db, name).unwrap().unwrap(), source, reason: name.into() }
    }

    fn category(db: &Db, id: i64) -> (Option<String>, Option<CategorySource>) {
        let t = by_id(db, id).unwrap().unwrap();
        (t.category, t.category_source)
    }

    #[test]
    fn an_update_keeps_a_stronger_decision_and_takes_an_equal_or_stronger_one() {
        use CategorySource::*;
        let (store, a) = setup();
        let (db, now) = (store.db(), Utc::now());
        let id = insert(db, a, &row(-450), Some(&decision(db, "Food", Provider)), None, now).unwrap();
        update(db, id, &row(-451), Some(&decision(db, "Food:Coffee", Provider)), None, now).unwrap();
        assert_eq!(category(db, id), (Some("Food:Coffee".into()), Some(Provider)), "a fixed provider map updates");
        set_category(db, id, &decision(db, "Shopping", User)).unwrap();
        for source in [Provider, Learned, Rule] {
            update(db, id, &row(-452), Some(&decision(db, "Food", source)), None, now).unwrap();
            assert_eq!(category(db, id), (Some("Shopping".into()), Some(User)), "{source} must not beat the user");
        }
        assert_eq!(by_id(db, id).unwrap().unwrap().amount, -452, "the upstream fields still change");

        let y = NewTransaction { external_id: "y".into(), ..row(-9) };
        let other = insert(db, a, &y, None, None, now).unwrap();
        update(db, other, &y, Some(&decision(db, "Food", Rule)), None, now).unwrap();
        update(db, other, &y, Some(&decision(db, "Fees", Provider)), None, now).unwrap();
        assert_eq!(category(db, other), (Some("Food".into()), Some(Rule)));
    }

    #[test]
    fn a_rebuild_keeps_the_users_word_and_nothing_else() {
        use CategorySource::*;
        let (store, a) = setup();
        let (db, now) = (store.db(), Utc::now());
        for (ext, source) in [("u", User), ("r", Rule), ("l", Learned), ("p", Provider)] {
            let t = NewTransaction { external_id: ext.into(), ..row(-1) };
            insert(db, a, &t, Some(&decision(db, "Food", source)), None, now).unwrap();
        }
        let kept = user_fields(db, a).unwrap();
        let mut sources: Vec<_> = kept.iter().map(|f| (f.external_id.as_str(), f.category_source)).collect();
        sources.sort_by_key(|(ext, _)| *ext);
        assert_eq!(sources, [("r", Some(Rule)), ("u", Some(User))]);

        delete_for_account(db, a).unwrap();
        for ext in ["u", "r"] {
            let t = NewTransaction { external_id: ext.into(), ..row(-1) };
            insert(db, a, &t, Some(&decision(db, "Fees", Provider)), None, now).unwrap();
        }
        for f in &kept {
            restore_user_fields(db, a, f).unwrap();
        }
        let u = by_external_id(db, a, "u").unwrap().unwrap();
        assert_eq!((u.category.as_deref(), u.category_source), (Some("Food"), Some(User)));
    }
}
