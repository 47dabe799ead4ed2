//! Fuzz amount parsing: any text is an amount in minor units or an error, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let (Ok(text), Ok(usd)) = (std::str::from_utf8(data), tally::money::Currency::parse("USD")) {
        let _ = tally::money::parse_decimal(text, usd);
    }
});
