//! In-source suppressions (issue 6): `# prr:ignore` in YAML, `<!-- prr:ignore
//! -->` in Markdown, the file-level `prr:ignore-file`, and the Kubernetes
//! annotation `prr.dev/ignore`, through the real `prr` binary.
//!
//! Inputs are real: kube-score's `linenumbers.yaml` (two Deployments, `foo`
//! at lines 1–10 and `foo2` at 11–20, each with `rollout/pdb` and
//! `rollout/replicas` at its `kind:` line and `rollout/selector-match` at its
//! `spec:` line) and two prometheus-operator runbooks (one
//! `runbook/sections` finding each), copied from tests/fixtures/suppress/
//! into a temporary repository where each test adds its directives.

use crate::support::prr_output;
use serde_json::Value;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/suppress");
const DEPLOY: &str = "deploy/linenumbers.yaml";
const TARGET_DOWN: &str = "docs/runbooks/TargetDown.md";
const WATCHDOG: &str = "docs/runbooks/Watchdog.md";

/// A temporary repository with the fixtures at [`DEPLOY`], [`TARGET_DOWN`]
/// and [`WATCHDOG`].
fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    for (from, to) in [
        ("linenumbers.yaml", DEPLOY),
        ("TargetDown.md", TARGET_DOWN),
        ("Watchdog.md", WATCHDOG),
    ] {
        let dest = tmp.path().join(to);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(Path::new(FIXTURES).join(from), dest).expect("copy fixture");
    }
    // The fixture's Deployments run one pod; the tests suppress a missing
    // PodDisruptionBudget too, so ask for one at every scale. `deploy/`
    // deploys to production (so the production-only rules gate there), and
    // the runbooks are held to an escalation section (the upstream ones
    // have none; the Markdown tests suppress that finding).
    std::fs::write(
        tmp.path().join("prr.yaml"),
        "production: [\"deploy/**\"]\nrules:\n  rollout/pdb: { with: { min-replicas: 1 } }\n  runbook/sections: { with: { sections: [{ name: escalation, headings: [escalation, contacts] }] } }\n",
    )
    .expect("write prr.yaml");
    tmp
}

/// Rewrites `rel` line by line: `edit(1-based line number, line)` returns
/// the lines to write instead of it.
fn edit(dir: &Path, rel: &str, edit: impl Fn(usize, &str) -> Vec<String>) {
    let p = dir.join(rel);
    let text = std::fs::read_to_string(&p).expect("read");
    let out: Vec<String> = text
        .lines()
        .enumerate()
        .flat_map(|(i, l)| edit(i + 1, l))
        .collect();
    std::fs::write(&p, out.join("\n") + "\n").expect("write");
}

/// Appends `line` to `rel`.
fn append(dir: &Path, rel: &str, line: &str) {
    let p = dir.join(rel);
    let text = std::fs::read_to_string(&p).expect("read");
    std::fs::write(&p, format!("{}\n{line}\n", text.trim_end())).expect("write");
}

/// Runs `prr ARGS` in `dir`; returns (exit code, the JSON report).
fn prr(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = prr_output(dir, args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    assert!(
        v.is_object(),
        "a JSON report expected:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), v)
}

fn check(dir: &Path) -> (i32, Value) {
    prr(dir, &["check", ".", "-f", "json"])
}

fn findings(v: &Value) -> &[Value] {
    v["findings"].as_array().map_or(&[], Vec::as_slice)
}

/// The finding of `rule` at `path:line` (exactly one).
fn at<'a>(v: &'a Value, rule: &str, path: &str, line: u64) -> &'a Value {
    let hits: Vec<&Value> = findings(v)
        .iter()
        .filter(|f| f["rule"] == rule && f["path"] == path && f["line"] == line)
        .collect();
    assert_eq!(hits.len(), 1, "{rule} at {path}:{line} in {v:#}");
    hits[0]
}

/// (rule, path, line, suppressed) of every finding of `family/`.
fn of_family(v: &Value, family: &str) -> Vec<(String, String, u64, bool)> {
    findings(v)
        .iter()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with(&format!("{family}/")))
        })
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["suppressed"].as_bool().unwrap_or_default(),
            )
        })
        .collect()
}

