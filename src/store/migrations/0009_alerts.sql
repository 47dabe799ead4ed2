-- Issue 12 item 7 (alerts). An alert the user dismissed (`tally alerts dismiss ID`) stays out
-- of `tally alerts` and the summary after sync and import. The key names what the alert is
-- about (its kind and rows, a budget's month, a consent's end), so a changed alert (a third
-- equal charge, a later month) shows again.
CREATE TABLE alert_dismissed (
    key          TEXT PRIMARY KEY,
    dismissed_at TEXT NOT NULL
);
