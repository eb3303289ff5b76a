//! Error-budget providers against `wiremock` servers answering with the
//! vendors' documented response shapes (issue 3, points 1 and 5): the
//! conversion of each to the remaining ratio, the faults (connection
//! refused, timeout, 500, 429 with Retry-After, malformed JSON, a missing
//! field, NaN, no data, stale `as_of`), and credentials kept out of errors
//! and provenance.

use prr::budget::config::ProviderConfig;
use prr::budget::http::HttpOptions;
use prr::budget::providers::build;
use prr::budget::{FetchError, Provider, Reading, Target, now_unix};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::servers::closed_port_url;

/// The slo-generator report fixture (google/slo-generator, see PROVENANCE.md).
const SLO_GENERATOR_REPORT: &str =
    include_str!("../fixtures/providers/slo-generator/tests/unit/fixtures/slo_report_v2.json");

/// Fast limits: 300 ms timeout, one retry, 10 ms backoff, `Retry-After` capped at 50 ms.
fn opts() -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_millis(300),
        retries: 1,
        max_body: 1 << 20,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    }
}

fn provider(cfg: Value) -> Box<dyn Provider> {
    let cfg: ProviderConfig = serde_json::from_value(cfg).expect("provider config");
    build("p", &cfg, &opts(), Path::new(".")).expect("provider builds")
}

/// Sets a credential in a variable whose name is unique to the caller.
fn set_secret(var: &str, value: &str) {
    // SAFETY: every test uses its own variable names, and nothing in this
    // test binary iterates over the environment.
    unsafe { std::env::set_var(var, value) };
}

fn target(service: &str, slo: &str, id: Option<&str>, window: Option<f64>) -> Target {
    Target {
        service: service.into(),
        slo: slo.into(),
        id: id.map(str::to_string),
        window_seconds: window,
        ..Target::default()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

// ---------------------------------------------------------------------------
// Conversions against documented shapes.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn http_json_pointer_percent_with_templated_url_and_credentials() {
    set_secret("PRR_T_HJ1_TOKEN", "hj1-secret-token");
    set_secret("PRR_T_HJ1_TENANT", "tenant-7");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/budget/check%20out/requests-availability"))
        .and(header("authorization", "Bearer hj1-secret-token"))
        .and(header("x-tenant", "tenant-7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "slo": { "remaining_percent": "42.5", "burn": { "1h": 2.0, "6h": "1.5" },
                     "computed_at": "2026-01-01T00:00:00Z", "events": 1000 }
        })))
        .expect(1)
        .mount(&server)
        .await;
    let p = provider(json!({
        "type": "http-json",
        "url": format!("{}/budget/{{service}}/{{slo}}?api_key=abc", server.uri()),
        "auth": { "bearer-env": "PRR_T_HJ1_TOKEN" },
        "headers-env": { "X-Tenant": "PRR_T_HJ1_TENANT" },
        "value": "/slo/remaining_percent", "unit": "percent",
        "burn-rate": "/slo/burn", "as-of": "/slo/computed_at", "events": "$.slo.events"
    }));
    let r = p
        .read(&target("check out", "requests-availability", None, None))
        .await
        .unwrap();
    assert!(close(r.remaining, 0.425), "{r:?}");
    assert_eq!(r.burn_rates.get("1h"), Some(&2.0));
    assert_eq!(r.burn_rates.get("6h"), Some(&1.5));
    assert_eq!(r.as_of, Some(1_767_225_600.0));
    assert_eq!(r.events, Some(1000.0));
    assert_eq!(r.provenance.raw, "42.5");
    assert_eq!(r.provenance.conversion, "percent / 100");
    // The query string (which may hold keys) never reaches provenance.
    assert_eq!(
        r.provenance.source,
        format!("{}/budget/check%20out/requests-availability", server.uri())
    );
    assert!(!format!("{r:?}").contains("hj1-secret-token"));
}

