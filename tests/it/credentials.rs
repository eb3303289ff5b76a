//! Credentials never leak (issue 7, item 5): one run of the `prr` binary
//! with provider tokens and `GITHUB_TOKEN` set, every provider failing in a
//! way that produces an error message built from what the server said —
//! a 401 that echoes the `Authorization` header, an error body that echoes
//! every request header, a `200` whose `errors` quote the API key, a
//! redirect to another host — and a tree with committed (fake) secrets;
//! every report format written to a file, inside GitHub Actions (job
//! summary, step outputs, annotations) on a pull request whose API calls
//! all fail with the token echoed back.
//!
//! Asserted: no raw token and no raw secret value appears in stdout,
//! stderr, any report file, the job summary or the step outputs; the
//! redacted forms do (so the findings and the error messages are there to
//! be checked); the host a provider redirected to received nothing.

use crate::support::write;
use serde_json::{Value, json};
use std::process::Command;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

// Provider credentials, by environment variable (fake values).
const BEARER: (&str, &str) = ("PRR_CRED_BEARER", "prr-cred-bearer-0d4f9a7c3b21e5f6");
const DD_API: (&str, &str) = ("PRR_CRED_DD_API", "ddapi0c2d4e6f8a1b3c5d7e9f0a2b4c6d8e");
const DD_APP: (&str, &str) = (
    "PRR_CRED_DD_APP",
    "ddapp9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1",
);
const DT_TOKEN: (&str, &str) = (
    "PRR_CRED_DT",
    "dt0c01.CREDTEST7Q2VXM.K4H9S2LW8B6N1P3R5T7V9X2Z4D6F8H0J",
);
const N9_TOKEN: (&str, &str) = ("PRR_CRED_N9", "n9-access-3f7a9c1e5b2d8f4a6c0e");
const PROM_USER: (&str, &str) = ("PRR_CRED_PROM_USER", "prom-reader-7c1e");
const PROM_PASS: (&str, &str) = ("PRR_CRED_PROM_PASS", "prom-pass-5b9d3f7a1c");
/// The base64 of `user:password`, as sent in `Authorization: Basic`.
const PROM_BASIC: &str = "cHJvbS1yZWFkZXItN2MxZTpwcm9tLXBhc3MtNWI5ZDNmN2ExYw==";
const GITHUB_TOKEN: &str = "ghs_CredTest0123456789abcdefghijKLMNOP";

/// Committed fake secrets (the AWS key ID of examples/legacy, the GitHub
/// token of tests/fixtures/secrets/gitleaks-rule-samples) and their
/// redacted forms (`prr::finding::redact`).
const AWS_KEY: &str = "AKIAQ3FAKEKEY7TESTZ2";
const AWS_REDACTED: &str = "AKIA…(20 chars)";
const GH_PAT: &str = "ghp_ph96tgc94ne8e3qkvxj3e2ejicia8tp3ue74";
const GH_PAT_REDACTED: &str = "ghp_…(40 chars)";

/// Answers `status` with a body quoting every request header, as a
/// debugging gateway or a careless API does.
struct EchoHeaders {
    status: u16,
    prefix: &'static str,
}

impl Respond for EchoHeaders {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let seen: Vec<String> = req
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
            .collect();
        ResponseTemplate::new(self.status).set_body_string(format!(
            "{} {}",
            self.prefix,
            seen.join("; ")
        ))
    }
}

/// A 401 naming the `Authorization` header it refused.
struct EchoAuthorization;

impl Respond for EchoAuthorization {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none");
        ResponseTemplate::new(401).set_body_json(json!({
            "error": format!("invalid credentials: Authorization: {auth}"),
            "token": auth.trim_start_matches("Bearer ")
        }))
    }
}

/// GitHub's documented 401 body, its message quoting the token it got.
struct GithubBadCredentials;

impl Respond for GithubBadCredentials {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none");
        ResponseTemplate::new(401).set_body_json(json!({
            "message": format!("Bad credentials ({auth})"),
            "documentation_url": "https://docs.github.com/rest",
            "status": "401"
        }))
    }
}

struct Servers {
    api: MockServer,
    datadog: MockServer,
    dynatrace: MockServer,
    elsewhere: MockServer,
    nobl9: MockServer,
    prometheus: MockServer,
    github: MockServer,
}

