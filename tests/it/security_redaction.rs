//! Issue 17, items 4, 6, 8 and 9: nothing secret is ever printed, however
//! a check re-encodes it, whatever the scope of the scan, on every path
//! (reports, the budget table, exit-2 errors); and no text from the
//! repository can forge a GitHub workflow command in the log.
//!
//! Each test replays the attack through the built binary in every output
//! format (to stdout and with `--output` files), inside GitHub Actions (the
//! annotations, the job summary and the step outputs), and checks stdout,
//! stderr and every file written.

use crate::support;

use crate::support::{prr_command, write};
use std::path::{Path, PathBuf};

/// A fake GitHub token of gitleaks' own tests (rule `github-pat`).
const TOKEN: &str = "ghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74";

/// The token without its public prefix (the redacted form keeps `ghp_`).
const TOKEN_BODY: &str = "ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74";

const FORMATS: [&str; 7] = [
    "text", "json", "github", "sarif", "junit", "gitlab", "markdown",
];

/// Body lines of fake private keys (random base64, not real keys).
const KEY_A: [&str; 3] = [
    "MIIEpQIBAAKCAQEAn6/O8li+SX4m98LLYt/PKSzEmQ++ZBD7Loh9P13f4yQ92EF3",
    "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6",
    "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2",
];
const KEY_B: [&str; 2] = [
    "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu",
    "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm",
];
const KEY_C: [&str; 2] = [
    "MIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4wggE6AgEAAkEAq7BFUpkGp3+LQmlQ",
    "Yx2eqzDV+xeG8kx/sQFV18S5JhzGeIJNA72wSeukEPojtqUyX2J0CciPBh7eqclQ",
];

/// A private key block around `body`, each line after `indent`; built at
/// run time so this file holds no BEGIN line.
fn pem(body: &[&str], indent: &str) -> String {
    let mut s = format!("{indent}{}BEGIN RSA PRIVATE KEY-----\n", "-----");
    for l in body {
        s.push_str(&format!("{indent}{l}\n"));
    }
    s.push_str(&format!("{indent}-----END RSA PRIVATE KEY-----\n"));
    s
}

/// What one run of prr printed and wrote.
struct Run {
    label: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    files: Vec<(PathBuf, String)>,
}

impl Run {
    /// Every text of the run with its origin.
    fn texts(&self) -> Vec<(String, &str)> {
        let mut v = vec![
            (format!("{} stdout", self.label), self.stdout.as_str()),
            (format!("{} stderr", self.label), self.stderr.as_str()),
        ];
        for (p, t) in &self.files {
            v.push((format!("{} {}", self.label, p.display()), t.as_str()));
        }
        v
    }
}

