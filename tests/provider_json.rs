//! Hostile provider JSON: every provider's decoding of a stored record (`Provider::normalize`,
//! the path `sync --replay` and every sync take for each record) given arbitrary bytes,
//! arbitrary JSON (deep nesting, huge numbers, strings where numbers go) and records shaped
//! like the providers' own with hostile values, ends in an error or a change, never a panic.
//! The same for each provider's wire structs directly (`providers::decode_wire`: every response
//! body it reads, not only the stored records), and no wire module reads an amount as a float.

use clap::ValueEnum as _;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use tally::config::ProviderConfig;
use tally::providers::{Provider, ProviderEnv, ProviderKind, decode_wire};

/// Every provider, built with no settings (normalizing a record needs none).
fn providers() -> Vec<(ProviderKind, Box<dyn Provider>)> {
    ProviderKind::value_variants()
        .iter()
        .map(|kind| {
            let env = ProviderEnv {
                http: Default::default(),
                settings: ProviderConfig::empty(kind.settings_name()),
                now: tally::config::parse_now("2026-06-15T12:00:00Z").unwrap(),
                presence: tally::providers::Presence::NoTerminal,
            };
            (*kind, kind.build(env).unwrap_or_else(|e| panic!("{kind:?}: {e:#}")))
        })
        .collect()
}

thread_local! {
    /// Built once per test thread: building one makes its HTTP client, which is slow.
    static PROVIDERS: Vec<(ProviderKind, Box<dyn Provider>)> = providers();
}

/// Run every provider over `raw`; a panic fails the test with the provider's name.
fn normalize_all(raw: &str) -> usize {
    PROVIDERS.with(|all| normalize_each(all, raw))
}

fn normalize_each(all: &[(ProviderKind, Box<dyn Provider>)], raw: &str) -> usize {
    let mut decoded = 0;
    for (kind, provider) in all {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| provider.normalize(raw)));
        match result {
            Ok(Ok(_)) => decoded += 1,
            Ok(Err(_)) => {}
            Err(_) => panic!("{kind:?} panicked on {raw:.300}"),
        }
    }
    decoded
}

/// Field names the providers' records use, so generated objects reach past the first lookup.
const FIELDS: &[&str] = &[
    "id",
    "account_id",
    "accountId",
    "transaction_id",
    "transactionId",
    "internalTransactionId",
    "currency",
    "iso_currency_code",
    "amount",
    "transactionAmount",
    "transaction_amount",
    "date",
    "posted",
    "transacted_at",
    "booked_date",
    "bookingDate",
    "booking_date",
    "valueDate",
    "value_date",
    "description",
    "payee",
    "memo",
    "pending",
    "status",
    "transaction",
    "record",
    "details",
    "counterparty",
    "creditor",
    "debtor",
    "creditorName",
    "remittanceInformationUnstructured",
    "remittance_information",
    "credit_debit_indicator",
    "debitCreditMemo",
    "postedTimestamp",
    "transactionTimestamp",
    "category",
    "personal_finance_category",
    "name",
    "merchant_name",
    "authorized_date",
    "running_balance",
    "type",
    "entry_reference",
    "removed",
    "added",
    "modified",
    "org",
    "balance",
    "balance-date",
    "extra",
    "links",
    "self",
    "account",
    "pending_transaction_id",
];

/// Values that break naive code: huge and odd numbers, numbers as strings, odd dates and codes.
fn hostile_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        prop::sample::select(vec![
            "1e400",
            "-1e400",
            "99999999999999999999999999999999",
            "-0",
            "0.000000000000000000001",
            "1.005",
            "12,34",
            "NaN",
            "",
            " ",
            "USD",
            "XXX",
            "€",
            "2026-02-30",
            "2026-13-01",
            "9999-12-31T23:59:60Z",
            "-1",
            "1.2.3",
            "0x10",
            "１２３",
            "DBIT",
            "CRDT",
            "BOOK",
            "PDNG",
            "posted",
            "pending",
            "\u{0}",
        ])
        .prop_map(Value::from),
        "\\PC{0,30}".prop_map(Value::from),
    ]
}

