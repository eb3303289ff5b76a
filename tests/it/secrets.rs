//! Secrets never reach a report: runs the real `prr` binary over a throw-away
//! repository holding fake secrets and checks every report format.

use std::process::Command;

/// Fake, visibly so (docs/design.md §9): gitleaks' own test strings.
const SECRETS: &[(&str, &str)] = &[
    ("deploy/app.env", "AWS_KEY=AKIALALEMEL33243OLIA\n"),
    (
        "src/gh.py",
        "GH = 'ghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74'\n",
    ),
    (
        "ops/notify.sh",
        "curl https://hooks.slack.com/services/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\n",
    ),
    (".env.prod", "DB_PASSWORD=8ae31cacf141669ddfb5da\n"),
];

const RAW: &[&str] = &[
    "AKIALALEMEL33243OLIA",
    "ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74",
    "bJtrpFi1fO1JMCcwLx8uZyAg",
    "8ae31cacf141669ddfb5da",
    "MIIEpQIBAAKCAQEAn6",
];

#[test]
fn no_report_contains_a_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files: Vec<(String, String)> = SECRETS
        .iter()
        .map(|(p, b)| (p.to_string(), b.to_string()))
        .collect();
    // A private key block, assembled so this source file holds no BEGIN line.
    files.push((
        "certs/server.pem".into(),
        format!(
            "{}BEGIN RSA PRIVATE KEY-----\nMIIEpQIBAAKCAQEAn6/O8li+SX4m98LLYt/PKSzEmQ++ZBD7Loh9P13f4yQ92EF3\n-----END RSA PRIVATE KEY-----\n",
            "-----"
        ),
    ));
    for (rel, body) in &files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, body).expect("write");
    }
    let run = |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_prr"))
            .args(["check", ".", "--format", format])
            .current_dir(dir.path())
            .env_remove("GITHUB_ACTIONS")
            .env("NO_COLOR", "1")
            .output()
            .expect("run prr");
        assert_eq!(out.status.code(), Some(1), "secrets block the gate");
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    let json = run("json");
    // stdout is the report; stderr (appended) holds the verdict line.
    let report = json.split("\nprr: ").next().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(report).expect("json report");
    let mut rules: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
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
            )
        })
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        vec![
            (
                "secrets/aws-access-token".to_string(),
                "deploy/app.env".to_string(),
                1
            ),
            (
                "secrets/generic-api-key".to_string(),
                ".env.prod".to_string(),
                1
            ),
            ("secrets/github-pat".to_string(), "src/gh.py".to_string(), 1),
            (
                "secrets/private-key".to_string(),
                "certs/server.pem".to_string(),
                1
            ),
            (
                "secrets/slack-webhook-url".to_string(),
                "ops/notify.sh".to_string(),
                1
            ),
        ]
    );
    for format in ["text", "github"] {
        let out = run(format);
        assert!(
            out.contains("AKIA…(20 chars)"),
            "{format}: redacted form shown:\n{out}"
        );
        for raw in RAW {
            assert!(!out.contains(raw), "{format} output leaks {raw}:\n{out}");
        }
    }
    for raw in RAW {
        assert!(!json.contains(raw), "json output leaks {raw}:\n{json}");
    }
}
