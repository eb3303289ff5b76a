//! Readiness score, level and the `prr/min-level` gate, through the binary.
//!
//! The repositories are copies of the bundled `examples/checkout` (which
//! passes every rule) with known defects added by [`defective`]:
//!
//! - `deploy/deployment.yaml`: image tag `:latest` → `rollout/image-pinned`
//!   (error);
//! - `runbooks/CheckoutPodsNotReady.md`: no mitigation heading →
//!   `runbook/sections` (warning);
//! - `config/settings.env`: a fake AWS access key → `secrets/aws-access-token`
//!   (error).
//!
//! With the default pack, the rules at error or warning that apply to a
//! critical or standard service are: slo 7, alerts 8, incident response 2
//! (`runbook/present`, `runbook/sections`; `runbook/orphan` is a notice),
//! rollout 10, secrets 1 unit. So by hand, equal weights 20:
//!
//! | area | passed/total | fraction |
//! |---|---|---|
//! | slo | 7/7 | 1 |
//! | alerts | 8/8 | 1 |
//! | incident-response | 1/2 | 0.5 |
//! | rollout | 9/10 | 0.9 |
//! | secrets | 0/1 | 0 |
//!
//! score = (1 + 1 + 0.5 + 0.9 + 0) / 5 = 0.68 → 68 → bronze (50 ≤ 68 < 75).
//! A change of the default pack's counts changes these figures on purpose.

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

/// Copies `examples/checkout` (without its budget snapshot) into a temp
/// folder, writes `prr_yaml` as its prr.yaml.
fn checkout_copy(prr_yaml: &str) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/checkout");
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&src, dir.path(), &src);
    std::fs::remove_dir_all(dir.path().join("budget")).expect("rm budget");
    std::fs::write(dir.path().join("prr.yaml"), prr_yaml).expect("write prr.yaml");
    dir
}

fn copy_tree(from: &Path, to: &Path, root: &Path) {
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let p = e.path();
        let dest = to.join(p.strip_prefix(root).expect("under root"));
        if p.is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
            copy_tree(&p, to, root);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Replaces `from` by `to` in `file` (asserting it was there).
fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let p = root.join(file);
    let text = std::fs::read_to_string(&p).expect("read");
    assert!(text.contains(from), "{file} has `{from}`");
    std::fs::write(&p, text.replace(from, to)).expect("write");
}

/// The image defect: the Deployment's image by the `latest` tag.
fn unpin_image(root: &Path) {
    edit(
        root,
        "deploy/deployment.yaml",
        "ghcr.io/acme/checkout:1.14.2",
        "ghcr.io/acme/checkout:latest",
    );
}

/// The three defects of the module comment.
fn defective(prr_yaml: &str) -> tempfile::TempDir {
    let dir = checkout_copy(prr_yaml);
    let root = dir.path();
    unpin_image(root);
    edit(
        root,
        "runbooks/CheckoutPodsNotReady.md",
        "## Mitigation",
        "## Notes",
    );
    std::fs::create_dir_all(root.join("config")).expect("mkdir");
    // A fake key (the one of examples/legacy), visibly so.
    std::fs::write(
        root.join("config/settings.env"),
        "AWS_ACCESS_KEY_ID=AKIAQ3FAKEKEY7TESTZ2\n",
    )
    .expect("write");
    dir
}

const CRITICAL: &str = "services:\n  - name: checkout\n    paths: [\"**\"]\n    tier: critical\n";
const STANDARD: &str = "services:\n  - name: checkout\n    paths: [\"**\"]\n    tier: standard\n";

fn prr(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prr"))
        .args(args)
        .arg(root)
        .args(["--color", "never"])
        .env_remove("GITHUB_ACTIONS")
        .env_remove("PRR_TIMINGS")
        .output()
        .expect("run prr")
}

fn json_report(root: &Path) -> (Option<i32>, Value) {
    let o = prr(root, &["check", "--format", "json"]);
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (o.status.code(), v)
}

fn readiness<'a>(report: &'a Value, service: &str) -> &'a Value {
    report["readiness"]
        .as_array()
        .expect("readiness array")
        .iter()
        .find(|r| r["service"] == service)
        .unwrap_or_else(|| panic!("no readiness for {service}: {report:#}"))
}