#[tokio::test]
async fn http_json_jsonpath_units() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/slos"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [ { "name": "api", "consumed": 30 }, { "name": "web", "consumed": 80 } ]
        })))
        .mount(&server)
        .await;
    for (unit, sel, want) in [
        (
            "consumed-percent",
            "$.items[?@.name == 'api'].consumed",
            0.7,
        ),
        ("consumed-percent", "$.items[1].consumed", 0.2),
    ] {
        let p = provider(json!({
            "type": "http-json", "url": format!("{}/slos", server.uri()), "value": sel, "unit": unit
        }));
        let r = p.read(&target("s", "api", None, None)).await.unwrap();
        assert!(close(r.remaining, want), "{sel}: {r:?}");
    }
    // A JSONPath that matches several values is refused, not averaged.
    let p = provider(json!({
        "type": "http-json", "url": format!("{}/slos", server.uri()),
        "value": "$.items[*].consumed", "unit": "consumed-percent"
    }));
    let e = p.read(&target("s", "api", None, None)).await.unwrap_err();
    assert!(
        matches!(e, FetchError::Malformed(ref m) if m.contains("matched 2 values")),
        "{e:?}"
    );
}

#[test]
fn http_json_config_errors_name_the_key() {
    let build_err = |cfg: Value| {
        let cfg: ProviderConfig = serde_json::from_value(cfg).unwrap();
        build("slo-api", &cfg, &opts(), Path::new("."))
            .err()
            .unwrap_or_default()
    };
    let e = build_err(json!({"type": "http-json", "url": "http://x", "value": "/v"}));
    assert!(e.contains("slo-api") && e.contains("unit"), "{e}");
    let e = build_err(
        json!({"type": "http-json", "url": "http://x", "value": "remaining", "unit": "ratio"}),
    );
    assert!(e.contains("`value`") && e.contains("JSON pointer"), "{e}");
    let e = build_err(json!({"type": "datadog", "api-key-env": "A"}));
    assert!(e.contains("app-key-env"), "{e}");
}

/// Datadog v1 SLO history, shape per
/// https://docs.datadoghq.com/api/latest/service-level-objectives/get-an-slos-history/
/// (`data.overall.error_budget_remaining` keyed by timeframe, percent).
#[tokio::test]
async fn datadog_v1_history_percent_by_timeframe() {
    set_secret("PRR_T_DD1_API", "dd1-api-key");
    set_secret("PRR_T_DD1_APP", "dd1-app-key");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/slo/abc123def456/history"))
        .and(header("DD-API-KEY", "dd1-api-key"))
        .and(header("DD-APPLICATION-KEY", "dd1-app-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {
                "from_ts": 1_697_408_000_i64, "to_ts": 1_700_000_000_i64, "type": "metric", "type_id": 1,
                "thresholds": { "30d": { "target": 99.9, "target_display": "99.900", "timeframe": "30d" } },
                "overall": {
                    "sli_value": 99.9375, "span_precision": 2,
                    "precision": { "30d": 3 },
                    "error_budget_remaining": { "30d": 37.5 }
                }
            },
            "errors": null
        })))
        .expect(1)
        .mount(&server)
        .await;
    let p = provider(json!({
        "type": "datadog", "url": server.uri(), "api-key-env": "PRR_T_DD1_API", "app-key-env": "PRR_T_DD1_APP"
    }));
    let r = p
        .read(&target(
            "checkout",
            "availability",
            Some("abc123def456"),
            Some(2_592_000.0),
        ))
        .await
        .unwrap();
    assert!(close(r.remaining, 0.375), "{r:?}");
    assert_eq!(r.window_seconds, Some(2_592_000.0));
    assert_eq!(r.as_of, Some(1_700_000_000.0));
    assert_eq!(r.provenance.raw, "37.5");
    assert!(
        r.provenance
            .source
            .ends_with("/api/v1/slo/abc123def456/history")
    );
    let received = server.received_requests().await.unwrap_or_default();
    let q = received
        .first()
        .map(|r| r.url.query().unwrap_or("").to_string())
        .unwrap_or_default();
    assert!(q.contains("from_ts=") && q.contains("to_ts="), "{q}");
    assert!(!format!("{r:?}").contains("dd1-api-key") && !format!("{r:?}").contains("dd1-app-key"));

    // No SLO id: a configuration error naming the service and SLO.
    let e = p
        .read(&target("checkout", "availability", None, None))
        .await
        .unwrap_err();
    assert!(
        matches!(e, FetchError::Config(ref m) if m.contains("checkout") && m.contains("availability")),
        "{e:?}"
    );
}

