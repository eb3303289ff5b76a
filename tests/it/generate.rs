//! `prr generate alerts` and `prr init` (issue 6, items 6 and 7).
//!
//! The generated rules are checked by the real `promtool` (`check rules`,
//! and `test rules` with synthetic series: a fast burn pages, a slow burn
//! opens a ticket only, a healthy service fires nothing), compared with
//! Sloth's own generated rules for the same SLOs (windows, factors and
//! thresholds, not text), and `prr init`'s output passes `prr check`.
//!
//! Needs `promtool` for the promtool tests (`.ci/install-prometheus.sh`).
//! Without it those tests are skipped, except with `CI=true`, where they fail.

use crate::support::prr_output;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/generate")
        .join(rel)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// `prr generate alerts FILE [extra]` run in `dir`: the rules, asserting exit 0.
fn generate(file: &Path, extra: &[&str], dir: &Path) -> String {
    let f = file.to_string_lossy().to_string();
    let mut args = vec!["generate", "alerts", f.as_str()];
    args.extend_from_slice(extra);
    let out = prr_output(dir, &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "prr {args:?}: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// YAML text → JSON (through prr's own YAML reader).
fn yaml_json(s: &str) -> Value {
    let docs = prr::yaml::parse_documents(s).expect("generated YAML parses");
    assert_eq!(docs.len(), 1);
    docs[0].to_json()
}

/// Fails the test when `promtool` is missing (the tests that call it are
/// `#[ignore = "needs promtool"]`: `cargo test -- --include-ignored` runs them).
fn require_promtool() {
    let ok = Command::new("promtool")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "this test needs promtool (not found on PATH): install with `bash .ci/install-prometheus.sh` \
         (Debian package `prometheus`), or run plain `cargo test` to skip it (listed as ignored)"
    );
}

fn promtool(args: &[&str], dir: &Path) -> Output {
    Command::new("promtool")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run promtool")
}

/// The SLO files generated from in the promtool tests, with their SLO count.
const INPUTS: [(&str, usize); 4] = [
    ("sloth/getting-started.yml", 1),
    ("sloth/home-wifi.yml", 2),
    ("openslo/checkout.yaml", 2),
    ("pyrra/slo-coredns-response-errors.yaml", 1),
];

#[test]
#[ignore = "needs promtool (bash .ci/install-prometheus.sh); run with --include-ignored"]
fn promtool_accepts_both_kinds() {
    require_promtool();
    let tmp = tempfile::tempdir().expect("tempdir");
    for (input, slos) in INPUTS {
        let rules = generate(&fixture(input), &[], tmp.path());
        let want = format!("SUCCESS: {} rules found", slos * 9);
        std::fs::write(tmp.path().join("rules.yaml"), &rules).expect("write");
        let out = promtool(&["check", "rules", "rules.yaml"], tmp.path());
        assert!(
            out.status.success() && text(&out.stdout).contains(&want),
            "{input}: {}{}\n{rules}",
            text(&out.stdout),
            text(&out.stderr)
        );
        // The PrometheusRule: its `spec` is a rule file.
        let obj = yaml_json(&generate(
            &fixture(input),
            &["--kind", "prometheusrule"],
            tmp.path(),
        ));
        assert_eq!(obj["apiVersion"], "monitoring.coreos.com/v1");
        assert_eq!(obj["kind"], "PrometheusRule");
        let spec = serde_json::to_string(&obj["spec"]).expect("json");
        std::fs::write(tmp.path().join("spec.yaml"), spec).expect("write");
        let out = promtool(&["check", "rules", "spec.yaml"], tmp.path());
        assert!(
            out.status.success() && text(&out.stdout).contains(&want),
            "{input} (PrometheusRule spec): {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        // Same groups either way.
        assert_eq!(obj["spec"], yaml_json(&rules));
    }
}

const SHOP_SLO: &str = r#"version: "prometheus/v1"
service: "shop"
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="shop",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="shop"}[{{.window}}]))
    alerting:
      name: ShopHighErrorRate
"#;

const FAST: &str = "ShopRequestsAvailabilityFastBurn";
const SLOW: &str = "ShopRequestsAvailabilitySlowBurn";

