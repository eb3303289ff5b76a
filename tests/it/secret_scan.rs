//! The secret scan end to end (issue 4), through the real `prr` binary:
//! gitleaks' nogit repository and its `.gitleaksignore`, the baseline,
//! inline markers, prr.yaml suppressions, team gitleaks configs with
//! `[extend]`, the `--staged` and `--changed-since` scopes, default skips and
//! hostile files. Secrets here are fake, visibly so (gitleaks' test strings).

use crate::support;

use crate::support::{prr, write};
use serde_json::Value;
use std::path::Path;

const AWS: &str = "AKIALALEMEL33243OLIA";
const GH: &str = "ghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74";
const SLACK: &str = "xoxb-781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD";

fn secrets_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["secrets", ".", "-f", "json"];
    args.extend_from_slice(extra);
    let (code, v, all) = prr(dir, &args);
    assert!(v.is_object(), "json report expected:\n{all}");
    (code, v)
}

/// (rule, path, line, suppressed) of the secret findings.
fn found(v: &Value) -> Vec<(String, String, u64, bool)> {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("secrets/"))
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

fn rules_of(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn gitleaks_nogit_repository_and_its_gitleaksignore() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/secrets/gitleaks/testdata/repos/nogit");
    let (code, v) = secrets_json(&root, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&v),
        vec![
            (
                "secrets/generic-api-key".into(),
                ".env.prod".into(),
                4,
                false
            ),
            // `../testdata/repos/nogit/api.go:aws-access-key:20`: an entry
            // written from gitleaks' test folder, with a rule ID older than
            // gitleaks' current `aws-access-token`.
            ("secrets/aws-access-token".into(), "api.go".into(), 20, true),
            (
                "secrets/aws-access-token".into(),
                "main.go".into(),
                20,
                false
            ),
        ]
    );
    let api = &v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["path"] == "api.go")
        .expect("api.go")["suppression"];
    assert_eq!(api["kind"], "external");
    assert_eq!(api["source"], ".gitleaksignore:1");
    assert_eq!(v["summary"]["suppressed"], 1);
}

#[test]
fn baseline_accepts_existing_secrets_and_fails_new_ones() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(
        d,
        "app/config.go",
        format!("package app\n\nconst key = \"{AWS}\"\n").as_bytes(),
    );
    write(
        d,
        "deploy/ci.sh",
        format!("export GITHUB_TOKEN={GH}\n").as_bytes(),
    );
    // A declared service, so that its missing SLO is an error too.
    write(
        d,
        "prr.yaml",
        b"services:\n  - { name: app, paths: [\"**\"] }\n",
    );
    let (code, v) = secrets_json(d, &[]);
    assert_eq!(code, 1);
    assert_eq!(found(&v).len(), 2);

    // Every family goes into the baseline (this service has no SLO
    // either); `prr secrets` uses the secret entries only.
    let (code, _, out) = prr(d, &["baseline", "."]);
    assert_eq!(code, 0, "{out}");
    let text = std::fs::read_to_string(d.join(".prr/baseline.json")).expect("baseline");
    let b: Value = serde_json::from_str(&text).expect("json");
    let entries = b["findings"].as_array().expect("entries");
    let secret_entries = entries
        .iter()
        .filter(|e| {
            e["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("secrets/"))
        })
        .count();
    assert_eq!(secret_entries, 2, "{text}");
    assert!(entries.iter().any(|e| e["rule"] == "slo/present"), "{text}");
    assert!(
        out.contains(&format!("wrote {} finding fingerprint(s)", entries.len())),
        "{out}"
    );
    for raw in [AWS, GH, "ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74"] {
        assert!(!text.contains(raw), "the baseline holds no secret:\n{text}");
    }
    assert_eq!(b["version"], 1);
    assert!(
        b["findings"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e.get("line").is_none())
    );

    // Accepted: exit 0, both reported as suppressed.
    let (code, v) = secrets_json(d, &[]);
    assert_eq!(code, 0);
    assert!(found(&v).iter().all(|f| f.3), "{:?}", found(&v));
    assert_eq!(v["summary"]["suppressed"], 2);

    // Lines move (content-based fingerprints): still accepted.
    write(
        d,
        "app/config.go",
        format!("package app\n\n// a comment\n// another\n\nconst key = \"{AWS}\"\n").as_bytes(),
    );
    let (code, _) = secrets_json(d, &[]);
    assert_eq!(code, 0);

    // A new secret fails; the accepted ones stay suppressed.
    write(d, "ops/slack.env", format!("SLACK={SLACK}\n").as_bytes());
    let (code, v) = secrets_json(d, &[]);
    assert_eq!(code, 1);
    let open: Vec<_> = found(&v).into_iter().filter(|f| !f.3).collect();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].1, "ops/slack.env");

    // A fixed secret leaves a stale entry, reported as a notice.
    std::fs::remove_file(d.join("deploy/ci.sh")).expect("rm");
    std::fs::remove_file(d.join("ops/slack.env")).expect("rm");
    let (code, v) = secrets_json(d, &[]);
    assert_eq!(code, 0);
    let stale = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "prr/baseline-stale")
        .expect("stale entry reported");
    assert_eq!(stale["level"], "notice");
    assert_eq!(stale["path"], ".prr/baseline.json");
    assert!(
        stale["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("1 baseline entry")
    );
}

