//! `tally export --all` and `tally restore`: everything the database holds about the user as
//! one versioned JSON document (schema in docs/export-all.md), written row by row and read back
//! row by row, so neither side holds a whole table in memory. The document mirrors the tables:
//! every stored table except the ones SQLite triggers derive from transactions, every column,
//! ids kept, so references (a transaction's account, category, transfer) stay valid. Secrets
//! are never in the database, so never in the document.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;

use anyhow::{Context as _, Result};
use rusqlite::types::{Value as Sql, ValueRef};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::store::{Db, SCHEMA_VERSION};

/// The `format` field: what this document is.
pub const FORMAT: &str = "tally-export-all";
/// The document's own version; raised when its layout (not the database schema) changes.
pub const VERSION: i64 = 1;

/// Tables triggers keep from `transaction` (month rollups, the search index and its shadow
/// tables, the learned model's counts and queue): rebuilt by the inserts of a restore, so never
/// written.
fn derived(table: &str) -> bool {
    table.starts_with("tx_month")
        || table.starts_with("tx_search")
        || table.starts_with("learned_")
        || table.starts_with("sqlite_")
}

/// A table's columns in order, each with whether it holds bytes (written as lowercase hex).
type Columns = Vec<(String, bool)>;

/// The tables a document holds, in creation order, with their columns.
fn tables(db: &Db) -> Result<Vec<(String, Columns)>> {
    let mut stmt = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")?;
    let names: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for name in names.into_iter().filter(|n| !derived(n)) {
        let mut info = db.prepare("SELECT name, upper(type) FROM pragma_table_info(?1) ORDER BY cid")?;
        let columns = info
            .query_map([&name], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)? == "BLOB")))?
            .collect::<rusqlite::Result<_>>()?;
        out.push((name, columns));
    }
    Ok(out)
}

/// A double-quoted SQL identifier. Names come only from `sqlite_master` and `table_info`
/// (a document's names are checked against them first); values are always bound.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// How many rows of each table a document held.
pub type Counts = BTreeMap<String, u64>;

/// Write the whole database to `out` as one document, a row at a time, inside one read
/// transaction so the document is a consistent snapshot.
pub fn write(db: &Db, exported_at: &str, out: &mut impl Write) -> Result<Counts> {
    let read = db.unchecked_transaction()?;
    let mut counts = Counts::new();
    write!(
        out,
        "{{\"format\":\"{FORMAT}\",\"version\":{VERSION},\"schema\":{SCHEMA_VERSION},\"exported_at\":{},\"tables\":{{",
        serde_json::to_string(exported_at)?
    )?;
    for (index, (table, columns)) in tables(&read)?.iter().enumerate() {
        let sep = if index == 0 { "" } else { "," };
        write!(out, "{sep}\n{}:[", serde_json::to_string(table)?)?;
        let mut stmt = read.prepare(&format!("SELECT * FROM {} ORDER BY rowid", ident(table)))?;
        let mut rows = stmt.query([])?;
        let mut n = 0u64;
        while let Some(row) = rows.next()? {
            let mut object = Map::new();
            for (i, (column, _)) in columns.iter().enumerate() {
                object.insert(column.clone(), to_json(row.get_ref(i)?));
            }
            out.write_all(if n == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *out, &object)?;
            n += 1;
        }
        out.write_all(b"]")?;
        counts.insert(table.clone(), n);
    }
    out.write_all(b"}}\n")?;
    out.flush()?;
    read.finish()?;
    Ok(counts)
}

fn to_json(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::from(b.iter().map(|x| format!("{x:02x}")).collect::<String>()),
    }
}

/// Tables other than `category` (which a new database seeds) that hold rows.
pub fn nonempty(db: &Db) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for (table, _) in tables(db)?.into_iter().filter(|(t, _)| t != "category") {
        let any: bool = db.query_row(&format!("SELECT EXISTS (SELECT 1 FROM {})", ident(&table)), [], |r| r.get(0))?;
        if any {
            found.push(table);
        }
    }
    Ok(found)
}

/// Read a document from `input` into `db`, which must hold no user data (see `nonempty`):
/// the seeded categories are replaced by the document's. All in one transaction: a broken
/// document leaves the database as it was.
pub fn restore(db: &Db, input: impl std::io::Read) -> Result<Counts> {
    let write = db.unchecked_transaction()?;
    // A transaction may name its transfer partner further down the table.
    write.pragma_update(None, "defer_foreign_keys", "ON")?;
    write.execute("DELETE FROM category", [])?;
    let known: BTreeMap<String, Columns> = tables(&write)?.into_iter().collect();
    let mut reader = serde_json::Deserializer::from_reader(std::io::BufReader::new(input));
    let mut doc = Restore { db: &write, known: &known, counts: Counts::new(), header: Header::default() };
    DeserializeSeed::deserialize(&mut doc, &mut reader).map_err(document_error)?;
    reader.end().map_err(document_error)?;
    let counts = doc.counts;
    write.commit().context("while saving the restored rows")?;
    Ok(counts)
}

