-- Issue 11. A rule has several conditions (kept as one JSON object, the shape of
-- `categorize::rules::Conditions`, so a new kind of condition needs no migration), an
-- account it may be limited to, actions beyond a category (a payee rename, tags) and an
-- explicit order: the first rule that matches a row wins. The 0001 table (one field, one
-- pattern) is carried over in its priority order, lower priority first.
CREATE TABLE rule_v4 (
    id          INTEGER PRIMARY KEY,
    position    INTEGER NOT NULL,
    conditions  TEXT NOT NULL,
    account_id  INTEGER REFERENCES account (id) ON DELETE CASCADE,
    category_id INTEGER REFERENCES category (id),
    payee       TEXT,
    tags        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
INSERT INTO rule_v4 (id, position, conditions, category_id, created_at)
SELECT id, row_number() OVER (ORDER BY priority, id),
       json_object(field || CASE is_regex WHEN 0 THEN '_contains' ELSE '_regex' END, pattern),
       category_id, created_at
FROM rule;
DROP TABLE rule;
ALTER TABLE rule_v4 RENAME TO rule;
CREATE INDEX rule_by_position ON rule (position);
-- The payee a rule gave a row, kept apart from the bank's own: a sync compares the bank's
-- payee with what the bank sends, so a rename must not look like an upstream change.
ALTER TABLE "transaction" ADD COLUMN rule_payee TEXT;