#[test]
fn inline_markers_suppress_only_their_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(
        d,
        "test/fixtures.py",
        format!(
            "A = '{AWS}'  # prr:allow-secret fake key of the unit tests\nB = '{GH}'  # gitleaks:allow\nC = '{SLACK}'\n"
        )
        .as_bytes(),
    );
    let (code, v) = secrets_json(d, &[]);
    assert_eq!(code, 1, "line 3 is not marked");
    let f = found(&v);
    assert_eq!(
        f.iter().map(|x| (x.2, x.3)).collect::<Vec<_>>(),
        vec![(1, true), (2, true), (3, false)]
    );
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|x| x["suppression"]["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["inSource", "inSource"]);
}

#[test]
fn prr_yaml_suppressions_need_a_reason_and_expire() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "testdata/keys.txt", format!("aws {AWS}\n").as_bytes());
    write(d, "src/main.go", format!("var k = \"{GH}\"\n").as_bytes());
    write(
        d,
        "prr.yaml",
        b"suppressions:\n  - rule: secrets/*\n    paths: [\"testdata/**\"]\n    reason: fake keys of the SDK tests\n  - rule: secrets/slack-bot-token\n    reason: old exception\n",
    );
    let (code, v) = secrets_json(d, &[]);
    assert_eq!(code, 1, "src/main.go is not covered");
    assert_eq!(
        found(&v)
            .into_iter()
            .map(|f| (f.1, f.3))
            .collect::<Vec<_>>(),
        vec![
            ("src/main.go".to_string(), false),
            ("testdata/keys.txt".to_string(), true)
        ]
    );
    let unused = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "prr/suppression-unused")
        .expect("unused suppression reported");
    assert_eq!(
        (unused["path"].as_str(), unused["line"].as_u64()),
        (Some("prr.yaml"), Some(5))
    );
    assert_eq!(unused["level"], "warning");

    // Expired: the finding counts again and the suppression is an error.
    write(
        d,
        "prr.yaml",
        b"suppressions:\n  - rule: secrets/*\n    paths: [\"testdata/**\"]\n    reason: fake keys\n    until: 2020-01-31\n",
    );
    let (code, v) = secrets_json(d, &[]);
    assert_eq!(code, 1);
    assert!(found(&v).iter().all(|f| !f.3));
    assert!(rules_of(&v).contains(&"prr/suppression-expired".to_string()));

    // No reason: a config error (exit 2) naming the line.
    write(d, "prr.yaml", b"suppressions:\n  - rule: secrets/*\n");
    let (code, _, out) = prr(d, &["secrets", "."]);
    assert_eq!(code, 2);
    assert!(
        out.contains("prr.yaml:2") && out.contains("needs a `reason`"),
        "{out}"
    );
}