/// Any JSON, with objects keyed mostly by the providers' field names, nested up to ~8 deep.
fn hostile_json() -> impl Strategy<Value = Value> {
    hostile_scalar().prop_recursive(8, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((prop::sample::select(FIELDS), inner), 0..10)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        normalize_all(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_json_never_panics(value in hostile_json()) {
        normalize_all(&value.to_string());
    }

    #[test]
    fn wire_structs_take_arbitrary_json_without_panicking(value in hostile_json()) {
        decode_all(&value.to_string());
    }

    /// Every field set, at the top and one level down: past each struct's first field.
    #[test]
    fn wire_structs_take_full_hostile_objects_without_panicking(
        values in prop::collection::vec(hostile_json(), FIELDS.len())
    ) {
        let record: Map<String, Value> = FIELDS.iter().map(|f| f.to_string()).zip(values).collect();
        decode_all(&Value::Object(record.clone()).to_string());
        let wrapped: Map<String, Value> = ["accounts", "transactions", "balances", "added", "account", "item"]
            .iter()
            .map(|f| (f.to_string(), json!([Value::Object(record.clone())])))
            .collect();
        decode_all(&Value::Object(wrapped).to_string());
    }

    /// A record whose every field is set: the deepest paths of each decoder.
    #[test]
    fn full_records_with_hostile_values_never_panic(values in prop::collection::vec(hostile_json(), FIELDS.len())) {
        let record: Map<String, Value> = FIELDS.iter().map(|f| f.to_string()).zip(values).collect();
        let mut value = Value::Object(record.clone());
        normalize_all(&value.to_string());
        // The same, wrapped as the records that carry a transaction inside.
        value = json!({ "account_id": "a1", "currency": "USD", "transaction": value, "record": record });
        normalize_all(&value.to_string());
    }
}

/// Decode `text` as every provider's wire structs; a panic fails with the provider's name. How
/// many structs took it.
fn decode_all(text: &str) -> usize {
    ProviderKind::value_variants()
        .iter()
        .map(|kind| {
            std::panic::catch_unwind(|| decode_wire(*kind, text).len())
                .unwrap_or_else(|_| panic!("{kind:?}'s wire structs panicked on {text:.300}"))
        })
        .sum()
}

/// Deep documents end without a stack overflow: serde_json's depth limit refuses what a struct
/// would descend into, and what a struct ignores or keeps as raw text (Plaid's balances) is
/// skipped without recursion, so those may decode; huge numbers and strings are refused.
#[test]
fn wire_structs_refuse_deep_and_huge_documents_cleanly() {
    for depth in [200, 100_000] {
        decode_all(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
        decode_all(&format!("{}1{}", "{\"transactions\":".repeat(depth), "}".repeat(depth)));
    }
    // A million-digit amount or a huge string adds nothing a struct could take as a number:
    // no more structs take them than take an empty object (whose fields are all optional).
    let empty = decode_all("{}");
    assert!(empty > 0, "the decoders are reached at all");
    assert!(decode_all(&format!("{{\"amount\":{}}}", "9".repeat(1_000_000))) <= empty);
    assert!(decode_all(&format!("{{\"amount\":\"{}\"}}", "9".repeat(1_000_000))) <= empty);
    assert_eq!(decode_all(&"\"x".repeat(200_000)), 0);
}

/// Amounts are read from their text into integer minor units: no wire module (nor the sandbox's,
/// nor `money`) has a float in its code, so none can round a balance.
#[test]
fn no_wire_module_reads_an_amount_as_a_float() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<_> = ["enablebanking", "fdx", "gocardless", "plaid", "simplefin", "teller"]
        .iter()
        .map(|p| root.join(format!("providers/{p}/wire.rs")))
        .collect();
    files.extend([root.join("providers/sandbox.rs"), root.join("money.rs")]);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for float in ["f64", "f32", "as_f64"] {
                assert!(!code.contains(float), "{}:{}: {line}", file.display(), n + 1);
            }
        }
    }
}

#[test]
fn deep_nesting_and_huge_documents_are_errors() {
    for depth in [200, 100_000] {
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(normalize_all(&deep), 0, "depth {depth}");
        let deep = format!("{}1{}", "{\"transaction\":".repeat(depth), "}".repeat(depth));
        assert_eq!(normalize_all(&deep), 0, "objects, depth {depth}");
    }
    let huge = format!("{{\"amount\":{},\"currency\":\"USD\"}}", "9".repeat(1_000_000));
    assert_eq!(normalize_all(&huge), 0);
    assert_eq!(normalize_all(&"\"x".repeat(200_000)), 0);
}