/// Datadog v2 SLO status, shape per
/// https://docs.datadoghq.com/api/latest/service-level-objectives/get-slo-status/
#[tokio::test]
async fn datadog_v2_status_percent() {
    set_secret("PRR_T_DD2_API", "dd2-api-key");
    set_secret("PRR_T_DD2_APP", "dd2-app-key");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/slo/abc123/status"))
        .and(header("DD-API-KEY", "dd2-api-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {
                "id": "abc123", "type": "slo_status",
                "attributes": {
                    "error_budget_remaining": 80.3, "sli": 99.98, "span_precision": 2, "state": "ok",
                    "raw_error_budget_remaining": { "unit": "minutes", "value": 34.7 }
                }
            }
        })))
        .mount(&server)
        .await;
    let p = provider(json!({
        "type": "datadog", "api": "v2", "url": server.uri(),
        "api-key-env": "PRR_T_DD2_API", "app-key-env": "PRR_T_DD2_APP"
    }));
    let r = p
        .read(&target(
            "checkout",
            "availability",
            Some("abc123"),
            Some(604_800.0),
        ))
        .await
        .unwrap();
    assert!(close(r.remaining, 0.803), "{r:?}");
    assert_eq!(r.window_seconds, Some(604_800.0));
}

/// Dynatrace SLO API v2, shape per
/// https://docs.dynatrace.com/docs/dynatrace-api/environment-api/service-level-objectives-classic/get-slo
#[tokio::test]
async fn dynatrace_error_budget_is_percentage_points_of_the_target() {
    set_secret("PRR_T_DT_TOKEN", "dt0c01.secret");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/slo/6f2c7b3e"))
        .and(header("authorization", "Api-Token dt0c01.secret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "6f2c7b3e", "enabled": true, "name": "checkout availability",
            "evaluatedPercentage": 97.5, "errorBudget": 2.5, "status": "SUCCESS", "error": "NONE",
            "target": 95.0, "warning": 97.0, "evaluationType": "AGGREGATE", "timeframe": "-1w",
            "errorBudgetBurnRate": { "burnRateVisualizationEnabled": true, "fastBurnThreshold": 10.0,
                                     "burnRateType": "SLOW", "burnRateValue": 0.4 }
        })))
        .mount(&server)
        .await;
    // The same shape as slo-generator's Dynatrace test data: target 99.9,
    // evaluated 94.576… → errorBudget −5.32… percentage points.
    Mock::given(method("GET"))
        .and(path("/api/v2/slo"))
        .and(query_param("sloSelector", "name(\"search latency\")"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "slo": [ { "id": "XX", "name": "search latency", "evaluatedPercentage": 94.57628498405988,
                       "errorBudget": -5.323715015940124, "status": "FAILURE", "error": "NONE",
                       "target": 99.9, "warning": 99.95, "timeframe": "-30m" } ],
            "pageSize": 10, "totalCount": 1
        })))
        .mount(&server)
        .await;
    let p = provider(
        json!({ "type": "dynatrace", "url": server.uri(), "token-env": "PRR_T_DT_TOKEN" }),
    );
    let r = p
        .read(&target("checkout", "availability", Some("6f2c7b3e"), None))
        .await
        .unwrap();
    assert!(close(r.remaining, 0.5), "{r:?}");
    assert_eq!(r.burn_rates.get("current"), Some(&0.4));
    assert_eq!(r.window_seconds, Some(604_800.0));
    assert!(
        r.provenance.conversion.contains("100 − target 95"),
        "{}",
        r.provenance.conversion
    );
    let r = p
        .read(&target("search", "search latency", None, None))
        .await
        .unwrap();
    assert!((r.remaining - (-53.237_150_159)).abs() < 1e-6, "{r:?}");
}