/// The `prr/suppression-*` findings as (rule, path, line, level).
fn meta(v: &Value) -> Vec<(String, String, u64, String)> {
    findings(v)
        .iter()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("prr/suppression-"))
        })
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
                f["level"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn m(rule: &str, path: &str, line: u64, level: &str) -> (String, String, u64, String) {
    (rule.into(), path.into(), line, level.into())
}

fn r(rule: &str, path: &str, line: u64, suppressed: bool) -> (String, String, u64, bool) {
    (rule.into(), path.into(), line, suppressed)
}

#[test]
fn fixtures_have_the_findings_the_tests_rely_on() {
    let tmp = repo();
    let (code, v) = check(tmp.path());
    assert_eq!(code, 1);
    assert_eq!(
        of_family(&v, "rollout"),
        vec![
            r("rollout/pdb", DEPLOY, 2, false),
            r("rollout/replicas", DEPLOY, 2, false),
            r("rollout/selector-match", DEPLOY, 6, false),
            r("rollout/pdb", DEPLOY, 12, false),
            r("rollout/replicas", DEPLOY, 12, false),
            r("rollout/selector-match", DEPLOY, 16, false),
        ]
    );
    assert_eq!(
        of_family(&v, "runbook"),
        vec![
            r("runbook/sections", TARGET_DOWN, 1, false),
            r("runbook/sections", WATCHDOG, 6, false),
        ]
    );
    assert!(meta(&v).is_empty());
}

#[test]
fn trailing_directive_suppresses_that_rule_on_that_line_only() {
    let tmp = repo();
    edit(tmp.path(), DEPLOY, |n, l| match n {
        2 => vec![format!(
            "{l}  # prr:ignore rollout/replicas -- canary of one pod by design (ADR-12)"
        )],
        _ => vec![l.to_string()],
    });
    let (code, v) = check(tmp.path());
    assert_eq!(code, 1, "foo2's findings still block");
    assert_eq!(
        of_family(&v, "rollout"),
        vec![
            r("rollout/pdb", DEPLOY, 2, false),
            r("rollout/replicas", DEPLOY, 2, true),
            r("rollout/selector-match", DEPLOY, 6, false),
            r("rollout/pdb", DEPLOY, 12, false),
            r("rollout/replicas", DEPLOY, 12, false),
            r("rollout/selector-match", DEPLOY, 16, false),
        ]
    );
    let f = at(&v, "rollout/replicas", DEPLOY, 2);
    assert_eq!(f["suppression"]["kind"], "inSource");
    assert_eq!(
        f["suppression"]["reason"],
        "canary of one pod by design (ADR-12)"
    );
    assert_eq!(f["suppression"]["source"], format!("{DEPLOY}:2").as_str());
    assert_eq!(v["summary"]["suppressed"], 1);
    assert!(meta(&v).is_empty(), "{:?}", meta(&v));

    // SARIF: the result carries an inSource suppression with the reason and
    // where it is written.
    let (_, s) = prr(tmp.path(), &["check", ".", "-f", "sarif"]);
    let results = s["runs"][0]["results"].as_array().expect("results");
    let res = results
        .iter()
        .find(|x| {
            x["ruleId"] == "rollout/replicas"
                && x["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
        })
        .expect("the suppressed result");
    assert_eq!(res["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        res["suppressions"][0]["justification"],
        format!("canary of one pod by design (ADR-12) ({DEPLOY}:2)").as_str()
    );
    assert!(
        results
            .iter()
            .filter(|x| x["ruleId"] == "rollout/replicas")
            .filter(|x| x.get("suppressions").is_none())
            .count()
            == 1
    );
}

#[test]
fn own_line_directive_covers_the_next_non_comment_line_only() {
    let tmp = repo();
    edit(tmp.path(), DEPLOY, |n, l| match n {
        // Before `  name: foo` (line 5): the next non-comment line is not
        // foo's `spec:` (line 6), so foo's finding stays and the directive
        // is unused.
        5 => vec![
            "  # prr:ignore rollout/selector-match -- written one line too early".into(),
            l.to_string(),
        ],
        // Before foo2's `spec:`, with an ordinary comment between.
        16 => vec![
            "# prr:ignore rollout/selector-match -- labels are added by kustomize".into(),
            "# (see kustomization.yaml)".into(),
            l.to_string(),
        ],
        _ => vec![l.to_string()],
    });
    let (code, v) = check(tmp.path());
    assert_eq!(code, 1);
    // foo: 2 (kind), 7 (spec); foo2: 13 (kind), 19 (spec).
    assert_eq!(
        of_family(&v, "rollout"),
        vec![
            r("rollout/pdb", DEPLOY, 2, false),
            r("rollout/replicas", DEPLOY, 2, false),
            r("rollout/selector-match", DEPLOY, 7, false),
            r("rollout/pdb", DEPLOY, 13, false),
            r("rollout/replicas", DEPLOY, 13, false),
            r("rollout/selector-match", DEPLOY, 19, true),
        ]
    );
    assert_eq!(
        at(&v, "rollout/selector-match", DEPLOY, 19)["suppression"]["source"],
        format!("{DEPLOY}:17").as_str()
    );
    assert_eq!(
        meta(&v),
        vec![m("prr/suppression-unused", DEPLOY, 5, "warning")]
    );
    let msg = at(&v, "prr/suppression-unused", DEPLOY, 5)["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        msg.contains("matched no finding on line 6") && msg.contains("written one line too early"),
        "{msg}"
    );
}

#[test]
fn glob_and_comma_separated_rules() {
    let tmp = repo();
    edit(tmp.path(), DEPLOY, |n, l| match n {
        12 => vec![format!(
            "{l} # prr:ignore rollout/* -- foo2 is a one-off batch Deployment"
        )],
        2 => vec![format!(
            "{l} # prr:ignore rollout/pdb, rollout/replicas -- both accepted for foo"
        )],
        _ => vec![l.to_string()],
    });
    let (_, v) = check(tmp.path());
    assert_eq!(
        of_family(&v, "rollout"),
        vec![
            r("rollout/pdb", DEPLOY, 2, true),
            r("rollout/replicas", DEPLOY, 2, true),
            r("rollout/selector-match", DEPLOY, 6, false),
            r("rollout/pdb", DEPLOY, 12, true),
            r("rollout/replicas", DEPLOY, 12, true),
            // Same rule family, another line: not covered.
            r("rollout/selector-match", DEPLOY, 16, false),
        ]
    );
    assert!(meta(&v).is_empty());
}

#[test]
fn markdown_directive_suppresses_a_runbook_finding() {
    let tmp = repo();
    edit(tmp.path(), TARGET_DOWN, |n, l| match n {
        1 => vec![
            "<!-- prr:ignore runbook/sections -- upstream runbook, mitigation lives in the wiki -->"
                .into(),
            l.to_string(),
        ],
        _ => vec![l.to_string()],
    });
    let (_, v) = check(tmp.path());
    assert_eq!(
        of_family(&v, "runbook"),
        vec![
            r("runbook/sections", TARGET_DOWN, 2, true),
            r("runbook/sections", WATCHDOG, 6, false),
        ]
    );
    let f = at(&v, "runbook/sections", TARGET_DOWN, 2);
    assert_eq!(f["suppression"]["kind"], "inSource");
    assert_eq!(
        f["suppression"]["reason"],
        "upstream runbook, mitigation lives in the wiki"
    );
    assert_eq!(
        f["suppression"]["source"],
        format!("{TARGET_DOWN}:1").as_str()
    );
    assert!(meta(&v).is_empty());
}

#[test]
fn file_level_directives_cover_every_finding_of_the_rule_in_the_file() {
    let tmp = repo();
    append(
        tmp.path(),
        DEPLOY,
        "# prr:ignore-file rollout/pdb -- PDBs come from the platform chart",
    );
    append(
        tmp.path(),
        WATCHDOG,
        "<!-- prr:ignore-file runbook/* -- the Watchdog alert never pages -->",
    );
    // A file-level directive also covers a finding the file cannot carry
    // a line directive for: a parse error.
    std::fs::write(
        tmp.path().join("deploy/broken.yaml"),
        "# prr:ignore-file prr/parse-error -- a deliberately broken fixture\nkey: [unclosed\n",
    )
    .expect("write");
    let (_, v) = check(tmp.path());
    assert_eq!(
        of_family(&v, "rollout"),
        vec![
            r("rollout/pdb", DEPLOY, 2, true),
            r("rollout/replicas", DEPLOY, 2, false),
            r("rollout/selector-match", DEPLOY, 6, false),
            r("rollout/pdb", DEPLOY, 12, true),
            r("rollout/replicas", DEPLOY, 12, false),
            r("rollout/selector-match", DEPLOY, 16, false),
        ]
    );
    assert_eq!(
        of_family(&v, "runbook"),
        vec![
            r("runbook/sections", TARGET_DOWN, 1, false),
            r("runbook/sections", WATCHDOG, 6, true),
        ]
    );
    assert_eq!(
        at(&v, "rollout/pdb", DEPLOY, 12)["suppression"]["source"],
        format!("{DEPLOY}:21").as_str()
    );
    let parse: Vec<&Value> = findings(&v)
        .iter()
        .filter(|f| f["rule"] == "prr/parse-error")
        .collect();
    assert_eq!(parse.len(), 1);
    assert_eq!(
        (parse[0]["path"].as_str(), parse[0]["suppressed"].as_bool()),
        (Some("deploy/broken.yaml"), Some(true))
    );
    assert!(meta(&v).is_empty(), "{:?}", meta(&v));
}

#[test]
fn directive_without_reason_is_invalid_and_the_finding_still_blocks() {
    let tmp = repo();
    let prr_yaml = "production: [\"deploy/**\"]\nrules:\n  slo/present: { level: off }\n  rollout/pdb: { level: off }\n  rollout/selector-match: { level: off }\n  rollout/replicas: { level: off }\n  runbook/sections: { level: off }\n  rollout/readiness-probe: { level: off }\n";
    std::fs::write(tmp.path().join("prr.yaml"), prr_yaml).expect("write");
    // Every rule the fixtures trigger is off: the run passes…
    let (code, v) = check(tmp.path());
    assert_eq!(code, 0, "{v:#}");
    // …until a directive without a reason: an error at its line.
    edit(tmp.path(), DEPLOY, |n, l| match n {
        2 => vec![format!("{l} # prr:ignore rollout/replicas")],
        12 => vec![format!("{l} # prr:ignore rollout/replicas --   ")],
        _ => vec![l.to_string()],
    });
    let (code, v) = check(tmp.path());
    assert_eq!(code, 1);
    assert_eq!(
        meta(&v),
        vec![
            m("prr/suppression-invalid", DEPLOY, 2, "error"),
            m("prr/suppression-invalid", DEPLOY, 12, "error"),
        ]
    );
    let msg = at(&v, "prr/suppression-invalid", DEPLOY, 2)["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(msg.contains("no reason"), "{msg}");
    assert_eq!(
        at(&v, "prr/suppression-invalid", DEPLOY, 2)["column"],
        "kind: Deployment ".len() as u64 + 1
    );

    // With the rule on, the finding is not suppressed by an invalid
    // directive and blocks the gate.
    std::fs::write(
        tmp.path().join("prr.yaml"),
        prr_yaml.replace("  rollout/replicas: { level: off }\n", ""),
    )
    .expect("write");
    let (code, v) = check(tmp.path());
    assert_eq!(code, 1);
    assert_eq!(
        of_family(&v, "rollout"),
        vec![
            r("rollout/replicas", DEPLOY, 2, false),
            r("rollout/replicas", DEPLOY, 12, false),
        ]
    );
}

#[test]
fn expired_directive_is_an_error_and_suppresses_nothing() {
    let tmp = repo();
    edit(tmp.path(), DEPLOY, |n, l| match n {
        2 => vec![format!(
            "{l} # prr:ignore rollout/replicas until=2020-01-31 -- until the migration"
        )],
        12 => vec![format!(
            "{l} # prr:ignore rollout/replicas until=2999-12-31 -- until the migration"
        )],
        _ => vec![l.to_string()],
    });
    let (code, v) = check(tmp.path());
    assert_eq!(code, 1);
    assert!(
        !at(&v, "rollout/replicas", DEPLOY, 2)["suppressed"]
            .as_bool()
            .unwrap_or(true)
    );
    assert!(
        at(&v, "rollout/replicas", DEPLOY, 12)["suppressed"]
            .as_bool()
            .unwrap_or(false)
    );
    assert_eq!(
        meta(&v),
        vec![m("prr/suppression-expired", DEPLOY, 2, "error")]
    );
    let msg = at(&v, "prr/suppression-expired", DEPLOY, 2)["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(msg.contains("expired on 2020-01-31"), "{msg}");

    // A date that is not a date is invalid, not silently permanent.
    edit(tmp.path(), DEPLOY, |n, l| match n {
        12 => vec![l.replace("2999-12-31", "2999-02-30x")],
        _ => vec![l.to_string()],
    });
    let (_, v) = check(tmp.path());
    assert!(meta(&v).contains(&m("prr/suppression-invalid", DEPLOY, 12, "error")));
    assert!(
        !at(&v, "rollout/replicas", DEPLOY, 12)["suppressed"]
            .as_bool()
            .unwrap_or(true)
    );
}

#[test]
fn unused_directive_is_a_warning_at_its_line_and_only_for_families_that_ran() {
    let tmp = repo();
    edit(tmp.path(), DEPLOY, |n, l| match n {
        3 => vec![format!(
            "{l} # prr:ignore rollout/strategy -- not applicable"
        )],
        13 => vec![format!("{l} # prr:ignore rollout/replica -- typo")],
        _ => vec![l.to_string()],
    });
    let (code, v) = check(tmp.path());
    assert_eq!(code, 1);
    assert_eq!(
        meta(&v),
        vec![
            m("prr/suppression-unused", DEPLOY, 3, "warning"),
            m("prr/suppression-unused", DEPLOY, 13, "warning"),
        ]
    );
    let typo = at(&v, "prr/suppression-unused", DEPLOY, 13)["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(typo.contains("no loaded rule has that ID"), "{typo}");
    let strategy = at(&v, "prr/suppression-unused", DEPLOY, 3)["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!strategy.contains("no loaded rule"), "{strategy}");

    // `prr secrets` runs only the secrets family: rollout directives are
    // not judged there.
    let (_, s) = prr(tmp.path(), &["secrets", ".", "-f", "json"]);
    assert!(meta(&s).is_empty(), "{:?}", meta(&s));
}

#[test]
fn kubernetes_annotation_suppresses_findings_of_that_object_only() {
    let tmp = repo();
    edit(tmp.path(), DEPLOY, |n, l| {
        match n {
        // foo: lines 6–7 after the edit.
        5 => vec![
            l.to_string(),
            "  annotations:".into(),
            "    prr.dev/ignore: \"rollout/replicas: one-pod canary; rollout/pdb: evictions are fine for a canary\""
                .into(),
        ],
        // foo2 (starts at 13 after the edit): a block scalar, one entry
        // per line, one of them unused and one without a reason.
        15 => vec![
            l.to_string(),
            "  annotations:".into(),
            "    prr.dev/ignore: |".into(),
            "      rollout/selector-match: labels are added by kustomize".into(),
            "      rollout/strategy: not applicable".into(),
            "      rollout/pdb".into(),
        ],
        _ => vec![l.to_string()],
    }
    });
    let (code, v) = check(tmp.path());
    assert_eq!(code, 1);
    assert_eq!(
        of_family(&v, "rollout"),
        vec![
            r("rollout/pdb", DEPLOY, 2, true),
            r("rollout/replicas", DEPLOY, 2, true),
            r("rollout/selector-match", DEPLOY, 8, false),
            r("rollout/pdb", DEPLOY, 14, false),
            r("rollout/replicas", DEPLOY, 14, false),
            r("rollout/selector-match", DEPLOY, 23, true),
        ]
    );
    let f = at(&v, "rollout/replicas", DEPLOY, 2);
    assert_eq!(f["suppression"]["kind"], "inSource");
    assert_eq!(f["suppression"]["reason"], "one-pod canary");
    assert_eq!(f["suppression"]["source"], format!("{DEPLOY}:7").as_str());
    assert_eq!(
        at(&v, "rollout/pdb", DEPLOY, 2)["suppression"]["reason"],
        "evictions are fine for a canary"
    );
    assert_eq!(
        at(&v, "rollout/selector-match", DEPLOY, 23)["suppression"]["source"],
        format!("{DEPLOY}:19").as_str()
    );
    assert_eq!(
        meta(&v),
        vec![
            m("prr/suppression-invalid", DEPLOY, 19, "error"),
            m("prr/suppression-unused", DEPLOY, 19, "warning"),
        ]
    );
}

#[test]
fn exit_code_is_zero_when_the_only_errors_are_suppressed() {
    let tmp = repo();
    std::fs::write(
        tmp.path().join("prr.yaml"),
        "production: [\"deploy/**\"]\nrules:\n  slo/present: { level: off }\n  rollout/pdb: { level: off }\n  rollout/selector-match: { level: off }\n",
    )
    .expect("write");
    let (code, v) = check(tmp.path());
    assert_eq!(code, 1, "rollout/replicas blocks: {v:#}");
    assert_eq!(v["summary"]["errors"], 2);
    edit(tmp.path(), DEPLOY, |n, l| match n {
        2 | 12 => vec![format!(
            "{l} # prr:ignore rollout/replicas -- scaled by KEDA from zero"
        )],
        _ => vec![l.to_string()],
    });
    let (code, v) = check(tmp.path());
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["result"], "pass");
    assert_eq!(v["summary"]["errors"], 0);
    assert_eq!(v["summary"]["suppressed"], 2);
}
