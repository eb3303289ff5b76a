//! `checks::slo` on whole runs of the pipeline.
use crate::finding::{Finding, Level};
use crate::testutil::{findings, fixtures, repo};

/// A Sloth file with one SLO per `(name, objective, error_query)`.
fn sloth(service: &str, slos: &[(&str, &str, &str)]) -> String {
    let mut s = format!("version: prometheus/v1\nservice: {service}\nslos:\n");
    for (name, objective, error_query) in slos {
        s.push_str(&format!(
            "  - name: {name}\n    objective: {objective}\n    sli:\n      events:\n        error_query: {error_query}\n        total_query: sum(rate(http_requests_total[{{{{.window}}}}]))\n    alerting:\n      name: {name}-alert\n"
        ));
    }
    s
}

const ERRORS: &str = r#"sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))"#;

fn lines(f: &[Finding]) -> Vec<(String, u32)> {
    f.iter().map(|f| (f.path.clone(), f.line)).collect()
}

#[test]
fn present() {
    let cfg = "services:\n  - {name: checkout, paths: [\"checkout/**\"]}\n  - {name: search, paths: [\"search/**\"]}\n";
    let body = sloth("checkout", &[("availability", "99.9", ERRORS)]);
    let dir = repo(&[("prr.yaml", cfg), ("checkout/slo.yaml", &body)]);
    let f = findings(dir.path(), "slo/present");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0].service.as_deref(), f[0].path.as_str(), f[0].line),
        (Some("search"), "", 0)
    );
    assert!(f[0].message.contains("service `search` has no SLO"));
    // An SLO outside the service's paths that names the service counts.
    let other = sloth("search", &[("availability", "99.9", ERRORS)]);
    let dir = repo(&[
        ("prr.yaml", cfg),
        ("checkout/slo.yaml", &body),
        ("shared/search.yaml", &other),
    ]);
    assert_eq!(findings(dir.path(), "slo/present"), vec![]);
    // No service declared: prr cannot know the SLOs are missing rather
    // than kept elsewhere — a notice, not an error.
    let dir = repo(&[(
        "deploy/app.yaml",
        "kind: ConfigMap\napiVersion: v1\nmetadata: {name: a}\n",
    )]);
    let f = findings(dir.path(), "slo/present");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].level, crate::finding::Level::Notice);
    assert!(
        f[0].message.contains("no service is declared"),
        "{}",
        f[0].message
    );
}

/// Sloth's own `validate` fixtures, one file per repository.
#[test]
fn sloth_validate_verdicts() {
    let base = fixtures().join("slo/sloth/test/integration/prometheus/testdata/validate");
    let family = [
        "slo/schema",
        "slo/objective-range",
        "slo/window",
        "slo/sli-query",
    ];
    // One repository per folder; each file is judged by its own findings.
    let verdict = |dir: &str| -> Vec<(String, Vec<Finding>)> {
        let mut files = Vec::new();
        for e in std::fs::read_dir(base.join(dir)).expect("dir").flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            files.push((name, std::fs::read_to_string(e.path()).expect("read")));
        }
        files.sort();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let tmp = repo(&refs);
        let all: Vec<Finding> = findings(tmp.path(), "")
            .into_iter()
            .filter(|f| family.contains(&f.rule.as_str()) && f.level == Level::Error)
            .collect();
        files
            .iter()
            .map(|(n, _)| {
                (
                    n.clone(),
                    all.iter().filter(|f| &f.path == n).cloned().collect(),
                )
            })
            .collect()
    };
    let good = verdict("good");
    assert_eq!(good.len(), 7);
    for (name, errs) in &good {
        assert!(errs.is_empty(), "{name}: {errs:?}");
    }
    let bad = verdict("bad");
    assert_eq!(bad.len(), 7);
    let at = |file: &str| -> Vec<(String, u32)> {
        bad.iter()
            .find(|(n, _)| n == file)
            .map(|(_, f)| f.iter().map(|f| (f.rule.clone(), f.line)).collect())
            .unwrap_or_default()
    };
    // objective: 101 (Sloth: objective must be > 0 and <= 100).
    for f in ["bad-aa.yaml", "bad-ab.yaml", "bad-ba.yaml"] {
        assert_eq!(at(f), vec![("slo/objective-range".to_string(), 28)], "{f}");
    }
    // service: "" (Sloth: invalid SLO service), reported once for the file.
    assert_eq!(at("bad-k8s.yaml"), vec![("slo/schema".to_string(), 7)]);
    // alerting.name: "" while the page alert is enabled.
    assert_eq!(
        at("bad-multi-k8s.yaml"),
        vec![("slo/schema".to_string(), 22)]
    );
    // sli: {} (Sloth: at least one SLI type is required).
    assert_eq!(at("bad-multi.yaml"), vec![("slo/schema".to_string(), 77)]);
    // bad-openslo.yaml differs from good-openslo.yaml only by a 28-day
    // window. Its `# BAD!` dates from Sloth versions that read only
    // 30-day OpenSLO windows; Sloth at the fixture commit ships the
    // google-28d alert windows and its OpenSLO loader test maps a 28-day
    // window, so the file is valid and prr reports nothing.
    assert_eq!(at("bad-openslo.yaml"), vec![]);
    assert_eq!(bad.iter().filter(|(_, f)| !f.is_empty()).count(), 6);
}