fn prr(dir: &Path, args: &[&str], env: &[(&str, &Path)], label: &str) -> Run {
    let out = prr_command(dir, args)
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("GITHUB_TOKEN")
        .env_remove("PRR_TIMINGS")
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .output()
        .expect("run prr");
    Run {
        label: label.to_string(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        files: Vec::new(),
    }
}

/// Runs `prr ARGS` in every format to stdout; once with every format to
/// `--output` files; once inside GitHub Actions (annotations, job summary,
/// step outputs). Reports are written outside the repository.
fn every_output(dir: &Path, args: &[&str]) -> Vec<Run> {
    let out = tempfile::tempdir().expect("tempdir");
    let mut runs = Vec::new();
    for f in FORMATS {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--format", f]);
        runs.push(prr(dir, &a, &[], &format!("{args:?} --format {f}")));
    }
    let paths: Vec<PathBuf> = FORMATS
        .iter()
        .map(|f| out.path().join(format!("report.{f}")))
        .collect();
    let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    for (f, p) in FORMATS.iter().zip(&paths) {
        a.extend([
            "--format".into(),
            f.to_string(),
            "--output".into(),
            p.display().to_string(),
        ]);
    }
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let mut r = prr(dir, &a, &[], &format!("{args:?} --output"));
    for p in &paths {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        assert!(
            !text.is_empty() || r.code == Some(2),
            "{} not written",
            p.display()
        );
        r.files.push((p.clone(), text));
    }
    runs.push(r);
    let summary = out.path().join("summary.md");
    let outputs = out.path().join("outputs.txt");
    let mut r = prr(
        dir,
        args,
        &[
            ("GITHUB_ACTIONS", Path::new("true")),
            ("GITHUB_STEP_SUMMARY", &summary),
            ("GITHUB_OUTPUT", &outputs),
        ],
        &format!("{args:?} in GitHub Actions"),
    );
    for p in [&summary, &outputs] {
        r.files
            .push((p.clone(), std::fs::read_to_string(p).unwrap_or_default()));
    }
    runs.push(r);
    runs
}

/// Asserts that no needle appears in any text of `runs`.
fn assert_absent(runs: &[Run], needles: &[&str]) {
    for r in runs {
        assert_ne!(r.code, Some(101), "{}: panic: {}", r.label, r.stderr);
        for (origin, text) in r.texts() {
            for n in needles {
                assert!(
                    !text.contains(n),
                    "{origin} prints `{n}`:\n{}",
                    text.chars().take(4000).collect::<String>()
                );
            }
        }
    }
}

/// Each line of each key, and its first 24 characters (a clipped snippet).
fn key_needles<'a>(keys: &[&'a [&'a str]]) -> Vec<&'a str> {
    keys.iter()
        .flat_map(|k| k.iter().flat_map(|l| [*l, &l[..24]]))
        .collect()
}

/// Item 4: a private key in an alert annotation — a literal block, a folded
/// block, a double-quoted string with `\n` escapes — is decoded and dedented
/// by the YAML parser and quoted whole by `alerts/runbook-resolves`; no line
/// of it may reach any output.
#[test]
fn private_key_in_an_alert_annotation_is_never_printed() {
    let d = tempfile::tempdir().expect("tempdir");
    let literal = pem(&KEY_A, "            ");
    let folded = pem(&KEY_B, "            ");
    let quoted = pem(&KEY_C, "").trim_end().replace('\n', "\\n");
    write(
        d.path(),
        "alerts/rules.yaml",
        format!(
            "groups:
  - name: g
    rules:
      - alert: Literal
        expr: rate(x[5m]) > 1
        for: 5m
        labels: {{ severity: critical }}
        annotations:
          summary: s
          runbook_url: |
{literal}      - alert: Folded
        expr: rate(y[5m]) > 1
        for: 5m
        labels: {{ severity: critical }}
        annotations:
          summary: s
          runbook_url: >
{folded}      - alert: Quoted
        expr: rate(z[5m]) > 1
        for: 5m
        labels: {{ severity: critical }}
        annotations:
          summary: s
          runbook_url: \"{quoted}\"
"
        ),
    );
    let runs = every_output(d.path(), &["check", "."]);
    // The attack reaches the check: each alert is reported.
    let json = &runs[1].stdout;
    assert!(
        json.matches("\"rule\": \"alerts/runbook-resolves\"")
            .count()
            >= 3,
        "{json}"
    );
    assert_absent(&runs, &key_needles(&[&KEY_A, &KEY_B, &KEY_C]));
}

/// Item 4: a private key pasted into YAML with one tab-indented line is a
/// parse error at that line, and its code frame showed the key line. Also
/// for a block without its END line, which no secret rule matches.
#[test]
fn private_key_line_in_a_parse_error_frame_is_never_printed() {
    let d = tempfile::tempdir().expect("tempdir");
    let tabbed = |body: &[&str], end: bool| {
        let mut s = format!(
            "tls:\n  key: |\n    {}BEGIN RSA PRIVATE KEY-----\n",
            "-----"
        );
        for (i, l) in body.iter().enumerate() {
            let indent = if i == 1 { "\t" } else { "    " };
            s.push_str(&format!("{indent}{l}\n"));
        }
        if end {
            s.push_str("    -----END RSA PRIVATE KEY-----\n");
        }
        s
    };
    write(d.path(), "deploy/tls.yaml", tabbed(&KEY_A, true));
    write(d.path(), "deploy/partial.yaml", tabbed(&KEY_B, false));
    let runs = every_output(d.path(), &["check", "."]);
    assert_eq!(
        runs[1].stdout.matches("prr/parse-error").count(),
        2,
        "{}",
        runs[1].stdout
    );
    assert_absent(&runs, &key_needles(&[&KEY_A, &KEY_B]));
    let runs = every_output(d.path(), &["secrets", "."]);
    assert_absent(&runs, &key_needles(&[&KEY_A, &KEY_B]));
}

/// Item 6: with `--changed-since` or `--staged`, a secret on a line the
/// change did not touch is not reported, but it is still redacted: the
/// parse error at that line showed it in its code frame.
#[test]
fn scoped_scans_never_print_a_secret_outside_the_change() {
    let d = tempfile::tempdir().expect("tempdir");
    let dir = d.path();
    support::git(dir, &["init", "-q"]);
    // Line 2: the token in a string that never closes (a parse error there).
    write(
        dir,
        "app/config.yaml",
        format!("a: 1\ntoken: \"{TOKEN}\nb: 2\n"),
    );
    support::git(dir, &["add", "-A"]);
    support::git(dir, &["commit", "-qm", "base"]);
    support::git(dir, &["checkout", "-qb", "change"]);
    write(
        dir,
        "app/config.yaml",
        format!("a: 1\ntoken: \"{TOKEN}\nb: 2\nc: 3\n"),
    );
    support::git(dir, &["commit", "-qam", "change"]);
    let mut runs = every_output(dir, &["secrets", ".", "--changed-since", "main"]);
    runs.extend(every_output(
        dir,
        &["check", ".", "--changed-since", "main"],
    ));
    // Staged: another line of the file changes in the index.
    write(
        dir,
        "app/config.yaml",
        format!("a: 1\ntoken: \"{TOKEN}\nb: 2\nc: 4\n"),
    );
    support::git(dir, &["add", "app/config.yaml"]);
    runs.extend(every_output(dir, &["secrets", ".", "--staged"]));
    assert!(
        runs[0].stdout.contains("prr/parse-error") && runs[0].stdout.contains("config.yaml"),
        "the parse error is reported: {}",
        runs[0].stdout
    );
    assert_absent(&runs, &[TOKEN_BODY]);
}

/// Item 8: a token written where a variable name belongs reached the text
/// budget table and the JSON reasons (`check` and `prr budget`).
#[test]
fn token_in_place_of_a_variable_name_is_never_printed() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "checkout/README.md", "# checkout\n");
    write(
        d.path(),
        "prr.yaml",
        format!(
            r#"services:
  - name: checkout
    paths: ["checkout/**"]
    budget: {{ provider: api, slos: [{{ name: availability }}] }}
budget:
  timeout: 1s
  retries: 0
  providers:
    api: {{ type: http-json, url: "http://127.0.0.1:9/slo/{{service}}/{{slo}}", auth: {{ bearer-env: {TOKEN} }}, value: /remaining, unit: ratio }}
rules:
  slo/present: {{ level: "off" }}
"#
        ),
    );
    let mut runs = every_output(d.path(), &["check", "."]);
    assert!(
        runs[0].stdout.contains("Error budget"),
        "the budget table is printed: {}",
        runs[0].stdout
    );
    runs.push(prr(d.path(), &["budget", "."], &[], "budget"));
    runs.push(prr(
        d.path(),
        &["budget", ".", "--json"],
        &[],
        "budget --json",
    ));
    runs.push(prr(
        d.path(),
        &["config", ".", "--resolved"],
        &[],
        "config --resolved",
    ));
    assert_absent(&runs, &[TOKEN_BODY]);
}

