//! The `category` tree: lookups by full name (`Food:Groceries`), and the edits `tally
//! categories` makes. A row points at its category by id, so a rename or a move keeps every
//! row's history; only `full_name` (the parent's full name, `:`, the name) is rewritten, for
//! the category and everything under it. Which names are acceptable is the caller's call.

use anyhow::{Result, bail};
use rusqlite::{OptionalExtension, Row, params};

use super::Db;
use crate::model::CategoryKind;

/// One category of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub full_name: String,
    pub kind: CategoryKind,
}

/// A category with what points at it.
#[derive(Debug, Clone)]
pub struct Usage {
    pub category: Category,
    /// Live and removed rows filed under this category itself (not its children).
    pub rows: i64,
    pub children: i64,
    /// Rules and budgets that name it.
    pub rules: i64,
    pub budgets: i64,
}

const SELECT: &str = "SELECT id, parent_id, name, full_name, kind FROM category";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Category> {
    Ok(Category { id: r.get(0)?, parent_id: r.get(1)?, name: r.get(2)?, full_name: r.get(3)?, kind: r.get(4)? })
}

/// The id of a category by its full name, case-insensitively.
pub fn id_by_name(db: &Db, full_name: &str) -> Result<Option<i64>> {
    Ok(by_name(db, full_name)?.map(|c| c.id))
}

/// A category by its full name, case-insensitively.
pub fn by_name(db: &Db, full_name: &str) -> Result<Option<Category>> {
    let sql = format!("{SELECT} WHERE full_name = ?1 COLLATE NOCASE");
    Ok(db.prepare_cached(&sql)?.query_row([full_name], from_row).optional()?)
}

pub fn by_id(db: &Db, id: i64) -> Result<Option<Category>> {
    Ok(db.query_row(&format!("{SELECT} WHERE id = ?1"), [id], from_row).optional()?)
}

/// Every category's full name and id.
pub fn all(db: &Db) -> Result<Vec<(String, i64)>> {
    Ok(list(db)?.into_iter().map(|c| (c.full_name, c.id)).collect())
}