fn findings_of<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// An area of the JSON report without what says how much was read
/// (`read`, `assessed`), for comparing scores with [`area`].
fn scored(a: &Value) -> Value {
    let mut a = a.clone();
    if let Some(m) = a.as_object_mut() {
        m.remove("read");
        m.remove("assessed");
    }
    a
}

fn area(passed: u64, total: u64, score: u64, failing: &[&str]) -> Value {
    json!({"score": score, "passed": passed, "total": total, "weight": 20.0, "failing": failing})
}

#[test]
fn known_findings_give_the_computed_area_scores_and_total() {
    let dir = defective(CRITICAL);
    let (code, report) = json_report(dir.path());
    assert_eq!(code, Some(1));
    let r = readiness(&report, "checkout");
    assert_eq!(r["tier"], "critical");
    assert_eq!(scored(&r["areas"]["slo"]), area(7, 7, 100, &[]));
    assert_eq!(scored(&r["areas"]["alerts"]), area(8, 8, 100, &[]));
    assert_eq!(
        scored(&r["areas"]["incident-response"]),
        area(1, 2, 50, &["runbook/sections"])
    );
    assert_eq!(
        scored(&r["areas"]["rollout"]),
        area(9, 10, 90, &["rollout/image-pinned"])
    );
    assert_eq!(
        scored(&r["areas"]["secrets"]),
        area(0, 1, 0, &["secrets/aws-access-token"])
    );
    // (1 + 1 + 0.5 + 0.875 + 0) / 5 = 0.675 → 68.
    assert_eq!(r["score"], 68);
    assert_eq!(r["level"], "bronze");
    assert_eq!(r["required"], "silver");
    assert_eq!(r["meets"], false);
    // Two errors: the secret and the image.
    assert_eq!(r["errors"], 2);

    // The gate: one finding at the service's line in prr.yaml.
    let gate = findings_of(&report, "prr/min-level");
    assert_eq!(gate.len(), 1, "{report:#}");
    let g = gate[0];
    assert_eq!(g["level"], "error");
    assert_eq!(g["path"], "prr.yaml");
    assert_eq!(g["line"], 2);
    assert_eq!(g["service"], "checkout");
    assert_eq!(
        g["message"],
        "service `checkout` scores 68/100 readiness, level bronze; tier critical requires at least silver; weakest area: secrets 0/100 (0 of 1 passing; failing: secrets/aws-access-token)"
    );
    // The examples/checkout original, untouched, is gold.
    let clean = checkout_copy(CRITICAL);
    let (code, report) = json_report(clean.path());
    assert_eq!(code, Some(0), "{report:#}");
    let r = readiness(&report, "checkout");
    assert_eq!(
        (r["score"].as_u64(), r["level"].as_str()),
        (Some(100), Some("gold"))
    );
    assert!(findings_of(&report, "prr/min-level").is_empty());
}

