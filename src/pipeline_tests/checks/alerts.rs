//! Tests of the `alerts/…` checks.

use crate::checks::alerts::*;
use crate::checks::links::{Link, resolve_link};
use crate::finding::Finding;
use crate::testutil::{findings, fixtures, repo};
use std::collections::BTreeMap;

fn lines(fs: &[Finding]) -> Vec<(String, u32)> {
    fs.iter().map(|f| (f.path.clone(), f.line)).collect()
}

#[test]
fn durations_follow_prometheus() {
    for ok in ["0", "5m", "1h30m", "1y2w3d4h5m6s7ms", "90s"] {
        assert!(is_prometheus_duration(ok), "{ok}");
    }
    for bad in ["", "5", "30m1h", "1.5h", "-5m", "5 m", "5M"] {
        assert!(!is_prometheus_duration(bad), "{bad}");
    }
}

#[test]
fn links_resolve_relative_absolute_and_base_urls() {
    let mut base = BTreeMap::new();
    base.insert(
        "https://github.com/acme/shop/blob/main/".to_string(),
        String::new(),
    );
    base.insert(
        "https://docs.acme.dev/rb/".to_string(),
        "docs/runbooks".to_string(),
    );
    let repo_link = |p: &str, a: Option<&str>| Link::Repo {
        path: p.to_string(),
        anchor: a.map(str::to_string),
    };
    assert_eq!(
        resolve_link("deploy/alerts.yaml", "../runbooks/x.md#impact", &base),
        repo_link("runbooks/x.md", Some("impact"))
    );
    assert_eq!(
        resolve_link("deploy/alerts.yaml", "/runbooks/x.md", &base),
        repo_link("runbooks/x.md", None)
    );
    assert_eq!(
        resolve_link(
            "a.yaml",
            "https://github.com/acme/shop/blob/main/rb/My%20Alert.md",
            &base
        ),
        repo_link("rb/My Alert.md", None)
    );
    assert_eq!(
        resolve_link("a.yaml", "https://docs.acme.dev/rb/x.md?plain=1", &base),
        repo_link("docs/runbooks/x.md", None)
    );
    assert_eq!(
        resolve_link(
            "a.yaml",
            "https://runbooks.prometheus-operator.dev/x",
            &base
        ),
        Link::External
    );
    assert_eq!(
        resolve_link("deploy/a.yaml", "../../x.md", &base),
        Link::Escapes
    );
    // Encoded or backslashed `..` climbs too; nothing is read to decide.
    for link in [
        "%2e%2e/%2E%2E/etc/passwd",
        "..%2f..%2fetc/passwd",
        "..\\..\\etc\\passwd",
    ] {
        assert_eq!(
            resolve_link("deploy/a.yaml", link, &base),
            Link::Escapes,
            "{link}"
        );
    }
    // `file:` URLs name a path on one machine, never the repository.
    for link in [
        "file:///etc/passwd",
        "FILE:/etc/passwd",
        "file://host/x.md#a",
    ] {
        assert_eq!(resolve_link("a.yaml", link, &base), Link::FileUrl, "{link}");
    }
    // A scheme-relative URL is external, not a root-relative path.
    assert_eq!(
        resolve_link("a.yaml", "//runbooks.example.com/x.md", &base),
        Link::External
    );
    // An absolute path is relative to the repository root.
    assert_eq!(
        resolve_link("deploy/a.yaml", "/etc/passwd", &base),
        repo_link("etc/passwd", None)
    );
    assert_eq!(
        resolve_link(
            "deploy/a.yaml",
            "runbooks/{{ $labels.alertname }}.md",
            &base
        ),
        Link::RepoFolder("deploy/runbooks".to_string())
    );
    assert_eq!(
        resolve_link("a.yaml", "{{ $labels.runbook }}", &base),
        Link::External
    );
    base.insert("https://wiki.acme.dev/ops".to_string(), "ops".to_string());
    assert_eq!(
        resolve_link("a.yaml", "https://wiki.acme.dev/ops/x.md", &base),
        repo_link("ops/x.md", None)
    );
    assert_eq!(
        resolve_link("a.yaml", "https://wiki.acme.dev/opsx/y.md", &base),
        Link::External
    );
}