async fn servers() -> Servers {
    let s = Servers {
        api: MockServer::start().await,
        datadog: MockServer::start().await,
        dynatrace: MockServer::start().await,
        elsewhere: MockServer::start().await,
        nobl9: MockServer::start().await,
        prometheus: MockServer::start().await,
        github: MockServer::start().await,
    };
    // http-json: 401 echoing the Authorization header.
    Mock::given(method("GET"))
        .respond_with(EchoAuthorization)
        .mount(&s.api)
        .await;
    // Datadog: a 200 whose documented `errors` array quotes both keys.
    Mock::given(method("GET"))
        .and(path("/api/v1/slo/abc123def456/history"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": null,
            "errors": [format!("Forbidden: API key {} with application key {} is not valid", DD_API.1, DD_APP.1)]
        })))
        .mount(&s.datadog)
        .await;
    // Dynatrace: a redirect to another host, which must see nothing.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "Location",
            format!("{}/api/v2/slo/moved", s.elsewhere.uri()).as_str(),
        ))
        .mount(&s.dynatrace)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"errorBudget": 50})))
        .mount(&s.elsewhere)
        .await;
    // Nobl9: a 500 whose body echoes the request.
    Mock::given(method("GET"))
        .respond_with(EchoHeaders {
            status: 500,
            prefix: "upstream failed for request:",
        })
        .mount(&s.nobl9)
        .await;
    // Prometheus behind a proxy that refuses basic auth and echoes it.
    Mock::given(method("GET"))
        .respond_with(EchoHeaders {
            status: 403,
            prefix: "proxy: access denied for",
        })
        .mount(&s.prometheus)
        .await;
    // GitHub: every call answers 401 quoting the token.
    Mock::given(path_regex("^/repos/"))
        .respond_with(GithubBadCredentials)
        .mount(&s.github)
        .await;
    s
}

fn repo(s: &Servers) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    let config = format!(
        r#"services:
  - name: checkout
    paths: ["checkout/**"]
    budget: {{ provider: api, slos: [{{ name: availability }}] }}
  - name: payments
    paths: ["payments/**"]
    budget: {{ provider: dd, slos: [{{ name: availability, id: abc123def456, window: 30d }}] }}
  - name: search
    paths: ["search/**"]
    budget: {{ provider: dt, slos: [{{ name: latency, id: 6f2c7b3e }}] }}
  - name: ledger
    paths: ["ledger/**"]
    budget: {{ provider: n9, slos: [{{ name: availability }}] }}
  - name: metrics
    paths: ["metrics/**"]
    budget: {{ provider: prom, slos: [{{ name: availability }}] }}
budget:
  timeout: 5s
  retries: 0
  providers:
    api: {{ type: http-json, url: "{api}/slo/{{service}}/{{slo}}", auth: {{ bearer-env: {bearer} }}, value: /remaining, unit: ratio }}
    dd: {{ type: datadog, url: "{dd}", api-key-env: {dd_api}, app-key-env: {dd_app} }}
    dt: {{ type: dynatrace, url: "{dt}", token-env: {dt_token} }}
    n9: {{ type: nobl9, url: "{n9}", token-env: {n9_token}, project: acme }}
    prom: {{ type: prometheus, url: "{prom}", mode: sloth, auth: {{ basic-user-env: {prom_user}, basic-password-env: {prom_pass} }} }}
rules:
  slo/present: {{ level: "off" }}
"#,
        api = s.api.uri(),
        dd = s.datadog.uri(),
        dt = s.dynatrace.uri(),
        n9 = s.nobl9.uri(),
        prom = s.prometheus.uri(),
        bearer = BEARER.0,
        dd_api = DD_API.0,
        dd_app = DD_APP.0,
        dt_token = DT_TOKEN.0,
        n9_token = N9_TOKEN.0,
        prom_user = PROM_USER.0,
        prom_pass = PROM_PASS.0,
    );
    write(d.path(), "prr.yaml", &config);
    for svc in ["checkout", "payments", "search", "ledger", "metrics"] {
        write(d.path(), &format!("{svc}/README.md"), format!("# {svc}\n"));
    }
    // Committed fake secrets, in the forms a repository really has them.
    write(
        d.path(),
        "checkout/config/settings.env",
        format!("# legacy settings\nAWS_ACCESS_KEY_ID={AWS_KEY}\nAWS_REGION=eu-west-1\n"),
    );
    write(
        d.path(),
        "payments/deploy/ci.yaml",
        format!("env:\n  github_token: \"{GH_PAT}\"\n"),
    );
    let event = json!({
        "action": "synchronize", "number": 7,
        "pull_request": {"number": 7,
            "head": {"sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e", "ref": "fix", "repo": {"full_name": "acme/shop"}},
            "base": {"sha": "0000000000000000000000000000000000000000", "ref": "main", "repo": {"full_name": "acme/shop"}},
            "labels": [{"name": "hotfix"}]}
    });
    write(d.path(), ".github-event.json", event.to_string());
    d
}

