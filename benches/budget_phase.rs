//! Budget-phase benchmark (issue 3): 50 services × 2 SLOs read through the
//! `http-json` provider from a local endpoint that answers every request
//! after 100 ms. Sequential fetching would take 10 s; the phase must stay
//! under 0.5 s wall. Run with `cargo bench --bench budget_phase`.
//!
//! The endpoint is wiremock on 127.0.0.1 (loopback only). Each run builds a
//! throw-away repository whose prr.yaml declares the 50 services with two
//! SLOs each, then times `prr::budget_only` (config, inventory, provider
//! construction, 100 concurrent requests, policy) end to end.

use std::time::{Duration, Instant};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

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
}