const PROM_TESTDATA: &str = "alerts/prometheus-rulefmt/model/rulefmt/testdata";

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixtures().join(PROM_TESTDATA).join(name)).expect("fixture")
}

fn fixture_repo(names: &[&str]) -> tempfile::TempDir {
    let texts: Vec<(String, String)> = names
        .iter()
        .map(|n| (n.to_string(), fixture_text(n)))
        .collect();
    let files: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    repo(&files)
}

#[test]
fn prometheus_bad_fixtures_each_fail_at_the_right_line() {
    // (file, line of its one alerts/parse finding, text in the message)
    let cases = [
        (
            "bad_expr.bad.yaml",
            5,
            "not valid PromQL: expected type matrix in call to function 'rate'",
        ),
        (
            "bad_field.bad.yaml",
            8,
            "unknown field `annotation` in a rule (did you mean `annotations`?)",
        ),
        ("duplicate_grp.bad.yaml", 3, "group name `yolo` is repeated"),
        ("invalid_label_name.bad.yaml", 7, "`__name__` is reserved"),
        ("invalid_record_name.bad.yaml", 4, "braces"),
        ("no_rec_alert.bad.yaml", 4, "neither `alert:` nor `record:`"),
        ("noexpr.bad.yaml", 4, "no `expr:`"),
        (
            "record_and_alert.bad.yaml",
            4,
            "both `record: Hi` and `alert: Hello`",
        ),
        ("record_and_for.bad.yaml", 6, "`for` is not allowed"),
        (
            "record_and_keep_firing_for.bad.yaml",
            6,
            "`keep_firing_for` is not allowed",
        ),
    ];
    // The files are independent for alerts/parse: check them in one run.
    let names: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let dir = fixture_repo(&names);
    let fs = findings(dir.path(), "alerts/parse");
    assert_eq!(fs.len(), cases.len(), "{fs:#?}");
    for (name, line, msg) in cases {
        let f: Vec<_> = fs.iter().filter(|f| f.path == name).collect();
        assert_eq!(f.len(), 1, "{name}: {f:#?}");
        assert_eq!(f[0].line, line, "{name}");
        assert!(f[0].message.contains(msg), "{name}: {}", f[0].message);
    }
}

#[test]
fn prometheus_good_fixtures_pass() {
    let names = [
        "test.yaml",
        "test_aliases.yaml",
        "utf-8_annotation.good.yaml",
        "utf-8_lname.good.yaml",
        "legacy_validation_annotation.good.yaml",
        // Identical to utf-8_annotation.good.yaml: bad only under legacy
        // name validation (see the next test), good in Prometheus 3.
        "legacy_validation_annotation.bad.yaml",
    ];
    let dir = fixture_repo(&names);
    let all = findings(dir.path(), "");
    let parse: Vec<_> = all
        .iter()
        .filter(|f| f.rule == "alerts/parse" || f.rule == "prr/parse-error")
        .collect();
    assert!(parse.is_empty(), "{parse:#?}");
    // The merge key `<<: *highalert` was applied: HighAlert2 inherited its severity.
    assert!(
        !all.iter()
            .any(|f| f.rule == "alerts/severity-label" && f.path == "test_aliases.yaml"),
        "{all:#?}"
    );
}

#[test]
fn legacy_name_validation_rejects_utf8_names() {
    let text = fixture_text("legacy_validation_annotation.bad.yaml");
    let cfg = "rules:\n  alerts/parse:\n    with: {name-validation: legacy}\n";
    let dir = repo(&[
        ("legacy_validation_annotation.bad.yaml", &text),
        ("prr.yaml", cfg),
    ]);
    let fs = findings(dir.path(), "alerts/parse");
    assert_eq!(
        lines(&fs),
        vec![("legacy_validation_annotation.bad.yaml".to_string(), 7)]
    );
    assert!(
        fs[0]
            .message
            .contains("invalid annotation name `ins-tance`"),
        "{}",
        fs[0].message
    );
    let good = fixture_text("legacy_validation_annotation.good.yaml");
    let dir = repo(&[("a.yaml", &good), ("prr.yaml", cfg)]);
    assert!(findings(dir.path(), "alerts/parse").is_empty());
}

