//! `checks::produced_labels` on whole runs of the pipeline.
use crate::checks::produced_labels::*;

fn p(q: &str) -> Produced {
    produced(&crate::formats::promql::parse(q).expect("parses"))
}

#[test]
fn labels_are_read_from_templates_using_every_prometheus_variable() {
    assert_eq!(
        crate::checks::produced_labels::labels_read(
            "{{ $labels.instance }} at {{ $value | humanize }} ({{ $externalLabels.cluster }})"
        ),
        ["instance"]
    );
}

#[test]
fn labels_the_expression_produces() {
    assert!(p("sum by (job) (rate(x[5m])) > 1").lacks("instance"));
    assert!(!p("sum by (job) (rate(x[5m])) > 1").lacks("job"));
    assert!(!p("rate(x[5m]) > 1").lacks("instance"));
    assert!(p("sum without (instance) (x)").lacks("instance"));
    assert!(!p("sum without (instance) (x)").lacks("job"));
    assert!(p("sum(x) > 0").lacks("job"));
    assert!(p("histogram_quantile(0.9, sum by (le, job) (rate(b[5m])))").lacks("le"));
    assert!(!p("histogram_quantile(0.9, sum by (le, job) (rate(b[5m])))").lacks("job"));
    assert!(!p("label_replace(sum(x), \"svc\", \"$1\", \"a\", \"(.*)\")").lacks("svc"));
    assert!(p("vector(1)").lacks("job"));
    assert!(!p("sum by (job) (x) / on (job) group_left (team) y").lacks("team"));
    assert!(!p("sum by (job) (x) or sum by (instance) (y)").lacks("instance"));
    assert!(p("sum by (job) (x) and on (job) y").lacks("instance"));
    // One-to-one `on (…)` keeps only the matching labels.
    assert!(p("rate(x[5m]) / on (job) rate(y[5m]) > 1").lacks("instance"));
    assert!(!p("rate(x[5m]) / on (job) rate(y[5m]) > 1").lacks("job"));
    assert!(p("rate(x[5m]) / ignoring (code) rate(y[5m])").lacks("code"));
    assert!(!p("rate(x[5m]) / rate(y[5m])").lacks("instance"));
    assert!(!p("absent(up{job=\"a\"})").lacks("job"));
    // Scalar arithmetic on either side keeps the vector's labels.
    assert!(!p("(86400 * 7) < x - time() < (86400 * 90)").lacks("subject"));
    assert!(
        !p("quantile_over_time(0.9, x[30m]) / quantile_over_time(0.9, x[30m] offset 1d) <= 0.5")
            .lacks("instance")
    );
}

#[test]
fn labels_read_by_templates() {
    assert_eq!(
        labels_read("{{ $labels.instance }} of {{ $labels.job }}"),
        ["instance", "job"]
    );
    assert_eq!(
        labels_read("{{ if $labels.pod }}{{ $labels.pod | toUpper }}{{ end }}"),
        ["pod"]
    );
    assert!(labels_read("{{ $value }}").is_empty());
}

#[test]
fn an_aggregated_away_label_is_reported_and_a_kept_one_is_not() {
    use crate::testutil::{findings, repo};
    let rules = "groups:\n- name: g\n  rules:\n  - alert: Errors\n    expr: sum by (job) (rate(errors_total[5m])) > 1\n    annotations:\n      summary: '{{ $labels.instance }} of {{ $labels.job }} fails'\n";
    let dir = repo(&[("rules.yaml", rules)]);
    let fs = findings(dir.path(), "alerts/template-labels");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(
        (fs[0].line, fs[0].level),
        (7, crate::finding::Level::Warning)
    );
    assert!(fs[0].message.contains("reads `$labels.instance`, which its expression cannot produce (its result carries only job)"), "{}", fs[0].message);
    let kept = rules.replace("by (job)", "by (job, instance)");
    let dir = repo(&[("rules.yaml", &kept)]);
    assert_eq!(findings(dir.path(), "alerts/template-labels"), vec![]);
}