#[test]
fn schema_sloth_rules() {
    let body = "version: prometheus/v1\nservice: checkout\nslos:\n  - name: a\n    objective: 99.9\n    sli:\n      events:\n        error_query: sum(rate(x[5m]))\n        total_query: sum(rate(x[5m]))\n";
    let dir = repo(&[("slo.yaml", body)]);
    let f = findings(dir.path(), "slo/schema");
    let msgs: Vec<_> = f.iter().map(|f| (f.line, f.message.clone())).collect();
    // Single-character name, queries without {{.window}}, same queries, no alert name.
    assert!(
        msgs.iter()
            .any(|(l, m)| *l == 4 && m.contains("SLO name `a`")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|(l, m)| *l == 8 && m.contains("{{.window}}")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|(l, m)| *l == 9 && m.contains("same query")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|(l, m)| *l == 4 && m.contains("alerting.name")),
        "{msgs:?}"
    );
    let ok = sloth("checkout", &[("availability", "99.9", ERRORS)]);
    let dir = repo(&[("slo.yaml", &ok)]);
    assert_eq!(findings(dir.path(), "slo/schema"), vec![]);
}

#[test]
fn objective_range() {
    let body = sloth(
        "checkout",
        &[("availability", "100", ERRORS), ("latency", "99.5", ERRORS)],
    );
    let dir = repo(&[("slo.yaml", &body)]);
    let f = findings(dir.path(), "slo/objective-range");
    assert_eq!(lines(&f), vec![("slo.yaml".to_string(), 5)]);
    assert!(f[0].message.contains("objective `100`") && f[0].message.contains("no error budget"));
    // OpenSLO writes a ratio: 99.9 there is a percent by mistake.
    let o = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec:\n  service: s\n  indicator:\n    spec:\n      ratioMetric:\n        good: {metricSource: {type: Prometheus, spec: {query: sum(good)}}}\n        total: {metricSource: {type: Prometheus, spec: {query: sum(total)}}}\n  timeWindow: [{duration: 28d}]\n  objectives:\n    - target: 99.9\n";
    let dir = repo(&[("o.yaml", o)]);
    let f = findings(dir.path(), "slo/objective-range");
    assert_eq!(lines(&f), vec![("o.yaml".to_string(), 13)]);
    assert!(f[0].message.contains("`0.999`"), "{}", f[0].message);
}

#[test]
fn window() {
    let pyrra = |w: &str| {
        format!(
            "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {{name: a}}\nspec:\n  target: \"99\"\n{w}  indicator:\n    ratio:\n      errors: {{metric: 'x_total{{code=\"500\"}}'}}\n      total: {{metric: x_total}}\n"
        )
    };
    let dir = repo(&[
        ("ok.yaml", &pyrra("  window: 4w\n")),
        ("short.yaml", &pyrra("  window: 1d\n")),
        ("garbled.yaml", &pyrra("  window: 28days\n")),
        ("missing.yaml", &pyrra("")),
        (
            "sloth.yaml",
            &sloth("s", &[("availability", "99.9", ERRORS)]),
        ),
    ]);
    let f = findings(dir.path(), "slo/window");
    assert_eq!(
        lines(&f),
        vec![
            ("garbled.yaml".to_string(), 6),
            ("missing.yaml".to_string(), 1),
            ("short.yaml".to_string(), 6)
        ]
    );
    assert!(f[0].message.contains("`28days` ") && f[0].message.contains("does not parse"));
    assert!(f[2].message.contains("shorter than 7d"));
    // Parameters: a team that wants at least 30 days.
    let cfg = "rules:\n  slo/window:\n    with: {min: 30d}\n";
    let dir = repo(&[("prr.yaml", cfg), ("ok.yaml", &pyrra("  window: 4w\n"))]);
    let f = findings(dir.path(), "slo/window");
    assert_eq!(lines(&f), vec![("ok.yaml".to_string(), 6)]);
}

#[test]
fn sli_query() {
    let broken = r#"sum(rate(http_requests_total{code=~"5.."}[{{.window}}])"#;
    let body = sloth(
        "checkout",
        &[("availability", "99.9", ERRORS), ("broken", "99.9", broken)],
    );
    let dir = repo(&[("slo.yaml", &body)]);
    let f = findings(dir.path(), "slo/sli-query");
    assert_eq!(lines(&f), vec![("slo.yaml".to_string(), 16)]);
    assert_eq!(f[0].column, 22);
    assert!(
        f[0].message.contains("SLI `errors` query of SLO `broken`"),
        "{}",
        f[0].message
    );
}