/// Nobl9 SLO Status API v2 (https://docs.nobl9.com/api/slo-v2): objectives[].
#[tokio::test]
async fn nobl9_objective_remaining_percentage() {
    set_secret("PRR_T_N9_TOKEN", "n9-access-token");
    let server = MockServer::start().await;
    let slo = |pct: f64| {
        json!({
            "name": "api-availability", "displayName": "API availability",
            "project": { "name": "checkout", "displayName": "Checkout" },
            "objectives": [ {
                "name": "good-requests", "displayName": "Good requests", "target": 0.95,
                "burnRate": 0.8, "errorBudgetRemaining": 1080, "errorBudgetRemainingPercentage": pct,
                "reliability": 0.975, "counts": { "good": 975000, "total": 1000000 }, "sliType": "ratio"
            } ]
        })
    };
    Mock::given(method("GET"))
        .and(path("/api/v2/slos/api-availability"))
        .and(header("authorization", "Bearer n9-access-token"))
        .and(header("organization", "acme"))
        .respond_with(ResponseTemplate::new(200).set_body_json(slo(50.0)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/slos/as-ratio"))
        .respond_with(ResponseTemplate::new(200).set_body_json(slo(0.5)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/slos/contradicts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(slo(12.0)))
        .mount(&server)
        .await;
    let p = provider(json!({
        "type": "nobl9", "url": server.uri(), "token-env": "PRR_T_N9_TOKEN", "project": "acme"
    }));
    let r = p
        .read(&target(
            "checkout",
            "availability",
            Some("api-availability"),
            None,
        ))
        .await
        .unwrap();
    assert!(close(r.remaining, 0.5), "{r:?}");
    assert_eq!(r.events, Some(1_000_000.0));
    assert_eq!(r.burn_rates.get("current"), Some(&0.8));
    assert!(
        r.provenance.conversion.starts_with("percent / 100"),
        "{}",
        r.provenance.conversion
    );
    let r = p
        .read(&target("checkout", "availability", Some("as-ratio"), None))
        .await
        .unwrap();
    assert!(close(r.remaining, 0.5), "{r:?}");
    let e = p
        .read(&target(
            "checkout",
            "availability",
            Some("contradicts"),
            None,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(e, FetchError::Malformed(ref m) if m.contains("unit")),
        "{e:?}"
    );
    let e = p
        .read(&target(
            "checkout",
            "availability",
            Some("api-availability/latency"),
            None,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(e, FetchError::Config(ref m) if m.contains("good-requests")),
        "{e:?}"
    );
}

/// The slo-generator report fixture: sli 0.5, goal 0.9 → (0.5 − 0.9)/(1 − 0.9)
/// = −4.0, agreeing with its minutes (−288 / 72); its
/// `error_budget_consumed_ratio` (19.9999999999999, i.e. 0.8 left if read
/// as a percent) contradicts both and is reported as ignored.
#[tokio::test]
async fn slo_generator_report_fixture() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/reports/test/test-slo"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(SLO_GENERATOR_REPORT, "application/json"),
        )
        .mount(&server)
        .await;
    let p = provider(
        json!({ "type": "slo-generator", "url": format!("{}/reports/{{service}}/{{slo}}", server.uri()) }),
    );
    let r = p
        .read(&target("test", "test-slo", None, None))
        .await
        .unwrap();
    assert!(close(r.remaining, -4.0), "{r:?}");
    assert!(
        close(
            r.burn_rates.get("12h").copied().unwrap_or(0.0),
            5.000000000000001
        ),
        "{r:?}"
    );
    assert_eq!(r.window_seconds, Some(43_200.0));
    assert_eq!(r.as_of, Some(1_702_660_513.987_654));
    assert_eq!(r.events, Some(7112.0));
    assert_eq!(r.provenance.raw, "sli_measurement=0.5, goal=0.9");
    assert!(
        r.provenance
            .conversion
            .contains("error_budget_consumed_ratio 19.9999999999999 ignored"),
        "{}",
        r.provenance.conversion
    );
}

#[tokio::test]
async fn slo_generator_report_variants() {
    let server = MockServer::start().await;
    let reports = json!([
        { "metadata": { "name": "api-availability" }, "window": 3600, "sli_measurement": 0.99, "goal": 0.99 },
        { "metadata": { "name": "api-availability" }, "window": 86400, "error_budget_consumed_ratio": 30,
          "timestamp": 1_700_000_000 },
        { "metadata": { "name": "other" }, "window": 604800, "sli_measurement": 1.0, "goal": 0.99 }
    ]);
    Mock::given(method("GET"))
        .and(path("/all"))
        .respond_with(ResponseTemplate::new(200).set_body_json(reports))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/invalid"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "metadata": { "name": "x" }, "errors": ["Backend returned NO_DATA (-1)."], "valid": false,
            "error_budget_policy_step_name": "1h"
        })))
        .mount(&server)
        .await;
    let p = provider(json!({ "type": "slo-generator", "url": format!("{}/all", server.uri()) }));
    // The SLO's reports only, the longest window (1 day): only the consumed percent → 1 − 30/100.
    let r = p
        .read(&target("api", "api-availability", None, None))
        .await
        .unwrap();
    assert!(close(r.remaining, 0.7), "{r:?}");
    assert_eq!(
        r.provenance.conversion,
        "1 − error_budget_consumed_ratio / 100 (a percent consumed)"
    );
    let p =
        provider(json!({ "type": "slo-generator", "url": format!("{}/invalid", server.uri()) }));
    let e = p.read(&target("api", "x", None, None)).await.unwrap_err();
    assert!(
        matches!(e, FetchError::Empty(ref m) if m.contains("NO_DATA")),
        "{e:?}"
    );
}

