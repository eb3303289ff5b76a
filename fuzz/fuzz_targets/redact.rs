//! The redactor: bytes up to the first NUL are a secret the scan found, the
//! rest is text to print. A known secret (8+ ASCII letters and digits) never
//! survives; the config-error and stderr message paths never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (secret, rest) = text.split_once('\0').unwrap_or(("", &text));
    let _ = prr::fuzz_api::redact(secret, rest);
});
