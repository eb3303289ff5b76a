//! A team's `.gitleaks.toml`: `secrets::load_pack` on it (the TOML reader
//! `secrets::gitleaks::parse`, the `[extend]` chain, every rule's and
//! allowlist's parameters compiled into `secrets.pattern` rules).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = prr::fuzz_api::gitleaks_config(text);
    }
});