// ---------------------------------------------------------------------------
// Faults (issue 3, point 5), the same table for every HTTP provider.
// ---------------------------------------------------------------------------

/// One provider under fault injection.
struct Case {
    name: &'static str,
    /// Provider config for a server at the given base URL.
    cfg: fn(&str) -> Value,
    target: Target,
    /// Request path the provider asks.
    path: &'static str,
    /// The credential the request must carry (and nothing else may show).
    secret: Option<(&'static str, &'static str)>,
    good: Value,
    remaining: f64,
    missing: Value,
    nan: Value,
    empty: Value,
    /// `Some(t)`: the good body states `as_of` t (years old: the policy,
    /// not the provider, judges staleness). `None`: the API states no time
    /// and the reading's `as_of` is the fetch time.
    stale_as_of: Option<f64>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "http-json",
            cfg: |u| {
                json!({ "type": "http-json", "url": format!("{u}/b/{{service}}/{{slo}}"),
                        "auth": { "bearer-env": "PRR_T_F_HJ" }, "value": "/remaining", "unit": "ratio",
                        "as-of": "/as_of" })
            },
            target: target("svc", "slo1", None, None),
            path: "/b/svc/slo1",
            secret: Some(("PRR_T_F_HJ", "hj-fault-secret")),
            good: json!({ "remaining": 0.5, "as_of": 1_600_000_000 }),
            remaining: 0.5,
            missing: json!({ "other": 1 }),
            nan: json!({ "remaining": "NaN" }),
            empty: json!({ "remaining": null }),
            stale_as_of: Some(1_600_000_000.0),
        },
        Case {
            name: "datadog",
            cfg: |u| json!({ "type": "datadog", "url": u, "api-key-env": "PRR_T_F_DD", "app-key-env": "PRR_T_F_DDAPP" }),
            target: target("svc", "slo1", Some("abc"), Some(2_592_000.0)),
            path: "/api/v1/slo/abc/history",
            secret: Some(("PRR_T_F_DD", "dd-fault-secret")),
            good: json!({ "data": { "to_ts": 1_600_000_000, "overall": { "error_budget_remaining": { "30d": 50.0 } } } }),
            remaining: 0.5,
            missing: json!({ "data": { "overall": { "sli_value": 99.0 } } }),
            nan: json!({ "data": { "overall": { "error_budget_remaining": { "30d": "NaN" } } } }),
            empty: json!({ "data": { "overall": { "error_budget_remaining": null } } }),
            stale_as_of: Some(1_600_000_000.0),
        },
        Case {
            name: "dynatrace",
            cfg: |u| json!({ "type": "dynatrace", "url": u, "token-env": "PRR_T_F_DT" }),
            target: target("svc", "slo1", Some("id1"), None),
            path: "/api/v2/slo/id1",
            secret: Some(("PRR_T_F_DT", "dt-fault-secret")),
            good: json!({ "target": 95.0, "evaluatedPercentage": 97.5, "errorBudget": 2.5, "error": "NONE" }),
            remaining: 0.5,
            missing: json!({ "target": 95.0, "evaluatedPercentage": 97.5, "error": "NONE" }),
            nan: json!({ "target": 95.0, "errorBudget": "NaN", "error": "NONE" }),
            empty: json!({ "target": 95.0, "evaluatedPercentage": -1.0, "errorBudget": -96.0, "error": "NONE" }),
            stale_as_of: None,
        },
        Case {
            name: "nobl9",
            cfg: |u| json!({ "type": "nobl9", "url": u, "token-env": "PRR_T_F_N9" }),
            target: target("svc", "slo1", None, None),
            path: "/api/v2/slos/slo1",
            secret: Some(("PRR_T_F_N9", "n9-fault-secret")),
            good: json!({ "objectives": [ { "name": "o", "errorBudgetRemainingPercentage": 50 } ] }),
            remaining: 0.5,
            missing: json!({ "objectives": [ { "name": "o", "burnRate": 1.0 } ] }),
            nan: json!({ "objectives": [ { "name": "o", "errorBudgetRemainingPercentage": "NaN" } ] }),
            empty: json!({ "objectives": [] }),
            stale_as_of: None,
        },
        Case {
            name: "slo-generator",
            cfg: |u| json!({ "type": "slo-generator", "url": format!("{u}/r/{{slo}}") }),
            target: target("svc", "slo1", None, None),
            path: "/r/slo1",
            secret: None,
            good: json!({ "sli_measurement": 0.95, "goal": 0.9, "timestamp": 1_600_000_000 }),
            remaining: 0.5,
            missing: json!({ "metadata": { "name": "slo1" } }),
            nan: json!({ "sli_measurement": "NaN", "goal": 0.9 }),
            empty: json!([]),
            stale_as_of: Some(1_600_000_000.0),
        },
    ]
}

