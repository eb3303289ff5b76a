//! The JSON report (docs/json-report.md, a contract): `version`, `result`,
//! `findings`, `budget` ([`super::budget::entry_json`]), `summary`,
//! `readiness` (one object per service, see
//! [`prr_core::readiness::Readiness::to_json`]), `coverage` and `config`
//! (added within version 1). Every finding is
//! listed, suppressed ones too (`suppressed: true` with
//! `suppression: {kind, reason, source}`);
//! `fingerprint` is the content fingerprint the baseline uses (for secrets
//! `sha256(rule + ":" + secret)`, never the secret itself).

use super::RunReport;
use serde_json::json;

file_reporter!(
    /// The `json` format.
    Json,
    "json",
    "The JSON report (docs/json-report.md)",
    render
);

/// Renders the report as pretty JSON followed by a newline.
pub fn render(r: &RunReport) -> String {
    let findings: Vec<serde_json::Value> = r
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule,
                "level": f.level,
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "message": f.message,
                "service": f.service,
                "suppressed": f.suppressed,
                "suppression": f.suppression,
                "fingerprint": f.fingerprint,
            })
        })
        .collect();
    let v = json!({
        "version": 1,
        "result": r.result,
        "findings": findings,
        "budget": r.budget.iter().map(super::budget::entry_json).collect::<Vec<_>>(),
        "summary": r.summary,
        "readiness": r.readiness.iter().map(prr_core::readiness::Readiness::to_json).collect::<Vec<_>>(),
        "coverage": r.coverage,
        "config": r.config,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}
