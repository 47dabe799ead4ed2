//! Reports: each returns rows for `Output`, never prints.

pub mod spending;
