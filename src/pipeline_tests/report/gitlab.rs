//! `report::gitlab` on whole runs of the pipeline (the reporter's own
//! unit tests are in its crate).

use crate::report::gitlab::*;
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

#[test]
fn legacy_example_issues_are_complete_and_unique() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy");
    let run = crate::analyze(&root, None).unwrap();
    let r = run.report();
    let text = render(&r);
    let issues: Vec<Value> = serde_json::from_str(&text).unwrap();
    let unsuppressed = r.findings.iter().filter(|f| !f.suppressed).count();
    assert_eq!(issues.len(), unsuppressed);
    assert!(issues.len() >= 10, "{}", issues.len());
    let mut fps = HashSet::new();
    for i in &issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].as_str().is_some_and(|s| !s.is_empty()), "{key}: {i}");
        }
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap())
        );
        assert!(!i["location"]["path"].as_str().unwrap().is_empty());
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(fps.insert(i["fingerprint"].as_str().unwrap().to_string()));
    }
    // One exact issue.
    let rb = issues
        .iter()
        .find(|i| i["check_name"] == "alerts/runbook-annotation")
        .unwrap();
    assert_eq!(rb["location"]["path"], "alerts/rules.yaml");
    assert_eq!(rb["location"]["lines"]["begin"], 4);
    assert_eq!(rb["severity"], "critical");
    // Repository-level: the config file, line 1.
    let owners = issues
        .iter()
        .find(|i| i["check_name"] == "prr/codeowners")
        .unwrap();
    assert_eq!(owners["location"]["path"], "prr.yaml");
    assert_eq!(owners["location"]["lines"]["begin"], 1);
    let key = regex::Regex::new(r"AKIA[0-9A-Z]{16}").unwrap();
    assert!(!key.is_match(&text));
}

#[test]
fn suppressed_findings_are_left_out_and_a_clean_run_is_an_empty_array() {
    let dir = crate::testutil::repo(&[("broken.yaml", "a: [\n")]);
    let mut run = crate::testutil::check_run(dir.path());
    let before: Vec<Value> = serde_json::from_str(&render(&run.report())).unwrap();
    assert!(before.iter().any(
        |i| i["check_name"] == "prr/parse-error" && i["location"]["path"] == "broken.yaml"
    ));
    for f in &mut run.findings {
        f.suppressed = true;
    }
    assert_eq!(render(&run.report()), "[]\n");
}
