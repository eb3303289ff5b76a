//! PromQL from repository files: `formats::promql::parse` (the bounded
//! entry point), the Prometheus provider's `windowed` rewrite of SLI
//! queries, and Sloth's `{{.window}}` template helpers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use prr::budget::providers::prometheus::windowed;
use prr::formats::{promql, slo};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(expr) = promql::parse(text) {
            let _ = expr.to_string();
        }
        if let Ok(expr) = windowed(text) {
            let _ = expr.to_string();
        }
        let _ = slo::has_window_template(text);
        let _ = slo::render_query_template(text, "5m");
    }
});
