//! prr.yaml: `Config::parse` (services, globs, rule overrides, the
//! `budget:` section and its policy); with rule overrides, also the
//! built-in rules loaded with them applied (`rules::load`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = prr::fuzz_api::config(text);
    }
});
