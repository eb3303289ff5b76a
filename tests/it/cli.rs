//! The CLI contract (README "Exit codes"): exit codes, bad input, report formats.
//! Runs the real `prr` binary on throw-away repositories.

use crate::support::{git, prr_output, prr_output_env, tempdir_with};
use std::path::Path;
use std::process::{Command, Output};

/// [`tempdir_with`] typed for byte-string literals of different lengths.
fn repo(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    tempdir_with(files)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_report(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

fn rules_of(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn missing_path_is_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let o = prr_output(d.path(), &["check", "no/such/dir"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no/such/dir: no such file or directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn file_instead_of_folder_is_exit_2() {
    let d = repo(&[("a.yaml", b"a: 1\n")]);
    let o = prr_output(d.path(), &["check", "a.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a directory"), "{}", stderr(&o));
}

#[test]
fn config_unknown_key_is_exit_2_with_position() {
    let d = repo(&[(
        "prr.yaml",
        b"services:\n  - name: shop\n    teir: critical\n",
    )]);
    let o = prr_output(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("prr.yaml:3:5"), "{e}");
    assert!(e.contains("teir"), "{e}");
}

#[test]
fn config_wrong_type_is_exit_2() {
    let d = repo(&[("prr.yaml", b"services: shop\n")]);
    let o = prr_output(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("prr.yaml:1:"), "{}", stderr(&o));
}

#[test]
fn override_of_unknown_rule_is_exit_2() {
    let d = repo(&[("prr.yaml", b"rules:\n  alerts/nope:\n    level: off\n")]);
    let o = prr_output(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("prr.yaml:3:") || stderr(&o).contains("prr.yaml:2:"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("alerts/nope"), "{}", stderr(&o));
}

#[test]
fn usage_error_is_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let o = prr_output(d.path(), &["check", "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = prr_output(d.path(), &["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn malformed_files_are_findings_not_crashes() {
    let mut big = b"a: ".to_vec();
    big.extend(std::iter::repeat_n(b'x', 11 * 1024 * 1024));
    let d = repo(&[
        ("broken.yaml", b"groups:\n  - name: a\n    rules: [\n"),
        ("utf8.yml", b"a: \"\xc3\x28\"\n"),
        ("blob.bin", b"\x7fELF\x00\x00\x01"),
        ("huge.yaml", &big),
        ("ok.yaml", b"a: 1\n"),
    ]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.path(), d.path().join("loop")).unwrap();
    let o = prr_output(d.path(), &["check", ".", "--format", "json"]);
    assert_ne!(o.status.code(), Some(101), "panic: {}", stderr(&o));
    assert_eq!(
        o.status.code(),
        Some(1),
        "a parse error blocks: {}",
        stderr(&o)
    );
    let r = json_report(&o);
    let f = rules_of(&r);
    assert!(
        f.contains(&("prr/parse-error".into(), "broken.yaml".into(), 3)),
        "{f:?}"
    );
    assert!(
        f.contains(&("prr/parse-error".into(), "utf8.yml".into(), 1)),
        "{f:?}"
    );
    assert!(
        f.iter().any(|x| x.0 == "prr/skipped" && x.1 == "huge.yaml"),
        "{f:?}"
    );
    // The walk saw every regular file (the symlink loop is not followed).
    assert_eq!(r["summary"]["files_scanned"], 5);
}

#[test]
fn json_report_shape() {
    let d = repo(&[("deploy/broken.yaml", b"a: [\n")]);
    let o = prr_output(d.path(), &["check", ".", "-f", "json"]);
    let r = json_report(&o);
    assert_eq!(r["version"], 1);
    assert_eq!(r["result"], "fail");
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "prr/parse-error")
        .unwrap();
    for key in [
        "rule",
        "level",
        "path",
        "line",
        "column",
        "message",
        "service",
        "suppressed",
    ] {
        assert!(f.get(key).is_some(), "finding has {key}");
    }
    assert_eq!(f["path"], "deploy/broken.yaml");
    assert_eq!(f["level"], "error");
    assert!(r["summary"]["errors"].as_u64().unwrap() >= 1);
    assert!(r["budget"].is_array());
}

#[test]
fn several_reports_in_one_run() {
    let d = repo(&[("broken.yaml", b"a: [\n"), ("blocker", b"a file\n")]);
    // A missing output folder is created (as for the baseline).
    let o = prr_output(
        d.path(),
        &["check", ".", "-f", "json", "-o", "out/r.json", "-f", "text"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(d.path().join("out/r.json").is_file());
    // An output that cannot be written: a clear error naming it, exit 2.
    let o = prr_output(
        d.path(),
        &[
            "check",
            ".",
            "-f",
            "json",
            "-o",
            "blocker/r.json",
            "-f",
            "text",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("blocker"), "{}", stderr(&o));
    let o = prr_output(
        d.path(),
        &["check", ".", "-f", "json", "-o", "r.json", "-f", "text"],
    );
    assert_eq!(o.status.code(), Some(1));
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(file["result"], "fail");
    assert!(stdout(&o).contains("prr: FAIL"), "{}", stdout(&o));
}

#[test]
fn github_annotations_inside_actions() {
    let d = repo(&[("deploy/broken.yaml", b"a: 1\nb: [\n")]);
    let o = prr_output_env(d.path(), &["check", "."], &[("GITHUB_ACTIONS", "true")]);
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("::error file=deploy/broken.yaml,line=")
                && l.contains("title=prr/parse-error")),
        "{out}"
    );
    let o = prr_output(d.path(), &["check", "."]);
    assert!(
        !stdout(&o).contains("::error"),
        "no workflow commands outside Actions"
    );
}

#[test]
fn text_report_shows_the_line() {
    let d = repo(&[(
        "alerts.yaml",
        b"groups:\n- name: x\n  rules:\n  - alert: A\n    expr: up ==\n",
    )]);
    let o = prr_output(d.path(), &["check", "."]);
    let out = stdout(&o);
    assert!(out.contains("alerts.yaml:5:"), "{out}");
    assert!(
        out.contains("expr: up =="),
        "the offending line is shown: {out}"
    );
    assert!(!out.contains("\x1b["), "no colour when NO_COLOR is set");
}

#[test]
fn explain_and_rules() {
    let d = tempfile::tempdir().unwrap();
    let o = prr_output(d.path(), &["rules", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"prr/codeowners"), "{ids:?}");
    let o = prr_output(d.path(), &["explain", "prr/codeowners"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("CODEOWNERS"));
    let o = prr_output(d.path(), &["explain", "prr/nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("prr/codeowners"),
        "suggests rules of the family: {}",
        stderr(&o)
    );
}

#[test]
fn team_rules_and_overrides() {
    let d = repo(&[
        ("prr.yaml", b"rules-dir: team-rules\nrules:\n  prr/codeowners:\n    level: error\n"),
        (
            "team-rules/dockerfile-user.yaml",
            b"id: team/dockerfile-user\ntitle: Containers do not run as root\nlevel: warning\ncheck: file.contains\nwith:\n  files: [\"**/Dockerfile\"]\n  pattern: \"^USER \"\nhelp: Add a USER line.\n",
        ),
        (
            "team-rules/no-latest.yaml",
            b"id: team/no-host-network\ntitle: No hostNetwork\nlevel: error\ncheck: yaml.assert\nwith:\n  select: { kind: Deployment }\n  path: \"$.spec.template.spec.hostNetwork\"\n  assert: absent\nhelp: Do not use the host network.\n",
        ),
        ("Dockerfile", b"FROM scratch\n"),
        ("d.yaml", b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n"),
    ]);
    let o = prr_output(d.path(), &["check", ".", "-f", "json"]);
    let r = json_report(&o);
    let findings = r["findings"].as_array().unwrap();
    let by = |rule: &str| {
        findings
            .iter()
            .filter(|f| f["rule"] == rule)
            .collect::<Vec<_>>()
    };
    let user = by("team/dockerfile-user");
    assert_eq!(user.len(), 1);
    assert_eq!(user[0]["level"], "warning");
    assert_eq!(user[0]["path"], "Dockerfile");
    let host = by("team/no-host-network");
    assert_eq!(host.len(), 1);
    assert_eq!(host[0]["line"], 7, "points at the hostNetwork value");
    let owners = by("prr/codeowners");
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0]["level"], "error", "level override applied");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn bad_team_rule_is_exit_2() {
    let d = repo(&[
        ("prr.yaml", b"rules-dir: r\n"),
        ("r/x.yaml", b"id: team/x\ntitle: t\nlevel: error\ncheck: yaml.assert\nwith:\n  path: \"$[\"\n  assert: exists\nhelp: h\n"),
    ]);
    let o = prr_output(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("x.yaml"), "{}", stderr(&o));
    // An invalid `matches` regex is caught when the rule loads, not by
    // reporting every document.
    let d = repo(&[
        ("prr.yaml", b"rules-dir: r\n"),
        ("r/x.yaml", b"id: team/x\ntitle: t\nlevel: error\ncheck: yaml.assert\nwith:\n  path: \"$.spec.image\"\n  assert: matches\n  value: \"^registry/([\"\nhelp: h\n"),
    ]);
    let o = prr_output(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("x.yaml:6:") && stderr(&o).contains("regex"),
        "{}",
        stderr(&o)
    );
}

/// Inputs found in review that once crashed prr or leaked a secret: each
/// must now give findings (exit 1), never a panic, and never print the token.
#[test]
fn hostile_inputs_never_panic_or_leak() {
    let token = "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5";
    let wide = format!(
        "note: 5ubbbPIa84yRnBUbHoWC8FJowoRoWD8s7bA16J7PglOU3shVv5UTG79BG16Q {token}{}\n",
        "\u{3000}".repeat(80)
    );
    let deep = format!(
        "groups:\n- name: g\n  rules:\n  - alert: Deep\n    expr: {}up{}\n",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    let chain = format!(
        "groups:\n- name: g\n  rules:\n  - alert: Chain\n    expr: {}\n",
        vec!["up"; 20_000].join(" + ")
    );
    let alerts = format!(
        "groups:\n- name: g\n  rules:\n  - alert: Tok\n    expr: up{{token=\"{token}\"}} ==\n    annotations:\n      runbook_url: ../runbooks/x.md?access_token={token}\n"
    );
    let pdb = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: -9223372036854775808\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: \"nginx:1.27\"}]\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  minAvailable: -9223372036854775808\n  selector: {matchLabels: {app: web}}\n";
    let d = repo(&[
        ("wide.txt", wide.as_bytes()),
        ("deep.yaml", deep.as_bytes()),
        ("chain.yaml", chain.as_bytes()),
        ("alerts/r.yaml", alerts.as_bytes()),
        ("pdb.yaml", pdb.as_bytes()),
        ("hist.yaml", b"buckets: [0.1, 1, .inf]\n"),
        (
            "nest.yaml",
            format!("a: {}{}\n", "[".repeat(5_000), "]".repeat(5_000)).as_bytes(),
        ),
    ]);
    for format in ["text", "json", "github"] {
        let o = prr_output(d.path(), &["check", ".", "--format", format]);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!all.contains(token), "{format} output leaks the token");
        assert!(
            !all.contains(&token[4..20]),
            "{format} output leaks part of the token"
        );
    }
    let r = json_report(&prr_output(d.path(), &["check", ".", "-f", "json"]));
    let f = rules_of(&r);
    assert!(
        f.contains(&("alerts/parse".into(), "deep.yaml".into(), 5)),
        "{f:?}"
    );
    assert!(
        f.contains(&("alerts/parse".into(), "chain.yaml".into(), 5)),
        "{f:?}"
    );
    assert!(
        f.contains(&("secrets/github-pat".into(), "wide.txt".into(), 1)),
        "{f:?}"
    );
    assert!(
        !f.iter().any(|x| x.1 == "hist.yaml"),
        ".inf is valid YAML, not a parse error: {f:?}"
    );
    assert!(
        f.iter()
            .any(|x| x.0 == "prr/parse-error" && x.1 == "nest.yaml"),
        "{f:?}"
    );
}

/// Inside GitHub Actions on a pull_request event: at most 10 annotations
/// per level, the job summary lists the rest, step outputs agree with the
/// JSON report, and PR mode (base commit, labels) comes from the event.
#[test]
fn github_actions_pull_request_delivery() {
    // 15 broken YAML files: 15 error-level findings.
    let mut files: Vec<(String, Vec<u8>)> = (0..15)
        .map(|i| (format!("svc/broken{i:02}.yaml"), b"a: [\n".to_vec()))
        .collect();
    files.push(("CODEOWNERS".into(), b"* @x\n".to_vec()));
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let d = repo(&refs);
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "base"]);
    let base = git(d.path(), &["rev-parse", "HEAD"]);
    let event = d.path().join("event.json");
    std::fs::write(
        &event,
        serde_json::json!({
            "action": "labeled", "number": 7,
            "pull_request": {
                "number": 7,
                "head": {"sha": "0000000000000000000000000000000000000001", "ref": "fix", "repo": {"full_name": "acme/shop"}},
                "base": {"sha": base, "ref": "main", "repo": {"full_name": "acme/shop"}},
                "labels": [{"name": "hotfix"}]
            }
        })
        .to_string(),
    )
    .unwrap();
    let out = d.path().join("out.txt");
    let summary = d.path().join("summary.md");
    let envs = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ("GITHUB_OUTPUT", out.to_str().unwrap()),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
    ];
    // --annotate all: nothing changed since the base, so the default
    // (changed lines only) would annotate no file finding.
    let o = prr_output_env(
        d.path(),
        &[
            "check",
            ".",
            "-f",
            "json",
            "-o",
            "r.json",
            "--annotate",
            "all",
        ],
        &envs,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let annotations: Vec<String> = stdout(&o)
        .lines()
        .filter(|l| l.starts_with("::error"))
        .map(String::from)
        .collect();
    assert_eq!(
        annotations.len(),
        10,
        "GitHub shows 10 per level: {annotations:?}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("r.json")).unwrap()).unwrap();
    let errors = report["summary"]["errors"].as_u64().unwrap();
    // No service is declared, so a missing SLO is a notice, not an error.
    assert_eq!(errors, 15, "15 parse errors");
    let outputs = std::fs::read_to_string(&out).unwrap();
    assert!(outputs.contains("result=fail\n"), "{outputs}");
    assert!(outputs.contains(&format!("errors={errors}\n")), "{outputs}");
    assert!(outputs.contains("report-json=r.json\n"), "{outputs}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("FAIL"), "{md}");
    assert!(
        md.contains(&format!("Not shown as annotations ({})", errors - 10)),
        "{md}"
    );
    // A base commit missing from a shallow checkout: PR mode is off and
    // every service is gated, with a warning that says so.
    std::fs::write(
        &event,
        std::fs::read_to_string(&event)
            .unwrap()
            .replace(&base, "1111111111111111111111111111111111111111"),
    )
    .unwrap();
    let o = prr_output_env(d.path(), &["check", "."], &envs);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("::warning title=prr::PR mode off, gating every service"),
        "{}",
        stdout(&o)
    );
    // Asked for explicitly, an unknown ref is a usage error.
    let o = prr_output_env(
        d.path(),
        &["check", ".", "--changed-since", "1111111"],
        &envs,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// PR mode annotates only findings on lines the PR changed (the job summary
/// lists the others); `--annotate all` annotates every finding.
#[test]
fn pr_annotations_on_changed_lines() {
    let d = repo(&[("old.yaml", b"a: [\n"), ("CODEOWNERS", b"* @x\n")]);
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "base"]);
    let base = git(d.path(), &["rev-parse", "HEAD"]);
    std::fs::write(d.path().join("new.yaml"), "ok: 1\nb: [\n").unwrap();
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "pr"]);
    let event = d.path().join("event.json");
    std::fs::write(
        &event,
        serde_json::json!({"action": "opened", "number": 3, "pull_request": {"number": 3,
            "head": {"sha": git(d.path(), &["rev-parse", "HEAD"]), "repo": {"full_name": "a/b"}},
            "base": {"sha": base, "repo": {"full_name": "a/b"}}, "labels": []}})
        .to_string(),
    )
    .unwrap();
    let summary = d.path().join("summary.md");
    let envs = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
    ];
    let files = |out: &str| -> Vec<String> {
        let mut v: Vec<String> = out
            .lines()
            .filter(|l| l.starts_with("::error file="))
            .filter_map(|l| {
                l["::error file=".len()..]
                    .split(',')
                    .next()
                    .map(String::from)
            })
            .collect();
        v.sort();
        v
    };
    let o = prr_output_env(d.path(), &["check", "."], &envs);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(files(&stdout(&o)), vec!["new.yaml"], "{}", stdout(&o));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("old.yaml"),
        "the unchanged finding is in the summary: {md}"
    );
    let o = prr_output_env(d.path(), &["check", ".", "--annotate", "all"], &envs);
    assert_eq!(
        files(&stdout(&o)),
        vec!["new.yaml", "old.yaml"],
        "{}",
        stdout(&o)
    );
}

/// Runs prr with its stdout a pipe whose reading end is already closed, so
/// the first write fails with EPIPE (Rust ignores SIGPIPE, so prr sees the
/// error). Returns the exit code and stderr.
fn closed_pipe(args: &[&str], cwd: &Path) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_prr"))
        .args(args)
        .current_dir(cwd)
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn prr");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_is_not_a_panic() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy");
    let ex = example.to_str().unwrap();
    for (args, code) in [
        (vec!["rules"], 0),
        (vec!["rules", "--json"], 0),
        (vec!["explain", "alerts/for"], 0),
        (vec!["schema"], 0),
        (vec!["config", ex, "--resolved"], 0),
        (vec!["check", ex], 1),
        (vec!["check", ex, "--format", "json"], 1),
    ] {
        let (got, err) = closed_pipe(&args, Path::new(env!("CARGO_MANIFEST_DIR")));
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
        assert_eq!(got, Some(code), "{args:?}: the verdict survives: {err}");
    }
}

#[test]
fn completions_and_the_man_page_come_from_the_cli_definition() {
    let cwd = Path::new(env!("CARGO_MANIFEST_DIR"));
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = prr_output(cwd, &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let text = String::from_utf8_lossy(&o.stdout);
        for word in ["check", "secrets", "changed-since", "policy-from"] {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
    }
    assert_eq!(
        prr_output(cwd, &["completions", "tcsh"]).status.code(),
        Some(2)
    );

    let o = prr_output(cwd, &["man"]);
    assert_eq!(o.status.code(), Some(0));
    let man = String::from_utf8_lossy(&o.stdout);
    assert!(man.starts_with(".ie") || man.contains(".TH prr 1"), "{man}");
    for section in ["PRR CHECK", "PRR SECRETS", "PRR BUDGET", "PRR BASELINE"] {
        assert!(man.contains(section), "man page lacks {section}");
    }
    assert!(
        man.contains("\\-\\-changed\\-since"),
        "options are rendered"
    );
}

/// Every `--flag` the README shows on a `prr SUBCOMMAND` line exists in
/// that subcommand's `--help` (the README's examples run as written).
#[test]
fn the_readme_names_only_flags_prr_has() {
    let cwd = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(cwd.join("README.md")).unwrap();
    let mut checked = 0;
    let mut helps: std::collections::HashMap<String, String> = Default::default();
    for line in readme.lines() {
        let Some(at) = line.find("prr ") else {
            continue;
        };
        let rest = &line[at + 4..];
        let sub: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase())
            .collect();
        if ![
            "check", "secrets", "config", "rules", "init", "generate", "explain", "schema",
            "budget", "baseline",
        ]
        .contains(&sub.as_str())
        {
            continue;
        }
        let help = helps.entry(sub.clone()).or_insert_with(|| {
            let args: Vec<&str> = if sub == "generate" {
                vec!["generate", "alerts", "--help"]
            } else {
                vec![sub.as_str(), "--help"]
            };
            String::from_utf8_lossy(&prr_output(cwd, &args).stdout).into_owned()
        });
        // The command ends at a comment, a pipe or the end of a code span.
        let cmd = rest.split(['#', '|', '`']).next().unwrap_or_default();
        for word in cmd.split_whitespace() {
            let Some(flag) = word.strip_prefix("--") else {
                continue;
            };
            let flag: String = flag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if flag.is_empty() {
                continue;
            }
            assert!(
                help.contains(&format!("--{flag}")),
                "README line `{line}` uses --{flag}, which `prr {sub} --help` does not list"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} flags found in the README");
}

#[test]
fn two_reports_to_stdout_are_a_usage_error_and_formats_ignore_case() {
    let d = repo(&[("README.md", b"# x\n")]);
    let o = prr_output(d.path(), &["check", ".", "-f", "json", "-f", "text"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("would go to stdout (json, text)"), "{err}");
    assert!(o.stdout.is_empty(), "nothing is concatenated");
    let o = prr_output(d.path(), &["check", ".", "-f", "JSON"]);
    assert_eq!(o.status.code(), Some(0));
    serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("one JSON report");
}

#[test]
fn config_errors_speak_yaml_and_suggest_the_near_miss() {
    for (yaml, want) in [
        (
            "servics: []\n",
            "prr.yaml:1:1: unknown key `servics`: did you mean `services`?",
        ),
        (
            "services: [{name: a, tier: critcal}]\n",
            "`critcal` is not an allowed value: did you mean `critical`?",
        ),
        ("services: 3\n", "prr.yaml:1:11: expected a list here"),
        (
            "rules: {alerts/fr: {level: error}}\n",
            "unknown rule `alerts/fr`: did you mean `alerts/for`?",
        ),
    ] {
        let d = repo(&[("prr.yaml", yaml.as_bytes())]);
        let o = prr_output(d.path(), &["config", "."]);
        assert_eq!(o.status.code(), Some(2), "{yaml}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want), "{yaml}: {err}");
        assert!(!err.contains(" at line "), "one position, not two: {err}");
    }
}

/// A repository with an error (`rollout/image-pinned` on `:latest`… and
/// others) and a file-provider budget that blocks.
fn gate_repo() -> tempfile::TempDir {
    repo(&[
        (
            "prr.yaml",
            b"services:\n  - name: pay\n    budget: { slos: [{ name: availability }] }\nbudget:\n  providers:\n    snap: { type: file, path: budget.json }\n  policy: { max-age: 0 }\n",
        ),
        (
            "budget.json",
            br#"{"readings": [{"service": "pay", "slo": "availability", "remaining": -0.5, "window": "30d"}]}"#,
        ),
        (
            "deploy.yaml",
            b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: pay\nspec:\n  replicas: 3\n  selector:\n    matchLabels: { app: pay }\n  template:\n    metadata:\n      labels: { app: pay }\n    spec:\n      containers:\n        - name: pay\n          image: pay:latest\n",
        ),
    ])
}

fn rule_ids(o: &Output) -> Vec<String> {
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn only_skip_fail_level_and_no_budget() {
    let d = gate_repo();
    let all = prr_output(d.path(), &["check", ".", "-f", "json"]);
    assert_eq!(all.status.code(), Some(1));
    let all_rules = rule_ids(&all);
    assert!(
        all_rules.iter().any(|r| r == "budget/blocked"),
        "{all_rules:?}"
    );
    assert!(
        all_rules.iter().any(|r| r.starts_with("rollout/")),
        "{all_rules:?}"
    );

    // --only a family: other rules' findings are counted, not listed.
    let o = prr_output(d.path(), &["check", ".", "-f", "json", "--only", "rollout"]);
    let rules = rule_ids(&o);
    assert!(
        rules
            .iter()
            .all(|r| r.starts_with("rollout/") || r == "prr/selection"),
        "{rules:?}"
    );
    assert!(rules.iter().any(|r| r == "prr/selection"), "{rules:?}");

    // --skip the budget family and rollout: what is left passes.
    let o = prr_output(
        d.path(),
        &["check", ".", "-f", "json", "--skip", "budget,rollout/*"],
    );
    let rules = rule_ids(&o);
    assert!(
        !rules
            .iter()
            .any(|r| r.starts_with("budget/") || r.starts_with("rollout/")),
        "{rules:?}"
    );

    // --no-budget: no budget decision, and the report says it was skipped.
    let o = prr_output(d.path(), &["check", ".", "-f", "json", "--no-budget"]);
    let rules = rule_ids(&o);
    assert!(!rules.iter().any(|r| r == "budget/blocked"), "{rules:?}");
    assert!(rules.iter().any(|r| r == "prr/budget-skipped"), "{rules:?}");

    // --fail-level never: same findings, exit 0; warning: warnings fail too.
    let o = prr_output(
        d.path(),
        &["check", ".", "-f", "json", "--fail-level", "never"],
    );
    assert_eq!(o.status.code(), Some(0));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        r["result"], "pass",
        "the JSON verdict agrees with the exit code"
    );
    assert!(r["summary"]["errors"].as_u64().unwrap() > 0);
    // A warning-level rule alone passes, and fails with --fail-level warning.
    let warning_rule = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["level"] == "warning" && f["suppressed"] == false)
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .expect("the fixture has a warning");
    let o = prr_output(d.path(), &["check", ".", "--only", &warning_rule]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{warning_rule} alone is a warning"
    );
    let o = prr_output(
        d.path(),
        &[
            "check",
            ".",
            "--only",
            &warning_rule,
            "--fail-level",
            "warning",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "a warning fails with --fail-level warning"
    );
    let bad = prr_output(d.path(), &["check", ".", "--only", "a/["]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_log_always_says_the_verdict() {
    let ex = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy");
    let ex = ex.to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("r.json");
    let o = prr_output(
        out.path(),
        &["check", ex, "-f", "json", "-o", file.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("prr: FAIL: ") && err.contains(" s\n"), "{err}");

    let o = prr_output(out.path(), &["check", ex, "--quiet"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "--quiet prints no report");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.lines().filter(|l| l.starts_with("prr: FAIL")).count(),
        1,
        "{err}"
    );
    assert!(!err.contains("by rule"), "{err}");

    // More than 50 findings: a per-rule tally before the verdict.
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..60 {
        files.push((
            format!("deploy/production/d{i}.yaml"),
            format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d{i}\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {{ app: d{i} }}\n  template:\n    metadata:\n      labels: {{ app: d{i} }}\n    spec:\n      containers:\n        - name: c\n          image: app:latest\n          ports: [{{ containerPort: 80 }}]\n").into_bytes(),
        ));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let d = repo(&refs);
    let o = prr_output(d.path(), &["check", ".", "-f", "json", "-o", "r.json"]);
    let err = String::from_utf8_lossy(&o.stderr);
    let tally = err.find("prr: by rule: ").expect("tally");
    let verdict = err.find("prr: FAIL").expect("verdict");
    assert!(tally < verdict, "{err}");
    assert!(err.contains("rollout/image-pinned 60 (error)"), "{err}");
    let text = String::from_utf8_lossy(&prr_output(d.path(), &["check", "."]).stdout).into_owned();
    assert!(
        text.contains("prr: by rule: "),
        "the text report has it too"
    );
}

#[test]
fn changed_since_scopes_the_whole_gate_to_touched_services() {
    let deploy = |name: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {{ app: {name} }}\n  template:\n    metadata:\n      labels: {{ app: {name} }}\n    spec:\n      containers:\n        - name: c\n          image: app:latest\n"
        )
    };
    let (da, db) = (deploy("a"), deploy("b"));
    let d = repo(&[
        (
            "prr.yaml",
            b"services:\n  - name: a\n    paths: [\"a/**\"]\n  - name: b\n    paths: [\"b/**\"]\n",
        ),
        ("a/deploy.yaml", da.as_bytes()),
        ("b/deploy.yaml", db.as_bytes()),
    ]);
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "base"]);
    git(d.path(), &["checkout", "-qb", "change"]);
    std::fs::write(d.path().join("a/notes.md"), "# a\n").unwrap();
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "touch a"]);
    let o = prr_output(
        d.path(),
        &["check", ".", "--changed-since", "main", "-f", "json"],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "a's debt gates: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let fs = r["findings"].as_array().unwrap();
    let gating = |path: &str| {
        fs.iter()
            .filter(|f| f["path"] == path && f["level"] == "error" && f["suppressed"] == false)
            .count()
    };
    assert!(gating("a/deploy.yaml") > 0, "{r:#}");
    assert_eq!(gating("b/deploy.yaml"), 0, "b is untouched: {r:#}");
    let b_kept = fs
        .iter()
        .filter(|f| f["path"] == "b/deploy.yaml" && f["suppressed"] == true)
        .count();
    assert!(b_kept > 0, "b's findings are kept, set aside");
    let note = fs
        .iter()
        .find(|f| f["rule"] == "prr/changed-scope")
        .expect("the report says what was gated");
    let msg = note["message"].as_str().unwrap();
    assert!(msg.contains("gated: a;") && msg.contains("b ("), "{msg}");

    // Touching only b: a's debt no longer fails the change.
    git(d.path(), &["checkout", "-q", "main"]);
    git(d.path(), &["checkout", "-qb", "change-b"]);
    std::fs::write(
        d.path().join("b/deploy.yaml"),
        deploy("b").replace(":latest", ":1.2.3"),
    )
    .unwrap();
    git(d.path(), &["commit", "-qam", "pin b"]);
    let o = prr_output(
        d.path(),
        &["check", ".", "--changed-since", "main", "-f", "json"],
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let a_gating = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["path"] == "a/deploy.yaml" && f["suppressed"] == false && f["level"] != "notice"
        })
        .count();
    assert_eq!(a_gating, 0, "{r:#}");
}

#[test]
fn the_text_report_points_at_each_secret_on_a_line() {
    let keys = ["AKIALALEMEL33243OLIA", "AKIAQYLPMN5HHHFPZAM2"];
    let line = format!("keys: {} and {} here\n", keys[0], keys[1]);
    // 26 AWS-shaped keys on one line (base32 letters, high entropy).
    let alphabet: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".chars().collect();
    let long: String = (0..26usize)
        .map(|i| {
            let body: String = (0..16usize)
                .map(|j| alphabet[(i * 5 + j * 7 + j * j) % 32])
                .collect();
            format!("k{i:02}=AKIA{body} ")
        })
        .collect::<String>()
        + "\n";
    let d = repo(&[("a.env", line.as_bytes()), ("long.env", long.as_bytes())]);
    let o = prr_output(d.path(), &["secrets", ".", "--color", "never"]);
    let text = String::from_utf8_lossy(&o.stdout);
    for k in keys {
        assert!(!text.contains(k), "never the raw key");
    }
    // Headers name the file's columns; each caret sits under its own secret.
    assert!(text.contains("--> a.env:1:7\n"), "{text}");
    assert!(text.contains("--> a.env:1:32\n"), "{text}");
    let carets: Vec<usize> = text
        .lines()
        .filter(|l| l.trim_start().starts_with('|') && l.contains('^'))
        .map(|l| l.find('^').unwrap())
        .collect();
    let json = prr_output(d.path(), &["secrets", ".", "-f", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let long_cols: std::collections::BTreeSet<u64> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "long.env")
        .map(|f| f["column"].as_u64().unwrap())
        .collect();
    let headers: std::collections::BTreeSet<&str> = text
        .lines()
        .filter(|l| l.contains("--> long.env:1:"))
        .collect();
    assert!(
        long_cols.len() > 1,
        "the scan found several secrets: {long_cols:?}"
    );
    assert_eq!(
        headers.len(),
        long_cols.len(),
        "one header per secret: {text}"
    );
    for c in &long_cols {
        assert!(
            text.contains(&format!("--> long.env:1:{c}\n")),
            "column {c}: {text}"
        );
    }
    let a_carets = &carets[..2];
    assert_ne!(a_carets[0], a_carets[1], "two secrets, two carets: {text}");
}

#[test]
fn reports_read_well() {
    let ex = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy");
    let ex = ex.to_str().unwrap();
    let cwd = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Colour on request: the verdict and `block` stand out; NO_COLOR-free env.
    let o = Command::new(env!("CARGO_BIN_EXE_prr"))
        .args(["check", ex, "--color", "always"])
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("\u{1b}[1;31mFAIL\u{1b}[0m"), "{text}");
    assert!(text.contains("\u{1b}[1;31mblock\u{1b}[0m"), "{text}");
    let plain = String::from_utf8_lossy(&prr_output(cwd, &["check", ex]).stdout).into_owned();
    assert!(!plain.contains('\u{1b}'), "NO_COLOR is respected");
    assert!(
        plain.contains("prr: FAIL: 17 errors, 9 warnings, 2 notices"),
        "{plain}"
    );
    assert!(plain.contains("31/100 unrated"), "{plain}");
    assert!(
        plain.contains("    slo                ██████░░░░  57"),
        "{plain}"
    );
    // Markdown: code spans stay code, every finding once, one burn column.
    let md = String::from_utf8_lossy(&prr_output(cwd, &["check", ex, "-f", "markdown"]).stdout)
        .into_owned();
    assert!(
        md.contains("paging alert `InventoryHighCPU` has no `for:`"),
        "{md}"
    );
    assert!(!md.contains("\\`"), "no escaped backticks");
    assert!(md.contains("| burn rate 1h | 6h | 3d |"), "{md}");
    assert!(!md.contains("burn rate (current)"));
    assert!(
        md.contains("— 1 finding (1 error, 0 warnings, 0 notices)"),
        "{md}"
    );
}

#[test]
fn config_is_found_upward_and_named_in_the_report() {
    let deploy = b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: 3\n  selector:\n    matchLabels: { app: a }\n  template:\n    metadata:\n      labels: { app: a }\n    spec:\n      containers:\n        - name: c\n          image: app:latest\n";
    let d = repo(&[
        (
            "prr.yaml",
            b"extends: [recommended]\nproduction: [\"svc/**\"]\nrules:\n  rollout/image-pinned: { level: warning }\n",
        ),
        ("svc/a/deploy.yaml", deploy),
        ("svc/b/deploy.yaml", deploy),
    ]);
    git(d.path(), &["init", "-q"]);
    // From the repository root: the config is named, with its layers.
    let o = prr_output(d.path(), &["check", "."]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("prr: using prr.yaml (2 layers)\n"), "{text}");
    let o = prr_output(d.path(), &["check", ".", "-f", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        r["config"],
        serde_json::json!({"path": "prr.yaml", "layers": 2})
    );
    // From a subfolder: the root's config applies (image-pinned is a
    // warning there), and only the subfolder's findings count.
    let o = prr_output(&d.path().join("svc/a"), &["check", ".", "-f", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let fs = r["findings"].as_array().unwrap();
    let pinned: Vec<&serde_json::Value> = fs
        .iter()
        .filter(|f| f["rule"] == "rollout/image-pinned" && f["suppressed"] == false)
        .collect();
    assert_eq!(pinned.len(), 1, "{r:#}");
    assert_eq!(pinned[0]["path"], "svc/a/deploy.yaml");
    assert_eq!(pinned[0]["level"], "warning", "the config above applies");
    assert!(fs.iter().any(|f| f["rule"] == "prr/config"), "{r:#}");
    // Both config names in one folder: exit 2 naming both.
    std::fs::write(d.path().join(".prr.yaml"), "{}\n").unwrap();
    let o = prr_output(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("prr.yaml and .prr.yaml"), "{err}");
}

#[test]
fn a_subfolder_run_keeps_its_services_findings_and_other_commands_find_the_config() {
    let deploy = b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: 3\n  selector:\n    matchLabels: { app: a }\n  template:\n    metadata:\n      labels: { app: a }\n    spec:\n      containers:\n        - name: c\n          image: app:latest\n";
    let d = repo(&[
        (
            "prr.yaml",
            b"services:\n  - name: a\n    tier: critical\n    paths: [\"svc/a/**\"]\n  - name: b\n    tier: critical\n    paths: [\"svc/b/**\"]\n",
        ),
        ("svc/a/deploy.yaml", deploy),
        ("svc/b/deploy.yaml", deploy),
    ]);
    git(d.path(), &["init", "-q"]);
    let sub = d.path().join("svc/a");
    let o = prr_output(&sub, &["check", ".", "-f", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let gating: Vec<(String, String)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false && f["level"] == "error")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["service"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        gating.contains(&("slo/present".to_string(), "a".to_string())),
        "a's service-level finding (no file of its own) still counts: {gating:?}"
    );
    assert!(gating.iter().all(|(_, s)| s != "b"), "{gating:?}");
    // prr baseline from the subfolder writes the repository's baseline.
    let o = prr_output(&sub, &["baseline", "."]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(d.path().join(".prr/baseline.json").is_file());
    assert!(!sub.join(".prr").exists());
    // prr config from the subfolder validates the repository's prr.yaml.
    let o = prr_output(&sub, &["config", "."]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("2 declared services"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
