//! A runbook: Markdown (invalid UTF-8 replaced, as the inventory does)
//! through `Runbook::parse` (front matter, fences, ATX/setext headings,
//! GitHub anchors), then the built-in `runbook.*` checks.
#![no_main]
use libfuzzer_sys::fuzz_target;
use prr::fuzz_api::{check, inventory_of};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let inv = inventory_of("runbooks/fuzz.md", &text);
    let _ = check(&inv, &["runbook."]);
});
