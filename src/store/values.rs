//! How the domain's text enums (`model::TxStatus`, `CategorySource`, `ConnectionStatus`,
//! `AccountKind`, `CategoryKind`, `TransferStatus`) are stored: as their `as_str` text. Reading a value that names no variant is a
//! conversion error for the caller, never a panic. The CHECK constraints of the migrations
//! list the same texts.

use rusqlite::ToSql;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};

use crate::model::{AccountKind, CategoryKind, CategorySource, ConnectionStatus, TransferStatus, TxStatus};

macro_rules! stored_as_text {
    ($($name:ty),+) => {$(
        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                <$name>::parse(value.as_str()?).map_err(|e| FromSqlError::Other(Box::new(e)))
            }
        }
    )+};
}

stored_as_text!(AccountKind, TxStatus, CategorySource, ConnectionStatus, CategoryKind, TransferStatus);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Db;

    fn read<T: FromSql>(db: &Db, text: &str) -> rusqlite::Result<T> {
        db.query_row("SELECT ?1", [text], |r| r.get(0))
    }

    #[test]
    fn round_trips_through_sqlite_and_an_unknown_value_is_an_error() {
        let db = Db::open_in_memory().unwrap();
        for s in TxStatus::ALL {
            assert_eq!(db.query_row("SELECT ?1", [s], |r| r.get::<_, TxStatus>(0)).unwrap(), *s);
        }
        for s in CategorySource::ALL {
            assert_eq!(db.query_row("SELECT ?1", [s], |r| r.get::<_, CategorySource>(0)).unwrap(), *s);
        }
        for s in ConnectionStatus::ALL {
            assert_eq!(db.query_row("SELECT ?1", [s], |r| r.get::<_, ConnectionStatus>(0)).unwrap(), *s);
        }
        for s in AccountKind::ALL {
            assert_eq!(db.query_row("SELECT ?1", [s], |r| r.get::<_, AccountKind>(0)).unwrap(), *s);
        }
        let err = read::<TxStatus>(&db, "settled").unwrap_err();
        assert!(err.to_string().contains("unknown transaction status \"settled\""), "{err}");
        let err = read::<CategorySource>(&db, "PROVIDER").unwrap_err();
        assert!(err.to_string().contains("unknown category source"), "{err}");
        let err = read::<ConnectionStatus>(&db, "").unwrap_err();
        assert!(err.to_string().contains("unknown connection status"), "{err}");
        let not_text = db.query_row("SELECT 1", [], |r| r.get::<_, TxStatus>(0)).unwrap_err();
        assert!(matches!(not_text, rusqlite::Error::InvalidColumnType(..)), "{not_text:?}");
    }
}