#[test]
fn parse_structure_errors_inline() {
    let rules = "groups:\n- name: g\n  interval: 1m30\n  limit: ten\n  rules:\n  - alert: A\n    expr: up ==\n    for: 5mins\n    labels: [severity]\n  - alert: B\n    expr: up == 0\n    annotations:\n      summary: [a, b]\n- just-a-string\n";
    let dir = repo(&[
        ("alerts.yaml", rules),
        ("x.yaml", "groups: {a: 1}\nextra: 1\n"),
    ]);
    let got: Vec<(String, u32)> = lines(&findings(dir.path(), "alerts/parse"));
    let want: Vec<(String, u32)> = [
        ("alerts.yaml", 3),
        ("alerts.yaml", 4),
        ("alerts.yaml", 7),
        ("alerts.yaml", 8),
        ("alerts.yaml", 9),
        ("alerts.yaml", 13),
        ("alerts.yaml", 14),
        ("x.yaml", 1),
        ("x.yaml", 2),
    ]
    .iter()
    .map(|(p, l)| (p.to_string(), *l))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn prometheus_rule_object_is_validated_too() {
    let obj = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\nspec:\n  groups:\n  - name: g\n    partial_response_strategy: warn\n    rules:\n    - alert: A\n      expr: sum(rate(x[5m])\n";
    let dir = repo(&[("k8s/rules.yaml", obj)]);
    let fs = findings(dir.path(), "alerts/parse");
    assert_eq!(lines(&fs), vec![("k8s/rules.yaml".to_string(), 10)]);
}

const AWESOME: &str = "alerts/awesome-prometheus-alerts";

/// Counts `alert:` rules the plain way: YAML parse of every fixture file.
fn count_awesome_alerts() -> usize {
    let mut n = 0;
    let mut stack = vec![fixtures().join(AWESOME)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                let docs =
                    crate::yaml::parse_documents(&std::fs::read_to_string(&p).unwrap()).unwrap();
                for d in &docs {
                    for g in d.get("groups").map(|g| g.items()).unwrap_or_default() {
                        n += g
                            .get("rules")
                            .map(|r| {
                                r.items()
                                    .iter()
                                    .filter(|r| r.get("alert").is_some())
                                    .count()
                            })
                            .unwrap_or(0);
                    }
                }
            }
        }
    }
    n
}

#[test]
fn awesome_prometheus_alerts_parse_and_lack_runbooks() {
    let total = count_awesome_alerts();
    assert_eq!(total, 144, "alerts in the copied fixture files");
    let all = findings(&fixtures().join(AWESOME), "");
    let count = |id: &str| all.iter().filter(|f| f.rule == id).count();
    assert_eq!(count("alerts/parse"), 0);
    assert_eq!(count("prr/parse-error"), 0);
    assert_eq!(count("alerts/runbook-annotation"), total);
    // Every alert has a severity among critical/warning/info.
    assert_eq!(count("alerts/severity-label"), 0);
}

#[test]
fn duplicates_in_prometheus_test_file() {
    let dir = fixture_repo(&["test.yaml"]);
    let fs = findings(dir.path(), "alerts/duplicate");
    assert_eq!(
        lines(&fs),
        vec![
            ("test.yaml".to_string(), 26),
            ("test.yaml".to_string(), 40),
            ("test.yaml".to_string(), 55)
        ]
    );
    assert!(
        fs[0].message.contains("already defined at test.yaml:5"),
        "{}",
        fs[0].message
    );
    assert!(fs[0].message.contains("exact copy"), "{}", fs[0].message);
    // Same name, different labels: not a duplicate (Prometheus' own rules do this).
    let ok = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    labels: {severity: page}\n  - alert: A\n    expr: up == 0\n    labels: {severity: ticket}\n  - record: r\n    expr: sum(up)\n";
    let dir = repo(&[("a.yaml", ok)]);
    assert!(findings(dir.path(), "alerts/duplicate").is_empty());
}