/// The whole tree, ordered by full name (a parent just before its children).
pub fn list(db: &Db) -> Result<Vec<Category>> {
    let mut stmt = db.prepare(&format!("{SELECT} ORDER BY full_name COLLATE NOCASE"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The tree with what points at each category.
pub fn usage(db: &Db) -> Result<Vec<Usage>> {
    let count = |sql: &str| -> Result<std::collections::HashMap<i64, i64>> {
        let mut stmt = db.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    };
    let rows = count(
        "SELECT category_id, count(*) FROM \"transaction\" WHERE category_id IS NOT NULL AND status != 'removed'
         GROUP BY 1",
    )?;
    let children = count("SELECT parent_id, count(*) FROM category WHERE parent_id IS NOT NULL GROUP BY 1")?;
    let rules = count("SELECT category_id, count(*) FROM rule GROUP BY 1")?;
    let budgets = count("SELECT category_id, count(*) FROM budget GROUP BY 1")?;
    Ok(list(db)?
        .into_iter()
        .map(|c| Usage {
            rows: rows.get(&c.id).copied().unwrap_or(0),
            children: children.get(&c.id).copied().unwrap_or(0),
            rules: rules.get(&c.id).copied().unwrap_or(0),
            budgets: budgets.get(&c.id).copied().unwrap_or(0),
            category: c,
        })
        .collect())
}

/// The full name a category called `name` gets under `parent`.
pub fn full_name_under(parent: Option<&Category>, name: &str) -> String {
    match parent {
        Some(p) => format!("{}:{name}", p.full_name),
        None => name.to_string(),
    }
}

/// Add a category under `parent` (or at the top). The name must be free.
pub fn insert(db: &Db, parent: Option<&Category>, name: &str, kind: CategoryKind) -> Result<Category> {
    let full_name = full_name_under(parent, name);
    if let Some(taken) = by_name(db, &full_name)? {
        bail!("a category named {:?} already exists", taken.full_name);
    }
    db.execute(
        "INSERT INTO category (parent_id, name, full_name, kind) VALUES (?1, ?2, ?3, ?4)",
        params![parent.map(|p| p.id), name, full_name, kind],
    )?;
    Ok(Category { id: db.last_insert_rowid(), parent_id: parent.map(|p| p.id), name: name.into(), full_name, kind })
}

/// Give category `id` the name `name` under `parent`: a rename (same parent) or a move. Its
/// children follow; rows, rules and budgets keep pointing at the same ids.
pub fn relocate(db: &Db, id: i64, parent: Option<&Category>, name: &str) -> Result<Category> {
    let Some(old) = by_id(db, id)? else { bail!("no category with id {id}") };
    if let Some(p) = parent
        && (p.id == id || is_under(&p.full_name, &old.full_name))
    {
        bail!("{:?} cannot go under itself or one of its own children ({:?})", old.full_name, p.full_name);
    }
    let full_name = full_name_under(parent, name);
    if let Some(taken) = by_name(db, &full_name)?.filter(|c| c.id != id) {
        bail!("a category named {:?} already exists", taken.full_name);
    }
    db.execute(
        "UPDATE category SET parent_id = ?2, name = ?3, full_name = ?4 WHERE id = ?1",
        params![id, parent.map(|p| p.id), name, full_name],
    )?;
    // Descendants: the old prefix (compared exactly: LIKE would read `_` and `%`) becomes the new one.
    let prefix = format!("{}:", old.full_name);
    db.execute(
        "UPDATE category SET full_name = ?2 || substr(full_name, ?3)
         WHERE substr(full_name, 1, length(?1)) = ?1",
        params![prefix, format!("{full_name}:"), prefix.chars().count() as i64 + 1],
    )?;
    Ok(Category { parent_id: parent.map(|p| p.id), name: name.into(), full_name, ..old })
}

/// Whether `full_name` lies strictly under `ancestor`.
pub fn is_under(full_name: &str, ancestor: &str) -> bool {
    full_name.len() > ancestor.len()
        && full_name.is_char_boundary(ancestor.len())
        && full_name[..ancestor.len()].eq_ignore_ascii_case(ancestor)
        && full_name[ancestor.len()..].starts_with(':')
}

/// What moved when a category was removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Moved {
    pub rows: usize,
    pub rules: usize,
    pub budgets: usize,
}

/// Remove a category without children, moving what points at it to `into` (or, without
/// `into`, refusing if anything does). A row keeps its source; its reason says where it came from.
pub fn remove(db: &Db, id: i64, into: Option<&Category>) -> Result<Moved> {
    let Some(old) = by_id(db, id)? else { bail!("no category with id {id}") };
    let children: i64 = db.query_row("SELECT count(*) FROM category WHERE parent_id = ?1", [id], |r| r.get(0))?;
    if children > 0 {
        bail!("{:?} has {children} categories under it", old.full_name);
    }
    let mut moved = Moved::default();
    if let Some(into) = into {
        if into.id == id {
            bail!("{:?} cannot take its own rows", old.full_name);
        }
        moved.rows = db.execute(
            "UPDATE \"transaction\" SET category_id = ?2,
                 category_reason = coalesce(category_reason || '; ', '') || ?3
             WHERE category_id = ?1",
            params![id, into.id, format!("moved from {} when it was removed", old.full_name)],
        )?;
        moved.rules = db.execute("UPDATE rule SET category_id = ?2 WHERE category_id = ?1", params![id, into.id])?;
        // Where the other category already has a budget for the same month and currency, the
        // two add up (the money set aside for both now goes to one); the others move as they are.
        moved.budgets = db.execute(
            "UPDATE budget AS t SET amount = t.amount + f.amount
             FROM budget AS f
             WHERE f.category_id = ?1 AND t.category_id = ?2
               AND t.period = f.period AND t.currency = f.currency AND t.starts_on = f.starts_on",
            params![id, into.id],
        )?;
        db.execute(
            "DELETE FROM budget WHERE category_id = ?1 AND EXISTS (SELECT 1 FROM budget t
                 WHERE t.category_id = ?2 AND t.period = budget.period AND t.currency = budget.currency
                   AND t.starts_on = budget.starts_on)",
            params![id, into.id],
        )?;
        moved.budgets +=
            db.execute("UPDATE budget SET category_id = ?2 WHERE category_id = ?1", params![id, into.id])?;
    }
    db.execute("DELETE FROM category WHERE id = ?1", [id]).map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => {
            anyhow::anyhow!("{:?} is still in use", old.full_name)
        }
        e => e.into(),
    })?;
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn get(db: &Db, name: &str) -> Category {
        by_name(db, name).unwrap().unwrap_or_else(|| panic!("no {name}"))
    }

    #[test]
    fn a_rename_or_move_rewrites_the_full_names_under_it_and_keeps_the_ids() {
        let store = Store::in_memory().unwrap();
        let db = store.db();
        let food = get(db, "Food");
        let groceries = get(db, "Food:Groceries");
        let odd = insert(db, Some(&groceries), "100%_Organic", CategoryKind::Expense).unwrap();
        relocate(db, food.id, None, "Eating").unwrap();
        assert_eq!(get(db, "Eating:Groceries").id, groceries.id);
        assert_eq!(get(db, "Eating:Groceries:100%_Organic").id, odd.id);
        assert!(by_name(db, "Food:Groceries").unwrap().is_none());
        // A look-alike prefix is not a child.
        let foods = insert(db, None, "Foodstuff", CategoryKind::Expense).unwrap();
        relocate(db, get(db, "Eating").id, Some(&get(db, "Shopping")), "Food").unwrap();
        assert_eq!(get(db, "Shopping:Food:Groceries").id, groceries.id);
        assert_eq!(get(db, "Foodstuff").id, foods.id);

        let shopping = get(db, "Shopping");
        let err = relocate(db, shopping.id, Some(&get(db, "Shopping:Food")), "Shopping").unwrap_err();
        assert!(err.to_string().contains("under itself"), "{err}");
        let err = relocate(db, foods.id, None, "shopping").unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
    }

    #[test]
    fn removing_moves_what_points_at_it_or_refuses() {
        let store = Store::in_memory().unwrap();
        let db = store.db();
        let err = remove(db, get(db, "Food").id, None).unwrap_err();
        assert!(err.to_string().contains("categories under it"), "{err}");
        let coffee = get(db, "Food:Coffee");
        db.execute(
            "INSERT INTO rule (position, conditions, category_id, created_at)
             VALUES (1, '{\"payee_contains\":\"x\"}', ?1, '2026-01-01')",
            [coffee.id],
        )
        .unwrap();
        let err = remove(db, coffee.id, None).unwrap_err();
        assert!(err.to_string().contains("still in use"), "{err}");
        let moved = remove(db, coffee.id, Some(&get(db, "Food:Restaurants"))).unwrap();
        assert_eq!(moved, Moved { rows: 0, rules: 1, budgets: 0 });
        assert!(by_id(db, coffee.id).unwrap().is_none());
    }

    #[test]
    fn is_under_compares_whole_segments() {
        assert!(is_under("Food:Coffee", "food"));
        assert!(!is_under("Foodstuff", "Food") && !is_under("Food", "Food"));
    }
}