/// The annotations promtool should report for `alert`, from the generated
/// rules, with `$value` (the long window's error ratio) humanised.
fn annotations(rules: &Value, alert: &str, value: &str) -> Value {
    let rule = rules["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["rules"].as_array().into_iter().flatten())
        .find(|r| r["alert"] == alert)
        .unwrap_or_else(|| panic!("no alert {alert}"));
    let mut a = rule["annotations"].clone();
    if let Some(m) = a.as_object_mut() {
        for v in m.values_mut() {
            if let Some(s) = v.as_str() {
                *v = Value::String(s.replace("{{ $value | humanizePercentage }}", value));
            }
        }
    }
    a
}

#[test]
#[ignore = "needs promtool (bash .ci/install-prometheus.sh); run with --include-ignored"]
fn promtool_unit_tests_fire_the_right_alerts() {
    require_promtool();
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("slo.yml"), SHOP_SLO).expect("write");
    let rules = generate(Path::new("slo.yml"), &[], tmp.path());
    std::fs::write(tmp.path().join("rules.yaml"), &rules).expect("write");
    let rules = yaml_json(&rules);
    let labels = |sev: &str| serde_json::json!({"severity": sev, "service": "shop", "slo": "requests-availability"});
    let series = |good: &str, bad: &str| {
        serde_json::json!([
            {"series": "http_requests_total{job=\"shop\",code=\"200\"}", "values": good},
            {"series": "http_requests_total{job=\"shop\",code=\"500\"}", "values": bad},
        ])
    };
    let check = |at: &str, alert: &str, fires: Option<(&str, &str)>| {
        serde_json::json!({
            "eval_time": at,
            "alertname": alert,
            "exp_alerts": match fires {
                Some((sev, value)) => serde_json::json!([{
                    "exp_labels": labels(sev),
                    "exp_annotations": annotations(&rules, alert, value),
                }]),
                None => serde_json::json!([]),
            },
        })
    };
    let tests = serde_json::json!({
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "5m",
        "tests": [
            // Healthy: 0.01 % errors (a tenth of the 0.1 % budget) for 3 days.
            {"interval": "5m",
             "input_series": series("0+49995x864", "0+5x864"),
             "alert_rule_test": [
                check("1h", FAST, None), check("1h", SLOW, None),
                check("3d", FAST, None), check("3d", SLOW, None)]},
            // Fast burn: 2 healthy days, then every request fails for an
            // hour (the 200s counter stays flat): quiet before, a page after.
            // Checked one step after the hour: the alert may read the
            // recording rules of the previous evaluation (another group), and
            // by then their 1h window holds only failures either way.
            {"interval": "5m",
             "input_series": series("0+5000x576 2880000+0x13", "0+0x576 0+5000x13"),
             "alert_rule_test": [
                check("2d", FAST, None), check("2d", SLOW, None),
                check("2d1h5m", FAST, Some(("page", "100%")))]},
            // Slow burn: 0.4 % errors (4× the budget) for a day: over 3× on
            // 1d and 2h, under 6× on 6h and 14.4× on 1h: a ticket, no page.
            {"interval": "5m",
             "input_series": series("0+4980x300", "0+20x300"),
             "alert_rule_test": [
                check("1d", FAST, None), check("1d", SLOW, Some(("ticket", "0.4%")))]},
        ],
    });
    let tests_text = serde_json::to_string_pretty(&tests).expect("json");
    std::fs::write(tmp.path().join("test.yaml"), tests_text).expect("write");
    let out = promtool(&["test", "rules", "test.yaml"], tmp.path());
    assert!(
        out.status.success(),
        "promtool test rules: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // The test can fail: against rules for a 99 % SLO (thresholds 10×
    // higher) 0.4 % errors open no ticket, and promtool reports it.
    let lax = SHOP_SLO.replace("objective: 99.9", "objective: 99");
    std::fs::write(tmp.path().join("slo.yml"), lax).expect("write");
    let rules = generate(Path::new("slo.yml"), &[], tmp.path());
    std::fs::write(tmp.path().join("rules.yaml"), &rules).expect("write");
    let out = promtool(&["test", "rules", "test.yaml"], tmp.path());
    let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success(), "{report}");
    assert!(
        report.contains(&format!("alertname: {SLOW}, time: 1d")),
        "{report}"
    );
}