#[test]
fn duplicate_recording_rule_across_files() {
    let a = "groups:\n- name: g\n  rules:\n  - record: job:up:sum\n    expr: sum by (job) (up)\n";
    let b = "groups:\n- name: h\n  rules:\n  - alert: X\n    expr: up == 0\n  - record: job:up:sum\n    expr: sum by (job) (up)\n";
    let dir = repo(&[("a.yaml", a), ("b.yaml", b)]);
    let fs = findings(dir.path(), "alerts/duplicate");
    assert_eq!(lines(&fs), vec![("b.yaml".to_string(), 6)]);
    assert!(fs[0].message.contains("a.yaml:4"), "{}", fs[0].message);
}

const SEV: &str = "groups:\n- name: g\n  rules:\n  - alert: NoSev\n    expr: up == 0\n  - alert: BadSev\n    expr: up == 0\n    labels:\n      severity: Critical\n  - alert: Good\n    expr: up == 0\n    labels: {severity: warning}\n- name: h\n  labels: {severity: page}\n  rules:\n  - alert: FromGroup\n    expr: up == 0\n";

#[test]
fn severity_label_missing_and_unknown() {
    // A configured list is enforced exactly, with a case hint.
    let cfg = "rules:\n  alerts/severity-label:\n    with: {allowed: [critical, warning, page]}\n";
    let dir = repo(&[("a.yaml", SEV), ("prr.yaml", cfg)]);
    let fs = findings(dir.path(), "alerts/severity-label");
    assert_eq!(
        lines(&fs),
        vec![("a.yaml".to_string(), 4), ("a.yaml".to_string(), 9)]
    );
    assert!(
        fs[1].message.contains("did you mean `critical`"),
        "{}",
        fs[1].message
    );
    let cfg = "rules:\n  alerts/severity-label:\n    with: {allowed: []}\n";
    let dir = repo(&[("a.yaml", SEV), ("prr.yaml", cfg)]);
    assert_eq!(
        lines(&findings(dir.path(), "alerts/severity-label")),
        vec![("a.yaml".to_string(), 4)]
    );
    // Without a list, the repository's own values are the vocabulary:
    // `Critical` is the only spelling here, so it is not a slip; the
    // missing label still is (3 of 4 alerts carry one).
    let dir = repo(&[("a.yaml", SEV)]);
    let fs = findings(dir.path(), "alerts/severity-label");
    assert_eq!(
        lines(&fs),
        vec![("".to_string(), 0), ("a.yaml".to_string(), 4)]
    );
    assert_eq!(fs[0].level, crate::finding::Level::Notice);
    assert!(fs[0].message.contains("Critical 1"), "{}", fs[0].message);
}

#[test]
fn repository_severity_vocabulary_is_accepted() {
    let alert = |name: &str, sev: &str| {
        format!("  - alert: {name}\n    expr: up == 0\n    labels: {{severity: {sev}}}\n")
    };
    // One scheme used everywhere (`high`/`medium`), a dead man's switch
    // with `none`: no errors, one notice naming the vocabulary.
    let mut rules = String::from("groups:\n- name: g\n  rules:\n");
    for i in 0..6 {
        rules += &alert(&format!("H{i}"), "high");
        rules += &alert(&format!("M{i}"), "medium");
    }
    rules += &alert("Watchdog", "none");
    let dir = repo(&[("a.yaml", &rules)]);
    let fs = findings(dir.path(), "alerts/severity-label");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0].level, crate::finding::Level::Notice);
    assert!(
        fs[0].message.contains("high 6, medium 6, none 1"),
        "{}",
        fs[0].message
    );
    // A slip of a common value is still an error, at its line.
    rules += &alert("Typo", "hihg");
    rules += &alert("Case", "High");
    let dir = repo(&[("a.yaml", &rules)]);
    let fs: Vec<_> = findings(dir.path(), "alerts/severity-label")
        .into_iter()
        .filter(|f| f.level == crate::finding::Level::Error)
        .collect();
    assert_eq!(
        lines(&fs),
        vec![("a.yaml".to_string(), 45), ("a.yaml".to_string(), 48)]
    );
    assert!(
        fs[0].message.contains("slip of `high`"),
        "{}",
        fs[0].message
    );
    // A repository that does not route on severity: a missing label is
    // not reported.
    let few = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    labels: {team: a}\n  - alert: B\n    expr: up == 0\n    labels: {team: b}\n  - alert: C\n    expr: up == 0\n    labels: {severity: warning}\n";
    // A non-production environment's alert without the label: counted.
    let mut dev = String::from("groups:\n- name: g\n  rules:\n");
    for i in 0..3 {
        dev += &alert(&format!("A{i}"), "team-a");
    }
    dev += "  - alert: NoSev\n    expr: up == 0\n";
    let dir = repo(&[
        ("ns/shop-dev/rules.yaml", &dev),
        ("ns/shop-prod/rules.yaml", &dev),
    ]);
    let fs = findings(dir.path(), "alerts/severity-label");
    let errors: Vec<_> = fs
        .iter()
        .filter(|f| f.level == crate::finding::Level::Error)
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(errors, vec!["ns/shop-prod/rules.yaml"], "{fs:#?}");
    assert!(
        fs.iter()
            .any(|f| f.message.contains("non-production environments (dev 1)"))
    );
    let dir = repo(&[("a.yaml", few)]);
    let errors = findings(dir.path(), "alerts/severity-label")
        .into_iter()
        .filter(|f| f.level == crate::finding::Level::Error)
        .count();
    assert_eq!(errors, 0);
}