/// Item 8: a token in prr.yaml where a value, a key, a layer, a glob or a
/// date belongs, or in a `.gitleaks.toml` regex, was echoed in the exit-2
/// error.
#[test]
fn token_in_an_invalid_config_is_never_echoed() {
    let cases = [
        format!("services: [{{ name: a, paths: ['a/**'], tier: {TOKEN} }}]\n"),
        format!("{TOKEN}: 1\n"),
        format!("extends: [{TOKEN}.yaml]\n"),
        format!("services: [{{ name: a, paths: ['a/[{TOKEN}'] }}]\n"),
        format!("suppressions:\n  - rule: alerts/for\n    reason: r\n    until: {TOKEN}\n"),
    ];
    let mut runs = Vec::new();
    for (i, yaml) in cases.iter().enumerate() {
        let d = tempfile::tempdir().expect("tempdir");
        write(d.path(), "prr.yaml", yaml);
        for args in [
            &["check", "."][..],
            &["secrets", "."],
            &["config", "."],
            &["budget", "."],
        ] {
            let r = prr(d.path(), args, &[], &format!("case {i} {args:?}"));
            assert_eq!(r.code, Some(2), "{}: {}", r.label, r.stderr);
            runs.push(r);
        }
    }
    let d = tempfile::tempdir().expect("tempdir");
    write(
        d.path(),
        ".gitleaks.toml",
        format!("[[rules]]\nid = \"x\"\nregex = '''({TOKEN}'''\n"),
    );
    for args in [&["check", "."][..], &["secrets", "."]] {
        let r = prr(d.path(), args, &[], &format!(".gitleaks.toml {args:?}"));
        assert_eq!(r.code, Some(2), "{}", r.stderr);
        assert!(r.stderr.contains("gitleaks rule `x`"), "{}", r.stderr);
        runs.push(r);
    }
    assert_absent(&runs, &[TOKEN_BODY]);
}

