//! Inputs found by fuzzing (FUZZING.md), each run through the entry point
//! of the fuzz target that found it; and checks that the fuzz harness in
//! `prr::fuzz_api` really reaches the parsers it claims to feed (a harness
//! that silently stopped at its first step would fuzz nothing).
//!
//! Minimised crash inputs live in `tests/fixtures/fuzz/<target>/`.

use prr::budget::FetchError;
use prr::fuzz_api::{self, check, inventory_of, provider_response};

fn fixture(target: &str, name: &str) -> Vec<u8> {
    let p = format!(
        "{}/tests/fixtures/fuzz/{target}/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

// ---------------------------------------------------------------------------
// The harness reaches the parsers.
// ---------------------------------------------------------------------------

#[test]
fn harness_config_parses_and_applies_overrides() {
    assert!(fuzz_api::config(
        "services:\n- name: checkout\n  tier: critical\nrules:\n  alerts/for: { level: warning, with: { min: 5m } }\n"
    ));
    // An override naming no rule fails in rules::load, after the parse.
    assert!(!fuzz_api::config(
        "rules:\n  no/such-rule: { level: warning }\n"
    ));
    assert!(!fuzz_api::config("services: 3\n"));
}

#[test]
fn harness_inventory_classifies_and_checks_run() {
    let sloth = "version: prometheus/v1\nservice: checkout\nslos:\n- name: availability\n  objective: 99.9\n  sli:\n    events:\n      error_query: sum(rate(http_requests_total{code=~\"5..\"}[{{.window}}]))\n      total_query: sum(rate(http_requests_total[{{.window}}]))\n  alerting:\n    name: CheckoutAvailability\n";
    let inv = inventory_of("slo/fuzz.yaml", sloth);
    assert_eq!(inv.slos.len(), 1);
    assert_eq!(inv.slos[0].name, "availability");
    assert_eq!(
        inv.slos[0].objective.as_ref().map(|o| o.raw.as_str()),
        Some("99.9")
    );

    let rules =
        "groups:\n- name: g\n  rules:\n  - alert: HighErrors\n    expr: sum(rate(x_total[5m])) >\n";
    let inv = inventory_of("alerts/fuzz.yaml", rules);
    assert_eq!(inv.rule_files.len(), 1);
    let found = check(&inv, &["alerts."]);
    assert!(
        found
            .iter()
            .any(|f| f.rule == "alerts/parse" && f.line == 5),
        "{found:?}"
    );

    let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx}]\n";
    let inv = inventory_of("deploy/fuzz.yaml", deploy);
    assert_eq!(inv.objects.len(), 1);
    assert!(!check(&inv, &["rollout."]).is_empty());

    let inv = inventory_of("runbooks/fuzz.md", "# Title\n\n## Diagnosis\n");
    assert_eq!(inv.runbooks.len(), 1);
    assert_eq!(inv.runbooks[0].headings[1].anchor, "diagnosis");

    let inv = inventory_of("slo/fuzz.yaml", "a: [1\n");
    assert_eq!(inv.problems[0].rule, "prr/parse-error");
}

