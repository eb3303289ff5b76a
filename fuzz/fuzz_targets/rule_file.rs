//! A team rule file (`rules-dir`): `rules::parse_rule`, which also decodes
//! and validates the analyzer's `with:` parameters (regexes, globs, …).
#![no_main]
use libfuzzer_sys::fuzz_target;
use prr::rules::{RuleSource, parse_rule};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_rule(text, RuleSource::Team("team-rules/fuzz.yaml".into()));
    }
});