/// The lines of `text` GitHub's runner would read as a workflow command
/// (a line starting with `::`, after spaces) that prr did not write.
fn forged_commands(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("::"))
        .filter(|l| l.starts_with("::stop-commands") || l.starts_with("::error file=y"))
        .collect()
}

/// Item 9: a line break in an alert name or a file name reached the log raw,
/// and the runner ran the `::` commands after it; a bidi override reordered
/// what a reviewer reads. Every human-facing output shows them escaped.
#[test]
fn names_cannot_forge_workflow_commands() {
    let d = tempfile::tempdir().expect("tempdir");
    write(
        d.path(),
        "alerts/rules.yaml",
        "groups:
  - name: g
    rules:
      - alert: \"x\\n::error file=y::forged\\n::stop-commands::t\\u202e\"
        expr: rate(x[5m]) > 1
        labels: { severity: critical }
        annotations:
          summary: s
          runbook_url: docs/none.md
",
    );
    // A file name with a line break (a parse error is reported at it).
    write(d.path(), "evil\n::error file=y::forged2.yaml", "a: [\n");
    let runs = every_output(d.path(), &["check", "."]);
    assert!(
        runs[1].stdout.contains("::error file=y::forged"),
        "the name reaches the report: {}",
        runs[1].stdout
    );
    let mut human = 0;
    for r in &runs {
        for (origin, text) in r.texts() {
            let forged = forged_commands(text);
            assert!(forged.is_empty(), "{origin}: forged commands {forged:?}");
            let machine = [".json", ".sarif", ".junit", ".gitlab"]
                .iter()
                .any(|e| origin.ends_with(&format!("report{e}")))
                || ["json", "sarif", "junit", "gitlab"]
                    .iter()
                    .any(|f| origin.contains(&format!("--format {f} ")));
            if !machine {
                human += 1;
                assert!(!text.contains('\u{202e}'), "{origin}: raw bidi override");
            }
        }
    }
    assert!(human >= 8);
    // The same through an exit-2 error on stderr.
    let d = tempfile::tempdir().expect("tempdir");
    write(
        d.path(),
        "prr.yaml",
        "services: [{ name: a, paths: [\"a/[x\\n::error file=y::forged\\n::stop-commands::t\"] }]\n",
    );
    let r = prr(d.path(), &["check", "."], &[], "config error");
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("forged"), "{}", r.stderr);
    assert!(forged_commands(&r.stderr).is_empty(), "{}", r.stderr);
}
