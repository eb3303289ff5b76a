//! The secret-scanning engine with gitleaks' default rules:
//! `Engine::scan(path, bytes)` then `secrets::locate` (lines, columns,
//! redacted snippets). Byte 0 picks the file's path (path-only rules and
//! path allowlists depend on it); the rest is the file's content, any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 8] = [
    "config/.env",
    "src/main.go",
    "deploy/secret.yaml",
    "keys/id_rsa",
    "certs/cert.p12",
    "package-lock.json",
    "README.md",
    "app.py",
];

fuzz_target!(|data: &[u8]| {
    if let [selector, bytes @ ..] = data {
        let path = PATHS[usize::from(*selector) % PATHS.len()];
        let _ = prr::fuzz_api::secret_scan(path, bytes);
    }
});