fn document_error(err: serde_json::Error) -> anyhow::Error {
    crate::error::UserError::usage(format!("not a tally export: {err}"))
        .hint("restore reads the file `tally export --all -o FILE` wrote, unchanged")
        .into()
}

#[derive(Default)]
struct Header {
    format: bool,
    version: bool,
    schema: bool,
}

struct Restore<'a> {
    db: &'a Db,
    known: &'a BTreeMap<String, Columns>,
    counts: Counts,
    header: Header,
}

impl<'de> DeserializeSeed<'de> for &mut Restore<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut Restore<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a tally export document (an object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut tables = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => {
                    let format: String = map.next_value()?;
                    if format != FORMAT {
                        return Err(de::Error::custom(format!("format is {format:?}, expected {FORMAT:?}")));
                    }
                    self.header.format = true;
                }
                "version" => {
                    let version: i64 = map.next_value()?;
                    if version != VERSION {
                        return Err(de::Error::custom(format!(
                            "document version {version}; this tally reads version {VERSION}"
                        )));
                    }
                    self.header.version = true;
                }
                "schema" => {
                    let schema: i64 = map.next_value()?;
                    if schema != SCHEMA_VERSION {
                        return Err(de::Error::custom(format!(
                            "written by a tally with database schema {schema}, this one has {SCHEMA_VERSION}: restore with the same tally version"
                        )));
                    }
                    self.header.schema = true;
                }
                "tables" => {
                    if !(self.header.format && self.header.version && self.header.schema) {
                        return Err(de::Error::custom("format, version and schema must come before tables"));
                    }
                    map.next_value_seed(Tables(&mut *self))?;
                    tables = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !tables {
            return Err(de::Error::custom("no tables"));
        }
        Ok(())
    }
}

struct Tables<'r, 'a>(&'r mut Restore<'a>);

impl<'de> DeserializeSeed<'de> for Tables<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Tables<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of tables")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(table) = map.next_key::<String>()? {
            let Some(columns) = self.0.known.get(&table) else {
                return Err(de::Error::custom(format!("unknown table {table:?}")));
            };
            if self.0.counts.contains_key(&table) {
                return Err(de::Error::custom(format!("table {table:?} appears twice")));
            }
            let n = map.next_value_seed(Rows { db: self.0.db, table: &table, columns })?;
            self.0.counts.insert(table, n);
        }
        Ok(())
    }
}

struct Rows<'a> {
    db: &'a Db,
    table: &'a str,
    columns: &'a [(String, bool)],
}

impl<'de> DeserializeSeed<'de> for Rows<'_> {
    type Value = u64;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_> {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let mut n = 0u64;
        while let Some(row) = seq.next_element::<Map<String, Value>>()? {
            n += 1;
            self.insert(&row).map_err(|e| de::Error::custom(format!("{} row {n}: {e:#}", self.table)))?;
        }
        Ok(n)
    }
}

impl Rows<'_> {
    fn insert(&self, row: &Map<String, Value>) -> Result<()> {
        let mut names = Vec::with_capacity(row.len());
        let mut values = Vec::with_capacity(row.len());
        for (column, value) in row {
            let Some((name, blob)) = self.columns.iter().find(|(c, _)| c == column) else {
                anyhow::bail!("unknown column {column:?}");
            };
            names.push(ident(name));
            values.push(to_sql(value, *blob).with_context(|| format!("column {column:?}"))?);
        }
        let marks = (1..=values.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        let sql = format!("INSERT INTO {} ({}) VALUES ({marks})", ident(self.table), names.join(", "));
        self.db.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
        Ok(())
    }
}

fn to_sql(value: &Value, blob: bool) -> Result<Sql> {
    Ok(match value {
        Value::Null => Sql::Null,
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Sql::Integer(i),
            (None, Some(f)) if n.is_f64() => Sql::Real(f),
            _ => anyhow::bail!("{n} does not fit a 64-bit integer"),
        },
        Value::String(s) if blob => Sql::Blob(unhex(s).context("expected lowercase hex bytes")?),
        Value::String(s) => Sql::Text(s.clone()),
        Value::Bool(_) | Value::Array(_) | Value::Object(_) => anyhow::bail!("expected a number, text or null"),
    })
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_rejects_junk() {
        assert_eq!(unhex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("é1"), None);
    }

    #[test]
    fn numbers_that_do_not_fit_are_refused() {
        assert!(to_sql(&serde_json::json!(u64::MAX), false).is_err());
        assert!(to_sql(&serde_json::json!(true), false).is_err());
        assert_eq!(to_sql(&serde_json::json!(-5), false).unwrap(), Sql::Integer(-5));
    }
}