/// `(severity, long window, short window, factor)` and the thresholds of
/// every burn-rate condition in a rule file, from the alert expressions:
/// `ratio_rate<W>{…} > (F * B)` (Sloth) or `> (F * (1 - O))` (prr).
fn conditions(rules: &Value) -> BTreeSet<(String, String, String, String, String, String)> {
    let re = regex::Regex::new(
        r"slo:sli_error:ratio_rate(\w+)\{([^}]*)\} > \(([\d.]+) \* (?:\(1 - ([\d.]+)\)|([\d.]+))\)",
    )
    .expect("regex");
    let slo_re = regex::Regex::new(r#"(?:sloth_slo|\bslo)="([^"]+)""#).expect("regex");
    let mut out = BTreeSet::new();
    let alerts = rules["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["rules"].as_array().into_iter().flatten())
        .filter(|r| r.get("alert").is_some());
    for r in alerts {
        let sev = r["labels"]["sloth_severity"]
            .as_str()
            .or(r["labels"]["severity"].as_str())
            .unwrap_or("")
            .to_string();
        let expr = r["expr"].as_str().unwrap_or("");
        // Each `( A and B )` block: two windows, one threshold.
        for block in expr.split(" or ").flat_map(|b| b.split("\nor\n")) {
            let caps: Vec<_> = re.captures_iter(block).collect();
            assert_eq!(caps.len(), 2, "two windows per condition: {block}");
            let secs = |c: &regex::Captures| prr::formats::parse_duration(&c[1]).expect("window");
            let (long, short) = if secs(&caps[0]) > secs(&caps[1]) {
                (&caps[0], &caps[1])
            } else {
                (&caps[1], &caps[0])
            };
            let factor: f64 = long[3].parse().expect("factor");
            let budget: f64 = match (long.get(4), long.get(5)) {
                (Some(o), _) => 1.0 - o.as_str().parse::<f64>().expect("objective"),
                (None, Some(b)) => b.as_str().parse().expect("budget"),
                _ => panic!("threshold"),
            };
            let slo = slo_re
                .captures(&long[2])
                .map(|c| c[1].to_string())
                .expect("slo label");
            out.insert((
                slo,
                sev.clone(),
                long[1].to_string(),
                short[1].to_string(),
                format!("{factor}"),
                format!("{:.9}", factor * budget),
            ));
        }
    }
    out
}

#[test]
fn same_windows_factors_and_thresholds_as_sloth() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for name in ["getting-started.yml", "home-wifi.yml"] {
        let sloth_gen =
            std::fs::read_to_string(fixture(&format!("sloth/_gen/{name}"))).expect("fixture");
        let theirs = conditions(&yaml_json(&sloth_gen));
        let ours = conditions(&yaml_json(&generate(
            &fixture(&format!("sloth/{name}")),
            &[],
            tmp.path(),
        )));
        assert_eq!(ours, theirs, "{name}");
        // 4 conditions per SLO: the comparison is not vacuous.
        let slos: BTreeSet<_> = ours.iter().map(|c| c.0.clone()).collect();
        assert_eq!(ours.len(), 4 * slos.len(), "{ours:?}");
    }
    // The page/1h/5m row of getting-started, spelt out.
    let ours = conditions(&yaml_json(&generate(
        &fixture("sloth/getting-started.yml"),
        &[],
        tmp.path(),
    )));
    assert!(ours.contains(&(
        "requests-availability".to_string(),
        "page".to_string(),
        "1h".to_string(),
        "5m".to_string(),
        "14.4".to_string(),
        "0.014400000".to_string()
    )));
}

#[test]
fn output_is_stable_and_says_where_it_comes_from() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        fixture("openslo/checkout.yaml"),
        tmp.path().join("slo.yaml"),
    )
    .expect("copy");
    let a = generate(Path::new("slo.yaml"), &[], tmp.path());
    let b = generate(
        Path::new("slo.yaml"),
        &[
            "--output",
            "out/rules.yaml",
            "--runbook-url",
            "https://runbooks.example/{service}/{slo}",
        ],
        tmp.path(),
    );
    assert_eq!(b, "", "--output writes nothing to stdout");
    let c = std::fs::read_to_string(tmp.path().join("out/rules.yaml")).expect("written");
    assert!(
        a.starts_with("# Generated by prr ") && a.contains(" from slo.yaml."),
        "{a}"
    );
    assert_eq!(a, generate(Path::new("slo.yaml"), &[], tmp.path()));
    // Only the runbook links differ.
    assert_eq!(
        c.replace("https://runbooks.example/checkout/", "runbooks/checkout-"),
        a.replace("-requests-availability.md", "-requests-availability")
            .replace("-requests-latency.md", "-requests-latency")
    );
    // Sorted: availability before latency; recording rules from 5m to 3d.
    let rules = yaml_json(&a);
    let groups: Vec<&str> = rules["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(
        groups,
        vec![
            "prr-slo-recordings-checkout-requests-availability",
            "prr-slo-alerts-checkout-requests-availability",
            "prr-slo-recordings-checkout-requests-latency",
            "prr-slo-alerts-checkout-requests-latency"
        ]
    );
    let records: Vec<&str> = rules["groups"][0]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["record"].as_str())
        .collect();
    assert_eq!(
        records,
        ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
            .map(|w| format!("slo:sli_error:ratio_rate{w}"))
            .to_vec()
    );
    let page = &rules["groups"][1]["rules"][0];
    assert_eq!(page["alert"], "CheckoutRequestsAvailabilityFastBurn");
    assert_eq!(
        page["labels"],
        serde_json::json!({"severity": "page", "service": "checkout", "slo": "requests-availability"})
    );
    assert_eq!(
        page["annotations"]["runbook_url"],
        "runbooks/checkout-requests-availability.md"
    );
    assert_eq!(
        rules["groups"][1]["rules"][1]["labels"]["severity"],
        "ticket"
    );
}

