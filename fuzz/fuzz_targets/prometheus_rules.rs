//! A Prometheus rule file or `PrometheusRule` object: the inventory's YAML
//! reading and classification (`RuleFile::from_document`), then the
//! built-in `alerts.*` checks (which parse every `expr` as PromQL).
#![no_main]
use libfuzzer_sys::fuzz_target;
use prr::fuzz_api::{check, inventory_of};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let inv = inventory_of("alerts/fuzz.yaml", text);
        let _ = check(&inv, &["alerts."]);
    }
});
