//! In-source directives in YAML (`# prr:ignore`, `# prr:ignore-file`),
//! including the block-scalar rule (a directive inside `|`/`>` content is
//! data): never a panic, never more directives than lines with the marker.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = prr::fuzz_api::yaml_directives(&text);
});
