//! Unit tests: factors, query rewriting, names and number formats.

use super::query::{Query, promql};
use super::text::{camel, dur, fmt_ratio, k8s_name, num};
use super::*;

#[test]
fn factors_for_periods() {
    let f = |days: f64| -> Vec<f64> {
        CONDITIONS
            .iter()
            .map(|c| factor(c, days * 86_400.0))
            .collect()
    };
    assert_eq!(f(30.0), vec![14.4, 6.0, 3.0, 1.0]);
    // Sloth's 28-day catalogue, but the slow ticket floored at 1 (Sloth: 0.9333).
    assert_eq!(f(28.0), vec![13.44, 5.6, 2.8, 1.0]);
    assert_eq!(f(90.0), vec![43.2, 18.0, 9.0, 3.0]);
}

#[test]
fn openslo_ranges_are_rewritten() {
    let q = promql("sum(rate(http_requests_total{job=\"checkout\",code=~\"5..\"}[5m]))\n  / 2")
        .expect("query");
    let r = q.render("3d");
    assert!(r.contains("[3d]") && !r.contains("[5m]"), "{r}");
    assert!(r.contains("code=~\"5..\""), "{r}");
    assert!(matches!(
        promql("http_requests_total{code=~\"5..\"}"),
        Ok(Query::Counter(_))
    ));
    assert_eq!(
        promql("http_requests_total{code=~\"5..\"}")
            .map(|q| q.render("1h"))
            .ok(),
        Some("sum(rate(http_requests_total{code=~\"5..\"}[1h]))".to_string())
    );
    assert!(
        promql("sum(up)")
            .err()
            .is_some_and(|e| e.contains("no range selector"))
    );
    assert!(
        promql("max_over_time(rate(x[5m])[1h:1m])")
            .err()
            .is_some_and(|e| e.contains("subquery"))
    );
}

#[test]
fn names_and_formats() {
    assert_eq!(camel("requests-availability"), "RequestsAvailability");
    assert_eq!(fmt_ratio(99.9 / 100.0), "0.999");
    assert_eq!(num(14.4), "14.4");
    assert_eq!(num(6.0), "6");
    assert_eq!(dur(30.0 * 86_400.0), "30d");
    assert_eq!(dur(28.0 * 86_400.0), "28d");
    assert_eq!(k8s_name("My_Service.slo"), "my-service-slo");
}