#[test]
fn runbook_annotation_required() {
    let rules = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n      runbook_url: https://runbooks.acme.dev/a\n  - alert: B\n    expr: up == 0\n    annotations:\n      runbook: runbooks/b.md\n  - alert: C\n    expr: up == 0\n    annotations:\n      runbook_url: \"\"\n  - alert: D\n    expr: up == 0\n  - record: r\n    expr: sum(up)\n";
    let dir = repo(&[("a.yaml", rules)]);
    let fs = findings(dir.path(), "alerts/runbook-annotation");
    assert_eq!(
        lines(&fs),
        vec![("a.yaml".to_string(), 15), ("a.yaml".to_string(), 16)]
    );
    assert!(
        fs[0].message.contains("empty `runbook_url`"),
        "{}",
        fs[0].message
    );
}

#[test]
fn non_paging_alerts_of_non_production_environments_are_counted() {
    let obj = |ns: &str| {
        format!(
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {{name: r, namespace: {ns}}}\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: Quota\n      expr: up == 0\n      labels: {{severity: shop-channel}}\n"
        )
    };
    let (dev, prod) = (obj("shop-dev"), obj("shop-prod"));
    let dir = repo(&[
        ("ns/shop-dev/rules.yaml", &dev),
        ("ns/shop-prod/rules.yaml", &prod),
    ]);
    let fs = findings(dir.path(), "alerts/runbook-annotation");
    let shown: Vec<(String, u32, crate::finding::Level)> = fs
        .iter()
        .map(|f| (f.path.clone(), f.line, f.level))
        .collect();
    assert_eq!(
        shown,
        vec![
            ("".to_string(), 0, crate::finding::Level::Notice),
            (
                "ns/shop-prod/rules.yaml".to_string(),
                8,
                crate::finding::Level::Warning
            ),
        ],
        "{fs:#?}"
    );
    assert!(fs[0].message.contains("(dev 1)"), "{}", fs[0].message);
    let cfg =
        "rules:\n  alerts/runbook-annotation:\n    with: {non-production-environments: true}\n";
    let dir = repo(&[
        ("ns/shop-dev/rules.yaml", &dev),
        ("ns/shop-prod/rules.yaml", &prod),
        ("prr.yaml", cfg),
    ]);
    assert_eq!(findings(dir.path(), "alerts/runbook-annotation").len(), 2);
}