async fn serve(server: &MockServer, case: &Case, resp: ResponseTemplate) {
    server.reset().await;
    Mock::given(method("GET"))
        .and(path(case.path))
        .respond_with(resp)
        .mount(server)
        .await;
}

/// Asserts that no credential shows in `text`.
fn no_secret(case: &Case, text: &str) {
    if let Some((_, secret)) = case.secret {
        assert!(
            !text.contains(secret),
            "{}: credential leaked into {text}",
            case.name
        );
    }
}

#[tokio::test]
async fn faults_are_never_healthy_and_never_panic() {
    set_secret("PRR_T_F_DDAPP", "dd-fault-app-secret");
    for case in cases() {
        if let Some((var, value)) = case.secret {
            set_secret(var, value);
        }
        let server = MockServer::start().await;
        let p = provider((case.cfg)(&server.uri()));
        let read = || p.read(&case.target);
        let json_of = |v: &Value| ResponseTemplate::new(200).set_body_json(v.clone());

        // Good body: the documented conversion, the credential on the wire.
        serve(&server, &case, json_of(&case.good)).await;
        let r: Reading = read()
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", case.name));
        assert!(close(r.remaining, case.remaining), "{}: {r:?}", case.name);
        match case.stale_as_of {
            Some(t) => assert_eq!(
                r.as_of,
                Some(t),
                "{}: stale as_of is returned as stated",
                case.name
            ),
            None => assert!(
                r.as_of.is_some_and(|t| (now_unix() - t).abs() < 60.0),
                "{}",
                case.name
            ),
        }
        no_secret(&case, &format!("{r:?}"));
        if let Some((_, secret)) = case.secret {
            let got = server.received_requests().await.unwrap_or_default();
            let sent = got.iter().any(|req| {
                req.headers
                    .values()
                    .any(|v| v.to_str().unwrap_or("").contains(secret))
            });
            assert!(sent, "{}: the credential was not sent", case.name);
        }

        // 500: retried once, then an HTTP error.
        serve(
            &server,
            &case,
            ResponseTemplate::new(500).set_body_string("upstream broke"),
        )
        .await;
        let e = read().await.unwrap_err();
        assert!(
            matches!(e, FetchError::Http { status: 500, .. }),
            "{}: {e:?}",
            case.name
        );
        assert_eq!(
            server.received_requests().await.unwrap_or_default().len(),
            2,
            "{}: 500 retried",
            case.name
        );
        no_secret(&case, &e.to_string());

        // 429 with Retry-After, then 200: a second request arrives and the reading results.
        server.reset().await;
        Mock::given(method("GET"))
            .and(path(case.path))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(case.path))
            .respond_with(json_of(&case.good))
            .mount(&server)
            .await;
        let r = read()
            .await
            .unwrap_or_else(|e| panic!("{}: 429 then 200: {e:?}", case.name));
        assert!(close(r.remaining, case.remaining), "{}", case.name);
        assert_eq!(
            server.received_requests().await.unwrap_or_default().len(),
            2,
            "{}: 429 retried",
            case.name
        );

        // 429 every time: an HTTP 429 error after the retry.
        serve(
            &server,
            &case,
            ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        )
        .await;
        let e = read().await.unwrap_err();
        assert!(
            matches!(e, FetchError::Http { status: 429, .. }),
            "{}: {e:?}",
            case.name
        );

        // Bodies that must never become a reading.
        type Check = fn(&FetchError) -> bool;
        let bodies: [(&str, ResponseTemplate, Check); 5] = [
            (
                "malformed JSON",
                ResponseTemplate::new(200).set_body_string("{\"remaining\": 0.5,"),
                |e| matches!(e, FetchError::Malformed(m) if m.contains("not JSON")),
            ),
            (
                "1e999 (no JSON infinity)",
                ResponseTemplate::new(200).set_body_string("{\"remaining\": 1e999}"),
                |e| matches!(e, FetchError::Malformed(_)),
            ),
            ("field missing", json_of(&case.missing), |e| {
                matches!(e, FetchError::Missing(_))
            }),
            ("NaN", json_of(&case.nan), |e| {
                matches!(e, FetchError::NotFinite(_))
            }),
            ("empty result", json_of(&case.empty), |e| {
                matches!(e, FetchError::Empty(_))
            }),
        ];
        for (what, resp, expected) in bodies {
            serve(&server, &case, resp).await;
            let e = read().await.expect_err(what);
            assert!(expected(&e), "{}: {what}: {e:?}", case.name);
            no_secret(&case, &e.to_string());
        }

        // Timeout: the server answers after 2 s; the client gives up at 300 ms (twice).
        serve(
            &server,
            &case,
            json_of(&case.good).set_delay(Duration::from_secs(2)),
        )
        .await;
        let e = read().await.unwrap_err();
        assert!(
            matches!(e, FetchError::Timeout(t) if (t - 0.3).abs() < 1e-9),
            "{}: {e:?}",
            case.name
        );

        // Connection refused.
        let p = provider((case.cfg)(&closed_port_url()));
        let e = p.read(&case.target).await.unwrap_err();
        assert!(
            matches!(e, FetchError::Unreachable(_)),
            "{}: {e:?}",
            case.name
        );
        no_secret(&case, &e.to_string());
    }
}

#[tokio::test]
async fn missing_credential_is_a_config_error_naming_the_variable() {
    let server = MockServer::start().await;
    let p = provider(
        json!({ "type": "dynatrace", "url": server.uri(), "token-env": "PRR_T_UNSET_DT_TOKEN" }),
    );
    let e = p
        .read(&target("svc", "slo", Some("x"), None))
        .await
        .unwrap_err();
    assert!(
        matches!(e, FetchError::Config(ref m) if m.contains("PRR_T_UNSET_DT_TOKEN")),
        "{e:?}"
    );
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "no request without credentials"
    );
}
