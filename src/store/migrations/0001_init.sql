-- The domain of DESIGN.md. Forward-only: never edit this file once shipped; add 0002_*.sql.

CREATE TABLE connection (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    provider           TEXT NOT NULL,
    institution        TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'needs_relink', 'revoked')),
    consent_expires_at TEXT,
    cursor             TEXT,
    -- Names the keyring entry that holds this connection's tokens. Not itself a secret.
    secret_ref         TEXT NOT NULL UNIQUE,
    created_at         TEXT NOT NULL,
    last_synced_at     TEXT
);

CREATE TABLE account (
    id                INTEGER PRIMARY KEY,
    connection_id     INTEGER REFERENCES connection (id),
    external_id       TEXT NOT NULL,
    -- Stable across re-consent: IBAN, or mask + name + institution.
    identity          TEXT,
    name              TEXT NOT NULL,
    official_name     TEXT,
    kind              TEXT NOT NULL
                      CHECK (kind IN ('checking', 'savings', 'credit', 'loan', 'investment', 'other')),
    currency          TEXT NOT NULL,
    mask              TEXT,
    balance_current   INTEGER,
    balance_available INTEGER,
    balance_as_of     TEXT,
    tracked           INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    UNIQUE (connection_id, external_id)
);

CREATE TABLE category (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES category (id),
    name      TEXT NOT NULL,
    full_name TEXT NOT NULL UNIQUE,
    kind      TEXT NOT NULL CHECK (kind IN ('expense', 'income', 'transfer'))
);

-- Every payload or file row as received, so normalization can be replayed offline.
CREATE TABLE raw_record (
    id            INTEGER PRIMARY KEY,
    connection_id INTEGER REFERENCES connection (id),
    account_id    INTEGER REFERENCES account (id),
    provider      TEXT NOT NULL,
    external_id   TEXT,
    hash          BLOB NOT NULL, -- the first 16 bytes of the body's SHA-256
    body          TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    UNIQUE (account_id, hash)
);

CREATE TABLE "transaction" (
    id                  INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL REFERENCES account (id),
    external_id         TEXT NOT NULL,
    fingerprint         TEXT NOT NULL,
    booked_date         TEXT NOT NULL,
    value_date          TEXT,
    amount              INTEGER NOT NULL, -- minor units, negative = money out
    currency            TEXT NOT NULL,
    payee               TEXT,
    description         TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('pending', 'posted', 'removed')),
    pending_external_id TEXT,             -- the pending row this posted row replaced
    link_reason         TEXT,             -- why they were linked
    provider_category   TEXT,
    category_id         INTEGER REFERENCES category (id),
    category_source     TEXT CHECK (category_source IN ('user', 'rule', 'learned', 'provider')),
    category_reason     TEXT,
    transfer_id         INTEGER REFERENCES "transaction" (id),
    notes               TEXT,
    tags                TEXT NOT NULL DEFAULT '',
    raw_record_id       INTEGER REFERENCES raw_record (id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (account_id, external_id)
);
CREATE INDEX transaction_by_date ON "transaction" (booked_date);
-- Sync touches recent days and pending rows only; these keep it from reading the history
-- (benches/resync.rs measures it).
CREATE INDEX transaction_by_account_date ON "transaction" (account_id, booked_date);
CREATE INDEX transaction_pending ON "transaction" (account_id, booked_date) WHERE status = 'pending';
-- An imported row looks for the same purchase by amount and nearby date.
CREATE INDEX transaction_by_amount ON "transaction" (account_id, amount, booked_date);

CREATE TABLE rule (
    id          INTEGER PRIMARY KEY,
    priority    INTEGER NOT NULL DEFAULT 100,
    field       TEXT NOT NULL CHECK (field IN ('payee', 'description')),
    pattern     TEXT NOT NULL,
    is_regex    INTEGER NOT NULL DEFAULT 0,
    category_id INTEGER NOT NULL REFERENCES category (id),
    created_at  TEXT NOT NULL
);

CREATE TABLE budget (
    id          INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES category (id),
    period      TEXT NOT NULL CHECK (period IN ('monthly', 'yearly')),
    amount      INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    UNIQUE (category_id, period, currency, starts_on)
);

-- Calls made to a provider per scope (the whole connection, or one account) per UTC day, so
-- documented limits are never exceeded. Each attempt is recorded before it is sent.
CREATE TABLE call_ledger (
    connection_id INTEGER NOT NULL REFERENCES connection (id),
    scope         TEXT NOT NULL,
    day           TEXT NOT NULL,
    calls         INTEGER NOT NULL,
    PRIMARY KEY (connection_id, scope, day)
);

-- One audit row per account per sync.
CREATE TABLE sync_run (
    id            INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connection (id),
    account_id    INTEGER REFERENCES account (id),
    started_at    TEXT NOT NULL,
    finished_at   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    added         INTEGER NOT NULL DEFAULT 0,
    modified      INTEGER NOT NULL DEFAULT 0,
    removed       INTEGER NOT NULL DEFAULT 0,
    error         TEXT,
    duration_ms   INTEGER NOT NULL
);
CREATE INDEX sync_run_by_account ON sync_run (account_id, status);
