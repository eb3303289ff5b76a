//! The error-budget gate end to end through the `prr` binary: exit codes
//! agree with the reports, unreadable budgets follow `on-error` and say so,
//! exceptions are recorded, and `--changed-since` gates only touched services.

use crate::support::{git, json, prr_output, write};
use std::path::Path;
use std::process::Command;

/// A repository with two services whose budgets come from a snapshot:
/// `cart` is healthy, `pay` is critical (10 % left).
fn two_services(extra_budget: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "prr.yaml",
        format!(
            "services:\n  - name: cart\n    paths: [\"cart/**\"]\n    budget: {{ slos: [{{ name: availability }}] }}\n  - name: pay\n    paths: [\"pay/**\"]\n    budget: {{ slos: [{{ name: availability }}] }}\nbudget:\n  providers:\n    snap: {{ type: file, path: budget.json }}\n  policy: {{ max-age: 0 }}\n{extra_budget}rules:\n  slo/present: {{ level: \"off\" }}\n  prr/codeowners: {{ level: \"off\" }}\n"
        ),
    );
    write(
        d.path(),
        "budget.json",
        r#"{"readings": [
            {"service": "cart", "slo": "availability", "remaining": 0.9, "window": "30d"},
            {"service": "pay", "slo": "availability", "remaining": 0.1, "window": "30d"}]}"#,
    );
    write(d.path(), "cart/README.md", "cart\n");
    write(d.path(), "pay/README.md", "pay\n");
    d
}

fn budget_of<'a>(r: &'a serde_json::Value, service: &str) -> &'a serde_json::Value {
    r["budget"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["service"] == service)
        .unwrap_or_else(|| panic!("no budget entry for {service}: {r:#}"))
}

#[test]
fn critical_budget_blocks_and_reports_agree() {
    let d = two_services("");
    let o = prr_output(d.path(), &["check", ".", "-f", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let r = json(&o);
    assert_eq!(r["result"], "fail");
    let pay = budget_of(&r, "pay");
    assert_eq!(pay["state"], "critical");
    assert_eq!(pay["decision"], "block");
    assert_eq!(pay["remaining"], 0.1);
    assert_eq!(budget_of(&r, "cart")["decision"], "pass");
    let blocked: Vec<_> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "budget/blocked")
        .collect();
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0]["service"], "pay");
    assert_eq!(blocked[0]["level"], "error");
    // `prr budget` agrees: exit 1, same decision.
    let o = prr_output(d.path(), &["budget", ".", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|e| e["service"] == "pay" && e["decision"] == "block")
    );
}