#[test]
fn team_gitleaks_config_replaces_or_extends_the_default_pack() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(
        d,
        "a.env",
        format!("AWS={AWS}\nINTERNAL=acme_live_9f8e7d6c5b4a39281706\n").as_bytes(),
    );
    let own = "[[rules]]\nid = \"acme-key\"\ndescription = \"ACME internal key\"\nregex = '''acme_live_[0-9a-f]{20}'''\nkeywords = [\"acme_live_\"]\n";
    // Without [extend]: only the team's rules (gitleaks' semantics).
    write(d, ".gitleaks.toml", own.as_bytes());
    let (_, v) = secrets_json(d, &[]);
    let rules: Vec<String> = found(&v).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["secrets/acme-key"]);
    // With useDefault: the default pack plus theirs, minus disabledRules.
    write(
        d,
        ".gitleaks.toml",
        format!("[extend]\nuseDefault = true\n{own}").as_bytes(),
    );
    let (_, v) = secrets_json(d, &[]);
    let mut rules: Vec<String> = found(&v).into_iter().map(|f| f.0).collect();
    rules.sort();
    assert_eq!(rules, ["secrets/acme-key", "secrets/aws-access-token"]);
    write(
        d,
        ".gitleaks.toml",
        format!("[extend]\nuseDefault = true\ndisabledRules = [\"aws-access-token\"]\n{own}")
            .as_bytes(),
    );
    let (_, v) = secrets_json(d, &[]);
    let rules: Vec<String> = found(&v).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["secrets/acme-key"]);
    // `[extend] path` is repository content: it cannot point at a device
    // or outside the config's folder (fuzzing found /dev/zero exhausting
    // memory: tests/fixtures/fuzz/gitleaks_toml/extend-dev-zero.toml).
    let dev_zero = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz/gitleaks_toml/extend-dev-zero.toml"),
    )
    .expect("fuzz input");
    for bad in [
        dev_zero.as_str(),
        "[extend]\npath = \"../../etc/gitleaks.toml\"\n",
    ] {
        write(d, ".gitleaks.toml", bad.as_bytes());
        let (code, _, out) = prr(d, &["secrets", "."]);
        assert_eq!(code, 2, "{out}");
        assert!(
            out.contains("must be a relative path below the config's folder"),
            "{out}"
        );
    }
    write(d, "team/base.toml", own.as_bytes());
    write(
        d,
        ".gitleaks.toml",
        b"[extend]\npath = \"team/base.toml\"\n",
    );
    let (_, v) = secrets_json(d, &[]);
    let rules: Vec<String> = found(&v).into_iter().map(|f| f.0).collect();
    assert_eq!(
        rules,
        ["secrets/acme-key"],
        "a relative extend path still works"
    );
    // A broken team config is exit 2 with file and line.
    write(
        d,
        ".gitleaks.toml",
        b"[[rules]]\nid = \"x\"\nentropy = \"high\"\nregex = 'x'\n",
    );
    let (code, _, out) = prr(d, &["secrets", "."]);
    assert_eq!(code, 2);
    assert!(out.contains(".gitleaks.toml:3"), "{out}");
}

