//! AWS Signature Version 4 for Amazon Managed Service for Prometheus
//! (issue 16 point 2): prr's signer (the `aws-sigv4` crate) against AWS's
//! published test vectors (tests/fixtures/sigv4, provenance there), and the
//! signed headers on the wire. Amazon Managed Service for Prometheus cannot
//! run here: the wire test's stand-in is wiremock, which checks the headers
//! a signed request carries.

use prr::budget::config::ProviderConfig;
use prr::budget::http::{Http, HttpOptions};
use prr::budget::providers::prometheus::Prometheus;
use prr::budget::providers::prometheus::sigv4::{Keys, SigV4};
use prr::budget::{Provider, Target};
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sigv4")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn signatures_match_aws_test_suite() {
    // The suite's fixed inputs (AWS's documented example credentials).
    let keys = Keys {
        access_key_id: "AKIDEXAMPLE",
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        session_token: None,
    };
    let scope = SigV4 {
        region: "us-east-1".into(),
        service: "service".into(),
    };
    // 20150830T123600Z
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160);
    for case in ["get-vanilla", "get-vanilla-query-order-key-case"] {
        let req = fixture(&format!("{case}.req"));
        let first = req.lines().next().expect("request line");
        let mut parts = first.split(' ');
        let (verb, target) = (parts.next().expect("method"), parts.next().expect("path"));
        let host = req
            .lines()
            .find_map(|l| l.strip_prefix("Host:"))
            .expect("host");
        let url = format!("https://{host}{target}");
        let headers = scope
            .headers_at(verb, &url, &[], &keys, time)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let get = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert_eq!(get("x-amz-date"), "20150830T123600Z", "{case}");
        assert_eq!(
            get("authorization"),
            fixture(&format!("{case}.authz")).trim(),
            "{case}"
        );
    }
}

#[tokio::test]
async fn requests_to_managed_prometheus_are_signed_with_the_environment_keys() {
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
        std::env::set_var(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        );
        std::env::set_var("AWS_SESSION_TOKEN", "session-token-for-the-test");
    }
    prr::budget::http::install_crypto_provider();
    let server = MockServer::start().await;
    let body = json!({"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {"__name__": "slo:period_error_budget_remaining:ratio", "sloth_service": "checkout", "sloth_slo": "availability"},
         "value": [1706659200, "0.5"]}]}});
    Mock::given(method("GET"))
        .and(path("/workspaces/ws-1/api/v1/query"))
        .and(header_exists("authorization"))
        .and(header_exists("x-amz-date"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let cfg: ProviderConfig = serde_json::from_value(json!({
        "type": "prometheus", "url": server.uri(), "path-prefix": "/workspaces/ws-1",
        "mode": "sloth", "auth": {"sigv4": {"region": "eu-west-1"}}
    }))
    .expect("config");
    let http = Http::new(HttpOptions {
        timeout: Duration::from_secs(2),
        retries: 0,
        ..Default::default()
    })
    .expect("client");
    let p = Prometheus::from_config("amp", &cfg, http).expect("provider");
    let target = Target {
        service: "checkout".into(),
        slo: "availability".into(),
        ..Default::default()
    };
    let r = p.read(&target).await.expect("signed reading");
    assert_eq!(r.remaining, 0.5);
    let reqs = server.received_requests().await.expect("recorded");
    let q = reqs
        .iter()
        .find(|r| r.url.path().ends_with("/api/v1/query"))
        .expect("instant query");
    let auth = q
        .headers
        .get("authorization")
        .expect("signed")
        .to_str()
        .expect("ascii");
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
            && auth.contains("/eu-west-1/aps/aws4_request")
            && auth.contains("SignedHeaders=host;x-amz-date;x-amz-security-token"),
        "{auth}"
    );
    assert_eq!(
        q.headers
            .get("x-amz-security-token")
            .and_then(|v| v.to_str().ok()),
        Some("session-token-for-the-test")
    );
    assert!(
        !format!("{r:?}{p:?}").contains("wJalrXUtnFEMI"),
        "no secret shown"
    );

    // A bad scope is a configuration error (exit 2), naming the key.
    let cfg: ProviderConfig = serde_json::from_value(json!({
        "type": "prometheus", "url": "https://aps-workspaces.eu-west-1.amazonaws.com",
        "auth": {"sigv4": {"region": ""}}
    }))
    .expect("config");
    let e = Prometheus::from_config("amp", &cfg, Http::new(Default::default()).expect("client"))
        .expect_err("no region");
    assert!(e.contains("`auth.sigv4` needs a `region`"), "{e}");
}