#[test]
fn no_credential_or_secret_reaches_any_output() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let s = rt.block_on(servers());
    let d = repo(&s);
    let out_dir = tempfile::tempdir().expect("tempdir");
    let o = |name: &str| out_dir.path().join(name);
    let formats = [
        ("text", "report.txt"),
        ("json", "report.json"),
        ("sarif", "report.sarif"),
        ("junit", "report.xml"),
        ("gitlab", "report.gitlab.json"),
        ("markdown", "report.md"),
        ("github", "report.github.txt"),
    ];
    let mut args: Vec<String> = vec!["check".into(), ".".into()];
    for (f, file) in formats {
        args.extend(["--format".into(), f.into(), "--output".into()]);
        args.push(o(file).display().to_string());
    }
    let summary = o("step-summary.md");
    let outputs = o("step-outputs.txt");
    let run = Command::new(env!("CARGO_BIN_EXE_prr"))
        .args(&args)
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", d.path().join(".github-event.json"))
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_API_URL", s.github.uri())
        .env("GITHUB_TOKEN", GITHUB_TOKEN)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env_remove("GITHUB_HEAD_REF")
        .env(BEARER.0, BEARER.1)
        .env(DD_API.0, DD_API.1)
        .env(DD_APP.0, DD_APP.1)
        .env(DT_TOKEN.0, DT_TOKEN.1)
        .env(N9_TOKEN.0, N9_TOKEN.1)
        .env(PROM_USER.0, PROM_USER.1)
        .env(PROM_PASS.0, PROM_PASS.1)
        .output()
        .expect("run prr");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(1), "{stdout}\n{stderr}");

    let mut texts: Vec<(String, String)> = vec![
        ("stdout".into(), stdout.clone()),
        ("stderr".into(), stderr.clone()),
    ];
    for (f, file) in formats {
        let text = std::fs::read_to_string(o(file)).unwrap_or_else(|e| panic!("{f}: {e}"));
        texts.push((format!("--format {f}"), text));
    }
    for (name, p) in [("job summary", &summary), ("step outputs", &outputs)] {
        texts.push((
            name.into(),
            std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{name}: {e}")),
        ));
    }

    // Nothing raw, anywhere.
    let raw = [
        BEARER.1,
        DD_API.1,
        DD_APP.1,
        DT_TOKEN.1,
        N9_TOKEN.1,
        PROM_USER.1,
        PROM_PASS.1,
        PROM_BASIC,
        GITHUB_TOKEN,
        AWS_KEY,
        GH_PAT,
    ];
    let mut checked = 0;
    for (name, text) in &texts {
        // Markdown escapes `_` and `*`: look through the escapes too.
        let unescaped = text.replace('\\', "");
        for value in raw {
            assert!(
                !text.contains(value) && !unescaped.contains(value),
                "{value} leaked into {name}:\n{text}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 11 * 11, "11 outputs × 11 values");

    // The findings are there, redacted, in every report format and the
    // job summary.
    for (name, text) in texts.iter().skip(2).take(8) {
        let unescaped = text.replace('\\', "");
        for redacted in [AWS_REDACTED, GH_PAT_REDACTED] {
            assert!(
                unescaped.contains(redacted),
                "{name} lacks {redacted}:\n{text}"
            );
        }
    }

    // The error messages are there too, with the credentials cut out.
    let report: Value = serde_json::from_str(&texts[3].1).expect("JSON report");
    let error_of = |service: &str| -> String {
        report["budget"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["service"] == service))
            .and_then(|e| e["error"].as_str())
            .unwrap_or_else(|| panic!("no error for {service}: {report:#}"))
            .to_string()
    };
    let checkout = error_of("checkout");
    assert!(
        checkout.starts_with("HTTP 401:") && checkout.contains("Authorization: ***"),
        "{checkout}"
    );
    let payments = error_of("payments");
    assert!(
        payments.contains("Datadog errors: Forbidden: API key *** with application key ***"),
        "{payments}"
    );
    assert_eq!(
        error_of("search"),
        format!(
            "HTTP 302: redirect to {} not followed: credentials are sent to the configured host only",
            s.elsewhere.uri()
        )
    );
    let ledger = error_of("ledger");
    assert!(
        ledger.starts_with("HTTP 500: upstream failed") && ledger.contains("authorization: ***"),
        "{ledger}"
    );
    let metrics = error_of("metrics");
    assert!(
        metrics.starts_with("HTTP 403: proxy: access denied")
            && metrics.contains("authorization: ***"),
        "{metrics}"
    );
    // The GitHub API refused with the token quoted; prr says so without it.
    assert!(
        stdout.contains("::warning title=prr::PR labels grant no error-budget exception")
            && stdout.contains("Bad credentials (Bearer ***)"),
        "{stdout}"
    );

    // Credentials went to their own host only: the redirect target saw nothing.
    let elsewhere = rt
        .block_on(s.elsewhere.received_requests())
        .unwrap_or_default();
    assert!(
        elsewhere.is_empty(),
        "{} requests followed the redirect",
        elsewhere.len()
    );
    let to_dt = rt
        .block_on(s.dynatrace.received_requests())
        .unwrap_or_default();
    assert_eq!(to_dt.len(), 1, "one request, not retried");
    assert_eq!(
        to_dt[0]
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some(format!("Api-Token {}", DT_TOKEN.1).as_str()),
        "the token goes to the configured host"
    );
    eprintln!(
        "credentials: {} outputs × {} values checked, {} formats",
        texts.len(),
        raw.len(),
        formats.len()
    );
}
