//! Hardening: malformed and hostile input never crashes `prr check`, and
//! every limit prr applies is a finding, never a silent drop.
//!
//! - Every public fixture that is broken on purpose (listed in
//!   tests/fixtures/malformed/PROVENANCE.md) goes alone through the real
//!   binary: the exit code is 1 or 2 (never a panic's 101 or a signal) and a
//!   finding names the file and the line of the broken construct, a line the
//!   test finds in the fixture's own text.
//! - YAML resource limits (alias expansion, nesting depth, documents per
//!   file) and the file size limit are findings at the file that names the
//!   limit, and the other files of the repository are still checked.
//! - Runbook links never resolve outside the repository root.

use crate::support::{prr_command, write};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// A run that takes longer than this has hung (e.g. opened a FIFO).
const TIMEOUT: Duration = Duration::from_secs(120);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs `prr check <root> --format json --include-non-production` (the
/// fixtures keep their upstream paths, `…/testdata/…` among them, and must
/// gate here); a run that outlives [`TIMEOUT`] is killed and fails the test.
fn prr_check(root: &Path) -> Output {
    let child = prr_command(root, &["check"])
        .arg(root)
        .args(["--format", "json", "--include-non-production"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start prr");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(TIMEOUT) {
        Ok(out) => out.expect("wait for prr"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("prr check {} hung (over {TIMEOUT:?})", root.display());
        }
    }
}

/// The exit code, when it is one of the contract's: 1 (blocked) or 2
/// (usage/config error). A panic (101) or a signal is an error message.
fn contract_exit(o: &Output) -> Result<i32, String> {
    let stderr = String::from_utf8_lossy(&o.stderr);
    match o.status.code() {
        Some(c @ (1 | 2)) if !stderr.contains("panicked") => Ok(c),
        Some(c) => Err(format!("exit {c}: {stderr}")),
        None => Err(format!("killed by a signal ({:?}): {stderr}", o.status)),
    }
}

/// One finding of the JSON report.
#[derive(Debug, Clone)]
struct Found {
    rule: String,
    level: String,
    path: String,
    line: u64,
    message: String,
}

fn findings(o: &Output) -> Result<Vec<Found>, String> {
    let report: Value = serde_json::from_slice(&o.stdout).map_err(|e| {
        format!(
            "stdout is not a JSON report ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    })?;
    let list = report["findings"]
        .as_array()
        .ok_or_else(|| format!("no findings array: {report}"))?;
    Ok(list
        .iter()
        .map(|f| Found {
            rule: f["rule"].as_str().unwrap_or_default().to_string(),
            level: f["level"].as_str().unwrap_or_default().to_string(),
            path: f["path"].as_str().unwrap_or_default().to_string(),
            line: f["line"].as_u64().unwrap_or(0),
            message: f["message"].as_str().unwrap_or_default().to_string(),
        })
        .collect())
}

/// The 1-based line of the `nth` (1-based) line of `text` containing `needle`.
fn line_of(text: &str, needle: &str, nth: usize) -> Option<u64> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(nth.checked_sub(1)?)
        .and_then(|(i, _)| u64::try_from(i + 1).ok())
}

// ---------------------------------------------------------------------------
// Every malformed public fixture

/// What prr must say about a malformed fixture.
enum Expect {
    /// A finding of `rule` on the file, at the broken construct's line, whose
    /// message contains `says`.
    Finding {
        rule: &'static str,
        says: &'static str,
    },
    /// The tool that reads the file accepts it (`why`): no error-level
    /// finding at the marked line, yet the file is read (a finding names it).
    Valid { why: &'static str },
}

/// One malformed fixture.
struct Case {
    /// Folder under tests/fixtures holding the source repository's files.
    dir: &'static str,
    /// The file's path in its source repository, and in the temporary one.
    file: &'static str,
    /// The broken construct is on the `nth` line containing `needle`.
    needle: &'static str,
    nth: usize,
    expect: Expect,
    /// prr.yaml of the temporary repository, when the case needs one.
    config: Option<&'static str>,
}

const RULEFMT: &str = "alerts/prometheus-rulefmt";
const SLOTH: &str = "slo/sloth";
const ARGO: &str = "malformed/rollout/argo-rollouts";
const RULEFMT_DIR: &str = "model/rulefmt/testdata";
const SLOTH_BAD_DIR: &str = "test/integration/prometheus/testdata/validate/bad";

const fn rulefmt(file: &'static str, needle: &'static str, says: &'static str) -> Case {
    Case {
        dir: RULEFMT,
        file,
        needle,
        nth: 1,
        expect: Expect::Finding {
            rule: "alerts/parse",
            says,
        },
        config: None,
    }
}

const fn sloth(file: &'static str, rule: &'static str, says: &'static str) -> Case {
    Case {
        dir: SLOTH,
        file,
        needle: "# BAD!",
        nth: 1,
        expect: Expect::Finding { rule, says },
        config: None,
    }
}

const fn templated(file: &'static str) -> Case {
    Case {
        dir: ARGO,
        file,
        needle: "{{",
        nth: 1,
        expect: Expect::Finding {
            rule: "prr/templated",
            says: "template",
        },
        // A declared service: its missing SLO gates the run (exit 1), as the
        // contract of this table wants; `prr/templated` itself is a notice.
        config: Some("services:\n  - { name: app, paths: [\"**\"] }\n"),
    }
}

/// One row per malformed fixture: its expected rule and the line of the
/// broken construct (located in the fixture's text).
const CASES: &[Case] = &[
    // Prometheus rulefmt: what `promtool check rules` refuses.
    rulefmt(
        "model/rulefmt/testdata/bad_expr.bad.yaml",
        "expr: rate(hi)",
        "not valid PromQL",
    ),
    rulefmt(
        "model/rulefmt/testdata/bad_field.bad.yaml",
        "annotation:",
        "`annotation`",
    ),
    Case {
        nth: 2,
        ..rulefmt(
            "model/rulefmt/testdata/duplicate_grp.bad.yaml",
            "- name: yolo",
            "`yolo`",
        )
    },
    rulefmt(
        "model/rulefmt/testdata/invalid_label_name.bad.yaml",
        "__name__:",
        "`__name__`",
    ),
    rulefmt(
        "model/rulefmt/testdata/invalid_record_name.bad.yaml",
        "record: strawberry{",
        "strawberry{flavor=\"sweet\"}",
    ),
    Case {
        config: Some("rules:\n  alerts/parse:\n    with: { name-validation: legacy }\n"),
        ..rulefmt(
            "model/rulefmt/testdata/legacy_validation_annotation.bad.yaml",
            "ins-tance:",
            "`ins-tance`",
        )
    },
    rulefmt(
        "model/rulefmt/testdata/no_rec_alert.bad.yaml",
        "- expr: 1",
        "`alert:`",
    ),
    rulefmt(
        "model/rulefmt/testdata/noexpr.bad.yaml",
        "- record: ylo",
        "`expr:`",
    ),
    rulefmt(
        "model/rulefmt/testdata/record_and_alert.bad.yaml",
        "- record: Hi",
        "`alert: Hello`",
    ),
    rulefmt(
        "model/rulefmt/testdata/record_and_for.bad.yaml",
        "for: 1m",
        "`for`",
    ),
    rulefmt(
        "model/rulefmt/testdata/record_and_keep_firing_for.bad.yaml",
        "keep_firing_for: 1m",
        "`keep_firing_for`",
    ),
    // Sloth `validate/bad`: each file marks its broken line `# BAD!`.
    sloth(
        "test/integration/prometheus/testdata/validate/bad/bad-aa.yaml",
        "slo/objective-range",
        "`101`",
    ),
    sloth(
        "test/integration/prometheus/testdata/validate/bad/bad-ab.yaml",
        "slo/objective-range",
        "`101`",
    ),
    sloth(
        "test/integration/prometheus/testdata/validate/bad/bad-ba.yaml",
        "slo/objective-range",
        "`101`",
    ),
    sloth(
        "test/integration/prometheus/testdata/validate/bad/bad-k8s.yaml",
        "slo/schema",
        "`spec.service`",
    ),
    sloth(
        "test/integration/prometheus/testdata/validate/bad/bad-multi-k8s.yaml",
        "slo/schema",
        "`alerting.name`",
    ),
    sloth(
        "test/integration/prometheus/testdata/validate/bad/bad-multi.yaml",
        "slo/schema",
        "`sli`",
    ),
    Case {
        expect: Expect::Valid {
            why: "a 28-day OpenSLO window; Sloth at the fixture commit ships 28-day alert windows",
        },
        ..sloth(
            "test/integration/prometheus/testdata/validate/bad/bad-openslo.yaml",
            "",
            "",
        )
    },
    // Argo Rollouts: an unquoted `{{args.…}}` (a YAML mapping as a key), and
    // the Helm chart's templates.
    templated("examples/traffic-management/rollout-linkerd.yaml"),
    templated("examples/helm-blue-green/templates/rollout.yaml"),
    templated("examples/helm-blue-green/templates/services.yaml"),
];

/// Runs one case; `Ok(exit code)` or what went wrong.
fn run_case(case: &Case) -> (Option<i32>, Result<(), String>) {
    let src = fixtures().join(case.dir).join(case.file);
    let text = match std::fs::read_to_string(&src) {
        Ok(t) => t,
        Err(e) => return (None, Err(format!("{}: {e}", src.display()))),
    };
    let Some(line) = line_of(&text, case.needle, case.nth) else {
        return (
            None,
            Err(format!("no line #{} with `{}`", case.nth, case.needle)),
        );
    };
    let repo = tempfile::tempdir().expect("tempdir");
    write(repo.path(), case.file, &text);
    if let Some(cfg) = case.config {
        write(repo.path(), "prr.yaml", cfg);
    }
    let out = prr_check(repo.path());
    let code = match contract_exit(&out) {
        Ok(c) => c,
        Err(e) => return (out.status.code(), Err(e)),
    };
    let all = match findings(&out) {
        Ok(f) => f,
        Err(e) => return (Some(code), Err(e)),
    };
    let on_file: Vec<&Found> = all.iter().filter(|f| f.path == case.file).collect();
    let verdict = match &case.expect {
        Expect::Finding { rule, says } => {
            if on_file
                .iter()
                .any(|f| f.rule == *rule && f.line == line && f.message.contains(says))
            {
                Ok(())
            } else {
                Err(format!(
                    "expected {rule} at line {line} saying {says:?}; on the file: {on_file:#?}"
                ))
            }
        }
        Expect::Valid { why } => {
            let at_line: Vec<_> = on_file
                .iter()
                .filter(|f| f.line == line && f.level == "error")
                .collect();
            if !at_line.is_empty() {
                Err(format!("valid ({why}) but reported: {at_line:#?}"))
            } else if on_file.is_empty() {
                Err("no finding names the file: was it read?".to_string())
            } else {
                Ok(())
            }
        }
    };
    (Some(code), verdict)
}

#[test]
fn every_malformed_fixture_is_a_finding_at_its_line() {
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let (mut with_finding, mut valid) = (0, 0);
    let mut failures = Vec::new();
    for case in CASES {
        let (code, verdict) = run_case(case);
        let outcome = code.map_or("signal or not run".to_string(), |c| format!("exit {c}"));
        *outcomes.entry(outcome).or_default() += 1;
        match (&verdict, &case.expect) {
            (Ok(()), Expect::Finding { .. }) => with_finding += 1,
            (Ok(()), Expect::Valid { .. }) => valid += 1,
            (Err(e), _) => failures.push(format!("{}/{}: {e}", case.dir, case.file)),
        }
    }
    println!(
        "malformed fixtures: {} files tried; outcomes {outcomes:?}; {with_finding} with the expected finding at the broken line; {valid} valid as documented; {} failed",
        CASES.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(with_finding + valid, CASES.len());
}

/// Every file of the malformed fixture folders has its row: a fixture added
/// later cannot be skipped silently.
#[test]
fn the_table_covers_every_malformed_fixture() {
    let mut on_disk: Vec<String> = Vec::new();
    let mut list = |dir: &str, sub: &str, keep: &dyn Fn(&str) -> bool| {
        let base = fixtures().join(dir);
        let mut stack = vec![base.join(sub)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read fixture folder") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let rel = p
                    .strip_prefix(&base)
                    .expect("under base")
                    .to_string_lossy()
                    .replace('\\', "/");
                if keep(&rel) {
                    on_disk.push(format!("{dir}/{rel}"));
                }
            }
        }
    };
    list(RULEFMT, RULEFMT_DIR, &|p| p.ends_with(".bad.yaml"));
    list(SLOTH, SLOTH_BAD_DIR, &|_| true);
    list(ARGO, "", &|p| !p.ends_with("PROVENANCE.md"));
    on_disk.sort();
    let mut in_table: Vec<String> = CASES
        .iter()
        .map(|c| format!("{}/{}", c.dir, c.file))
        .collect();
    in_table.sort();
    assert_eq!(in_table, on_disk);
    assert_eq!(on_disk.len(), 21, "11 rulefmt + 7 Sloth + 3 Argo Rollouts");
}

// ---------------------------------------------------------------------------
// Resource limits

/// The sibling file of the limit tests: a rule file with a real finding
/// (`rate(hi)` is not valid PromQL), copied from the rulefmt fixtures.
const SIBLING: &str = "deploy/alerts.yaml";

fn sibling_text() -> String {
    std::fs::read_to_string(
        fixtures()
            .join(RULEFMT)
            .join(RULEFMT_DIR)
            .join("bad_expr.bad.yaml"),
    )
    .expect("bad_expr fixture")
}

/// The sibling's real finding is still reported.
fn assert_sibling_checked(all: &[Found]) {
    let line = line_of(&sibling_text(), "expr: rate(hi)", 1).expect("expr line");
    assert!(
        all.iter()
            .any(|f| f.rule == "alerts/parse" && f.path == SIBLING && f.line == line),
        "the sibling file was not checked: {all:#?}"
    );
}

/// Runs prr on `files` plus the sibling; returns the findings on `path`
/// (asserting exit 1 and the sibling's finding).
fn limit_run(files: &[(&str, &[u8])], path: &str) -> Vec<Found> {
    let repo = tempfile::tempdir().expect("tempdir");
    for (rel, body) in files {
        write(repo.path(), rel, body);
    }
    write(repo.path(), SIBLING, sibling_text());
    let out = prr_check(repo.path());
    assert_eq!(contract_exit(&out), Ok(1));
    let all = findings(&out).expect("JSON report");
    assert_sibling_checked(&all);
    all.into_iter().filter(|f| f.path == path).collect()
}

/// The single `prr/parse-error` finding on a file.
fn parse_error(on_file: &[Found]) -> &Found {
    let errs: Vec<&Found> = on_file
        .iter()
        .filter(|f| f.rule == "prr/parse-error")
        .collect();
    assert_eq!(errs.len(), 1, "{on_file:#?}");
    assert_eq!(errs[0].level, "error");
    errs[0]
}

#[test]
fn alias_expansion_bomb_is_a_finding_and_siblings_are_checked() {
    // "Billion laughs": nine levels of ten aliases expand to 10^9 scalars.
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let on_file = limit_run(&[("bomb.yaml", bomb.as_bytes())], "bomb.yaml");
    let f = parse_error(&on_file);
    assert!(
        f.message.contains("while expanding aliases") && f.message.contains("(resource limit)"),
        "{}",
        f.message
    );
    // The limit is named: 1,000,000 node copies (crates/prr-core/src/yaml.rs MAX_ALIAS_COPIES).
    assert!(f.message.contains("1000000 nodes copied"), "{}", f.message);
    // At the use of an alias (lines 2 to 10), not at line 0.
    let alias_line = bomb
        .lines()
        .nth(usize::try_from(f.line).unwrap_or(0).saturating_sub(1));
    assert!(
        f.line >= 2 && alias_line.is_some_and(|l| l.contains("*a")),
        "line {}",
        f.line
    );
}

#[test]
fn nesting_depth_is_a_finding_and_siblings_are_checked() {
    // prr's documented limit: 128 levels (crates/prr-core/src/yaml.rs MAX_DEPTH).
    const MAX_DEPTH: usize = 128;
    // Block mappings, 200 deep: key `k{i}` on line i+1 sits at level i+1.
    let mut block: String = (0..200)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect();
    block.push_str(&format!("{}x\n", "  ".repeat(200)));
    let block_line = line_of(&block, &format!("k{MAX_DEPTH}:"), 1).expect("key line");
    // Flow sequences, 300 deep, on line 1.
    let flow = format!("a: {}{}\n", "[".repeat(300), "]".repeat(300));
    // Exactly at the limit: 128 levels are read (they overflowed the stack
    // of the walker's threads in a debug build before the parser got its own).
    let mut at_limit: String = (0..MAX_DEPTH)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect();
    at_limit.push_str(&format!("{}x\n", "  ".repeat(MAX_DEPTH)));
    let flow_at_limit = format!(
        "a: {}{}\n",
        "[".repeat(MAX_DEPTH - 1),
        "]".repeat(MAX_DEPTH - 1)
    );
    let repo_files: &[(&str, &[u8])] = &[
        ("deep-block.yaml", block.as_bytes()),
        ("deep-flow.yaml", flow.as_bytes()),
        ("at-limit-block.yaml", at_limit.as_bytes()),
        ("at-limit-flow.yaml", flow_at_limit.as_bytes()),
    ];
    for path in ["at-limit-block.yaml", "at-limit-flow.yaml"] {
        let on_file = limit_run(repo_files, path);
        assert!(
            on_file.iter().all(|f| f.rule != "prr/parse-error"),
            "{path}: {on_file:#?}"
        );
    }
    for (path, line) in [("deep-block.yaml", block_line), ("deep-flow.yaml", 1)] {
        let on_file = limit_run(repo_files, path);
        let f = parse_error(&on_file);
        assert_eq!(f.line, line, "{path}: {f:?}");
        assert!(
            f.message.contains(&format!(
                "nested deeper than {MAX_DEPTH} levels (resource limit)"
            )),
            "{path}: {}",
            f.message
        );
    }
}

#[test]
fn documents_per_file_limit_is_a_finding_and_siblings_are_checked() {
    // prr's documented limit: 10,000 documents per file (crates/prr-core/src/yaml.rs MAX_DOCUMENTS).
    const MAX_DOCUMENTS: usize = 10_000;
    let docs = |n: usize| -> String { (0..n).map(|i| format!("---\nn: {i}\n")).collect() };
    let at_limit = docs(MAX_DOCUMENTS);
    let over = docs(MAX_DOCUMENTS + 1);
    // The `---` that opens document 10,001.
    let line = line_of(&over, "---", MAX_DOCUMENTS + 1).expect("separator");
    let repo_files: &[(&str, &[u8])] = &[
        ("at-limit.yaml", at_limit.as_bytes()),
        ("over.yaml", over.as_bytes()),
    ];
    let on_file = limit_run(repo_files, "over.yaml");
    let f = parse_error(&on_file);
    assert_eq!(f.line, line);
    assert!(
        f.message
            .contains("more than 10000 YAML documents in one file (resource limit)"),
        "{}",
        f.message
    );
    // Exactly at the limit: read like any file.
    let at = limit_run(repo_files, "at-limit.yaml");
    assert!(at.iter().all(|f| f.rule != "prr/parse-error"), "{at:#?}");
}

#[test]
fn file_size_limit_is_a_finding_and_siblings_are_checked() {
    // prr reads files up to 10 MiB (crates/prr-core/src/fsio.rs MAX_FILE_BYTES).
    const LIMIT: usize = 10 * 1024 * 1024;
    let pad = |body: &str, size: usize| -> Vec<u8> {
        let mut v = body.as_bytes().to_vec();
        if !v.ends_with(b"\n") {
            v.push(b'\n');
        }
        while v.len() < size {
            let n = (size - v.len()).min(80);
            // A YAML comment line of exactly `n` bytes.
            v.push(b'#');
            v.extend(std::iter::repeat_n(b'x', n.saturating_sub(2)));
            if n > 1 {
                v.push(b'\n');
            }
        }
        v
    };
    // Over the limit by one byte: skipped, with a notice naming the limit.
    let over = pad("a: 1\n", LIMIT + 1);
    // Exactly at the limit: read and checked (its own bad PromQL is found).
    let at = pad(&sibling_text(), LIMIT);
    assert_eq!((over.len(), at.len()), (LIMIT + 1, LIMIT));
    let files: &[(&str, &[u8])] = &[("big/over.yaml", &over), ("big/at-limit.yaml", &at)];
    let on_over = limit_run(files, "big/over.yaml");
    let skipped: Vec<&Found> = on_over.iter().filter(|f| f.rule == "prr/skipped").collect();
    assert_eq!(skipped.len(), 1, "{on_over:#?}");
    assert_eq!(skipped[0].level, "notice");
    assert!(
        skipped[0]
            .message
            .contains(&format!("{} bytes is over the 10 MiB limit", LIMIT + 1)),
        "{}",
        skipped[0].message
    );
    let on_at = limit_run(files, "big/at-limit.yaml");
    let line = line_of(&sibling_text(), "expr: rate(hi)", 1).expect("expr line");
    assert!(
        on_at
            .iter()
            .any(|f| f.rule == "alerts/parse" && f.line == line),
        "{on_at:#?}"
    );
}

// ---------------------------------------------------------------------------
// Runbook links stay inside the repository

#[cfg(unix)]
#[test]
fn runbook_links_never_resolve_outside_the_repository() {
    use std::os::unix::fs::symlink;
    let top = tempfile::tempdir().expect("tempdir");
    let root = top.path().join("repo");
    let outside = top.path().join("outside");
    // Outside the root: a runbook whose `#diagnosis` anchor would resolve if
    // prr read it, and a FIFO that would hang prr if it were opened.
    write(&outside, "secret.md", "# Secret\n\n## Diagnosis\n");
    let fifo = outside.join("pipe.md");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    write(
        &root,
        "runbooks/real.md",
        "# Real\n\n## Diagnosis\n\nSee [the host](../../outside/secret.md#diagnosis), \
         [passwd](/etc/passwd), [local](file:///etc/passwd), [pipe](../../outside/pipe.md).\n",
    );
    symlink(outside.join("secret.md"), root.join("runbooks/linked.md")).expect("symlink");
    symlink(&outside, root.join("runbooks/ext")).expect("symlink");
    symlink(&fifo, root.join("runbooks/pipe.md")).expect("symlink");
    let abs_outside = format!("{}/secret.md#diagnosis", outside.display());
    let file_url_outside = format!("file://{}/secret.md", outside.display());
    // (alert, runbook_url, what the finding must say; "" = resolves).
    let cases: Vec<(&str, String, String)> = vec![
        (
            "Control",
            "../runbooks/real.md#diagnosis".into(),
            String::new(),
        ),
        (
            "DotDot",
            "../../outside/secret.md#diagnosis".into(),
            "climbs above the repository root".into(),
        ),
        (
            "Passwd",
            "../../../../../../../etc/passwd".into(),
            "climbs above the repository root".into(),
        ),
        (
            "Encoded",
            "%2e%2e/%2e%2e/outside/secret.md#diagnosis".into(),
            "climbs above the repository root".into(),
        ),
        (
            "Backslash",
            "..\\..\\outside\\secret.md".into(),
            "climbs above the repository root".into(),
        ),
        (
            "EtcPasswd",
            "/etc/passwd".into(),
            "does not resolve: no file `etc/passwd` in the repository".into(),
        ),
        (
            "Absolute",
            abs_outside.clone(),
            format!(
                "does not resolve: no file `{}` in the repository",
                abs_outside
                    .trim_start_matches('/')
                    .trim_end_matches("#diagnosis")
            ),
        ),
        (
            "FileUrl",
            "file:///etc/passwd".into(),
            "is a `file:` URL".into(),
        ),
        (
            "FileUrlOutside",
            file_url_outside,
            "is a `file:` URL".into(),
        ),
        (
            "SymlinkFile",
            "../runbooks/linked.md#diagnosis".into(),
            "does not resolve: no file `runbooks/linked.md`".into(),
        ),
        (
            "SymlinkDir",
            "../runbooks/ext/secret.md#diagnosis".into(),
            "does not resolve: no file `runbooks/ext/secret.md`".into(),
        ),
        (
            "Fifo",
            "../runbooks/pipe.md".into(),
            "does not resolve: no file `runbooks/pipe.md`".into(),
        ),
    ];
    let mut rules = String::from("groups:\n- name: links\n  rules:\n");
    for (alert, url, _) in &cases {
        rules.push_str(&format!(
            "  - alert: {alert}\n    expr: up == 0\n    labels: {{severity: warning}}\n    annotations:\n      runbook_url: '{url}'\n"
        ));
    }
    write(&root, "deploy/alerts.yaml", &rules);
    let out = prr_check(&root);
    assert_eq!(contract_exit(&out), Ok(1));
    let all = findings(&out).expect("JSON report");
    for f in &all {
        assert!(
            !f.path.starts_with('/') && !f.path.starts_with(".."),
            "a finding outside the repository: {f:?}"
        );
    }
    let resolves: Vec<&Found> = all
        .iter()
        .filter(|f| f.rule == "alerts/runbook-resolves")
        .collect();
    for (alert, url, says) in &cases {
        let line = line_of(&rules, &format!("runbook_url: '{url}'"), 1).expect("url line");
        let at: Vec<&&Found> = resolves.iter().filter(|f| f.line == line).collect();
        if says.is_empty() {
            assert!(at.is_empty(), "{alert}: {at:#?}");
        } else {
            assert!(
                at.len() == 1 && at[0].path == "deploy/alerts.yaml" && at[0].message.contains(says),
                "{alert} ({url}): expected {says:?}, got {at:#?}"
            );
        }
    }
    assert_eq!(resolves.len(), cases.len() - 1, "{resolves:#?}");
}
