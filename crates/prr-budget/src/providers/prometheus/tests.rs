//! Unit tests: query rewriting, error ratios, response shapes, helpers and
//! the provider config.

use super::compute::Rewrite;
use super::*;
use crate::config::ProviderConfig;
use crate::formats::slo::SliQuery;
use serde_json::json;

fn rw(q: &str, secs: u64) -> String {
    match windowed(q) {
        Ok(e) => Rewrite::Ast(e).at(secs),
        Err(e) => format!("ERR {e}"),
    }
}

#[test]
fn rewrites_sli_queries_to_increases_over_the_window() {
    // Sloth event query with the {{.window}} placeholder.
    assert_eq!(
        rw(
            r#"sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))"#,
            2_592_000
        ),
        r#"sum(sum(increase(http_requests_total{code=~"5..",job="checkout"}[30d])))"#
    );
    // Pyrra: a bare counter selector.
    assert_eq!(
        rw(r#"http_requests_total{job="pyrra"}"#, 300),
        r#"sum(increase(http_requests_total{job="pyrra"}[5m]))"#
    );
    // OpenSLO with an explicit range and a grouping: the ratio of sums.
    assert_eq!(
        rw(
            r#"sum by (route) (rate(http_requests_total{code!~"5.."}[1m]))"#,
            3600
        ),
        r#"sum(sum by (route) (increase(http_requests_total{code!~"5.."}[1h])))"#
    );
    assert!(rw("sum(irate(x_total[5m]))", 300).starts_with("ERR irate()"));
    assert!(rw("avg_over_time(up[5m])", 300).starts_with("ERR avg_over_time()"));
    assert!(rw("job:http_requests:rate5m", 300).contains("is not a counter"));
    assert!(rw("sum(rate(x_total[5m]", 300).starts_with("ERR not PromQL"));
}

#[test]
fn one_query_labels_every_part_and_window() {
    let t = Target {
        slo: "availability".into(),
        sli: vec![
            SliQuery {
                role: "errors".into(),
                query: r#"x_total{code="500"}"#.into(),
                pos: Default::default(),
                language: "promql".into(),
            },
            SliQuery {
                role: "total".into(),
                query: "x_total".into(),
                pos: Default::default(),
                language: "promql".into(),
            },
        ],
        ..Default::default()
    };
    let p = Parts::from_target(&t).expect("parts");
    assert_eq!(
        p.promql(&[("1h".to_string(), 3600)]),
        r#"label_replace(sum(increase(x_total{code="500"}[1h])), "prr_part", "errors:1h", "", "") or label_replace(sum(increase(x_total[1h])), "prr_part", "total:1h", "", "")"#
    );
}

fn sample(key: &str, v: f64) -> (String, Sample) {
    (
        key.to_string(),
        Sample {
            labels: BTreeMap::new(),
            time: 0.0,
            raw: v.to_string(),
            value: v,
        },
    )
}

#[test]
fn error_ratio_semantics() {
    let got: BTreeMap<_, _> = [
        sample("total:1h", 1000.0),
        sample("errors:1h", 5.0),
        sample("total:5m", 0.0),
    ]
    .into();
    assert_eq!(error_ratio(&got, "1h", true, false), Ok(Some(0.005)));
    // No requests: no burn rate, never a zero one.
    assert_eq!(error_ratio(&got, "5m", false, false), Ok(None));
    // Missing total over the SLO window: no data, not a full budget.
    assert!(matches!(
        error_ratio(&got, "window", true, false),
        Err(FetchError::Empty(_))
    ));
    // Good/total: a missing good series is never 0 % or 100 % errors.
    let good: BTreeMap<_, _> = [
        sample("total:1h", 1000.0),
        sample("good:1h", 990.0),
        sample("total:6h", 10.0),
    ]
    .into();
    assert_eq!(error_ratio(&good, "1h", true, true), Ok(Some(0.01)));
    assert!(matches!(
        error_ratio(&good, "6h", true, true),
        Err(FetchError::Empty(_))
    ));
    // Errors absent while total has traffic: no error counted yet.
    let none: BTreeMap<_, _> = [sample("total:1h", 10.0)].into();
    assert_eq!(error_ratio(&none, "1h", true, false), Ok(Some(0.0)));
}

#[test]
fn parses_documented_response_shapes() {
    // https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries
    let ok = json!({"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"__name__":"up","job":"prometheus"},"value":[1435781451.781,"1"]}]}});
    let s = parse_response(&ok).expect("vector");
    assert_eq!(
        (s[0].time, s[0].value, s[0].label("job")),
        (1435781451.781, 1.0, "prometheus")
    );
    let nan = json!({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}});
    assert!(parse_response(&nan).expect("parsed")[0].value.is_nan());
    let inf = json!({"status":"success","data":{"resultType":"scalar","result":[1,"+Inf"]}});
    assert_eq!(
        parse_response(&inf).expect("parsed")[0].value,
        f64::INFINITY
    );
    let empty = json!({"status":"success","data":{"resultType":"vector","result":[]}});
    assert!(matches!(parse_response(&empty), Err(FetchError::Empty(_))));
    let err = json!({"status":"error","errorType":"bad_data","error":"parse error at char 5"});
    assert_eq!(
        parse_response(&err),
        Err(FetchError::Malformed(
            "Prometheus bad_data: parse error at char 5".into()
        ))
    );
    let matrix = json!({"status":"success","data":{"resultType":"matrix","result":[]}});
    assert!(matches!(
        parse_response(&matrix),
        Err(FetchError::Malformed(_))
    ));
    let bad = json!({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}});
    assert!(matches!(
        parse_response(&bad),
        Err(FetchError::Malformed(_))
    ));
    assert!(matches!(
        parse_response(&json!({"status":"success"})),
        Err(FetchError::Missing(_))
    ));
}

#[test]
fn helpers() {
    assert_eq!(duration_text(2_592_000), "30d");
    assert_eq!(duration_text(1800), "30m");
    assert_eq!(duration_text(90), "90s");
    assert_eq!(parse_time("2024-01-31T00:00:00Z"), Some(1_706_659_200.0));
    assert_eq!(parse_time("1706659200"), Some(1_706_659_200.0));
    assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
    assert_eq!(
        prometheus_error(r#"{"status":"error","errorType":"execution","error":"query timed out"}"#)
            .as_deref(),
        Some("execution: query timed out")
    );
}

#[test]
fn mode_defaults_by_format_and_sli() {
    let http = Http::new(Default::default()).expect("client");
    let cfg: ProviderConfig =
        serde_json::from_value(json!({"type": "prometheus", "url": "http://p:9090"})).expect("cfg");
    let p = Prometheus::from_config("prom", &cfg, http).expect("provider");
    let mut t = Target {
        format: Some(SloFormat::Sloth),
        ..Default::default()
    };
    assert_eq!(p.mode_for(&t), Mode::Sloth);
    t.format = Some(SloFormat::OpenSlo);
    assert_eq!(p.mode_for(&t), Mode::Sloth);
    t.sli = vec![
        SliQuery {
            role: "good".into(),
            query: "a_total".into(),
            pos: Default::default(),
            language: "promql".into(),
        },
        SliQuery {
            role: "total".into(),
            query: "b_total".into(),
            pos: Default::default(),
            language: "promql".into(),
        },
    ];
    assert_eq!(p.mode_for(&t), Mode::Compute);
    for (bad, msg) in [
        (json!({"type": "prometheus"}), "`url` is required"),
        (
            json!({"type": "prometheus", "url": "ftp://x"}),
            "must be http",
        ),
        (
            json!({"type": "prometheus", "url": "http://u:p@x"}),
            "must not hold credentials",
        ),
        (
            json!({"type": "prometheus", "url": "http://x", "mode": "nope"}),
            "expected sloth, pyrra",
        ),
        (
            json!({"type": "prometheus", "url": "http://x", "auth": {"basic-user-env": "U"}}),
            "both `basic-user-env`",
        ),
        (
            json!({"type": "prometheus", "url": "http://x", "eval-time": "yesterday"}),
            "eval-time",
        ),
    ] {
        let cfg: ProviderConfig = serde_json::from_value(bad).expect("cfg");
        let err =
            Prometheus::from_config("prom", &cfg, Http::new(Default::default()).expect("client"))
                .expect_err(msg);
        assert!(err.contains(msg), "{err}");
    }
}
