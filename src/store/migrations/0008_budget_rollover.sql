-- Issue 12 item 1 (budgets). A budget may carry what was left (or overspent) into the next
-- month. The flag belongs to the row in effect for a month: a later `budget set --from` can
-- turn it on or off from then on. Existing budgets (none were written before) do not roll over.
ALTER TABLE budget ADD COLUMN rollover INTEGER NOT NULL DEFAULT 0;
