//! Fuzz the import path with Format::Csv.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::import_all(data, tally::import::Format::Csv));
