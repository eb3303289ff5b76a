//! An SLO file (OpenSLO, Sloth, Pyrra, slo-generator): the inventory's
//! YAML reading and classification, `formats::slo::extract`, then the
//! built-in `slo.*` and `alerts.burn-rate` checks on the result.
#![no_main]
use libfuzzer_sys::fuzz_target;
use prr::fuzz_api::{check, inventory_of};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let inv = inventory_of("slo/fuzz.yaml", text);
        let _ = check(&inv, &["slo.", "alerts.burn-rate"]);
    }
});
