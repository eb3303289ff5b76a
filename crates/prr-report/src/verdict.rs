//! The verdict for the log: one line on stderr whatever the reports
//! (`prr: FAIL: 3 errors, … in 0.42 s`), so a run whose reports all go
//! to files (`-o`), or a `--quiet` run, still says how it ended; before it,
//! a per-rule tally when more than [`TALLY_OVER`] findings gate or warn.

use super::{GateResult, RunReport};
use crate::finding::Level;
pub use prr_core::text::plural;

/// Above this many unsuppressed errors and warnings, the verdict is preceded
/// by a per-rule tally (most frequent first).
pub const TALLY_OVER: usize = 50;

/// `3 errors, 1 warning, 0 notices, 2 suppressed; 8 files scanned`.
pub fn counts(s: &super::Summary) -> String {
    format!(
        "{}, {}, {}, {} suppressed; {} scanned",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.notices, "notice"),
        s.suppressed,
        plural(s.files_scanned, "file")
    )
}

/// `PASS` or `FAIL`; with `color`, bold green or bold red (ANSI).
pub fn word(result: GateResult, color: bool) -> String {
    match (result, color) {
        (GateResult::Pass, false) => "PASS".into(),
        (GateResult::Fail, false) => "FAIL".into(),
        (GateResult::Pass, true) => "\x1b[1;32mPASS\x1b[0m".into(),
        (GateResult::Fail, true) => "\x1b[1;31mFAIL\x1b[0m".into(),
    }
}

/// The verdict line with counts and the elapsed time (seconds, 2 decimals),
/// ending in a newline.
pub fn line(r: &RunReport, elapsed: std::time::Duration) -> String {
    format!(
        "prr: {}: {} in {:.2} s\n",
        word(r.result, false),
        counts(&r.summary),
        elapsed.as_secs_f64()
    )
}

/// `prr: by rule: rollout/pdb 40 (error), alerts/for 12 (warning), …` when
/// more than [`TALLY_OVER`] unsuppressed errors and warnings; else empty.
pub fn tally(r: &RunReport) -> String {
    let mut by_rule: std::collections::BTreeMap<(&str, Level), usize> = Default::default();
    for f in r
        .findings
        .iter()
        .filter(|f| !f.suppressed && f.level >= Level::Warning)
    {
        *by_rule.entry((f.rule.as_str(), f.level)).or_default() += 1;
    }
    let total: usize = by_rule.values().sum();
    if total <= TALLY_OVER {
        return String::new();
    }
    let mut rows: Vec<((&str, Level), usize)> = by_rule.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let parts: Vec<String> = rows
        .iter()
        .map(|((rule, level), n)| format!("{rule} {n} ({})", level.as_str()))
        .collect();
    format!("prr: by rule: {}\n", parts.join(", "))
}
