-- Issue 11 item 5 (the learned model, retrained incrementally). The naive Bayes model's state
-- is kept here and changed by the change, not rebuilt: per category how many confirmed rows
-- (category_source user or rule, live) it counted and how many features they had, per
-- (feature, category) how many of those rows had the feature. Features come from Rust
-- (`categorize::learned::tokens`), so triggers cannot add a row's contribution; they do the
-- rest, in the writer's own transaction:
-- * `learned_seen` says what each counted row contributed (its category and features), so a
--   change or delete takes back exactly that, at once (nothing of a deleted row lingers);
-- * `learned_dirty` queues the confirmed rows whose contribution is not counted yet; the
--   categorizer drains it (`store::learned::drain`) before it reads the counts.
-- Every confirmed row is then either in `learned_seen` or queued, never both. Features are
-- stored as 64-bit hashes (`categorize::learned::key`): these tables hold no names or words.
CREATE TABLE learned_class (
    category_id INTEGER PRIMARY KEY, -- no foreign key: a row's trigger takes its count back first
    rows        INTEGER NOT NULL,    -- confirmed rows counted in this category
    features    INTEGER NOT NULL     -- the features of those rows, all added up
);

CREATE TABLE learned_count (
    feature     INTEGER NOT NULL,    -- a hash of `m:blue bottle`, `w:starbucks`, `s:out2`, `a:7`
    category_id INTEGER NOT NULL,
    n           INTEGER NOT NULL,    -- counted rows of the category with the feature (> 0)
    PRIMARY KEY (feature, category_id)
) WITHOUT ROWID;

CREATE TABLE learned_seen (
    tx_id       INTEGER PRIMARY KEY, -- the counted transaction
    category_id INTEGER NOT NULL,
    features    TEXT NOT NULL        -- JSON array of the features (hashes) it added
);

CREATE TABLE learned_dirty (
    tx_id INTEGER PRIMARY KEY        -- a confirmed row whose contribution is still to add
);

-- Seed: every confirmed row is queued; the first sync, import or `categorize` counts them.
INSERT INTO learned_dirty
SELECT id FROM "transaction"
WHERE category_source IN ('user', 'rule') AND category_id IS NOT NULL AND status != 'removed';

-- A new confirmed row waits in the queue.
CREATE TRIGGER learned_insert AFTER INSERT ON "transaction"
WHEN NEW.category_source IN ('user', 'rule') AND NEW.category_id IS NOT NULL AND NEW.status != 'removed'
BEGIN
    INSERT OR IGNORE INTO learned_dirty VALUES (NEW.id);
END;

-- A change to what the model reads of a counted row takes its contribution back...
CREATE TRIGGER learned_update_forget
AFTER UPDATE OF category_id, category_source, status, account_id, amount, currency, payee, description
ON "transaction"
WHEN (OLD.category_id IS NOT NEW.category_id OR OLD.category_source IS NOT NEW.category_source
      OR (OLD.status = 'removed') != (NEW.status = 'removed') OR OLD.account_id != NEW.account_id
      OR OLD.amount != NEW.amount OR OLD.currency != NEW.currency OR OLD.payee IS NOT NEW.payee
      OR OLD.description != NEW.description)
     AND EXISTS (SELECT 1 FROM learned_seen WHERE tx_id = OLD.id)
BEGIN
    UPDATE learned_count SET n = n - 1
    WHERE category_id = (SELECT category_id FROM learned_seen WHERE tx_id = OLD.id)
      AND feature IN (SELECT value FROM json_each((SELECT features FROM learned_seen WHERE tx_id = OLD.id)));
    DELETE FROM learned_count
    WHERE n <= 0 AND category_id = (SELECT category_id FROM learned_seen WHERE tx_id = OLD.id)
      AND feature IN (SELECT value FROM json_each((SELECT features FROM learned_seen WHERE tx_id = OLD.id)));
    UPDATE learned_class
    SET rows = rows - 1,
        features = features - (SELECT json_array_length(features) FROM learned_seen WHERE tx_id = OLD.id)
    WHERE category_id = (SELECT category_id FROM learned_seen WHERE tx_id = OLD.id);
    DELETE FROM learned_class WHERE rows <= 0;
    DELETE FROM learned_seen WHERE tx_id = OLD.id;
END;

-- ...and queues the row again if it is still confirmed.
CREATE TRIGGER learned_update_queue
AFTER UPDATE OF category_id, category_source, status, account_id, amount, currency, payee, description
ON "transaction"
WHEN (OLD.category_id IS NOT NEW.category_id OR OLD.category_source IS NOT NEW.category_source
      OR (OLD.status = 'removed') != (NEW.status = 'removed') OR OLD.account_id != NEW.account_id
      OR OLD.amount != NEW.amount OR OLD.currency != NEW.currency OR OLD.payee IS NOT NEW.payee
      OR OLD.description != NEW.description)
     AND NEW.category_source IN ('user', 'rule') AND NEW.category_id IS NOT NULL AND NEW.status != 'removed'
BEGIN
    INSERT OR IGNORE INTO learned_dirty VALUES (NEW.id);
END;

-- A deleted row (`accounts remove`, purge) leaves nothing behind in the counts or the queue.
CREATE TRIGGER learned_delete AFTER DELETE ON "transaction"
WHEN EXISTS (SELECT 1 FROM learned_seen WHERE tx_id = OLD.id)
  OR EXISTS (SELECT 1 FROM learned_dirty WHERE tx_id = OLD.id)
BEGIN
    UPDATE learned_count SET n = n - 1
    WHERE category_id = (SELECT category_id FROM learned_seen WHERE tx_id = OLD.id)
      AND feature IN (SELECT value FROM json_each((SELECT features FROM learned_seen WHERE tx_id = OLD.id)));
    DELETE FROM learned_count
    WHERE n <= 0 AND category_id = (SELECT category_id FROM learned_seen WHERE tx_id = OLD.id)
      AND feature IN (SELECT value FROM json_each((SELECT features FROM learned_seen WHERE tx_id = OLD.id)));
    UPDATE learned_class
    SET rows = rows - 1,
        features = features - (SELECT json_array_length(features) FROM learned_seen WHERE tx_id = OLD.id)
    WHERE category_id = (SELECT category_id FROM learned_seen WHERE tx_id = OLD.id);
    DELETE FROM learned_class WHERE rows <= 0;
    DELETE FROM learned_seen WHERE tx_id = OLD.id;
    DELETE FROM learned_dirty WHERE tx_id = OLD.id;
END;
