-- Issue 12 (reports, speed). Reports read per-month sums instead of every row: `tx_month`
-- per (month, account, category, currency, transfer or not), `tx_month_payee` the same per
-- payee (the merchants report). Triggers keep both equal to a GROUP BY over the live rows on
-- every insert, update and delete, in the writer's own transaction: nothing can go stale.
-- Inflows and outflows are summed apart, so a report can tell an uncategorized salary
-- (income) from an uncategorized purchase (spending). Category 0 is "none" (a key column
-- cannot be NULL and still be unique); `transfer` is `transfer_id IS NOT NULL`.
CREATE TABLE tx_month (
    month       TEXT NOT NULL,
    account_id  INTEGER NOT NULL,
    category_id INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    transfer    INTEGER NOT NULL,
    sum_in      INTEGER NOT NULL, -- minor units of rows with amount > 0
    sum_out     INTEGER NOT NULL, -- minor units of rows with amount <= 0 (negative)
    n_in        INTEGER NOT NULL,
    n_out       INTEGER NOT NULL,
    PRIMARY KEY (month, account_id, category_id, currency, transfer)
) WITHOUT ROWID;

CREATE TABLE tx_month_payee (
    month       TEXT NOT NULL,
    account_id  INTEGER NOT NULL,
    category_id INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    transfer    INTEGER NOT NULL,
    payee       TEXT NOT NULL, -- a rule's payee, else the bank's, else the description
    sum_in      INTEGER NOT NULL,
    sum_out     INTEGER NOT NULL,
    n_in        INTEGER NOT NULL,
    n_out       INTEGER NOT NULL,
    PRIMARY KEY (month, account_id, category_id, currency, transfer, payee)
) WITHOUT ROWID;

INSERT INTO tx_month
SELECT substr(booked_date, 1, 7), account_id, coalesce(category_id, 0), currency, transfer_id IS NOT NULL,
       sum(max(amount, 0)), sum(min(amount, 0)), sum(amount > 0), sum(amount <= 0)
FROM "transaction" WHERE status != 'removed' GROUP BY 1, 2, 3, 4, 5;

INSERT INTO tx_month_payee
SELECT substr(booked_date, 1, 7), account_id, coalesce(category_id, 0), currency, transfer_id IS NOT NULL,
       coalesce(nullif(rule_payee, ''), nullif(payee, ''), description),
       sum(max(amount, 0)), sum(min(amount, 0)), sum(amount > 0), sum(amount <= 0)
FROM "transaction" WHERE status != 'removed' GROUP BY 1, 2, 3, 4, 5, 6;

-- Add a live row (NEW) to both rollups.
CREATE TRIGGER tx_month_insert AFTER INSERT ON "transaction" WHEN NEW.status != 'removed' BEGIN
    INSERT INTO tx_month VALUES (substr(NEW.booked_date, 1, 7), NEW.account_id, coalesce(NEW.category_id, 0),
        NEW.currency, NEW.transfer_id IS NOT NULL, max(NEW.amount, 0), min(NEW.amount, 0), NEW.amount > 0,
        NEW.amount <= 0)
    ON CONFLICT DO UPDATE SET sum_in = sum_in + excluded.sum_in, sum_out = sum_out + excluded.sum_out,
        n_in = n_in + excluded.n_in, n_out = n_out + excluded.n_out;
    INSERT INTO tx_month_payee VALUES (substr(NEW.booked_date, 1, 7), NEW.account_id, coalesce(NEW.category_id, 0),
        NEW.currency, NEW.transfer_id IS NOT NULL,
        coalesce(nullif(NEW.rule_payee, ''), nullif(NEW.payee, ''), NEW.description),
        max(NEW.amount, 0), min(NEW.amount, 0), NEW.amount > 0, NEW.amount <= 0)
    ON CONFLICT DO UPDATE SET sum_in = sum_in + excluded.sum_in, sum_out = sum_out + excluded.sum_out,
        n_in = n_in + excluded.n_in, n_out = n_out + excluded.n_out;