#[test]
fn alerts_that_page_nobody_are_counted_in_one_notice() {
    let rules = "groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n    labels: {severity: critical}\n  - alert: Slow\n    expr: up == 0\n    labels: {severity: warning}\n";
    // Must not report one by one: the repository's Alertmanager has no
    // receiver that can page.
    let chat = "route: {receiver: chat}\nreceivers:\n- name: chat\n  slack_configs: [{channel: '#alerts'}]\n";
    let dir = repo(&[("rules.yaml", rules), ("alertmanager.yml", chat)]);
    let fs = findings(dir.path(), "alerts/runbook-annotation");
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0].level, crate::finding::Level::Notice);
    assert_eq!(fs[0].path, "alertmanager.yml");
    assert!(
        fs[0].message.starts_with("2 alerts without"),
        "{}",
        fs[0].message
    );
    // Must fire: a PagerDuty route for critical makes `Down` page, and
    // `Slow` (routed to chat) is a warning of its own.
    let paged = "route:\n  receiver: chat\n  routes: [{matchers: [severity=critical], receiver: pager}]\nreceivers:\n- name: chat\n  slack_configs: [{channel: '#alerts'}]\n- name: pager\n  pagerduty_configs: [{routing_key_file: /k}]\n";
    let dir = repo(&[("rules.yaml", rules), ("alertmanager.yml", paged)]);
    let fs = findings(dir.path(), "alerts/runbook-annotation");
    let levels: Vec<_> = fs.iter().map(|f| (f.line, f.level)).collect();
    assert_eq!(
        levels,
        vec![
            (4, crate::finding::Level::Error),
            (7, crate::finding::Level::Warning)
        ],
        "{fs:#?}"
    );
}

#[test]
fn runbook_links_resolve() {
    let rules = "groups:\n- name: g\n  rules:\n  - alert: Ok\n    expr: up == 0\n    annotations:\n      runbook_url: ../runbooks/high-errors.md#diagnosis\n  - alert: Missing\n    expr: up == 0\n    annotations:\n      runbook_url: ../runbooks/nope.md\n  - alert: BadAnchor\n    expr: up == 0\n    annotations:\n      runbook_url: /runbooks/high-errors.md#escalation\n  - alert: ViaBase\n    expr: up == 0\n    annotations:\n      runbook_url: https://github.com/acme/shop/blob/main/runbooks/high-errors.md#what-it-means\n  - alert: Escapes\n    expr: up == 0\n    annotations:\n      runbook_url: ../../../etc/passwd\n  - alert: External\n    expr: up == 0\n    annotations:\n      runbook_url: https://runbooks.prometheus-operator.dev/runbooks/x\n  - alert: Templated\n    expr: up == 0\n    annotations:\n      runbook_url: /missing/{{ $labels.alertname }}.md\n";
    let md = "# High errors\n\n## What it means\n\n## Diagnosis\n";
    let cfg = "rules:\n  alerts/runbook-resolves:\n    with:\n      base-urls: {\"https://github.com/acme/shop/blob/main/\": \"\"}\n";
    let dir = repo(&[
        ("deploy/alerts.yaml", rules),
        ("runbooks/high-errors.md", md),
        ("prr.yaml", cfg),
    ]);
    let fs = findings(dir.path(), "alerts/runbook-resolves");
    let l: Vec<u32> = fs.iter().map(|f| f.line).collect();
    assert_eq!(l, vec![11, 15, 23, 31], "{fs:#?}");
    // Other template delimiters are unresolved values too, not files.
    let vars = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    annotations:\n      runbook_url: ${RUNBOOK_BASE}/a.md\n  - alert: B\n    expr: up == 0\n    annotations:\n      runbook_url: \"[[ .RunbookURL ]]\"\n";
    let d2 = repo(&[("deploy/alerts.yaml", vars)]);
    assert!(findings(d2.path(), "alerts/runbook-resolves").is_empty());
    assert!(
        fs[0].message.contains("no file `runbooks/nope.md`"),
        "{}",
        fs[0].message
    );
    assert!(
        fs[1].message.contains("#what-it-means, #diagnosis"),
        "{}",
        fs[1].message
    );
    assert!(
        fs[2].message.contains("repository root"),
        "{}",
        fs[2].message
    );
    assert!(
        fs[3].message.contains("folder `missing/`"),
        "{}",
        fs[3].message
    );
}

