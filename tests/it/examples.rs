//! The bundled examples: `examples/checkout` passes, `examples/legacy`
//! fails in every family. Both reports are snapshot-tested (insta), so any
//! change in what prr says about them is reviewed.

use crate::support::{prr_output, root};
use std::process::Output;

fn check(example: &str, format: &str) -> Output {
    prr_output(
        &root(),
        &[
            "check",
            &format!("examples/{example}"),
            "--format",
            format,
            "--color",
            "never",
        ],
    )
}

/// Families with at least one error or warning.
fn families(report: &serde_json::Value) -> Vec<String> {
    let mut f: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["level"] != "notice" && f["suppressed"] == false)
        .map(|f| {
            f["rule"]
                .as_str()
                .unwrap_or("")
                .split('/')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    f.sort();
    f.dedup();
    f
}

#[test]
fn checkout_passes() {
    let o = check("checkout", "json");
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(report["result"], "pass");
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(
        report["summary"]["warnings"], 0,
        "the good example is clean: {report:#}"
    );
    insta::assert_json_snapshot!("checkout-json", report);
    let text = check("checkout", "text");
    insta::assert_snapshot!("checkout-text", String::from_utf8_lossy(&text.stdout));
}

#[test]
fn legacy_fails_in_every_family() {
    let o = check("legacy", "json");
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(report["result"], "fail");
    assert_eq!(
        families(&report),
        vec![
            "alerts", "budget", "prr", "rollout", "runbook", "secrets", "slo"
        ]
    );
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        !text.contains("AKIAQ3FAKEKEY7TESTZ2"),
        "the secret is redacted"
    );
    insta::assert_json_snapshot!("legacy-json", report);
    let text = check("legacy", "text");
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(
        !text.contains("AKIAQ3FAKEKEY7TESTZ2"),
        "the secret is redacted in text"
    );
    insta::assert_snapshot!("legacy-text", text);
}