END;

-- Take a live row (OLD) out of both rollups; a key left with no rows goes.
CREATE TRIGGER tx_month_delete AFTER DELETE ON "transaction" WHEN OLD.status != 'removed' BEGIN
    UPDATE tx_month SET sum_in = sum_in - max(OLD.amount, 0), sum_out = sum_out - min(OLD.amount, 0),
        n_in = n_in - (OLD.amount > 0), n_out = n_out - (OLD.amount <= 0)
    WHERE month = substr(OLD.booked_date, 1, 7) AND account_id = OLD.account_id
      AND category_id = coalesce(OLD.category_id, 0) AND currency = OLD.currency
      AND transfer = (OLD.transfer_id IS NOT NULL);
    DELETE FROM tx_month
    WHERE month = substr(OLD.booked_date, 1, 7) AND account_id = OLD.account_id
      AND category_id = coalesce(OLD.category_id, 0) AND currency = OLD.currency
      AND transfer = (OLD.transfer_id IS NOT NULL) AND n_in = 0 AND n_out = 0;
    UPDATE tx_month_payee SET sum_in = sum_in - max(OLD.amount, 0), sum_out = sum_out - min(OLD.amount, 0),
        n_in = n_in - (OLD.amount > 0), n_out = n_out - (OLD.amount <= 0)
    WHERE month = substr(OLD.booked_date, 1, 7) AND account_id = OLD.account_id
      AND category_id = coalesce(OLD.category_id, 0) AND currency = OLD.currency
      AND transfer = (OLD.transfer_id IS NOT NULL)
      AND payee = coalesce(nullif(OLD.rule_payee, ''), nullif(OLD.payee, ''), OLD.description);
    DELETE FROM tx_month_payee
    WHERE month = substr(OLD.booked_date, 1, 7) AND account_id = OLD.account_id
      AND category_id = coalesce(OLD.category_id, 0) AND currency = OLD.currency
      AND transfer = (OLD.transfer_id IS NOT NULL)
      AND payee = coalesce(nullif(OLD.rule_payee, ''), nullif(OLD.payee, ''), OLD.description)
      AND n_in = 0 AND n_out = 0;
END;

-- An update is the old row out and the new row in, for the columns the rollups key or sum on.
CREATE TRIGGER tx_month_update_out AFTER UPDATE OF booked_date, account_id, category_id, currency, transfer_id,
    rule_payee, payee, description, amount, status ON "transaction" WHEN OLD.status != 'removed' BEGIN
    UPDATE tx_month SET sum_in = sum_in - max(OLD.amount, 0), sum_out = sum_out - min(OLD.amount, 0),
        n_in = n_in - (OLD.amount > 0), n_out = n_out - (OLD.amount <= 0)
    WHERE month = substr(OLD.booked_date, 1, 7) AND account_id = OLD.account_id
      AND category_id = coalesce(OLD.category_id, 0) AND currency = OLD.currency
      AND transfer = (OLD.transfer_id IS NOT NULL);
    DELETE FROM tx_month
    WHERE month = substr(OLD.booked_date, 1, 7) AND account_id = OLD.account_id
      AND category_id = coalesce(OLD.category_id, 0) AND currency = OLD.currency
      AND transfer = (OLD.transfer_id IS NOT NULL) AND n_in = 0 AND n_out = 0;
    UPDATE tx_month_payee SET sum_in = sum_in - max(OLD.amount, 0), sum_out = sum_out - min(OLD.amount, 0),
        n_in = n_in - (OLD.amount > 0), n_out = n_out - (OLD.amount <= 0)
    WHERE month = substr(OLD.booked_date, 1, 7) AND account_id = OLD.account_id
      AND category_id = coalesce(OLD.category_id, 0) AND currency = OLD.currency
      AND transfer = (OLD.transfer_id IS NOT NULL)
      AND payee = coalesce(nullif(OLD.rule_payee, ''), nullif(OLD.payee, ''), OLD.description);
    DELETE FROM tx_month_payee
    WHERE month = substr(OLD.booked_date, 1, 7) AND account_id = OLD.account_id
      AND category_id = coalesce(OLD.category_id, 0) AND currency = OLD.currency
      AND transfer = (OLD.transfer_id IS NOT NULL)
      AND payee = coalesce(nullif(OLD.rule_payee, ''), nullif(OLD.payee, ''), OLD.description)
      AND n_in = 0 AND n_out = 0;