#[test]
fn staged_and_changed_since_scopes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    support::git(d, &["init", "-q"]);
    write(d, "old.env", format!("OLD={AWS}\n").as_bytes());
    write(d, "app.py", b"print('hello')\n");
    support::git(d, &["add", "."]);
    support::git(d, &["commit", "-q", "-m", "base"]);
    support::git(d, &["branch", "base"]);
    // Staged: a secret added to app.py; unstaged: one in notes.txt.
    write(
        d,
        "app.py",
        format!("print('hello')\nTOKEN = '{GH}'\n").as_bytes(),
    );
    support::git(d, &["add", "app.py"]);
    write(d, "notes.txt", format!("slack {SLACK}\n").as_bytes());
    let (code, v) = secrets_json(d, &["--staged"]);
    assert_eq!(code, 1);
    let f: Vec<_> = found(&v).into_iter().map(|f| (f.1, f.2)).collect();
    assert_eq!(
        f,
        vec![("app.py".to_string(), 2)],
        "old.env is committed, notes.txt unstaged"
    );
    // The staged content is what counts, not the working tree.
    write(d, "app.py", b"print('hello')\n");
    let (_, v) = secrets_json(d, &["--staged"]);
    assert_eq!(found(&v).len(), 1, "still staged");
    // --changed-since: files changed since `base` (committed or not,
    // untracked included), added lines only.
    let (code, v) = secrets_json(d, &["--changed-since", "base"]);
    assert_eq!(code, 1);
    let f: Vec<_> = found(&v).into_iter().map(|f| f.1).collect();
    assert_eq!(f, vec!["notes.txt".to_string()]);
    // The whole tree: the old secret too.
    let (_, v) = secrets_json(d, &[]);
    let mut f: Vec<_> = found(&v).into_iter().map(|f| f.1).collect();
    f.sort();
    assert_eq!(f, vec!["notes.txt".to_string(), "old.env".to_string()]);
}

#[test]
fn skips_are_reported_and_hostile_files_never_stop_the_scan() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    let line = format!("token: {GH}\n");
    write(
        d,
        "go.sum",
        b"github.com/x/y v1.0.0 h1:JtrpFi1fO1JMCcwLx8uZyAgbJtrpFi1fO1JMCcwLx8u=\n",
    );
    write(d, "vendor/github.com/x/y/conf.yaml", line.as_bytes());
    write(d, "web/node_modules/a/index.js", line.as_bytes());
    write(d, "assets/logo.png", line.as_bytes());
    write(d, "blob.dat", format!("\0\0{line}").as_bytes());
    // Minified JS: one 3 MB line, the secret at its very end.
    let mut min = "var a=1;".repeat(400_000);
    min.push_str(&format!("var t=\"{GH}\";"));
    write(d, "web/app.min.js", min.as_bytes());
    // Invalid UTF-8 around a secret.
    let mut bad = b"\xff\xfe broken \xc3(\n".to_vec();
    bad.extend_from_slice(format!("aws = \"{AWS}\"\n").as_bytes());
    write(d, "data/latin1.cfg", &bad);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc", d.join("etc-link")).expect("symlink out");
        std::os::unix::fs::symlink("loop-b", d.join("loop-a")).expect("loop");
        std::os::unix::fs::symlink("loop-a", d.join("loop-b")).expect("loop");
    }
    write(d, "src/conf.yaml", line.as_bytes());
    let (code, v) = secrets_json(d, &[]);
    assert_eq!(code, 1);
    let mut f: Vec<_> = found(&v).into_iter().map(|f| (f.1, f.2)).collect();
    f.sort();
    assert_eq!(
        f,
        vec![
            ("data/latin1.cfg".to_string(), 2),
            ("src/conf.yaml".to_string(), 1),
            ("web/app.min.js".to_string(), 1),
        ]
    );
    let notes: Vec<(String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "prr/skipped")
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let has = |path: &str, words: &str| notes.iter().any(|(p, m)| p == path && m.contains(words));
    assert!(has("vendor", "vendored dependencies"), "{notes:?}");
    assert!(
        has("web/node_modules", "vendored dependencies"),
        "{notes:?}"
    );
    assert!(
        has(
            "",
            "2 file(s) not scanned: they matched the secret pack's global path allowlist"
        ),
        "{notes:?}"
    );
    // `prr check` also finds them (the secret scan is part of every check).
    let (code, _, out) = prr(d, &["check", ".", "-f", "json"]);
    assert_eq!(code, 1);
    assert!(out.contains("\"web/app.min.js\""), "{out}");
    assert!(
        has("", "1 file(s) not scanned: they are binary"),
        "{notes:?}"
    );
    #[cfg(unix)]
    {
        assert!(
            has("etc-link", "points outside the repository"),
            "{notes:?}"
        );
        assert!(has("loop-a", "it loops"), "{notes:?}");
        assert!(has("loop-b", "it loops"), "{notes:?}");
    }
    // The long line's snippet is clipped around the redacted secret.
    let min_f = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["path"] == "web/app.min.js")
        .expect("min.js finding");
    assert!(min_f["column"].as_u64().unwrap_or_default() > 3_000_000);
}

