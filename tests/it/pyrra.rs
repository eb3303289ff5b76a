//! Pyrra ≥ 0.9's generic recording rules read from a real Prometheus
//! (issue 16 point 3).
//!
//! Pyrra 0.9 records `pyrra_requests:rate5m` (`sum(rate(total[5m]))`) and
//! `pyrra_errors:rate5m` (`sum(rate(errors[5m])) or vector(0)`) every 30 s
//! with the label `slo` (`GenericRules()` in pyrra-dev/pyrra
//! `slo/rules.go`), next to `pyrra_availability`, `pyrra_objective` and
//! `pyrra_window`. The test backfills those series as Pyrra would have
//! recorded them — 3 days at 30 s, 15 s off the minute so that no sample
//! lies on a window boundary and Prometheus 2 and 3 select the same
//! samples — with a fast burn (half the requests failing) in the last 10
//! minutes, and checks the burn rates against sums over the generated
//! values.

use crate::support;

use prr::budget::config::ProviderConfig;
use prr::budget::http::{Http, HttpOptions};
use prr::budget::providers::prometheus::Prometheus;
use prr::budget::{Provider, Target};
use serde_json::json;
use std::fmt::Write as _;
use std::time::Duration;

const T_END: i64 = 1_706_659_200;
const SLO: &str = "checkout-availability";
const BUDGET: f64 = 0.001;

/// (time, requests/s, errors/s) as the rules recorded them.
fn recorded() -> Vec<(i64, f64, f64)> {
    let mut out = Vec::new();
    let mut t = T_END - 3 * 86_400 - 15;
    let mut k = 0u64;
    while t < T_END {
        let requests = 100.0 + (k % 7) as f64;
        let errors = if t > T_END - 600 {
            requests / 2.0
        } else {
            0.05 + (k % 3) as f64 * 0.01
        };
        out.push((t, requests, errors));
        t += 30;
        k += 1;
    }
    out
}

fn openmetrics() -> String {
    let labels = format!(r#"slo="{SLO}",team="payments""#);
    let data = recorded();
    let mut s = String::new();
    for (name, pick) in [("pyrra_requests:rate5m", 1), ("pyrra_errors:rate5m", 2)] {
        let _ = writeln!(s, "# TYPE {name} gauge");
        for &(t, r, e) in &data {
            let v = if pick == 1 { r } else { e };
            let _ = writeln!(s, "{name}{{{labels}}} {v} {t}");
        }
    }
    let last = data.iter().rev().take(3).map(|d| d.0).collect::<Vec<_>>();
    for (name, v) in [
        ("pyrra_availability", "0.9996"),
        ("pyrra_objective", "0.999"),
        ("pyrra_window", "2592000"),
    ] {
        let _ = writeln!(s, "# TYPE {name} gauge");
        for t in last.iter().rev() {
            let _ = writeln!(s, "{name}{{{labels}}} {v} {t}");
        }
    }
    s.push_str("# EOF\n");
    s
}

/// Burn rate over the `w` seconds before T from the recorded values.
fn expected_burn(w: i64) -> f64 {
    let data = recorded();
    if w <= 300 {
        let (_, r, e) = data[data.len() - 1];
        return e / r / BUDGET;
    }
    let inside = data.iter().filter(|d| d.0 > T_END - w);
    let (r, e) = inside.fold((0.0, 0.0), |(r, e), d| (r + d.1, e + d.2));
    e / r / BUDGET
}

#[tokio::test]
#[ignore = "needs prometheus and promtool (bash .ci/install-prometheus.sh); run with --include-ignored"]
async fn pyrra_rate5m_rules_give_burn_rates() {
    support::require_tools(
        &["prometheus", "promtool"],
        "bash .ci/install-prometheus.sh",
    );
    prr::budget::http::install_crypto_provider();
    let prom = support::servers::start_prometheus(&openmetrics());
    let cfg: ProviderConfig = serde_json::from_value(json!({
        "type": "prometheus", "url": prom.url, "mode": "pyrra", "eval-time": T_END.to_string()
    }))
    .expect("config");
    let http = Http::new(HttpOptions {
        timeout: Duration::from_secs(10),
        retries: 0,
        ..Default::default()
    })
    .expect("client");
    let p = Prometheus::from_config("prom", &cfg, http).expect("provider");
    let target = Target {
        service: "checkout".into(),
        slo: SLO.into(),
        ..Default::default()
    };
    let r = p
        .read(&target)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", prom.log()));
    assert!(
        (r.remaining - 0.6).abs() < 1e-9,
        "remaining {}",
        r.remaining
    );
    assert_eq!(r.window_seconds, Some(2_592_000.0));
    for (label, w) in [
        ("5m", 300),
        ("30m", 1800),
        ("1h", 3600),
        ("6h", 21_600),
        ("1d", 86_400),
        ("3d", 259_200),
    ] {
        let got = r.burn_rates.get(label).copied().unwrap_or(f64::NAN);
        let want = expected_burn(w);
        assert!(
            (got - want).abs() <= 1e-9 * want.max(1.0),
            "burn rate {label}: got {got}, want {want}"
        );
    }
    // The fast burn shows: 500× over 5m, far above 14.4× over 1h.
    assert!((r.burn_rates["5m"] - 500.0).abs() < 1e-6);
    assert!(r.burn_rates["1h"] > 14.4, "{:?}", r.burn_rates);
    assert!(
        r.provenance
            .conversion
            .contains("Pyrra ≥ 0.9's pyrra_errors:rate5m"),
        "says which rules were found: {}",
        r.provenance.conversion
    );
}