END;

CREATE TRIGGER tx_month_update_in AFTER UPDATE OF booked_date, account_id, category_id, currency, transfer_id,
    rule_payee, payee, description, amount, status ON "transaction" WHEN NEW.status != 'removed' BEGIN
    INSERT INTO tx_month VALUES (substr(NEW.booked_date, 1, 7), NEW.account_id, coalesce(NEW.category_id, 0),
        NEW.currency, NEW.transfer_id IS NOT NULL, max(NEW.amount, 0), min(NEW.amount, 0), NEW.amount > 0,
        NEW.amount <= 0)
    ON CONFLICT DO UPDATE SET sum_in = sum_in + excluded.sum_in, sum_out = sum_out + excluded.sum_out,
        n_in = n_in + excluded.n_in, n_out = n_out + excluded.n_out;
    INSERT INTO tx_month_payee VALUES (substr(NEW.booked_date, 1, 7), NEW.account_id, coalesce(NEW.category_id, 0),
        NEW.currency, NEW.transfer_id IS NOT NULL,
        coalesce(nullif(NEW.rule_payee, ''), nullif(NEW.payee, ''), NEW.description),
        max(NEW.amount, 0), min(NEW.amount, 0), NEW.amount > 0, NEW.amount <= 0)
    ON CONFLICT DO UPDATE SET sum_in = sum_in + excluded.sum_in, sum_out = sum_out + excluded.sum_out,
        n_in = n_in + excluded.n_in, n_out = n_out + excluded.n_out;
END;

-- `tx list --search`: a trigram index finds a substring (three characters or more) without
-- reading every row. It indexes every row; the listing's own filter leaves removed rows out.
CREATE VIRTUAL TABLE tx_search USING fts5(
    payee, rule_payee, description, content = 'transaction', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO tx_search (tx_search) VALUES ('rebuild');
CREATE TRIGGER tx_search_insert AFTER INSERT ON "transaction" BEGIN
    INSERT INTO tx_search (rowid, payee, rule_payee, description)
    VALUES (NEW.id, NEW.payee, NEW.rule_payee, NEW.description);
END;
CREATE TRIGGER tx_search_delete AFTER DELETE ON "transaction" BEGIN
    INSERT INTO tx_search (tx_search, rowid, payee, rule_payee, description)
    VALUES ('delete', OLD.id, OLD.payee, OLD.rule_payee, OLD.description);
END;
CREATE TRIGGER tx_search_update AFTER UPDATE OF payee, rule_payee, description ON "transaction" BEGIN
    INSERT INTO tx_search (tx_search, rowid, payee, rule_payee, description)
    VALUES ('delete', OLD.id, OLD.payee, OLD.rule_payee, OLD.description);
    INSERT INTO tx_search (rowid, payee, rule_payee, description)
    VALUES (NEW.id, NEW.payee, NEW.rule_payee, NEW.description);
END;

-- Exchange rates for `--convert-to`: one unit of `base` is `rate` units of `quote`, an exact
-- decimal kept as text (never a float). `day` is when it holds from; '' holds for any day
-- that has no dated rate on or before it.
CREATE TABLE rate (
    base  TEXT NOT NULL,
    quote TEXT NOT NULL,
    day   TEXT NOT NULL DEFAULT '',
    rate  TEXT NOT NULL,
    PRIMARY KEY (base, quote, day)
);