#[test]
fn window_params_are_validated() {
    let doc = |t: &str| crate::yaml::parse_documents(t).expect("yaml").remove(0);
    let err = crate::checks::params::<crate::checks::slo::Window>(&doc("min: soon\n"))
        .expect_err("bad duration");
    assert!(err.contains("`soon` is not a duration"), "{err}");
    let p =
        crate::checks::params::<crate::checks::slo::Window>(&doc("max: 31d\n")).expect("params");
    assert_eq!((p.min.as_str(), p.max.as_str()), ("7d", "31d"));
    assert!(crate::checks::params::<crate::checks::slo::Coverage>(&doc("maximum: 3\n")).is_err());
}

/// The public examples of every format pass the definition checks.
#[test]
fn public_examples_pass() {
    let family = [
        "slo/schema",
        "slo/objective-range",
        "slo/window",
        "slo/sli-query",
    ];
    for d in ["openslo", "pyrra", "slo-generator", "sloth/examples"] {
        let f: Vec<Finding> = findings(&fixtures().join("slo").join(d), "")
            .into_iter()
            .filter(|f| family.contains(&f.rule.as_str()))
            .collect();
        assert_eq!(f, vec![], "{d}");
    }
}

#[test]
fn coverage_and_too_many() {
    let cfg = "services:\n  - {name: checkout, paths: [\"checkout/**\"], tier: critical}\n  - {name: search, paths: [\"search/**\"], tier: standard}\n";
    let avail = sloth("checkout", &[("requests-availability", "99.9", ERRORS)]);
    let search = sloth("search", &[("requests-availability", "99.9", ERRORS)]);
    let dir = repo(&[
        ("prr.yaml", cfg),
        ("checkout/slo.yaml", &avail),
        ("search/slo.yaml", &search),
    ]);
    let f = findings(dir.path(), "slo/coverage");
    assert_eq!(lines(&f), vec![("checkout/slo.yaml".to_string(), 4)]);
    assert!(
        f[0].message.contains("has no latency SLO"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].service.as_deref(), Some("checkout"));
    // A bucket query makes the second SLO a latency SLO.
    let lat = r#"sum(rate(http_request_duration_seconds_count[{{.window}}])) - sum(rate(http_request_duration_seconds_bucket{le="0.3"}[{{.window}}]))"#;
    let both = sloth(
        "checkout",
        &[
            ("requests-availability", "99.9", ERRORS),
            ("fast-requests", "99", lat),
        ],
    );
    let dir = repo(&[
        ("prr.yaml", cfg),
        ("checkout/slo.yaml", &both),
        ("search/slo.yaml", &search),
    ]);
    assert_eq!(findings(dir.path(), "slo/coverage"), vec![]);
    assert_eq!(findings(dir.path(), "slo/too-many"), vec![]);
    // Six SLOs: one too many (a warning).
    let names = ["a1", "a2", "a3", "a4", "a5", "a6"];
    let six: Vec<(&str, &str, &str)> = names.iter().map(|n| (*n, "99.9", ERRORS)).collect();
    let dir = repo(&[
        ("prr.yaml", cfg),
        ("checkout/slo.yaml", &both),
        ("search/slo.yaml", &sloth("search", &six)),
    ]);
    let f = findings(dir.path(), "slo/too-many");
    assert_eq!(lines(&f), vec![("search/slo.yaml".to_string(), 44)]);
    assert_eq!(f[0].level, Level::Warning);
    assert!(f[0].message.contains("has 6 SLOs, more than 5"));
}

#[test]
fn too_many_counts_per_named_service() {
    // A collection of several teams' Sloth files with no prr.yaml (one
    // implicit service): each `service:` keeps to five, so nothing fires.
    let slos = |prefix: &str, n: usize| -> Vec<(String, &str, &str)> {
        (1..=n)
            .map(|i| (format!("{prefix}-{i}"), "99.9", ERRORS))
            .collect()
    };
    let file = |service: &str, n: usize| {
        let list = slos(service, n);
        let refs: Vec<(&str, &str, &str)> =
            list.iter().map(|(a, b, c)| (a.as_str(), *b, *c)).collect();
        sloth(service, &refs)
    };
    let (a, b) = (file("checkout", 4), file("search", 4));
    let dir = repo(&[("slos/checkout.yaml", &a), ("slos/search.yaml", &b)]);
    let f = findings(dir.path(), "slo/too-many");
    assert!(f.is_empty(), "{f:?}");
    // Must fire: one named service with six, named in the message (not the
    // implicit service), at its sixth SLO.
    let many = file("checkout", 6);
    let dir = repo(&[("slos/checkout.yaml", &many), ("slos/search.yaml", &b)]);
    let f = findings(dir.path(), "slo/too-many");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].message
            .starts_with("service `checkout` has 6 SLOs, more than 5"),
        "{}",
        f[0].message
    );
    assert_eq!(lines(&f), [("slos/checkout.yaml".to_string(), 44)]);
}
