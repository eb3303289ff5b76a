//! `alerts/template` against `promtool check rules`, run live on the rule
//! files of tests/fixtures/alertmanager/templates (hand-written bad
//! templates, and Prometheus' own rulefmt test data; see that folder's
//! PROVENANCE.md).

use crate::support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alertmanager/templates")
}

/// (alert, `annotation "k"` / `label "k"`) → message, from prr's findings on `file` alone.
fn prr_verdicts(file: &Path) -> BTreeMap<(String, String), String> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(file, dir.path().join("rules.yml")).expect("copy");
    let o = Command::new(env!("CARGO_BIN_EXE_prr"))
        .args(["check", ".", "--format", "json"])
        .current_dir(dir.path())
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run prr");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let mut out = BTreeMap::new();
    for f in v["findings"].as_array().expect("findings") {
        if f["rule"] != "alerts/template" {
            continue;
        }
        let m = f["message"].as_str().expect("message");
        // `Prometheus refuses this rule file: annotation "k" of alert `A`: template: …`
        let rest = m
            .strip_prefix("Prometheus refuses this rule file: ")
            .expect("prefix");
        let (what, rest) = rest.split_once(" of alert `").expect("what");
        let (alert, msg) = rest.split_once("`: ").expect("alert");
        out.insert((alert.to_string(), what.to_string()), msg.to_string());
    }
    out
}

/// The same from `promtool check rules` (only template errors).
fn promtool_verdicts(file: &Path) -> BTreeMap<(String, String), String> {
    let o = Command::new("promtool")
        .args(["check", "rules"])
        .arg(file)
        .output()
        .expect("run promtool");
    let text =
        String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout);
    let mut out = BTreeMap::new();
    for l in text.lines().filter(|l| l.contains(": template: ")) {
        // `f: group "g", rule 2, "A": annotation "k": template: …`
        let after_rule = l.split_once(", \"").map(|x| x.1).expect("rule");
        let (alert, rest) = after_rule.split_once("\": ").expect("alert");
        let (what, msg) = rest.split_once(": template: ").expect("template");
        out.insert(
            (alert.to_string(), what.to_string()),
            format!("template: {msg}"),
        );
    }
    out
}

#[test]
#[ignore = "needs promtool"]
fn template_verdicts_agree_with_promtool() {
    support::require_tools(&["promtool"], "bash .ci/install-prometheus.sh");
    let files = [
        fixtures().join("bad.yml"),
        fixtures().join("rulefmt/test.yaml"),
        fixtures().join("rulefmt/test_aliases.yaml"),
    ];
    let mut refused = 0;
    for f in &files {
        let ours = prr_verdicts(f);
        let theirs = promtool_verdicts(f);
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>(),
            "{}: prr {ours:#?}\npromtool {theirs:#?}",
            f.display()
        );
        for (k, m) in &theirs {
            // gotmpl words an empty control pipeline `empty command`, Go
            // `missing value for if`: the only wording that differs.
            if m.contains("missing value for") {
                assert!(ours[k].ends_with("empty command"), "{k:?}: {}", ours[k]);
            } else {
                assert_eq!(&ours[k], m, "{}: {k:?}", f.display());
            }
        }
        refused += theirs.len();
    }
    assert_eq!(refused, 7, "the bad templates of bad.yml");
}

#[test]
fn bad_templates_are_found_at_their_line_and_good_ones_pass() {
    let ours = prr_verdicts(&fixtures().join("bad.yml"));
    assert_eq!(ours.len(), 7, "{ours:#?}");
    assert!(!ours.keys().any(|(a, _)| a == "GoodOne"), "{ours:#?}");
    assert_eq!(
        ours[&(
            "UnknownFunction".to_string(),
            "annotation \"summary\"".to_string()
        )],
        "template: __alert_UnknownFunction:1: function \"humanizePercent\" not defined"
    );
    assert!(prr_verdicts(&fixtures().join("rulefmt/test.yaml")).is_empty());
}