#[test]
fn weights_override_changes_the_total_as_computed() {
    // secrets 60, others 20 (a key left out keeps 20):
    // (20·1 + 20·1 + 20·0.5 + 20·0.9 + 60·0) / 140 = 68 / 140 = 0.486 → 49 → none.
    let dir = defective(&format!(
        "{CRITICAL}rules:\n  prr/min-level:\n    with:\n      weights: {{ secrets: 60 }}\n"
    ));
    let (_, report) = json_report(dir.path());
    let r = readiness(&report, "checkout");
    assert_eq!(r["score"], 49);
    assert_eq!(r["level"], "none");
    assert_eq!(r["areas"]["secrets"]["weight"], 60.0);
    assert_eq!(r["areas"]["slo"]["weight"], 20.0);
    assert!(
        findings_of(&report, "prr/min-level")[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("scores 49/100 readiness, level unrated;")
    );

    // Weight 0 drops the area: (1 + 1 + 0.5 + 0.9) / 4 = 0.85 → 85 →
    // silver, which meets critical's minimum: no gate finding.
    let dir = defective(&format!(
        "{CRITICAL}rules:\n  prr/min-level:\n    with:\n      weights: {{ secrets: 0 }}\n"
    ));
    let (_, report) = json_report(dir.path());
    let r = readiness(&report, "checkout");
    assert_eq!(r["score"], 85);
    assert_eq!(r["level"], "silver");
    assert!(findings_of(&report, "prr/min-level").is_empty());

    // Thresholds too: silver from 65 makes 68 silver.
    let dir = defective(&format!(
        "{CRITICAL}rules:\n  prr/min-level:\n    with:\n      levels: {{ gold: 90, silver: 65, bronze: 50 }}\n"
    ));
    let (_, report) = json_report(dir.path());
    let r = readiness(&report, "checkout");
    assert_eq!(
        (r["score"].as_u64(), r["level"].as_str()),
        (Some(68), Some("silver"))
    );
    assert!(findings_of(&report, "prr/min-level").is_empty());
}

#[test]
fn invalid_parameters_are_a_config_error() {
    let dir = defective(&format!(
        "{CRITICAL}rules:\n  prr/min-level:\n    with:\n      levels: {{ gold: 50, silver: 75 }}\n"
    ));
    let o = prr(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("prr.yaml:8"), "{err}");
    assert!(err.contains("gold ≥ silver ≥ bronze"), "{err}");
}

#[test]
fn a_suppressed_finding_does_not_lower_the_score() {
    let dir = defective(&format!(
        "{CRITICAL}suppressions:\n  - rule: secrets/aws-access-token\n    reason: fake key of a test fixture\n"
    ));
    let (_, report) = json_report(dir.path());
    let secret = findings_of(&report, "secrets/aws-access-token");
    assert_eq!(secret.len(), 1);
    assert_eq!(secret[0]["suppressed"], true);
    let r = readiness(&report, "checkout");
    assert_eq!(scored(&r["areas"]["secrets"]), area(1, 1, 100, &[]));
    // (1 + 1 + 0.5 + 0.9 + 1) / 5 = 0.88 → 88 → silver: meets critical.
    assert_eq!(r["score"], 88);
    assert_eq!(r["level"], "silver");
    assert_eq!(r["errors"], 1);
    assert!(findings_of(&report, "prr/min-level").is_empty());
}

#[test]
fn the_gate_finding_itself_can_be_suppressed() {
    let dir = defective(&format!(
        "{CRITICAL}suppressions:\n  - rule: prr/min-level\n    reason: readiness plan agreed for Q3\n"
    ));
    let (_, report) = json_report(dir.path());
    let gate = findings_of(&report, "prr/min-level");
    assert_eq!(gate.len(), 1);
    assert_eq!(gate[0]["suppressed"], true);
    assert_eq!(
        gate[0]["suppression"]["reason"],
        "readiness plan agreed for Q3"
    );
    // The suppression was used: no `prr/suppression-unused` for it, and the
    // other findings are listed once each.
    assert!(findings_of(&report, "prr/suppression-unused").is_empty());
    assert_eq!(findings_of(&report, "rollout/image-pinned").len(), 1);
    assert_eq!(readiness(&report, "checkout")["score"], 68);
}

#[test]
fn a_gate_turned_on_for_one_tier_gates_that_tier() {
    // Off for every tier but critical: the critical service below its
    // minimum fails the run (before the post-pass registry, the top-level
    // `off` dropped the gate's finding while the readiness still said
    // `meets: false`); without the tier's override nothing is required.
    let on = "rules:\n  prr/min-level: { level: off }\ntiers:\n  critical:\n    rules:\n      prr/min-level: { level: error }\n";
    let (code, report) = json_report(defective(&format!("{CRITICAL}{on}")).path());
    assert_eq!(code, Some(1), "{report:#}");
    let gate = findings_of(&report, "prr/min-level");
    assert_eq!(gate.len(), 1, "{report:#}");
    assert_eq!(gate[0]["level"], "error");
    assert_eq!(readiness(&report, "checkout")["meets"], false);

    let off = "rules:\n  prr/min-level: { level: off }\n";
    let (_, report) = json_report(defective(&format!("{CRITICAL}{off}")).path());
    assert!(findings_of(&report, "prr/min-level").is_empty());
    let r = readiness(&report, "checkout");
    assert_eq!(
        (r["required"].is_null(), &r["meets"]),
        (true, &Value::Bool(true))
    );
}

#[test]
fn tier_gating_fails_critical_and_passes_standard() {
    let (_, critical) = json_report(defective(CRITICAL).path());
    assert_eq!(findings_of(&critical, "prr/min-level").len(), 1);

    let (_, standard) = json_report(defective(STANDARD).path());
    // Same rules apply to standard (slo/present, rollout/pdb and
    // rollout/replicas cover critical, important and standard): same score.
    let r = readiness(&standard, "checkout");
    assert_eq!(r["tier"], "standard");
    assert_eq!(r["score"], 68);
    assert_eq!(r["level"], "bronze");
    assert_eq!(r["required"], "none");
    assert_eq!(r["meets"], true);
    assert!(findings_of(&standard, "prr/min-level").is_empty());

    // The rule can be scoped to standard too, with its own minimum.
    let dir = defective(&format!(
        "{STANDARD}rules:\n  prr/min-level:\n    with:\n      min: {{ standard: silver }}\n"
    ));
    let (_, report) = json_report(dir.path());
    let gate = findings_of(&report, "prr/min-level");
    assert_eq!(gate.len(), 1);
    assert!(
        gate[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("tier standard requires at least silver")
    );
}

#[test]
fn gold_needs_no_unsuppressed_error() {
    // Only the image defect: (1 + 1 + 1 + 0.9 + 1) / 5 = 0.98 → 98, but
    // rollout/image-pinned is an error: silver.
    let dir = checkout_copy(&format!(
        "{CRITICAL}rules:\n  prr/min-level:\n    with:\n      min: {{ critical: gold }}\n"
    ));
    unpin_image(dir.path());
    let (_, report) = json_report(dir.path());
    let r = readiness(&report, "checkout");
    assert_eq!(r["score"], 98);
    assert_eq!(r["level"], "silver");
    assert_eq!(r["errors"], 1);
    let gate = findings_of(&report, "prr/min-level");
    assert_eq!(gate.len(), 1);
    assert_eq!(
        gate[0]["message"],
        "service `checkout` scores 98/100 readiness, level silver (1 unsuppressed error finding(s) keep it below gold); tier critical requires at least gold; weakest area: rollout 90/100 (9 of 10 passing; failing: rollout/image-pinned)"
    );
}

#[test]
fn an_expired_suppression_fails_the_run_but_counts_in_no_score() {
    // The findings about suppressions are reported after the scores: an
    // expired entry that covered nothing fails the run and leaves the
    // service gold; one that covered the image defect lets that finding
    // count again, and it is that finding that keeps the service silver.
    let expired = "suppressions:\n  - rule: rollout/image-pinned\n    reason: pinned next sprint\n    until: 2020-01-31\n";
    let clean = checkout_copy(&format!("{CRITICAL}{expired}"));
    let (code, report) = json_report(clean.path());
    assert_eq!(code, Some(1), "{report:#}");
    // The expired entry's finding, once, with how many it covered.
    let covered = |report: &Value| {
        let meta = findings_of(report, "prr/suppression-expired");
        assert_eq!(meta.len(), 1, "{report:#}");
        let m = meta[0]["message"].as_str().unwrap_or_default().to_string();
        m.split(" finding(s) it covered")
            .next()
            .and_then(|h| h.rsplit('(').next())
            .map(str::to_string)
    };
    assert_eq!(covered(&report).as_deref(), Some("0"));
    let r = readiness(&report, "checkout");
    assert_eq!(
        (r["score"].as_u64(), r["errors"].as_u64()),
        (Some(100), Some(0))
    );
    assert_eq!(r["level"], "gold");

    let dir = checkout_copy(&format!("{CRITICAL}{expired}"));
    unpin_image(dir.path());
    let (_, report) = json_report(dir.path());
    assert_eq!(covered(&report).as_deref(), Some("1"));
    let pinned = findings_of(&report, "rollout/image-pinned");
    assert_eq!(pinned.len(), 1);
    assert_eq!(pinned[0]["suppressed"], false);
    let r = readiness(&report, "checkout");
    assert_eq!(
        (r["score"].as_u64(), r["errors"].as_u64()),
        (Some(98), Some(1))
    );
    assert_eq!(r["level"], "silver");
}

#[test]
fn a_finding_without_a_service_counts_against_every_service() {
    // Two services; the key is in config/, outside both.
    let dir = defective(
        "services:\n  - name: checkout\n    paths: [\"deploy/**\", \"monitoring/**\", \"runbooks/**\", \"slo/**\"]\n    tier: standard\n  - name: payments\n    paths: [\"payments/**\"]\n    tier: standard\n",
    );
    let (_, report) = json_report(dir.path());
    let secret = findings_of(&report, "secrets/aws-access-token");
    assert_eq!(secret[0]["service"], Value::Null);
    for svc in ["checkout", "payments"] {
        let r = readiness(&report, svc);
        assert_eq!(
            scored(&r["areas"]["secrets"]),
            area(0, 1, 0, &["secrets/aws-access-token"]),
            "{svc}"
        );
    }
    // The image finding belongs to checkout only.
    assert_eq!(
        readiness(&report, "checkout")["areas"]["rollout"]["failing"],
        json!(["rollout/image-pinned"])
    );
    assert_eq!(
        readiness(&report, "payments")["areas"]["rollout"]["failing"],
        json!([])
    );
}

#[test]
fn text_report_prints_the_score_line() {
    let dir = defective(CRITICAL);
    let o = prr(dir.path(), &["check", "--format", "text"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Readiness\n  checkout: 68/100 bronze; below the required silver (tier critical)\n    slo                ██████████ 100\n    alerts             ██████████ 100\n    incident-response  █████░░░░░  50\n    rollout            █████████░  90\n    secrets            ░░░░░░░░░░   0\n"),
        "{text}"
    );
}

#[test]
fn markdown_and_junit_show_the_readiness() {
    let dir = defective(CRITICAL);
    let o = prr(dir.path(), &["check", "--format", "markdown"]);
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(md.contains("### Readiness\n\n| service | tier | score | level | required | slo | alerts | incident-response | rollout | secrets |\n"), "{md}");
    assert!(
        md.contains("| checkout | critical | 68/100 | ❌ **bronze** | silver | ██████████ 100 (7/7) | ██████████ 100 (8/8) | █████░░░░░ 50 (1/2) | █████████░ 90 (9/10) | ░░░░░░░░░░ 0 (0/1) |\n"),
        "{md}"
    );
    let o = prr(dir.path(), &["check", "--format", "junit"]);
    let xml = String::from_utf8_lossy(&o.stdout);
    let suite = xml
        .split("<testsuite ")
        .find(|s| s.starts_with("name=\"prr/min-level\""))
        .unwrap_or_else(|| panic!("{xml}"));
    for p in [
        "<property name=\"readiness.checkout.score\" value=\"68\"/>",
        "<property name=\"readiness.checkout.level\" value=\"bronze\"/>",
        "<property name=\"readiness.checkout.required\" value=\"silver\"/>",
        "<property name=\"readiness.checkout.areas\" value=\"slo 100 (7/7), alerts 100 (8/8), incident-response 50 (1/2), rollout 90 (9/10), secrets 0 (0/1)\"/>",
    ] {
        assert!(suite.contains(p), "{p}\n{suite}");
    }
    // The gate's failure is the suite's failing case at prr.yaml.
    assert!(suite.contains("<testcase classname=\"prr/min-level\" name=\"prr.yaml\" file=\"prr.yaml\">\n      <failure"), "{suite}");
}

/// Validates `sarif` against the OASIS SARIF 2.1.0 schema (rtm.5) the
/// crate's own SARIF test uses, with the same in-memory fix of the schema's
/// known defect (a stray `]` in the `language` pattern, which prr never
/// writes).
fn sarif_errors(sarif: &Value) -> Vec<String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schemas/sarif-2.1.0-rtm.5.json");
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("json");
    for def in ["run", "toolComponent"] {
        let lang = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(lang, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *lang = json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    let v = jsonschema::draft4::new(&schema).expect("schema compiles");
    v.iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_carries_the_readiness_and_still_validates() {
    let dir = defective(CRITICAL);
    let o = prr(dir.path(), &["check", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&o.stdout).expect("sarif json");
    let errors = sarif_errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let props = &sarif["runs"][0]["properties"]["readiness"][0];
    assert_eq!(props["service"], "checkout");
    assert_eq!(props["score"], 68);
    assert_eq!(props["areas"]["rollout"]["passed"], 9);
    // The run's property bag must be an object: the schema says so, and the
    // validator notices.
    let mut broken = sarif.clone();
    broken["runs"][0]["properties"] = json!([1]);
    assert_eq!(sarif_errors(&broken).len(), 1);
    // The gate's result points at the service in prr.yaml.
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let gate = results
        .iter()
        .find(|r| r["ruleId"] == "prr/min-level")
        .expect("gate result");
    let loc = &gate["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "prr.yaml");
    assert_eq!(loc["region"]["startLine"], 2);
}

#[test]
fn secrets_only_runs_have_no_readiness() {
    let dir = defective(CRITICAL);
    let o = prr(dir.path(), &["secrets", "--format", "json"]);
    let report: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(report["readiness"], json!([]));
    assert!(findings_of(&report, "prr/min-level").is_empty());
    assert_eq!(findings_of(&report, "secrets/aws-access-token").len(), 1);
}

/// Issue 13 item 11: what was not read is not scored. An empty folder has
/// no readiness score (never 100, never silver), and in a repository with
/// alerts but no Kubernetes objects the rollout area is "not assessed"
/// rather than 100; a failing rule is an assessment all the same.
#[test]
fn areas_with_nothing_read_are_not_assessed() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("prr.yaml"),
        "services:\n  - name: shop\n    paths: [\"**\"]\n    tier: critical\n",
    )
    .expect("prr.yaml");
    let (code, v) = json_report(dir.path());
    let r = &v["readiness"][0];
    // Only the failing slo/present counts (0/1); nothing else was read.
    assert_eq!(
        (r["score"].as_u64(), r["level"].as_str()),
        (Some(0), Some("none")),
        "{r}"
    );
    assert_eq!(scored(&r["areas"]["slo"]), area(0, 1, 0, &["slo/present"]));
    for a in ["alerts", "incident-response", "rollout", "secrets"] {
        assert!(r["areas"][a]["score"].is_null(), "{a}: {r}");
        assert_eq!(r["areas"][a]["assessed"], false, "{a}: {r}");
    }
    assert_eq!(code, Some(1));
    // With slo/present off nothing at all is assessed: no score, and the
    // gate says why instead of "scores 100/100".
    std::fs::write(
        dir.path().join("prr.yaml"),
        "services:\n  - name: shop\n    paths: [\"**\"]\n    tier: critical\nrules:\n  slo/present: { level: off }\n",
    )
    .expect("prr.yaml");
    let (_, v) = json_report(dir.path());
    let r = &v["readiness"][0];
    assert_eq!(r["assessed"], false, "{r}");
    assert!(r["score"].is_null(), "{r}");
    assert_eq!(r["level"], "none", "{r}");
    let gate = findings_of(&v, "prr/min-level")[0];
    assert!(
        gate["message"]
            .as_str()
            .is_some_and(|m| m.contains("could not be assessed")),
        "{gate}"
    );
    let text = prr(dir.path(), &["check"]);
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(out.contains("shop: not assessed unrated"), "{out}");

    // The bundled example without its manifests: rollout is not assessed,
    // the other areas keep their scores.
    let dir = checkout_copy(CRITICAL);
    std::fs::remove_dir_all(dir.path().join("deploy")).expect("rm deploy");
    let (_, v) = json_report(dir.path());
    let r = &v["readiness"][0];
    assert!(r["areas"]["rollout"]["score"].is_null(), "{r}");
    assert_eq!(r["areas"]["rollout"]["assessed"], false, "{r}");
    assert_eq!(r["areas"]["slo"]["score"], 100, "{r}");
    assert_eq!(r["assessed"], true, "{r}");
    let text = prr(dir.path(), &["check"]);
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(
        out.contains("rollout") && out.contains("not assessed (nothing read)"),
        "{out}"
    );
}
