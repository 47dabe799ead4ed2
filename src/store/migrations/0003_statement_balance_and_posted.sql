-- Issue 8. A statement's closing balance is kept apart from the bank's live balance, each with
-- its own date, so an imported statement never overwrites a fresher synced figure.
ALTER TABLE account ADD COLUMN statement_balance INTEGER;
ALTER TABLE account ADD COLUMN statement_balance_as_of TEXT;
-- A pending row replaced by its posted row is one "posted" in a sync's counts, not a modify
-- (or an add plus a remove).
ALTER TABLE sync_run ADD COLUMN posted INTEGER NOT NULL DEFAULT 0;