#[test]
fn for_on_paging_alerts() {
    let rules = "groups:\n- name: g\n  rules:\n  - alert: NoFor\n    expr: up == 0\n    labels: {severity: critical}\n  - alert: Short\n    expr: up == 0\n    for: 30s\n    labels: {severity: page}\n  - alert: Fine\n    expr: up == 0\n    for: 5m\n    labels: {severity: critical}\n  - alert: Ticket\n    expr: up == 0\n    labels: {severity: warning}\n  - alert: BurnRate\n    expr: slo:sli_error:ratio_rate5m > (14.4 * 0.001) and slo:sli_error:ratio_rate1h > (14.4 * 0.001)\n    labels: {severity: critical}\n";
    // The repository uses `page`: that is what pages, not `critical`.
    let dir = repo(&[("a.yaml", rules)]);
    let fs = findings(dir.path(), "alerts/for");
    assert_eq!(lines(&fs), vec![("a.yaml".to_string(), 9)]);
    assert!(
        fs[0].message.contains("for: 30s") && fs[0].message.contains("2m"),
        "{}",
        fs[0].message
    );
    assert!(
        fs[0]
            .message
            .contains("inferred from this repository's severity values"),
        "{}",
        fs[0].message
    );
    // Configured paging values: both page, and the message says so.
    let cfg = "rules:\n  alerts/for:\n    with: {page-severities: [critical, page]}\n";
    let dir = repo(&[("a.yaml", rules), ("prr.yaml", cfg)]);
    let fs = findings(dir.path(), "alerts/for");
    assert_eq!(
        lines(&fs),
        vec![("a.yaml".to_string(), 4), ("a.yaml".to_string(), 9)]
    );
    assert!(
        fs[0].message.contains("in page-severities"),
        "{}",
        fs[0].message
    );
    let cfg = "rules:\n  alerts/for:\n    with: {min: 10m, page-severities: [critical, page]}\n";
    let dir = repo(&[("a.yaml", rules), ("prr.yaml", cfg)]);
    assert_eq!(findings(dir.path(), "alerts/for").len(), 3);
    // A critical/warning scheme without `page`: critical pages.
    let no_page = rules.replace("severity: page", "severity: critical");
    let dir = repo(&[("a.yaml", &no_page)]);
    assert_eq!(
        lines(&findings(dir.path(), "alerts/for")),
        vec![("a.yaml".to_string(), 4), ("a.yaml".to_string(), 9)]
    );
}

#[test]
fn cause_based_pages() {
    let rules = "groups:\n- name: g\n  rules:\n  - alert: HostHighCpuLoad\n    expr: 1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m])) > 0.9\n    labels: {severity: critical}\n  - alert: DiskFull\n    expr: node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.1\n    labels: {severity: warning}\n  - alert: HighErrors\n    expr: sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m])) > 0.05\n    labels: {severity: critical}\n  - alert: Mem\n    expr: container_memory_working_set_bytes > 1e9\n    labels: {severity: page}\n";
    // `page` is used here, so it alone pages.
    let dir = repo(&[("a.yaml", rules)]);
    assert_eq!(
        lines(&findings(dir.path(), "alerts/cause-based-page")),
        vec![("a.yaml".to_string(), 14)]
    );
    let cfg = "rules:\n  alerts/cause-based-page:\n    with: {page-severities: [critical, page]}\n";
    let dir = repo(&[("a.yaml", rules), ("prr.yaml", cfg)]);
    let fs = findings(dir.path(), "alerts/cause-based-page");
    assert_eq!(
        lines(&fs),
        vec![("a.yaml".to_string(), 5), ("a.yaml".to_string(), 14)]
    );
    assert!(
        fs[0].message.contains("node_cpu_seconds_total"),
        "{}",
        fs[0].message
    );
}

#[test]
fn cause_based_page_on_awesome_rules_and_params() {
    // Of the critical alerts in the real node-exporter rules, the disk
    // space and inode ones read only filesystem usage; the device-error
    // alert is a fault, not usage, and is not reported.
    let all = findings(&fixtures().join(AWESOME), "alerts/cause-based-page");
    let got: Vec<(&str, u32)> = all
        .iter()
        .map(|f| (f.path.rsplit('/').next().unwrap_or(""), f.line))
        .collect();
    assert_eq!(
        got,
        vec![("node-exporter.yml", 68), ("node-exporter.yml", 89)]
    );
    assert!(
        all[0].message.contains("HostOutOfDiskSpace"),
        "{}",
        all[0].message
    );
    // A bad regex is a configuration error at load time (exit 2), not a silent skip.
    let cfg = "rules:\n  alerts/cause-based-page:\n    with: {cause-metrics: [\"(\"]}\n";
    let dir = repo(&[("prr.yaml", cfg)]);
    let err = crate::analyze(dir.path(), None)
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(err.contains("invalid regex"), "{err}");
}