/// `prr check DIR --format json`: exit code and the rule ids of the findings.
fn check(dir: &Path) -> (Option<i32>, Vec<String>) {
    let d = dir.to_string_lossy().to_string();
    let out = prr_output(dir, &["check", &d, "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
    let rules = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["level"] != "notice")
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap_or(""),
                f["path"].as_str().unwrap_or("")
            )
        })
        .collect();
    (out.status.code(), rules)
}

/// A period other than 30 days: the factors follow the budget shares (Sloth's
/// 28-day catalogue, the slow ticket floored at 1) and prr's own
/// `alerts/burn-rate` accepts the result.
#[test]
fn other_periods_pass_prrs_burn_rate_check() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let slo = std::fs::read_to_string(fixture("openslo/checkout.yaml"))
        .expect("fixture")
        .replace("duration: 30d", "duration: 28d");
    std::fs::write(tmp.path().join("slo.yaml"), slo).expect("write");
    let rules = generate(Path::new("slo.yaml"), &[], tmp.path());
    let conds = conditions(&yaml_json(&rules));
    let factors: BTreeSet<(String, String)> =
        conds.iter().map(|c| (c.2.clone(), c.4.clone())).collect();
    assert_eq!(
        factors,
        [("1h", "13.44"), ("6h", "5.6"), ("1d", "2.8"), ("3d", "1")]
            .map(|(w, f)| (w.to_string(), f.to_string()))
            .into()
    );
    std::fs::write(tmp.path().join("rules.yaml"), rules).expect("write");
    let (_, findings) = check(tmp.path());
    assert!(
        !findings.iter().any(|f| f.starts_with("alerts/burn-rate")),
        "{findings:?}"
    );
    // Without the rules the SLOs have no burn-rate alerts (the check is live).
    std::fs::remove_file(tmp.path().join("rules.yaml")).expect("rm");
    let (_, findings) = check(tmp.path());
    assert_eq!(
        findings
            .iter()
            .filter(|f| f.starts_with("alerts/burn-rate"))
            .count(),
        4,
        "{findings:?}"
    );
}

#[test]
fn unsupported_slo_files_exit_2_naming_the_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cases: [(&str, &[&str]); 3] = [
        (
            "openslo/v1alpha-slos.yaml",
            &[
                "SLO `web-latency-threshold`: its SLI is a threshold metric",
                "SLO `web-availability-ratio`: its SLI reads a `datadog` source",
            ],
        ),
        ("openslo/v1-slos.yaml", &["has no range selector"]),
        ("sloth/_gen/getting-started.yml", &["no SLO found"]),
    ];
    for (file, wants) in cases {
        let path = fixture(file);
        let out = prr_output(
            tmp.path(),
            &[
                "generate",
                "alerts",
                &path.to_string_lossy(),
                "-o",
                "rules.yaml",
            ],
        );
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(&*path.to_string_lossy()), "{file}: {err}");
        for w in wants {
            assert!(err.contains(w), "{file}: want {w:?} in {err}");
        }
        assert!(!tmp.path().join("rules.yaml").exists(), "nothing written");
    }
    let out = prr_output(tmp.path(), &["generate", "alerts", "missing.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing.yaml"));
}