#[test]
fn sarif_results_carry_the_fingerprint_and_suppressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/secrets/gitleaks/testdata/repos/nogit");
    let (_, json) = secrets_json(&root, &[]);
    let (_, sarif, all) = prr(&root, &["secrets", ".", "-f", "sarif"]);
    let results = sarif["runs"][0]["results"]
        .as_array()
        .unwrap_or_else(|| panic!("{all}"));
    assert_eq!(results.len(), 3);
    for (r, f) in results
        .iter()
        .zip(json["findings"].as_array().expect("findings"))
    {
        assert_eq!(r["partialFingerprints"]["prr/v1"], f["fingerprint"]);
        assert_eq!(
            r["partialFingerprints"]["prr/v1"].as_str().map(str::len),
            Some(64)
        );
    }
    // Both AWS findings hold the same key: one fingerprint (rule + secret).
    assert_eq!(
        results[1]["partialFingerprints"]["prr/v1"],
        results[2]["partialFingerprints"]["prr/v1"]
    );
    assert_eq!(results[1]["suppressions"][0]["kind"], "external");
    assert!(results[2].get("suppressions").is_none());
    assert!(!all.contains(AWS));
}

/// Issue 12 (pattern 12): values gitleaks' patterns match that are not
/// secrets — a Secret's name, the name in an AWS ARN, a Grafana query key, a
/// Helm checksum, a sequential placeholder token, base64 of a placeholder, a
/// Secret whose data is a credential-free scrape config — are reported as
/// suppressed with the filter's reason (counted, never dropped), and the same
/// shapes with credential-shaped values are still errors.
#[test]
fn context_filters_dismiss_non_secrets_and_keep_same_shaped_secrets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secrets/context");
    let run = |folder: &str| {
        let dir = root.join(folder);
        let (code, v) = secrets_json(&dir, &[]);
        let mut by_file: std::collections::BTreeMap<String, Vec<(String, bool, String)>> =
            Default::default();
        for f in v["findings"].as_array().into_iter().flatten() {
            by_file
                .entry(f["path"].as_str().unwrap_or_default().to_string())
                .or_default()
                .push((
                    f["rule"].as_str().unwrap_or_default().to_string(),
                    f["suppressed"].as_bool().unwrap_or_default(),
                    f["suppression"]["reason"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                ));
        }
        (code, by_file)
    };
    let expect = [
        (
            "additional-scrape-configs.yaml",
            "secrets/kubernetes-secret-yaml",
            "configuration text without a credential",
        ),
        (
            "alertmanager-slack-app-token.yml",
            "secrets/generic-api-key",
            "sequential",
        ),
        (
            "grafana-dashboard.json",
            "secrets/generic-api-key",
            "Grafana query key",
        ),
        (
            "helm-checksum-annotation.yaml",
            "secrets/generic-api-key",
            "checksum",
        ),
        (
            "oauth-proxy-example-cookie.yaml",
            "secrets/generic-api-key",
            "base64 of a placeholder",
        ),
        (
            "secretsmanager-arn-alert.yaml",
            "secrets/generic-api-key",
            "AWS ARN",
        ),
        (
            "tls-secret-name.libsonnet",
            "secrets/generic-api-key",
            "names a Secret",
        ),
    ];
    let (code, not_secrets) = run("not-secrets");
    assert_eq!(code, 0, "no error in not-secrets/: {not_secrets:?}");
    for (file, rule, reason) in expect {
        let got = not_secrets.get(file).cloned().unwrap_or_default();
        assert!(
            got.len() == 1 && got[0].0 == rule && got[0].1 && got[0].2.contains(reason),
            "{file}: expected one suppressed {rule} ({reason}), got {} finding(s): {:?}",
            got.len(),
            got.iter().map(|(r, s, _)| (r, s)).collect::<Vec<_>>()
        );
    }
    // Each not-secret is counted: the report's summary says how many.
    let (_, v, all) = prr(&root.join("not-secrets"), &["secrets", "."]);
    assert!(
        v.is_null() && all.contains("7 suppressed"),
        "{}",
        all.lines().last().unwrap_or("")
    );

    let (code, secrets) = run("secrets");
    assert_eq!(
        code, 1,
        "the same shapes with real-looking values fail the scan"
    );
    let must_fire = [
        (
            "additional-scrape-configs.yaml",
            "secrets/kubernetes-secret-yaml",
        ),
        (
            "alertmanager-slack-app-token.yml",
            "secrets/generic-api-key",
        ),
        ("grafana-dashboard.json", "secrets/generic-api-key"),
        ("hex-secret-value.yaml", "secrets/generic-api-key"),
        ("oauth-proxy-cookie.yaml", "secrets/generic-api-key"),
        ("secret-id-value.yaml", "secrets/generic-api-key"),
        ("tls-secret-value.libsonnet", "secrets/generic-api-key"),
    ];
    for (file, rule) in must_fire {
        let got = secrets.get(file).cloned().unwrap_or_default();
        assert!(
            got.iter().any(|(r, s, _)| r == rule && !s),
            "{file}: expected an unsuppressed {rule}, got {:?}",
            got.iter().map(|(r, s, _)| (r, s)).collect::<Vec<_>>()
        );
    }
}

