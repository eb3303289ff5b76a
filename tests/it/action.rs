//! The GitHub Action (action.yml + action/*.sh) and the pre-commit hook.
//!
//! - action.yml validates against the GitHub Action metadata schema
//!   (tests/fixtures/schemas/github-action.json, SchemaStore) and keeps every
//!   `${{ }}` expression out of `run:` (script injection);
//! - the step scripts pass `shellcheck`; .pre-commit-hooks.yaml passes
//!   `pre-commit validate-manifest` (both tests are `#[ignore = "needs …"]`:
//!   `cargo test -- --include-ignored` runs them and fails without the tool);
//! - a harness runs action/run.sh (the composite's run step) the way the
//!   runner does: the env that action.yml maps, a `pull_request` webhook
//!   payload as `GITHUB_EVENT_PATH`, temporary `GITHUB_OUTPUT` and
//!   `GITHUB_STEP_SUMMARY`, the built prr, on git copies of the examples.

use crate::support;
use crate::support::{git, read, root};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn action_yml() -> Value {
    serde_saphyr::from_str(&read(&root().join("action.yml"))).expect("action.yml parses")
}

// ---------------------------------------------------------------- action.yml

#[test]
fn action_yml_validates_against_the_github_action_schema() {
    let schema: Value = serde_json::from_str(&read(
        &root().join("tests/fixtures/schemas/github-action.json"),
    ))
    .expect("schema is JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    let validator = jsonschema::draft7::new(&schema).expect("schema compiles");
    let action = action_yml();
    let errors: Vec<String> = validator
        .iter_errors(&action)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(action["runs"]["using"], "composite");

    // The schema is not vacuous: a composite step without `shell` is rejected.
    let mut broken = action.clone();
    broken["runs"]["steps"][0]
        .as_object_mut()
        .unwrap()
        .remove("shell");
    assert!(!validator.is_valid(&broken));
}

/// Every string of `v` that holds `${{`, with its dotted path.
fn expressions(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) if s.contains("${{") => out.push((path.to_string(), s.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                expressions(item, &format!("{path}.{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                expressions(item, &p, out);
            }
        }
        _ => {}
    }
}

#[test]
fn expressions_appear_only_under_env_and_run_only_calls_scripts() {
    let action = action_yml();
    let steps = action["runs"]["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 2, "install and run steps");
    for step in steps {
        let run = step["run"].as_str().expect("every step is a run step");
        assert!(!run.contains("${{"), "expression in run: {run}");
        let script = run
            .strip_prefix("bash \"$GITHUB_ACTION_PATH/")
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or_else(|| panic!("run: must only call a script under action/: {run}"));
        assert!(
            script.starts_with("action/") && script.ends_with(".sh"),
            "{run}"
        );
        assert!(root().join(script).is_file(), "{script} is missing");
        assert_eq!(step["shell"], "bash");
    }

    let mut found = Vec::new();
    expressions(&action, "", &mut found);
    assert!(!found.is_empty());
    for (path, text) in &found {
        let parts: Vec<&str> = path.split('.').collect();
        let allowed = matches!(
            parts.as_slice(),
            ["inputs", _, "default"] | ["outputs", _, "value"]
        ) || matches!(parts.as_slice(), ["runs", "steps", _, "env", _]);
        assert!(allowed, "`{text}` at {path}: expressions belong under env:");
    }

    // Every input reaches a step through env:, every output comes from the
    // run step, and run.sh writes each of them.
    let env_text: String = steps
        .iter()
        .flat_map(|s| s["env"].as_object().into_iter().flatten())
        .map(|(_, v)| v.as_str().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    for name in action["inputs"].as_object().expect("inputs").keys() {
        assert!(
            env_text.contains(&format!("${{{{ inputs.{name} }}}}")),
            "input {name} is not mapped under env:"
        );
    }
    let run_sh = read(&root().join("action/run.sh"));
    let outputs = action["outputs"].as_object().expect("outputs");
    for name in ["result", "errors", "warnings", "report-json", "sarif-file"] {
        assert_eq!(
            outputs[name]["value"],
            format!("${{{{ steps.run.outputs.{name} }}}}"),
            "output {name}"
        );
        assert!(
            run_sh.contains(&format!("printf '{name}=%s\\n'")),
            "run.sh does not write {name}"
        );
    }
    let inputs = action["inputs"].as_object().unwrap();
    assert_eq!(inputs["mode"]["default"], "enforce");
    assert_eq!(inputs["sarif-file"]["default"], "prr.sarif");
    assert_eq!(inputs["token"]["default"], "${{ github.token }}");
}

#[test]
fn release_workflow_validates_and_publishes_what_install_sh_downloads() {
    let schema: Value = serde_json::from_str(&read(
        &root().join("tests/fixtures/schemas/github-workflow.json"),
    ))
    .expect("schema is JSON");
    let validator = jsonschema::draft7::new(&schema).expect("schema compiles");
    let text = read(&root().join(".github/workflows/release.yml"));
    let workflow: Value = serde_saphyr::from_str(&text).expect("release.yml parses");
    let errors: Vec<String> = validator
        .iter_errors(&workflow)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema is not vacuous: a job without runs-on is rejected.
    let mut broken = workflow.clone();
    broken["jobs"]["build"]
        .as_object_mut()
        .unwrap()
        .remove("runs-on");
    assert!(!validator.is_valid(&broken));

    // No expression is pasted into a shell script.
    let mut found = Vec::new();
    expressions(&workflow, "", &mut found);
    for (path, text) in &found {
        assert!(!path.ends_with(".run"), "`{text}` at {path}: use env:");
    }
    // Each platform install.sh knows is built, under the asset names it
    // downloads, with the digest file it verifies.
    let install = read(&root().join("action/install.sh"));
    assert!(install.contains("asset=\"prr-$target.tar.gz\""));
    assert!(install.contains("$url.sha256"));
    assert!(text.contains("asset=\"prr-$TARGET.tar.gz\""));
    assert!(text.contains("\"$asset.sha256\""));
    let matrix = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("matrix");
    for target in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
    ] {
        assert!(
            install.contains(&format!("target=\"{target}\"")),
            "{target}"
        );
        assert!(
            matrix.iter().any(|m| m["target"] == target),
            "release.yml does not build {target}"
        );
    }
}

#[test]
#[ignore = "needs shellcheck (apt-get install -y shellcheck); run with --include-ignored"]
fn scripts_pass_shellcheck() {
    support::require_tools(&["shellcheck"], "apt-get install -y shellcheck");
    let scripts: Vec<PathBuf> = std::fs::read_dir(root().join("action"))
        .expect("action/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sh"))
        .collect();
    assert!(scripts.len() >= 2, "{scripts:?}");
    let out = Command::new("shellcheck")
        .args(&scripts)
        .output()
        .expect("run shellcheck");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------- pre-commit

#[test]
#[ignore = "needs pre-commit (python3 -m pip install pre-commit); run with --include-ignored"]
fn pre_commit_manifest_is_valid() {
    let path = root().join(".pre-commit-hooks.yaml");
    let hooks: Value = serde_saphyr::from_str(&read(&path)).expect("parses");
    let hook = hooks
        .as_array()
        .and_then(|h| h.iter().find(|h| h["id"] == "prr-check"))
        .expect("a prr-check hook");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["entry"], "prr check");
    assert_eq!(hook["pass_filenames"], false);

    support::require_tools(&["pre-commit"], "python3 -m pip install pre-commit");
    let out = Command::new("pre-commit")
        .arg("validate-manifest")
        .arg(&path)
        .output()
        .expect("run pre-commit");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------- harness

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A git repository holding a copy of `examples/<name>`: a base commit with
/// the example and a PR commit on top that edits its README. Returns the
/// folder and the base commit.
fn pr_repo(name: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("examples").join(name), dir.path());
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    let base = git(dir.path(), &["rev-parse", "HEAD"]);
    let readme = dir.path().join("README.md");
    let mut text = read(&readme);
    text.push_str("\nA change under review.\n");
    std::fs::write(&readme, text).unwrap();
    git(dir.path(), &["commit", "-q", "-a", "-m", "change"]);
    (dir, base)
}

/// The webhook fixture with `pull_request.base.sha` set to `base` (None keeps
/// the fixture's SHA, which no test repository holds).
fn event_file(dir: &Path, base: Option<&str>) -> PathBuf {
    let mut event: Value = serde_json::from_str(&read(
        &root().join("tests/fixtures/action/pull_request.labeled.json"),
    ))
    .unwrap();
    if let Some(sha) = base {
        event["pull_request"]["base"]["sha"] = Value::String(sha.to_string());
    }
    let path = dir.join("event.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&event).unwrap()).unwrap();
    path
}

struct Run {
    out: Output,
    outputs: BTreeMap<String, String>,
    summary: String,
}

impl Run {
    fn code(&self) -> Option<i32> {
        self.out.status.code()
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    fn output(&self, name: &str) -> &str {
        self.outputs
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no output {name}: {:?}\n{}", self.outputs, self.stderr()))
    }
}

/// Runs action/run.sh in `repo` with the env action.yml maps (`inputs`:
/// INPUT_* values) and the runner's variables.
fn run_step(repo: &Path, event: &Path, inputs: &[(&str, &str)]) -> Run {
    let runner = tempfile::tempdir().unwrap();
    let output_file = runner.path().join("output");
    let summary_file = runner.path().join("summary");
    std::fs::write(&output_file, "").unwrap();
    std::fs::write(&summary_file, "").unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("action/run.sh"))
        .current_dir(repo)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", runner.path())
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", event)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env("PRR_BIN", env!("CARGO_BIN_EXE_prr"))
        .env("GITHUB_TOKEN", "ghs_not-a-real-token")
        // action.yml's defaults
        .env("INPUT_CONFIG", "")
        .env("INPUT_MODE", "enforce")
        .env("INPUT_FORMATS", "json")
        .env("INPUT_SARIF_FILE", "prr.sarif")
        .env("INPUT_EXCEPTION_LABELS", "hotfix,reliability,security")
        .env("INPUT_ARGS", "");
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run bash");
    let outputs = read(&output_file)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Run {
        out,
        outputs,
        summary: read(&summary_file),
    }
}

/// Whether this prr build has `--format sarif` (the SARIF reporter).
fn prr_has_sarif() -> bool {
    let out = Command::new(env!("CARGO_BIN_EXE_prr"))
        .args(["check", "--help"])
        .output()
        .expect("prr check --help");
    String::from_utf8_lossy(&out.stdout).contains("sarif")
}

fn json_report(repo: &Path, run: &Run) -> Value {
    let path = repo.join(run.output("report-json"));
    serde_json::from_str(&read(&path)).expect("the JSON report")
}

#[test]
fn every_registered_format_is_written_where_action_yml_says() {
    // The action holds no list of formats: every name in the registry
    // (`prr_report::FORMATS`; `text` and `github` share the log, so one of
    // them) goes where action.yml's `formats` input says — the log, the
    // SARIF file, `prr-junit.xml`, or `prr-report.<name>` for any other,
    // so a new format reaches the action with no change to it.
    let names: Vec<&str> = prr::report::FORMATS
        .iter()
        .map(|f| f.name())
        .filter(|n| *n != "text")
        .collect();
    let (repo, base) = pr_repo("checkout");
    let event = event_file(repo.path(), Some(&base));
    let run = run_step(repo.path(), &event, &[("INPUT_FORMATS", &names.join(","))]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let described = action_yml()["inputs"]["formats"]["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for name in names {
        let file = match name {
            "github" => continue, // the log
            "sarif" => run.output("sarif-file").to_string(),
            "junit" => "prr-junit.xml".to_string(),
            other => format!("prr-report.{other}"),
        };
        if !file.starts_with("prr-report.") && name != "sarif" {
            // A special case of run.sh is one action.yml names.
            assert!(
                described.contains(&format!("`{file}`")),
                "action.yml does not say that {name} goes to {file}: {described}"
            );
        }
        let path = repo.path().join(&file);
        assert!(
            path.is_file() && !read(&path).trim().is_empty(),
            "{name}: {file} not written\n{}",
            run.stderr()
        );
    }
}

#[test]
fn enforce_mode_fails_on_legacy_with_outputs_from_the_report() {
    let (repo, base) = pr_repo("legacy");
    let event = event_file(repo.path(), Some(&base));
    let sarif = prr_has_sarif();
    let formats = if sarif { "sarif, json" } else { "json" };
    let run = run_step(repo.path(), &event, &[("INPUT_FORMATS", formats)]);

    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    let report = json_report(repo.path(), &run);
    assert_eq!(run.output("result"), "fail");
    assert_eq!(report["result"], "fail");
    let errors = report["summary"]["errors"].as_u64().unwrap();
    assert!(errors > 0);
    assert_eq!(run.output("errors"), errors.to_string());
    assert_eq!(
        run.output("warnings"),
        report["summary"]["warnings"].as_u64().unwrap().to_string()
    );
    assert_eq!(run.output("report-json"), "prr-report.json");
    assert_eq!(run.output("exit-code"), "1");

    // The command: the PR's exception label (not its other label) and the
    // base commit from the event.
    let stderr = run.stderr();
    let cmdline = stderr
        .lines()
        .find(|l| l.starts_with("prr-action: running: "))
        .expect("the command is logged");
    assert!(cmdline.contains(" --label hotfix"), "{cmdline}");
    assert!(!cmdline.contains("documentation"), "{cmdline}");
    assert!(
        cmdline.contains(&format!(" --changed-since {base}")),
        "{cmdline}"
    );
    // The pull request is judged by the base commit's policy.
    assert!(
        cmdline.contains(&format!(" --policy-from {base}")),
        "{cmdline}"
    );

    // GITHUB_ACTIONS=true: findings become annotations in the log. The PR
    // only touches README.md, so line findings stay in the summary; the
    // budget verdict (about the service) is always annotated.
    assert!(
        run.stdout()
            .lines()
            .any(|l| l.starts_with("::error file=") && l.contains("title=budget/blocked")),
        "{}",
        run.stdout()
    );
    // The job summary (ours, or prr's own when it writes one) gives the verdict.
    assert!(
        run.summary.to_lowercase().contains("fail"),
        "{}",
        run.summary
    );
    // prr's own summary: the counts table starts with the error count.
    assert!(
        run.summary.contains(&format!("| {errors} |")),
        "{}",
        run.summary
    );

    if sarif {
        assert_eq!(run.output("sarif-file"), "prr.sarif");
        let log: Value = serde_json::from_str(&read(&repo.path().join("prr.sarif"))).unwrap();
        assert_eq!(log["version"], "2.1.0");
    } else {
        assert_eq!(run.output("sarif-file"), "");
    }
}

#[test]
fn warn_mode_reports_the_block_but_passes_the_step() {
    let (repo, base) = pr_repo("legacy");
    let event = event_file(repo.path(), Some(&base));
    let run = run_step(repo.path(), &event, &[("INPUT_MODE", "warn")]);

    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.output("result"), "fail");
    assert_eq!(run.output("exit-code"), "1");
    let report = json_report(repo.path(), &run);
    assert_eq!(
        run.output("errors"),
        report["summary"]["errors"].to_string()
    );
    assert!(
        run.stdout()
            .contains("::warning title=prr::the gate blocks"),
        "{}",
        run.stdout()
    );
    assert!(run.summary.contains("mode: warn"), "{}", run.summary);
}

#[test]
fn checkout_passes_and_a_missing_base_commit_gates_everything() {
    let (repo, _) = pr_repo("checkout");
    // The fixture's base SHA is not in this repository (a shallow checkout).
    let event = event_file(repo.path(), None);
    let run = run_step(repo.path(), &event, &[]);

    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
    assert_eq!(run.output("result"), "pass");
    assert_eq!(run.output("errors"), "0");
    assert!(repo.path().join("prr-report.json").is_file());
    assert!(
        !run.stderr().contains("--changed-since"),
        "{}",
        run.stderr()
    );
    assert!(run.stdout().contains("fetch-depth: 0"), "{}", run.stdout());
    assert!(
        run.summary.to_lowercase().contains("pass"),
        "{}",
        run.summary
    );
}

#[cfg(unix)]
#[test]
fn a_committed_report_symlink_fails_the_step_and_is_not_written_through() {
    // Issue 17 item 5: the pull request commits prr-report.json as a link to
    // a file outside the checkout; the action's `--output prr-report.json`
    // must not overwrite it.
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("credentials");
    std::fs::write(&victim, "keep me\n").unwrap();
    let (repo, base) = pr_repo("checkout");
    std::os::unix::fs::symlink(&victim, repo.path().join("prr-report.json")).unwrap();
    git(repo.path(), &["add", "prr-report.json"]);
    git(repo.path(), &["commit", "-q", "-m", "plant a link"]);
    let event = event_file(repo.path(), Some(&base));
    let run = run_step(repo.path(), &event, &[("INPUT_MODE", "warn")]);
    assert_eq!(run.code(), Some(2), "{}", run.stderr());
    assert_eq!(run.output("result"), "error");
    assert!(run.stderr().contains("symbolic link"), "{}", run.stderr());
    assert_eq!(read(&victim), "keep me\n");
}

#[test]
fn a_configuration_error_fails_the_step_even_in_warn_mode() {
    let (repo, base) = pr_repo("checkout");
    let event = event_file(repo.path(), Some(&base));
    let run = run_step(
        repo.path(),
        &event,
        &[("INPUT_MODE", "warn"), ("INPUT_CONFIG", "no-such-prr.yaml")],
    );
    assert_eq!(run.code(), Some(2), "{}", run.stderr());
    assert_eq!(run.output("result"), "error");
    assert_eq!(run.output("errors"), "");
    assert!(run.summary.contains("### prr: error"), "{}", run.summary);

    let bad_mode = run_step(repo.path(), &event, &[("INPUT_MODE", "strict")]);
    assert_eq!(bad_mode.code(), Some(2));
    assert!(bad_mode.stderr().contains("mode must be enforce or warn"));
}

#[test]
fn install_uses_the_given_binary() {
    let runner = tempfile::tempdir().unwrap();
    let output_file = runner.path().join("output");
    let path_file = runner.path().join("path");
    let out = Command::new("bash")
        .arg(root().join("action/install.sh"))
        .env("INPUT_PRR_PATH", env!("CARGO_BIN_EXE_prr"))
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_PATH", &path_file)
        .env("RUNNER_TEMP", runner.path())
        .output()
        .expect("run install.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Cargo names the binary `prr`, so its own folder goes on the PATH.
    let expected = Path::new(env!("CARGO_BIN_EXE_prr"))
        .parent()
        .unwrap()
        .canonicalize()
        .unwrap();
    assert_eq!(read(&path_file).trim(), expected.to_string_lossy());
    assert_eq!(
        read(&output_file).trim(),
        format!("path={}", expected.join("prr").display())
    );

    let missing = Command::new("bash")
        .arg(root().join("action/install.sh"))
        .env("INPUT_PRR_PATH", runner.path().join("no-such-prr"))
        .env("GITHUB_OUTPUT", &output_file)
        .output()
        .expect("run install.sh");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("is not an executable file"));
}

/// The composite step against a fake GitHub API (`GITHUB_API_URL` pointing at
/// wiremock, serving the documented bodies of tests/fixtures/github): prr
/// reads the PR's labels live, posts the check run on the PR head SHA and
/// creates the sticky comment; the step outputs still come from the report.
#[test]
fn run_step_delivers_to_the_github_api() {
    use wiremock::matchers::{method, path, path_regex};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let fixture = |name: &str| -> Value {
        serde_json::from_str(&read(&root().join("tests/fixtures/github").join(name))).unwrap()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(async {
        let s = MockServer::start().await;
        let issue = "/repos/acme/inventory/issues/42";
        Mock::given(method("GET"))
            .and(path(format!("{issue}/labels")))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("issue-labels.json")))
            .mount(&s)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{issue}/comments")))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
            .mount(&s)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{issue}/comments")))
            .respond_with(ResponseTemplate::new(201).set_body_json(fixture("issue-comment.json")))
            .expect(1)
            .mount(&s)
            .await;
        Mock::given(method("POST"))
            .and(path_regex("^/repos/acme/inventory/check-runs$"))
            .respond_with(ResponseTemplate::new(201).set_body_json(fixture("check-run.json")))
            .mount(&s)
            .await;
        s
    });
    let (repo, base) = pr_repo("legacy");
    let event = event_file(repo.path(), Some(&base));
    let uri = server.uri();
    let run = run_step(
        repo.path(),
        &event,
        &[
            ("GITHUB_API_URL", uri.as_str()),
            ("GITHUB_REPOSITORY", "acme/inventory"),
        ],
    );
    assert_eq!(run.code(), Some(1), "{}\n{}", run.stdout(), run.stderr());
    assert_eq!(run.output("result"), "fail");
    let requests = rt.block_on(server.received_requests()).unwrap();
    let calls: Vec<String> = requests
        .iter()
        .map(|q| format!("{} {}", q.method, q.url.path()))
        .collect();
    assert!(
        calls.contains(&"GET /repos/acme/inventory/issues/42/labels".to_string()),
        "{calls:?}"
    );
    assert!(
        calls.contains(&"POST /repos/acme/inventory/check-runs".to_string()),
        "{calls:?}"
    );
    assert!(
        calls.contains(&"POST /repos/acme/inventory/issues/42/comments".to_string()),
        "{calls:?}"
    );
    let check = requests
        .iter()
        .find(|q| q.url.path().ends_with("/check-runs"))
        .unwrap();
    let body: Value = serde_json::from_slice(&check.body).unwrap();
    assert_eq!(body["head_sha"], "6dcb09b5b57875f334f61aebed695e2e4193db5e");
    assert_eq!(
        body["conclusion"], "failure",
        "the check run agrees with the exit code"
    );
    let comment = requests
        .iter()
        .find(|q| q.method.as_str() == "POST" && q.url.path().ends_with("/comments"))
        .unwrap();
    let body: Value = serde_json::from_slice(&comment.body).unwrap();
    assert!(
        body["body"]
            .as_str()
            .unwrap()
            .starts_with("<!-- prr:sticky -->")
    );
    assert!(
        !run.stdout().contains("ghs_not-a-real-token")
            && !run.stderr().contains("ghs_not-a-real-token")
    );
}