#[test]
fn init_passes_prr_check() {
    for (format, tier, slos) in [
        ("openslo", "standard", 1),
        ("sloth", "standard", 1),
        ("openslo", "critical", 2),
        ("sloth", "critical", 2),
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("svc");
        let r = root.to_string_lossy().to_string();
        let out = prr_output(
            tmp.path(),
            &[
                "init",
                "--service",
                "payments",
                "--slo-format",
                format,
                "--tier",
                tier,
                &r,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let listed = text(&out.stdout);
        let mut files = vec![
            "prr.yaml".to_string(),
            "slo/payments.yaml".to_string(),
            "alerts/payments-slo-burn-rate.yaml".to_string(),
            "runbooks/payments-requests-availability.md".to_string(),
            "deploy/payments-pdb.yaml".to_string(),
        ];
        if slos == 2 {
            files.push("runbooks/payments-requests-latency.md".to_string());
        }
        for f in &files {
            assert!(root.join(f).is_file(), "{f}");
            assert!(
                listed.contains(&root.join(f).display().to_string()),
                "{listed}"
            );
        }
        let (code, findings) = check(&root);
        assert_eq!(
            (code, findings.clone()),
            (Some(0), vec![]),
            "{format} {tier}"
        );
        // init == generate: the alerts file is what `generate alerts` writes.
        let again = generate(
            Path::new("slo/payments.yaml"),
            &["--runbook-url", "../runbooks/{service}-{slo}.md"],
            &root,
        );
        assert_eq!(
            std::fs::read_to_string(root.join("alerts/payments-slo-burn-rate.yaml")).expect("read"),
            again
        );
        // Honest: without the generated alerts the burn-rate check fails
        // (for Sloth, whose own alerts init switches off, too).
        std::fs::remove_file(root.join("alerts/payments-slo-burn-rate.yaml")).expect("rm");
        let (code, findings) = check(&root);
        assert_eq!(code, Some(1));
        assert_eq!(
            findings
                .iter()
                .filter(|f| *f == "alerts/burn-rate slo/payments.yaml")
                .count(),
            2 * slos,
            "{format} {tier}: {findings:?}"
        );
    }
}

#[test]
fn init_never_overwrites_without_force() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let init = |extra: &[&str]| {
        let mut args = vec!["init", "--service", "cart", "."];
        args.extend_from_slice(extra);
        prr_output(tmp.path(), &args)
    };
    // One file already there: exit 2, and nothing else is written.
    std::fs::create_dir_all(tmp.path().join("slo")).expect("mkdir");
    std::fs::write(tmp.path().join("slo/cart.yaml"), "mine\n").expect("write");
    let out = init(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("slo/cart.yaml"),
        "{}",
        text(&out.stderr)
    );
    assert!(!tmp.path().join("prr.yaml").exists());
    std::fs::remove_file(tmp.path().join("slo/cart.yaml")).expect("rm");

    assert_eq!(init(&[]).status.code(), Some(0));
    std::fs::write(tmp.path().join("prr.yaml"), "# edited\n").expect("write");
    let before = std::fs::read_to_string(tmp.path().join("runbooks/cart-requests-availability.md"))
        .expect("runbook");
    let out = init(&["--objective", "99.5"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    for f in [
        "prr.yaml",
        "slo/cart.yaml",
        "alerts/cart-slo-burn-rate.yaml",
        "runbooks/cart-requests-availability.md",
        "deploy/cart-pdb.yaml",
    ] {
        assert!(err.contains(f), "{f} not named: {err}");
    }
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("prr.yaml")).expect("read"),
        "# edited\n"
    );
    assert!(
        std::fs::read_to_string(tmp.path().join("slo/cart.yaml"))
            .expect("read")
            .contains("target: 0.999\n")
    );
    // --force overwrites, with the new objective.
    let out = init(&["--objective", "99.5", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        std::fs::read_to_string(tmp.path().join("prr.yaml"))
            .expect("read")
            .contains("name: cart")
    );
    assert!(
        std::fs::read_to_string(tmp.path().join("slo/cart.yaml"))
            .expect("read")
            .contains("target: 0.995\n")
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("runbooks/cart-requests-availability.md"))
            .expect("runbook")
            .replace("99.5 %", "99.9 %"),
        before
    );
    // Bad input: exit 2 before anything is written.
    let out = prr_output(tmp.path(), &["init", "--service", "Bad_Name", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!tmp.path().join("x").exists());
}

/// The README's sequence: `prr init`, then `prr generate alerts` into the
/// alerts folder (no --runbook-url): the links resolve from there and the
/// service still passes.
#[test]
fn generate_after_init_keeps_runbook_links_resolving() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = prr_output(
        dir,
        &[
            "init",
            "--service",
            "shop",
            "--tier",
            "critical",
            "--slo-format",
            "sloth",
            ".",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let alerts = "alerts/shop-slo-burn-rate.yaml";
    std::fs::remove_file(dir.join(alerts)).unwrap();
    assert_eq!(check(dir).0, Some(1), "without alerts the check fails");
    let out = prr_output(
        dir,
        &["generate", "alerts", "slo/shop.yaml", "--output", alerts],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.join(alerts)).unwrap();
    assert!(
        written.contains("runbook_url: \"../runbooks/shop-requests-availability.md\""),
        "{written}"
    );
    let (code, errors) = check(dir);
    assert_eq!(code, Some(0), "{errors:?}");
}