/// Issue 13 item 9: a team config with an allowlist and no rules and no
/// `[extend]` runs zero rules (as gitleaks does): said as a warning naming
/// the fix, and the secrets area is not assessed; with `[extend]
/// useDefault = true` the same allowlist keeps the default rules.
#[test]
fn a_gitleaks_config_that_runs_no_rule_says_so() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    write(d, "a.env", format!("AWS={AWS}\n").as_bytes());
    let allowlist = "[allowlist]\npaths = ['''^vendor/''']\n";
    write(d, ".gitleaks.toml", allowlist.as_bytes());
    for args in [
        &["secrets", ".", "--format", "json"][..],
        &["check", ".", "--format", "json"],
    ] {
        let (_, v, out) = prr(d, args);
        let warn: Vec<&Value> = v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule"] == "prr/config")
            .collect();
        assert_eq!(warn.len(), 1, "{args:?}: {out}");
        assert_eq!(warn[0]["level"], "warning");
        assert_eq!(warn[0]["path"], ".gitleaks.toml");
        assert!(
            warn[0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("zero rules") && m.contains("useDefault = true")),
            "{}",
            warn[0]["message"]
        );
        assert!(found(&v).is_empty(), "no rule ran: {out}");
    }
    let (_, v, out) = prr(d, &["check", ".", "--format", "json"]);
    assert!(
        v["readiness"][0]["areas"]["secrets"]["score"].is_null(),
        "secrets area not assessed: {out}"
    );
    write(
        d,
        ".gitleaks.toml",
        format!("[extend]\nuseDefault = true\n{allowlist}").as_bytes(),
    );
    let (_, v, out) = prr(d, &["check", ".", "--format", "json"]);
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["rule"] != "prr/config"),
        "{out}"
    );
    let rules: Vec<String> = found(&v).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["secrets/aws-access-token"], "{out}");
}