/// Every provider the fuzz target selects reads a documented response
/// through the loopback server (status byte 0 = HTTP 200).
#[test]
fn harness_reaches_every_provider() {
    let prom = |result: &str| {
        format!(r#"{{"status":"success","data":{{"resultType":"vector","result":[{result}]}}}}"#)
    };
    let cases: Vec<(u8, u8, String, f64)> = vec![
        (
            0,
            7,
            prom(
                r#"{"metric":{"__name__":"slo:period_error_budget_remaining:ratio","sloth_service":"checkout","sloth_slo":"availability"},"value":[1700000000,"0.62"]}"#,
            ),
            0.62,
        ),
        (
            1,
            7,
            prom(
                r#"{"metric":{"__name__":"pyrra_availability","slo":"availability"},"value":[1700000000,"0.9995"]},{"metric":{"__name__":"pyrra_objective","slo":"availability"},"value":[1700000000,"0.999"]}"#,
            ),
            0.5,
        ),
        (
            2,
            7,
            prom(
                r#"{"metric":{"__name__":"grafana_slo_sli_window","grafana_slo_uuid":"abc-123"},"value":[1700000000,"0.9995"]}"#,
            ),
            0.5,
        ),
        (
            3,
            3,
            prom(
                r#"{"metric":{"prr_part":"errors:window"},"value":[1700000000,"25"]},{"metric":{"prr_part":"total:window"},"value":[1700000000,"100000"]}"#,
            ),
            0.75,
        ),
        (4, 0, r#"{"remaining":"42.5"}"#.to_string(), 0.425),
        (5, 4, r#"{"slo":{"budget":0.25}}"#.to_string(), 0.75),
        (
            6,
            5,
            r#"{"data":{"overall":{"error_budget_remaining":{"30d":37.5}}}}"#.to_string(),
            0.375,
        ),
        (
            7,
            4,
            r#"{"data":{"attributes":{"error_budget_remaining":80.0}}}"#.to_string(),
            0.8,
        ),
        (
            8,
            4,
            r#"{"target":95.0,"evaluatedPercentage":97.5,"errorBudget":2.5,"error":"NONE"}"#
                .to_string(),
            0.5,
        ),
        (
            10,
            0,
            r#"{"objectives":[{"name":"availability","errorBudgetRemainingPercentage":50}]}"#
                .to_string(),
            0.5,
        ),
        (
            11,
            0,
            r#"{"sli_measurement":0.95,"goal":0.9}"#.to_string(),
            0.5,
        ),
        (
            12,
            0,
            r#"{"readings":[{"service":"checkout","slo":"availability","remaining":0.25}]}"#
                .to_string(),
            0.25,
        ),
    ];
    for (selector, flags, body, want) in cases {
        let got = provider_response(selector, flags, 200, body.as_bytes())
            .expect("loopback server and providers start");
        let r = got.unwrap_or_else(|e| panic!("provider {selector}: {e}"));
        assert!(
            (r.remaining - want).abs() < 1e-9,
            "provider {selector}: {} != {want}",
            r.remaining
        );
    }
    // A non-success status reaches the error path with the body's excerpt.
    let e = provider_response(4, 0, 503, b"overloaded")
        .unwrap()
        .unwrap_err();
    assert!(matches!(e, FetchError::Http { status: 503, .. }), "{e:?}");
}

// ---------------------------------------------------------------------------
// Crashes found by fuzzing.
// ---------------------------------------------------------------------------

/// `promql`: 8 000 unary minus signs before a counter. The Prometheus
/// provider's `windowed` (compute mode's SLI-query rewrite) called the
/// unbounded parser, then walked and printed the AST recursively: a stack
/// overflow (an abort, not exit 2) on an SLI query from a repository's SLO
/// file. It now goes through the bounded `formats::promql::parse`.
#[test]
fn promql_deep_unary_minus_is_refused_by_windowed() {
    let text = String::from_utf8(fixture("promql", "deep-unary-minus")).unwrap();
    let e = prr::budget::providers::prometheus::windowed(&text).unwrap_err();
    assert!(e.contains("over the limit of 256"), "{e}");
    let e = prr::formats::promql::parse(&text).unwrap_err();
    assert!(e.contains("nests 8000 levels"), "{e}");
}

/// `slo_formats`: an alias expansion bomb (anchors nested six levels deep,
/// ten aliases each: 10⁷ scalars from 329 bytes) in an OpenSLO document. With
/// only the alias-count and event limits the parse took over 30 s (a libFuzzer
/// timeout); the node-copy limit of `yaml::parse_documents` now refuses it.
#[test]
fn slo_alias_bomb_is_a_parse_error() {
    let text = String::from_utf8(fixture("slo_formats", "alias-bomb.yaml")).unwrap();
    let inv = inventory_of("slo/fuzz.yaml", &text);
    assert!(inv.slos.is_empty());
    assert_eq!(inv.problems.len(), 1, "{:?}", inv.problems);
    assert_eq!(inv.problems[0].rule, "prr/parse-error");
    assert!(
        inv.problems[0].message.contains("expanding aliases"),
        "{}",
        inv.problems[0].message
    );
}

/// `gitleaks_toml`: a team's `.gitleaks.toml` whose `[extend] path` names
/// `/dev/zero`. The loader read it with no size bound until memory ran out
/// (libFuzzer: out-of-memory). Fixed in what is now
/// `crates/prr-checks/src/secrets/mod.rs` (commit
/// 5230c9d): the path must stay below the config's folder and be a regular
/// file of at most 4 MiB.
#[test]
fn gitleaks_extend_dev_zero_is_an_error() {
    let text = String::from_utf8(fixture("gitleaks_toml", "extend-dev-zero.toml")).unwrap();
    let got = fuzz_api::gitleaks_config(&text).expect("temporary file written");
    let e = got.expect_err("an [extend] path outside the config's folder is refused");
    assert!(e.to_string().contains("/dev/zero"), "{e}");
}

#[test]
fn harness_yaml_directives_honours_block_scalars() {
    let (d, m) = fuzz_api::yaml_directives(
        "data: |\n  # prr:ignore-file secrets/* -- data\n# prr:ignore-file secrets/* -- a comment\n",
    );
    assert_eq!(
        (d, m),
        (1, 0),
        "only the comment outside the scalar is a directive"
    );
    let (d, m) = fuzz_api::yaml_directives("# prr:ignore a/b\n");
    assert_eq!((d, m), (0, 1), "no reason: a problem, not a directive");
}

#[test]
fn harness_redact_cuts_known_secrets_in_every_form() {
    let secret = "AKIALALEMEL33243OLIA";
    for text in [
        format!("key {secret}"),
        format!("\"{}\"", secret.replace("LEM", "L\\u0045M")),
        format!("a: \"{secret}\"\nb: {secret}"),
    ] {
        let out = fuzz_api::redact(secret, &text);
        assert!(!out.contains(secret), "{out}");
    }
}
