//! GitHub REST delivery (src/github/) against wiremock, with complete
//! GitHub response bodies (tests/fixtures/github, see PROVENANCE.md).

use prr::github::{Annotation, AnnotationLevel, Conclusion, GithubClient};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "ghs_test_token_123";

fn fixture(name: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/github")
        .join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json_response(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

fn annotations(n: usize) -> Vec<Annotation> {
    (1..=n)
        .map(|i| Annotation {
            path: format!("svc/f{i}.yaml"),
            start_line: i as u32,
            end_line: i as u32,
            annotation_level: AnnotationLevel::Warning,
            title: "alerts/for".into(),
            message: format!("finding {i}"),
        })
        .collect()
}

async fn body_of(server: &MockServer, m: &str) -> Vec<(String, Value)> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == m)
        .map(|r| {
            (
                r.url.path().to_string(),
                serde_json::from_slice(&r.body).unwrap_or(Value::Null),
            )
        })
        .collect()
}

#[tokio::test]
async fn check_run_120_annotations_in_batches_of_50() {
    let server = MockServer::start().await;
    // GitHub Enterprise base path: GITHUB_API_URL=https://host/api/v3.
    Mock::given(method("POST"))
        .and(path("/api/v3/repos/acme/shop/check-runs"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(json_response(201, fixture("check-run.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/api/v3/repos/acme/shop/check-runs/4"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(json_response(200, fixture("check-run.json")))
        .expect(2)
        .mount(&server)
        .await;
    let client = GithubClient::new(&format!("{}/api/v3", server.uri()), TOKEN).expect("client");
    let id = client
        .create_check_run(
            "acme",
            "shop",
            "3dca65fa3e8d4b3da3f3d056c59aee1c50f41390",
            "prr",
            Conclusion::Failure,
            "prr: blocked",
            "## 3 errors",
            &annotations(120),
        )
        .await
        .expect("check run");
    assert_eq!(id, 4);

    let posts = body_of(&server, "POST").await;
    assert_eq!(posts.len(), 1);
    let post = &posts[0].1;
    assert_eq!(post["name"], "prr");
    assert_eq!(post["head_sha"], "3dca65fa3e8d4b3da3f3d056c59aee1c50f41390");
    assert_eq!(post["status"], "completed");
    assert_eq!(post["conclusion"], "failure");
    assert_eq!(post["output"]["title"], "prr: blocked");
    assert_eq!(post["output"]["summary"], "## 3 errors");
    let first = post["output"]["annotations"]
        .as_array()
        .expect("annotations");
    assert_eq!(first.len(), 50);
    assert_eq!(
        first[0],
        json!({"path": "svc/f1.yaml", "start_line": 1, "end_line": 1,
               "annotation_level": "warning", "title": "alerts/for", "message": "finding 1"})
    );
    assert_eq!(first[49]["message"], "finding 50");

    let patches = body_of(&server, "PATCH").await;
    let sizes: Vec<usize> = patches
        .iter()
        .map(|(_, b)| b["output"]["annotations"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, vec![50, 20]);
    assert_eq!(
        patches[0].1["output"]["annotations"][0]["message"],
        "finding 51"
    );
    assert_eq!(
        patches[1].1["output"]["annotations"][19]["message"],
        "finding 120"
    );
    assert_eq!(patches[1].1["output"]["title"], "prr: blocked");
}

#[tokio::test]
async fn sticky_comment_found_on_page_two_is_updated() {
    let server = MockServer::start().await;
    let comments = "/repos/octocat/Hello-World/issues/1347/comments";
    let next = format!("{}{comments}?per_page=100&page=2", server.uri());
    Mock::given(method("GET"))
        .and(path(comments))
        .and(query_param("page", "2"))
        .respond_with(json_response(200, fixture("issue-comments-page2.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(comments))
        .respond_with(
            json_response(200, fixture("issue-comments-page1.json")).insert_header(
                "link",
                format!("<{next}>; rel=\"next\", <{next}>; rel=\"last\""),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(json_response(200, fixture("user.json")))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/repos/octocat/Hello-World/issues/comments/4"))
        .respond_with(json_response(200, fixture("issue-comment.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = GithubClient::new(&server.uri(), TOKEN).expect("client");
    let id = client
        .upsert_sticky_comment("octocat", "Hello-World", 1347, "## prr: pass")
        .await
        .expect("upsert");
    assert_eq!(id, 1, "the id GitHub returned");
    let patches = body_of(&server, "PATCH").await;
    assert_eq!(patches.len(), 1);
    assert_eq!(
        patches[0].1,
        json!({"body": "<!-- prr:sticky -->\n## prr: pass"})
    );
    assert!(body_of(&server, "POST").await.is_empty());
}

/// Issue 15 item 15: a comment that carries prr's marker but was written by
/// someone else is never edited; prr creates its own. With an installation
/// token (`GET /user` is 403), prr's own comments are `github-actions[bot]`'s.
#[tokio::test]
async fn a_marked_comment_by_someone_else_is_never_edited() {
    for (user, own_comment) in [
        (
            json_response(200, json!({"login": "prr-bot", "id": 9})),
            None,
        ),
        (
            json_response(403, fixture("error-403.json")),
            Some("github-actions[bot]"),
        ),
    ] {
        let server = MockServer::start().await;
        let mut comments = fixture("issue-comments-page2.json");
        if let Some(login) = own_comment {
            comments.as_array_mut().unwrap().push(json!({
                "id": 7, "body": "<!-- prr:sticky -->\n## prr: pass (old)",
                "user": {"login": login, "id": 41898282, "type": "Bot"}
            }));
        }
        Mock::given(method("GET"))
            .and(path("/user"))
            .respond_with(user)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/repos/octocat/Hello-World/issues/1347/comments"))
            .respond_with(json_response(200, comments))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/repos/octocat/Hello-World/issues/1347/comments"))
            .respond_with(json_response(201, fixture("issue-comment.json")))
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .and(path("/repos/octocat/Hello-World/issues/comments/7"))
            .respond_with(json_response(200, fixture("issue-comment.json")))
            .mount(&server)
            .await;
        let client = GithubClient::new(&server.uri(), TOKEN).expect("client");
        client
            .upsert_sticky_comment("octocat", "Hello-World", 1347, "## prr: fail")
            .await
            .expect("upsert");
        let patches = body_of(&server, "PATCH").await;
        assert!(
            patches.iter().all(|(p, _)| !p.ends_with("/comments/4")),
            "octocat's marked comment 4 is never edited: {patches:?}"
        );
        match own_comment {
            None => {
                assert!(patches.is_empty());
                assert_eq!(
                    body_of(&server, "POST").await.len(),
                    1,
                    "a new comment of prr's own"
                );
            }
            Some(_) => {
                assert_eq!(patches.len(), 1, "the bot's own comment 7 is updated");
                assert!(body_of(&server, "POST").await.is_empty());
            }
        }
    }
}

#[tokio::test]
async fn sticky_comment_absent_is_created() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/octocat/Hello-World/issues/1347/comments"))
        .respond_with(json_response(200, fixture("issue-comments-page1.json")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/octocat/Hello-World/issues/1347/comments"))
        .respond_with(json_response(201, fixture("issue-comment.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = GithubClient::new(&server.uri(), TOKEN).expect("client");
    let long = "x".repeat(70_000);
    let id = client
        .upsert_sticky_comment("octocat", "Hello-World", 1347, &long)
        .await
        .expect("upsert");
    assert_eq!(id, 1);
    let posts = body_of(&server, "POST").await;
    let body = posts[0].1["body"].as_str().expect("body");
    assert!(body.starts_with("<!-- prr:sticky -->\n"));
    assert!(body.chars().count() < 65_536);
    assert!(body.contains("truncated by prr"));
    assert!(body_of(&server, "PATCH").await.is_empty());
}

#[tokio::test]
async fn forbidden_check_run_is_a_typed_error_without_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/shop/check-runs"))
        .respond_with(json_response(403, fixture("error-403.json")))
        .mount(&server)
        .await;
    let client = GithubClient::new(&server.uri(), TOKEN).expect("client");
    let err = client
        .create_check_run(
            "acme",
            "shop",
            "abc",
            "prr",
            Conclusion::Success,
            "t",
            "s",
            &annotations(3),
        )
        .await
        .expect_err("403");
    assert_eq!(err.status, Some(403));
    assert!(err.is_permission());
    let msg = err.to_string();
    assert_eq!(
        msg,
        "GitHub API: create check run for acme/shop failed (HTTP 403): \
         Resource not accessible by integration"
    );
    assert!(!msg.contains(TOKEN) && !format!("{err:?}").contains(TOKEN));
    assert!(!format!("{client:?}").contains(TOKEN));
}

#[test]
fn fixtures_are_complete_for_octocrab_models() {
    for name in [
        "issue-comment.json",
        "issue-comments-page1.json",
        "issue-comments-page2.json",
    ] {
        let v = fixture(name);
        let items = if v.is_array() { v } else { json!([v]) };
        serde_json::from_value::<Vec<octocrab::models::issues::Comment>>(items)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    serde_json::from_value::<Vec<octocrab::models::Label>>(fixture("issue-labels.json"))
        .expect("labels");
    serde_json::from_value::<Vec<octocrab::models::IssueEvent>>(fixture("issue-events.json"))
        .expect("events");
    serde_json::from_value::<Vec<octocrab::models::Label>>(fixture("issue-labels-audit.json"))
        .expect("labels");
    serde_json::from_value::<Vec<octocrab::models::timelines::TimelineEvent>>(fixture(
        "issue-timeline.json",
    ))
    .expect("timeline");
    for name in [
        "collaborator-permission-maintain.json",
        "collaborator-permission-triage.json",
    ] {
        let v = fixture(name);
        serde_json::from_value::<prr::github::Permission>(v.clone())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_value::<octocrab::models::Author>(v["user"].clone())
            .unwrap_or_else(|e| panic!("{name}: user: {e}"));
    }
}

// ---------------------------------------------------------------------------
// Audited exceptions (issue 7, item 6).
// ---------------------------------------------------------------------------

const HEAD: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

/// Mounts the documented bodies of an audit on octocat/Hello-World#1347:
/// four labels, the timeline, and the permissions of their actors
/// (octocat: maintain; triager: triage; stranger: 404).
async fn mount_audit(server: &MockServer) {
    let issue = "/repos/octocat/Hello-World/issues/1347";
    Mock::given(method("GET"))
        .and(path(format!("{issue}/labels")))
        .respond_with(json_response(200, fixture("issue-labels-audit.json")))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{issue}/timeline")))
        .respond_with(json_response(200, fixture("issue-timeline.json")))
        .mount(server)
        .await;
    for (user, status, body) in [
        ("octocat", 200, "collaborator-permission-maintain.json"),
        ("triager", 200, "collaborator-permission-triage.json"),
        ("stranger", 404, "error-404.json"),
    ] {
        Mock::given(method("GET"))
            .and(path(format!(
                "/repos/octocat/Hello-World/collaborators/{user}/permission"
            )))
            .respond_with(json_response(status, fixture(body)))
            .expect(1)
            .mount(server)
            .await;
    }
}

/// Only a label applied by a user with write access after the current
/// head was pushed counts; every other label says why it does not.
#[tokio::test]
async fn audit_grants_only_writers_labels_applied_to_the_head() {
    let server = MockServer::start().await;
    mount_audit(&server).await;
    let client = GithubClient::new(&server.uri(), TOKEN).expect("client");
    let audits = client
        .audit_labels("octocat", "Hello-World", 1347, HEAD)
        .await
        .expect("audit");
    // (label, applied by, role, why refused)
    type Row<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);
    let got: Vec<Row> = audits
        .iter()
        .map(|a| {
            (
                a.name.as_str(),
                a.applied_by.as_deref(),
                a.role.as_deref(),
                a.refused.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("hotfix", Some("octocat"), Some("maintain"), None),
            (
                "reliability",
                Some("triager"),
                Some("triage"),
                Some("triager has triage access to the repository; write access is required")
            ),
            (
                "security",
                Some("octocat"),
                Some("maintain"),
                Some(
                    "it was applied at 2025-05-12T09:10:00Z, before the current head 6dcb09b was \
                     pushed (2025-05-12T09:15:00Z): re-apply the label to grant the exception for \
                     this head"
                )
            ),
            (
                "documentation",
                Some("stranger"),
                None,
                Some(
                    "stranger's permission could not be read (GitHub API: read stranger's \
                     permission on octocat/Hello-World failed (HTTP 404): Not Found)"
                )
            ),
        ]
    );
    assert_eq!(
        audits[0].applied_at.as_deref(),
        Some("2025-05-12T09:20:41Z"),
        "the latest `labeled` event"
    );
    // One permission call per actor (octocat applied two labels).
    let calls: Vec<String> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.url.path().to_string())
        .filter(|p| p.ends_with("/permission"))
        .collect();
    assert_eq!(calls.len(), 3, "{calls:?}");
}

/// A timeline the token may not read is an error for the whole audit (the
/// caller then grants no PR label), without the token in it.
#[tokio::test]
async fn unreadable_timeline_fails_the_audit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/shop/issues/7/labels"))
        .respond_with(json_response(200, fixture("issue-labels-audit.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/shop/issues/7/timeline"))
        .respond_with(json_response(403, fixture("error-403.json")))
        .mount(&server)
        .await;
    let client = GithubClient::new(&server.uri(), TOKEN).expect("client");
    let err = client
        .audit_labels("acme", "shop", 7, HEAD)
        .await
        .expect_err("403");
    assert_eq!(err.status, Some(403));
    assert_eq!(err.call, "list the timeline of acme/shop#7");
    assert!(!err.to_string().contains(TOKEN));
}

/// End to end on a pull request (the `prr` binary against the fake API):
/// `pay` is critical and the audited `hotfix` (octocat, maintain, after
/// the head) lifts it; `ledger` is exhausted and only `security` could
/// lift it, but it was applied before the head was pushed — also given as
/// `--label`, as the composite action passes PR labels. Every report
/// format shows the exception with who applied it, and the refusal with
/// the label, the user and the reason.
#[test]
fn audited_exceptions_in_every_report_format() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(async {
        let s = MockServer::start().await;
        mount_audit(&s).await;
        let issue = "/repos/octocat/Hello-World/issues/1347";
        Mock::given(method("GET"))
            .and(path(format!("{issue}/comments")))
            .respond_with(json_response(200, json!([])))
            .mount(&s)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{issue}/comments")))
            .respond_with(json_response(201, fixture("issue-comment.json")))
            .mount(&s)
            .await;
        Mock::given(method("POST"))
            .and(path("/repos/octocat/Hello-World/check-runs"))
            .respond_with(json_response(201, fixture("check-run.json")))
            .mount(&s)
            .await;
        s
    });
    let d = tempfile::tempdir().expect("tempdir");
    let write = |rel: &str, body: &str| {
        let p = d.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, body).expect("write");
    };
    write(
        "prr.yaml",
        "services:\n  - name: pay\n    paths: [\"pay/**\"]\n    budget: { slos: [{ name: availability }] }\n  - name: ledger\n    paths: [\"ledger/**\"]\n    budget: { slos: [{ name: availability }] }\nbudget:\n  providers:\n    snap: { type: file, path: budget.json }\n  policy: { max-age: 0 }\nrules:\n  slo/present: { level: \"off\" }\n  prr/codeowners: { level: \"off\" }\n",
    );
    write(
        "budget.json",
        r#"{"readings": [
            {"service": "pay", "slo": "availability", "remaining": 0.1, "window": "30d"},
            {"service": "ledger", "slo": "availability", "remaining": -0.1, "window": "30d"}]}"#,
    );
    write("pay/README.md", "pay\n");
    write("ledger/README.md", "ledger\n");
    let event = json!({
        "action": "labeled", "number": 1347,
        "pull_request": {"number": 1347,
            "head": {"sha": HEAD, "ref": "fix", "repo": {"full_name": "octocat/Hello-World"}},
            "base": {"sha": "0000000000000000000000000000000000000000", "ref": "main",
                     "repo": {"full_name": "octocat/Hello-World"}},
            "labels": [{"name": "hotfix"}, {"name": "security"}]}
    });
    write("event.json", &event.to_string());
    let formats = [
        ("text", "r.txt"),
        ("json", "r.json"),
        ("sarif", "r.sarif"),
        ("junit", "r.xml"),
        ("gitlab", "r.gitlab.json"),
        ("markdown", "r.md"),
        ("github", "r.github.txt"),
    ];
    let mut args: Vec<String> = ["check", ".", "--label", "hotfix", "--label", "security"]
        .map(String::from)
        .to_vec();
    for (f, file) in formats {
        args.extend([
            "--format".to_string(),
            f.to_string(),
            "--output".to_string(),
            file.to_string(),
        ]);
    }
    let summary = d.path().join("summary.md");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_prr"))
        .args(&args)
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", d.path().join("event.json"))
        .env("GITHUB_REPOSITORY", "octocat/Hello-World")
        .env("GITHUB_API_URL", server.uri())
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_HEAD_REF")
        .output()
        .expect("run prr");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "ledger stays blocked\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("r.json")).expect("json"))
            .expect("JSON report");
    let entry = |service: &str| -> Value {
        report["budget"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["service"] == service))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(entry("pay")["decision"], "warn");
    assert_eq!(entry("pay")["exception"]["value"], "hotfix");
    assert_eq!(entry("pay")["exception"]["applied_by"], "octocat");
    assert_eq!(entry("ledger")["decision"], "block");
    assert!(entry("ledger")["exception"].is_null());

    let granted = "label `hotfix`, applied by octocat, grants an exception (critical)";
    let refused = "label `security` (applied by octocat) grants no exception: it was applied at \
                   2025-05-12T09:10:00Z, before the current head 6dcb09b was pushed";
    let mut checked = Vec::new();
    for (f, file) in formats
        .iter()
        .map(|(f, file)| (*f, d.path().join(file)))
        .chain([("job summary", summary.clone())])
    {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{f}: {e}"));
        // Markdown escapes backticks; XML and JSON keep them.
        let plain = text.replace('\\', "");
        assert!(plain.contains(granted), "{f} lacks the exception:\n{text}");
        assert!(plain.contains(refused), "{f} lacks the refusal:\n{text}");
        checked.push(f);
    }
    assert_eq!(checked.len(), 8);
    assert!(!stdout.contains(TOKEN));
}
