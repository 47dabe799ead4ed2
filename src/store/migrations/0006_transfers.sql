-- Issue 11. Transfers between one's own accounts: each pair the detector found or the user
-- decided, with its confidence and reason. The two legs are named by (account, external id),
-- which a replay keeps, not by row id, which it does not; `transaction.transfer_id` (0001)
-- marks the legs of a pair that counts (detected or confirmed), each pointing at the other.
-- A rejected pair ("not a transfer") is kept so detection never pairs those two rows again.
CREATE TABLE transfer (
    id           INTEGER PRIMARY KEY,
    out_account  INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    out_external TEXT NOT NULL,
    in_account   INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    in_external  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('detected', 'suggested', 'confirmed', 'rejected')),
    confidence   INTEGER NOT NULL CHECK (confidence BETWEEN 0 AND 100),
    reason       TEXT NOT NULL,
    decided_at   TEXT NOT NULL,
    UNIQUE (out_account, out_external, in_account, in_external)
);
CREATE INDEX transfer_by_in ON transfer (in_account, in_external);
