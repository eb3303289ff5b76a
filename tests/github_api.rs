//! GitHub REST delivery (src/github.rs) against wiremock, with complete
//! GitHub response bodies (tests/fixtures/github, see PROVENANCE.md).

use prr::github::{Annotation, AnnotationLevel, Conclusion, GithubClient, LabelInfo};
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
async fn live_labels_with_who_applied_them() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/octocat/Hello-World/issues/1347/labels"))
        .respond_with(json_response(200, fixture("issue-labels.json")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/octocat/Hello-World/issues/1347/events"))
        .respond_with(json_response(200, fixture("issue-events.json")))
        .mount(&server)
        .await;
    let client = GithubClient::new(&server.uri(), TOKEN).expect("client");
    let labels = client
        .live_labels("octocat", "Hello-World", 1347)
        .await
        .expect("labels");
    assert_eq!(
        labels,
        vec![LabelInfo {
            name: "hotfix".into(),
            applied_by: Some("octocat".into())
        }]
    );
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
}
