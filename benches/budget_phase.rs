//! Budget-phase benchmark (issue 3): 50 services × 2 SLOs read through the
//! `http-json` provider from a local endpoint that answers every request
//! after 100 ms. Sequential fetching would take 10 s; the phase must stay
//! under 0.5 s wall. Run with `cargo bench --bench budget_phase`.
//!
//! The endpoint is wiremock on 127.0.0.1 (loopback only). Each run builds a
//! throw-away repository whose prr.yaml declares the 50 services with two
//! SLOs each, then times `prr::budget_only` (config, inventory, provider
//! construction, 100 concurrent requests, policy) end to end.
//!
//! A second run reads the same 100 SLOs through the `prometheus` provider
//! (Sloth mode) with the budget chart (issue 16): per SLO one instant query
//! and one range query over the SLO window (30 steps), side by side, 200
//! requests a run, every answer after 100 ms. The stand-in answers each
//! query with the asked service's and SLO's labels.

use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const SERVICES: usize = 50;
const SLOS: usize = 2;
const DELAY: Duration = Duration::from_millis(100);
const RUNS: usize = 7;

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"remaining_percent": 73.5, "burn_rate": 0.6}))
                    .set_delay(DELAY),
            )
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let mut yaml = format!(
        "budget:\n  providers:\n    api:\n      type: http-json\n      url: \"{}/slo/{{service}}/{{slo}}\"\n      value: /remaining_percent\n      unit: percent\n      burn-rate: /burn_rate\n  policy:\n    max-age: 0\nservices:\n",
        server.uri()
    );
    for s in 0..SERVICES {
        yaml.push_str(&format!(
            "  - name: svc-{s:02}\n    paths: [\"svc-{s:02}/**\"]\n    budget:\n      slos:\n"
        ));
        for o in 0..SLOS {
            yaml.push_str(&format!(
                "        - {{ name: slo-{o}, objective: 99.9, window: 30d }}\n"
            ));
        }
    }
    std::fs::write(dir.path().join("prr.yaml"), yaml).expect("write prr.yaml");
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let entries =
            prr::budget_only(dir.path(), None, &Default::default()).expect("budget phase");
        times.push(t.elapsed());
        assert_eq!(entries.len(), SERVICES * SLOS);
        assert!(
            entries.iter().all(|e| e.reading.is_some()),
            "every SLO read"
        );
    }
    times.sort();
    println!(
        "budget phase, {SERVICES} services x {SLOS} SLOs, endpoint delay {DELAY:?}: min {:?}, median {:?}, max {:?} over {RUNS} runs (target < 500 ms)",
        times[0],
        times[RUNS / 2],
        times[RUNS - 1]
    );
    let requests = rt
        .block_on(server.received_requests())
        .map_or(0, |r| r.len());
    println!("requests served: {requests} ({} per run)", requests / RUNS);
    prometheus_with_charts(&rt);
}

/// Answers Sloth instant and range queries with the labels the query asked for.
struct Sloth;

impl Respond for Sloth {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q: std::collections::BTreeMap<String, String> =
            req.url.query_pairs().into_owned().collect();
        let query = q.get("query").cloned().unwrap_or_default();
        let label = |name: &str| {
            query
                .split(&format!("{name}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or_default()
                .to_string()
        };
        let metric = serde_json::json!({
            "__name__": "slo:period_error_budget_remaining:ratio",
            "sloth_service": label("sloth_service"),
            "sloth_slo": label("sloth_slo"),
        });
        let body = if req.url.path().ends_with("query_range") {
            let values: Vec<serde_json::Value> = (0..=30)
                .map(|i| {
                    serde_json::json!([
                        1_706_659_200 - (30 - i) * 86_400,
                        format!("{}", 1.0 - 0.01 * i as f64)
                    ])
                })
                .collect();
            serde_json::json!({"status": "success", "data": {"resultType": "matrix", "result": [{"metric": metric, "values": values}]}})
        } else {
            serde_json::json!({"status": "success", "data": {"resultType": "vector", "result": [{"metric": metric, "value": [1_706_659_200, "0.7"]}]}})
        };
        ResponseTemplate::new(200)
            .set_body_json(body)
            .set_delay(DELAY)
    }
}

fn prometheus_with_charts(rt: &tokio::runtime::Runtime) {
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/api/v1/query"))
            .respond_with(Sloth)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/query_range"))
            .respond_with(Sloth)
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let mut yaml = format!(
        "budget:\n  providers:\n    prom:\n      type: prometheus\n      url: \"{}\"\n      eval-time: \"1706659200\"\n  policy:\n    max-age: 0\nservices:\n",
        server.uri()
    );
    for s in 0..SERVICES {
        yaml.push_str(&format!(
            "  - name: svc-{s:02}\n    paths: [\"svc-{s:02}/**\"]\n    budget:\n      slos:\n"
        ));
        for o in 0..SLOS {
            yaml.push_str(&format!(
                "        - {{ name: slo-{o}, objective: 99.9, window: 30d }}\n"
            ));
        }
    }
    std::fs::write(dir.path().join("prr.yaml"), yaml).expect("write prr.yaml");
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let entries =
            prr::budget_only(dir.path(), None, &Default::default()).expect("budget phase");
        times.push(t.elapsed());
        assert_eq!(entries.len(), SERVICES * SLOS);
        assert!(
            entries
                .iter()
                .all(|e| e.reading.as_ref().is_some_and(|r| r.history.len() == 31)),
            "every SLO read with its history: {:?}",
            entries
                .iter()
                .find(|e| e.reading.as_ref().is_none_or(|r| r.history.len() != 31))
        );
        let md: usize = entries
            .iter()
            .filter_map(prr::report::chart::mermaid)
            .count();
        assert_eq!(md, SERVICES * SLOS, "one chart per SLO");
    }
    times.sort();
    println!(
        "budget phase with charts (prometheus, instant + range query per SLO), {SERVICES} services x {SLOS} SLOs, endpoint delay {DELAY:?}: min {:?}, median {:?}, max {:?} over {RUNS} runs (target < 500 ms)",
        times[0],
        times[RUNS / 2],
        times[RUNS - 1]
    );
    let requests = rt
        .block_on(server.received_requests())
        .map_or(0, |r| r.len());
    println!("requests served: {requests} ({} per run)", requests / RUNS);
}