#[test]
fn hotfix_label_relaxes_and_is_recorded() {
    let d = two_services("");
    let o = prr_output(d.path(), &["check", ".", "-f", "json", "--label", "hotfix"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let r = json(&o);
    let pay = budget_of(&r, "pay");
    assert_eq!(
        pay["decision"], "warn",
        "an exception never turns a block into a silent pass"
    );
    assert_eq!(pay["exception"]["kind"], "label");
    assert_eq!(pay["exception"]["value"], "hotfix");
    let rules: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"budget/exception"), "{rules:?}");
    assert!(rules.contains(&"budget/warning"), "{rules:?}");
    // The text report shows the exception in the table.
    let o = prr_output(d.path(), &["check", ".", "--label", "hotfix"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("warn (label hotfix)"), "{text}");
}

#[test]
fn unreachable_api_follows_on_error() {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    let provider = "    api: { type: http-json, url: \"http://127.0.0.1:9/{service}/{slo}\", value: /remaining, unit: ratio }\n";
    for (on_error, code, decision) in [("fail-closed", 1, "block"), ("fail-open", 0, "warn")] {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "prr.yaml",
            format!(
                "services:\n  - name: pay\n    budget: {{ slos: [{{ name: availability }}] }}\nbudget:\n  on-error: {on_error}\n  retries: 0\n  timeout: 2s\n  providers:\n{provider}rules:\n  slo/present: {{ level: \"off\" }}\n"
            ),
        );
        let o = prr_output(d.path(), &["check", ".", "-f", "json"]);
        assert_eq!(
            o.status.code(),
            Some(code),
            "{on_error}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let r = json(&o);
        let pay = budget_of(&r, "pay");
        assert_eq!(pay["state"], "unknown", "{on_error}: never healthy");
        assert_eq!(pay["decision"], decision);
        assert!(pay["remaining"].is_null());
        assert!(
            pay["error"].as_str().unwrap().contains("unreachable"),
            "{pay:#}"
        );
        assert!(
            pay["reason"].as_str().unwrap().contains(on_error),
            "the report says which policy applied: {pay:#}"
        );
    }
}

#[test]
fn changed_since_gates_only_touched_services() {
    let d = two_services("");
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "base"]);
    git(d.path(), &["tag", "base"]);
    write(d.path(), "cart/README.md", "cart changed\n");
    // Only cart changed: pay's critical budget is not gated, the check passes.
    let o = prr_output(
        d.path(),
        &["check", ".", "-f", "json", "--changed-since", "base"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r = json(&o);
    let services: Vec<&str> = r["budget"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["service"].as_str().unwrap())
        .collect();
    assert_eq!(services, vec!["cart"]);
    // Touch pay too: it is gated and blocks.
    write(d.path(), "pay/README.md", "pay changed\n");
    let o = prr_output(
        d.path(),
        &["check", ".", "-f", "json", "--changed-since", "base"],
    );
    assert_eq!(o.status.code(), Some(1));
    // An unknown ref is a usage error, not a silent pass.
    let o = prr_output(d.path(), &["check", ".", "--changed-since", "no-such-ref"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-ref"));
}

/// Each provider type owns its options: a key of another type (a
/// Prometheus `mode` copied into a Datadog block) is refused at its line,
/// in block and in flow style, and a key no type takes likewise; the same
/// block without it is accepted (must not fire).
#[test]
fn a_key_of_another_provider_type_is_an_error_at_its_line() {
    let d = tempfile::tempdir().unwrap();
    let stderr = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let block = "budget:\n  providers:\n    dd:\n      type: datadog\n      api-key-env: DD_API\n      app-key-env: DD_APP\n";
    write(d.path(), "prr.yaml", format!("{block}      mode: sloth\n"));
    let o = prr_output(d.path(), &["config", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("prr.yaml:7:7:")
            && stderr(&o).contains("`mode` is an option of prometheus, not of datadog"),
        "{}",
        stderr(&o)
    );
    write(
        d.path(),
        "prr.yaml",
        "budget:\n  providers:\n    f: { type: file, path: b.json, site: datadoghq.eu }\n",
    );
    let o = prr_output(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("prr.yaml:3:36:")
            && stderr(&o).contains("`site` is an option of datadog, not of file"),
        "{}",
        stderr(&o)
    );
    write(
        d.path(),
        "prr.yaml",
        format!("{block}      sight: datadoghq.eu\n"),
    );
    let o = prr_output(d.path(), &["config", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("prr.yaml:7:7:") && stderr(&o).contains("unknown option `sight`"),
        "{}",
        stderr(&o)
    );
    // The key's own line, not a nested key of the same name above it (a
    // header called `mode`) nor a comment.
    write(
        d.path(),
        "prr.yaml",
        format!(
            "{block}      # headers by variable\n      headers:\n        mode: MODE_HEADER\n      mode: sloth\n"
        ),
    );
    let o = prr_output(d.path(), &["config", "."]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("prr.yaml:10:7:"), "{}", stderr(&o));
    // Must not fire: Unix seconds written as a plain YAML number.
    write(
        d.path(),
        "prr.yaml",
        "budget:\n  providers:\n    prom: { type: prometheus, url: \"http://127.0.0.1:9\", eval-time: 1700000000 }\n",
    );
    let o = prr_output(d.path(), &["config", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Must not fire: the provider's own keys.
    write(
        d.path(),
        "prr.yaml",
        format!("{block}      site: datadoghq.eu\n"),
    );
    let o = prr_output(d.path(), &["config", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn budget_config_errors_are_exit_2() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "prr.yaml",
        "budget:\n  providers:\n    a: { type: nosuch }\n",
    );
    let o = prr_output(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("prr.yaml:3:"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    write(
        d.path(),
        "prr.yaml",
        "budget:\n  providers:\n    a: { type: file }\n",
    );
    let o = prr_output(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("path"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    write(
        d.path(),
        "prr.yaml",
        "services:\n  - name: a\n    budget: { provider: missing }\nbudget:\n  providers:\n    b: { type: file, path: x.json }\n",
    );
    let o = prr_output(d.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("missing"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = prr_output(tempfile::tempdir().unwrap().path(), &["budget", "."]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "prr budget without a budget section"
    );
}

/// Inside Actions on a pull request, against a fake GitHub API (wiremock
/// serving the documented bodies in tests/fixtures/github): the PR's labels
/// are read live, the exception records who applied the label, a check run
/// and the sticky comment are posted; when the API refuses (403, a fork's
/// read-only token) prr warns and the verdict is unchanged.
#[test]
fn github_api_delivery_on_a_pull_request() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let fixture = |name: &str| -> serde_json::Value {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/github")
            .join(name);
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    for refuse in [false, true] {
        let server = rt.block_on(async {
            let s = MockServer::start().await;
            let issue = "/repos/octocat/Hello-World/issues/1347";
            Mock::given(method("GET"))
                .and(path(format!("{issue}/labels")))
                .respond_with(
                    ResponseTemplate::new(200).set_body_json(fixture("issue-labels.json")),
                )
                .mount(&s)
                .await;
            // The audit of exception labels (issue 7): the timeline dates
            // the `hotfix` label (octocat, after the head 6dcb09b) and
            // octocat has write access (maintain).
            Mock::given(method("GET"))
                .and(path(format!("{issue}/timeline")))
                .respond_with(
                    ResponseTemplate::new(200).set_body_json(fixture("issue-timeline.json")),
                )
                .mount(&s)
                .await;
            Mock::given(method("GET"))
                .and(path(
                    "/repos/octocat/Hello-World/collaborators/octocat/permission",
                ))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(fixture("collaborator-permission-maintain.json")),
                )
                .mount(&s)
                .await;
            Mock::given(method("GET"))
                .and(path(format!("{issue}/comments")))
                .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
                .mount(&s)
                .await;
            let (check, comment) = if refuse {
                (
                    ResponseTemplate::new(403).set_body_json(fixture("error-403.json")),
                    ResponseTemplate::new(403).set_body_json(fixture("error-403.json")),
                )
            } else {
                (
                    ResponseTemplate::new(201).set_body_json(fixture("check-run.json")),
                    ResponseTemplate::new(201).set_body_json(fixture("issue-comment.json")),
                )
            };
            Mock::given(method("POST"))
                .and(path("/repos/octocat/Hello-World/check-runs"))
                .respond_with(check)
                .mount(&s)
                .await;
            Mock::given(method("POST"))
                .and(path(format!("{issue}/comments")))
                .respond_with(comment)
                .mount(&s)
                .await;
            s
        });
        let d = two_services("");
        let event = d.path().join("event.json");
        std::fs::write(&event, serde_json::json!({
            "action": "synchronize", "number": 1347,
            "pull_request": {"number": 1347,
                "head": {"sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e", "ref": "fix", "repo": {"full_name": "octocat/Hello-World"}},
                "base": {"sha": "0000000000000000000000000000000000000000", "ref": "main", "repo": {"full_name": "octocat/Hello-World"}},
                "labels": []}
        }).to_string()).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_prr"))
            .args(["check", ".", "-f", "json", "-o", "r.json"])
            .current_dir(d.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_REPOSITORY", "octocat/Hello-World")
            .env("GITHUB_API_URL", server.uri())
            .env("GITHUB_TOKEN", "ghs_test_token_not_real_0123456789abcdef")
            .env_remove("GITHUB_OUTPUT")
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        // The live label `hotfix` (not in the event) relaxes pay's critical budget.
        assert_eq!(
            o.status.code(),
            Some(0),
            "refuse={refuse}: {out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let r: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.path().join("r.json")).unwrap()).unwrap();
        let pay = budget_of(&r, "pay");
        assert_eq!(pay["exception"]["value"], "hotfix");
        assert_eq!(
            pay["exception"]["applied_by"], "octocat",
            "who applied the label is recorded"
        );
        let requests = rt.block_on(server.received_requests()).unwrap();
        let posted: Vec<String> = requests
            .iter()
            .filter(|q| q.method.as_str() == "POST")
            .map(|q| q.url.path().to_string())
            .collect();
        assert!(
            posted.contains(&"/repos/octocat/Hello-World/check-runs".to_string()),
            "{posted:?}"
        );
        let check = requests
            .iter()
            .find(|q| q.url.path().ends_with("/check-runs"))
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&check.body).unwrap();
        assert_eq!(
            body["head_sha"], "6dcb09b5b57875f334f61aebed695e2e4193db5e",
            "the PR head, not GITHUB_SHA"
        );
        assert_eq!(body["conclusion"], "success");
        assert!(
            !out.contains("ghs_test_token"),
            "the token is never printed"
        );
        if refuse {
            assert!(
                out.contains("::warning title=prr::") && out.contains("403"),
                "{out}"
            );
        } else {
            assert!(
                posted.iter().any(|p| p.ends_with("/issues/1347/comments")),
                "{posted:?}"
            );
            assert!(!out.contains("::warning title=prr::GitHub"), "{out}");
        }
    }
}
