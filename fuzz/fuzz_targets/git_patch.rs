//! The `git diff -U0` reader behind `--changed-since` and `--staged`:
//! `git::parse_unified_zero` (file headers, C-quoted names, hunk bodies).
//! Input: any bytes, read as git's patch output.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = prr::fuzz_api::git_patch(data);
});
