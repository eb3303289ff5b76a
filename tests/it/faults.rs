//! Decisions under faults (issue 7, item 7): one table, every provider ×
//! every fault × every `on-error` setting, each cell one run of the `prr`
//! binary against `wiremock` servers answering in the providers'
//! documented shapes (the same shapes as tests/it/providers.rs; Prometheus:
//! the instant-query API with Sloth's recording rules).
//!
//! Every cell gates two services:
//! - `cart`, read through a second provider of the same type that answers
//!   (90 % left): a fault elsewhere never changes its reading;
//! - `pay`, read through the faulted provider; for the `partial` fault
//!   `pay` has two SLOs, one that answers and one that fails (HTTP 404, an
//!   unknown SLO id; for `file`, absent from the snapshot).
//!
//! The expected outcome is computed from the cell's setting alone
//! ([`expected`]), never copied from prr's output: the faulted SLO is
//! `unknown` (never `healthy`), `block` + `budget/blocked` + exit 1 when
//! the service fails closed (explicitly, or by default), `warn` +
//! `budget/warning` + exit 0 when it fails open. The setting is written on
//! the service, with the opposite value at the top level, so a cell also
//! checks that the service's `on-error` wins.
//!
//! Cells that cannot exist are listed in [`applies`] and counted apart:
//! `stale` for Dynatrace and Nobl9 (their APIs state no evaluation time, a
//! reading is as of the request), HTTP 500/429 for the `file` provider.

use crate::support::servers::closed_port_url;
use crate::support::write;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wiremock::matchers::{method, path, query_param_contains};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Prometheus,
    HttpJson,
    Datadog,
    Dynatrace,
    Nobl9,
    SloGenerator,
    File,
}

const KINDS: [Kind; 7] = [
    Kind::Prometheus,
    Kind::HttpJson,
    Kind::Datadog,
    Kind::Dynatrace,
    Kind::Nobl9,
    Kind::SloGenerator,
    Kind::File,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// Nothing listens (file: the snapshot does not exist).
    Refused,
    /// The answer comes after 10 s, the timeout is 300 ms (file: a named
    /// pipe nobody writes).
    Timeout,
    Http500,
    Http429,
    /// Truncated JSON.
    Malformed,
    /// The documented field holding the budget is absent.
    MissingField,
    /// The budget value is NaN.
    NaN,
    /// The API answers "no data" in its own way.
    Empty,
    /// The reading is dated 2020-09-13 (max-age 15 m by default).
    Stale,
    /// `pay` has two SLOs: one answers, the other fails.
    Partial,
}

const FAULTS: [Fault; 10] = [
    Fault::Refused,
    Fault::Timeout,
    Fault::Http500,
    Fault::Http429,
    Fault::Malformed,
    Fault::MissingField,
    Fault::NaN,
    Fault::Empty,
    Fault::Stale,
    Fault::Partial,
];

/// The `on-error` of the faulted service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Setting {
    /// Not written anywhere: the default.
    Unset,
    FailClosed,
    FailOpen,
}

const SETTINGS: [Setting; 3] = [Setting::Unset, Setting::FailClosed, Setting::FailOpen];

/// Whether the cell exists (see the module docs).
fn applies(kind: Kind, fault: Fault) -> bool {
    !matches!(
        (kind, fault),
        (Kind::Dynatrace | Kind::Nobl9, Fault::Stale)
            | (Kind::File, Fault::Http500 | Fault::Http429)
    )
}

/// What a cell must show, from the table alone.
#[derive(Debug, PartialEq)]
struct Expected {
    exit: i32,
    result: &'static str,
    /// Decision of the faulted SLO.
    decision: &'static str,
    /// The one finding about `pay`.
    rule: &'static str,
    /// What the reason says about the setting.
    reason_setting: &'static str,
    /// A piece of the entry's `error` (`None`: the reading was had, and the
    /// policy distrusts it) and of its `reason`.
    error: Option<&'static str>,
    reason: &'static str,
}

fn expected(setting: Setting, fault: Fault) -> Expected {
    let closed = setting != Setting::FailOpen;
    let error = match fault {
        Fault::Refused => Some("unreachable"),
        Fault::Timeout => Some("timed out after 0.3 s"),
        Fault::Http500 => Some("HTTP 500"),
        Fault::Http429 => Some("HTTP 429"),
        Fault::Malformed => Some("malformed response"),
        Fault::MissingField => Some("missing field"),
        Fault::NaN => Some("not a finite number"),
        Fault::Empty => Some("no data"),
        Fault::Stale => None,
        Fault::Partial => Some("HTTP 404"),
    };
    Expected {
        exit: if closed { 1 } else { 0 },
        result: if closed { "fail" } else { "pass" },
        decision: if closed { "block" } else { "warn" },
        rule: if closed {
            "budget/blocked"
        } else {
            "budget/warning"
        },
        reason_setting: if closed {
            "on-error is fail-closed"
        } else {
            "on-error is fail-open"
        },
        error,
        reason: match fault {
            Fault::Stale => "the reading is stale",
            _ => "no error-budget reading",
        },
    }
}

/// The `file` provider's variant of [`expected`]: no HTTP, so the
/// refused, malformed and partial errors read differently.
fn file_error(fault: Fault) -> Option<&'static str> {
    match fault {
        Fault::Refused => Some("unreachable: faulty.json"),
        // A FIFO nobody writes is refused before it is opened (never a
        // blocked read that only the timeout ends).
        Fault::Timeout => Some("faulty.json: not a regular file (a FIFO)"),
        Fault::Partial => Some("no data: no reading for service `pay`, SLO `latency`"),
        _ => expected(Setting::Unset, fault).error,
    }
}

// ---------------------------------------------------------------------------
// Documented response shapes, per provider.
// ---------------------------------------------------------------------------

/// What a server answers for one SLO.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Body {
    /// 90 % of the budget left, as of now.
    Good,
    NaN,
    Missing,
    Empty,
    Stale,
}

/// 2020-09-13T12:26:40Z: years old.
const OLD: f64 = 1_600_000_000.0;

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
        .floor()
}

/// Provider-side id of an SLO (Datadog, Dynatrace, Nobl9 read by id).
fn id(service: &str, slo: &str) -> String {
    format!("{service}-{slo}")
}

/// The provider's entry under `budget.providers` (flow YAML) for a server
/// at `url` (`file`: the snapshot path).
fn provider_yaml(kind: Kind, url: &str) -> String {
    match kind {
        Kind::Prometheus => format!("{{ type: prometheus, url: \"{url}\", mode: sloth }}"),
        Kind::HttpJson => format!(
            "{{ type: http-json, url: \"{url}/budget/{{service}}/{{slo}}\", auth: {{ bearer-env: PRR_FAULTS_TOKEN }}, value: /remaining_percent, unit: percent, as-of: /computed_at }}"
        ),
        Kind::Datadog => format!(
            "{{ type: datadog, url: \"{url}\", api-key-env: PRR_FAULTS_DD_API, app-key-env: PRR_FAULTS_DD_APP }}"
        ),
        Kind::Dynatrace => {
            format!("{{ type: dynatrace, url: \"{url}\", token-env: PRR_FAULTS_TOKEN }}")
        }
        Kind::Nobl9 => format!("{{ type: nobl9, url: \"{url}\", token-env: PRR_FAULTS_TOKEN }}"),
        Kind::SloGenerator => {
            format!("{{ type: slo-generator, url: \"{url}/reports/{{service}}/{{slo}}\" }}")
        }
        Kind::File => format!("{{ type: file, path: {url} }}"),
    }
}

/// Mounts the route of one SLO on `server`.
async fn route(kind: Kind, service: &str, slo: &str, resp: ResponseTemplate, server: &MockServer) {
    let m = match kind {
        Kind::Prometheus => {
            Mock::given(method("GET"))
                .and(path("/api/v1/query"))
                .and(query_param_contains(
                    "query",
                    format!("sloth_service=\"{service}\",sloth_slo=\"{slo}\""),
                ))
        }
        Kind::HttpJson => Mock::given(method("GET")).and(path(format!("/budget/{service}/{slo}"))),
        Kind::Datadog => Mock::given(method("GET"))
            .and(path(format!("/api/v1/slo/{}/history", id(service, slo)))),
        Kind::Dynatrace => {
            Mock::given(method("GET")).and(path(format!("/api/v2/slo/{}", id(service, slo))))
        }
        Kind::Nobl9 => {
            Mock::given(method("GET")).and(path(format!("/api/v2/slos/{}", id(service, slo))))
        }
        Kind::SloGenerator => {
            Mock::given(method("GET")).and(path(format!("/reports/{service}/{slo}")))
        }
        Kind::File => unreachable!("the file provider has no server"),
    };
    m.respond_with(resp).mount(server).await;
}

/// The body of one SLO's answer.
fn body(kind: Kind, b: Body, service: &str, slo: &str, now: f64) -> Value {
    let at = if b == Body::Stale { OLD } else { now };
    match kind {
        // https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries
        Kind::Prometheus => {
            let series = |name: &str, v: &str| {
                json!({"metric": {"__name__": name, "sloth_service": service, "sloth_slo": slo,
                                  "sloth_id": format!("{service}-{slo}")},
                       "value": [at, v]})
            };
            let result = match b {
                Body::Good | Body::Stale => vec![
                    series("slo:period_error_budget_remaining:ratio", "0.9"),
                    series("slo:error_budget:ratio", "0.001"),
                ],
                Body::NaN => vec![
                    series("slo:period_error_budget_remaining:ratio", "NaN"),
                    series("slo:error_budget:ratio", "0.001"),
                ],
                Body::Empty => vec![],
                Body::Missing => {
                    return json!({"status": "success", "data": {"resultType": "vector"}});
                }
            };
            json!({"status": "success", "data": {"resultType": "vector", "result": result}})
        }
        Kind::HttpJson => match b {
            Body::Good | Body::Stale => json!({"remaining_percent": 90.0, "computed_at": at}),
            Body::NaN => json!({"remaining_percent": "NaN", "computed_at": at}),
            Body::Missing => json!({"computed_at": at}),
            Body::Empty => json!({"remaining_percent": null, "computed_at": at}),
        },
        // https://docs.datadoghq.com/api/latest/service-level-objectives/get-an-slos-history/
        Kind::Datadog => {
            let ebr = match b {
                Body::Good | Body::Stale => json!({"30d": 90.0}),
                Body::NaN => json!({"30d": "NaN"}),
                Body::Empty => Value::Null,
                Body::Missing => {
                    return json!({"data": {"from_ts": at - 2_592_000.0, "to_ts": at,
                        "overall": {"sli_value": 99.99, "span_precision": 2}}, "errors": null});
                }
            };
            json!({"data": {"from_ts": at - 2_592_000.0, "to_ts": at, "type": "metric", "type_id": 1,
                "thresholds": {"30d": {"target": 99.9, "target_display": "99.900", "timeframe": "30d"}},
                "overall": {"sli_value": 99.99, "span_precision": 2, "error_budget_remaining": ebr}},
                "errors": null})
        }
        // https://docs.dynatrace.com/docs/dynatrace-api/environment-api/service-level-objectives-classic/get-slo
        Kind::Dynatrace => {
            let mut slo = json!({"id": id(service, slo), "enabled": true, "name": slo,
                "evaluatedPercentage": 99.9, "errorBudget": 0.9, "status": "SUCCESS", "error": "NONE",
                "target": 99.0, "warning": 99.5, "evaluationType": "AGGREGATE", "timeframe": "-30d"});
            match b {
                Body::Good | Body::Stale => {}
                Body::NaN => slo["errorBudget"] = json!("NaN"),
                Body::Missing => {
                    slo.as_object_mut().map(|o| o.remove("errorBudget"));
                }
                Body::Empty => {
                    slo["evaluatedPercentage"] = json!(-1.0);
                    slo["errorBudget"] = json!(-100.0);
                }
            }
            slo
        }
        // https://docs.nobl9.com/api/slo-v2
        Kind::Nobl9 => {
            let mut objective = json!({"name": slo, "displayName": slo, "target": 0.99,
                "burnRate": 0.1, "errorBudgetRemaining": 38880, "errorBudgetRemainingPercentage": 90.0,
                "reliability": 0.999, "counts": {"good": 999_000, "total": 1_000_000}, "sliType": "ratio"});
            match b {
                Body::Good | Body::Stale => {}
                Body::NaN => objective["errorBudgetRemainingPercentage"] = json!("NaN"),
                Body::Missing => {
                    objective
                        .as_object_mut()
                        .map(|o| o.remove("errorBudgetRemainingPercentage"));
                }
                Body::Empty => {
                    return json!({"name": id(service, slo), "objectives": []});
                }
            }
            json!({"name": id(service, slo), "displayName": slo,
                   "project": {"name": service, "displayName": service}, "objectives": [objective]})
        }
        // google/slo-generator report (tests/fixtures/providers/slo-generator).
        Kind::SloGenerator => match b {
            Body::Good | Body::Stale => json!({"metadata": {"name": slo}, "window": 2_592_000,
                "sli_measurement": 0.999, "goal": 0.99, "timestamp": at, "events_count": 1000}),
            Body::NaN => json!({"metadata": {"name": slo}, "window": 2_592_000,
                "sli_measurement": "NaN", "goal": 0.99, "timestamp": at}),
            Body::Missing => {
                json!({"metadata": {"name": slo}, "window": 2_592_000, "timestamp": at})
            }
            Body::Empty => json!([]),
        },
        Kind::File => unreachable!("see snapshot()"),
    }
}

/// A `file` snapshot holding one reading per (service, SLO, body); an
/// `Empty` body leaves the pair out.
fn snapshot(entries: &[(&str, &str, Body)], now: f64) -> Value {
    let readings: Vec<Value> = entries
        .iter()
        .filter(|(_, _, b)| *b != Body::Empty)
        .map(|(service, slo, b)| {
            let at = if *b == Body::Stale { OLD } else { now };
            let mut r = json!({"service": service, "slo": slo, "remaining": 0.9,
                               "window": "30d", "as_of": at});
            match b {
                Body::NaN => r["remaining"] = json!("NaN"),
                Body::Missing => {
                    r.as_object_mut().map(|o| o.remove("remaining"));
                }
                _ => {}
            }
            r
        })
        .collect();
    json!({"as_of": now, "readings": readings})
}

// ---------------------------------------------------------------------------
// One cell.
// ---------------------------------------------------------------------------

/// The repository of a cell: prr.yaml with the `steady` and `faulty`
/// providers, `cart` on the first, `pay` on the second.
fn repo(
    kind: Kind,
    fault: Fault,
    setting: Setting,
    steady: &str,
    faulty: &str,
) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    let slo =
        |service: &str, name: &str| format!("{{ name: {name}, id: \"{}\" }}", id(service, name));
    let pay_slos = if fault == Fault::Partial {
        format!(
            "[{}, {}]",
            slo("pay", "availability"),
            slo("pay", "latency")
        )
    } else {
        format!("[{}]", slo("pay", "availability"))
    };
    let (global, service) = match setting {
        Setting::Unset => (String::new(), String::new()),
        Setting::FailClosed => (
            "  on-error: fail-open\n".into(),
            ", on-error: fail-closed".into(),
        ),
        Setting::FailOpen => (
            "  on-error: fail-closed\n".into(),
            ", on-error: fail-open".into(),
        ),
    };
    let config = format!(
        "services:\n\
         \x20 - name: cart\n    paths: [\"cart/**\"]\n    budget: {{ provider: steady, slos: [{}] }}\n\
         \x20 - name: pay\n    paths: [\"pay/**\"]\n    budget: {{ provider: faulty, slos: {pay_slos}{service} }}\n\
         budget:\n{global}  timeout: 300ms\n  retries: 0\n  providers:\n    steady: {}\n    faulty: {}\n\
         rules:\n  slo/present: {{ level: \"off\" }}\n  prr/codeowners: {{ level: \"off\" }}\n",
        slo("cart", "availability"),
        provider_yaml(kind, steady),
        provider_yaml(kind, faulty),
    );
    write(d.path(), "prr.yaml", &config);
    write(d.path(), "cart/README.md", "cart\n");
    write(d.path(), "pay/README.md", "pay\n");
    d
}

/// Serves the cell's answers. Returns the `steady` and `faulty` URLs.
async fn serve(
    kind: Kind,
    fault: Fault,
    now: f64,
    good: &MockServer,
    bad: &MockServer,
) -> (String, String) {
    let ok = |service: &str, slo: &str| {
        ResponseTemplate::new(200).set_body_json(body(kind, Body::Good, service, slo, now))
    };
    route(
        kind,
        "cart",
        "availability",
        ok("cart", "availability"),
        good,
    )
    .await;
    let faulty = match fault {
        Fault::Refused => closed_port_url(),
        _ => bad.uri(),
    };
    let resp = match fault {
        Fault::Refused => None,
        Fault::Timeout => Some(ok("pay", "availability").set_delay(LATE_ANSWER)),
        Fault::Http500 => Some(
            ResponseTemplate::new(500).set_body_json(json!({"errors": ["Internal Server Error"]})),
        ),
        Fault::Http429 => Some(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "60")
                .set_body_json(json!({"errors": ["Rate limit exceeded"]})),
        ),
        Fault::Malformed => Some(ResponseTemplate::new(200).set_body_raw(
            "{\"status\": \"success\", \"data\": {\"result\": [",
            "application/json",
        )),
        Fault::MissingField | Fault::NaN | Fault::Empty | Fault::Stale => {
            let b = match fault {
                Fault::MissingField => Body::Missing,
                Fault::NaN => Body::NaN,
                Fault::Empty => Body::Empty,
                _ => Body::Stale,
            };
            Some(ResponseTemplate::new(200).set_body_json(body(
                kind,
                b,
                "pay",
                "availability",
                now,
            )))
        }
        Fault::Partial => {
            route(
                kind,
                "pay",
                "latency",
                ResponseTemplate::new(404).set_body_json(json!({"errors": ["SLO not found"]})),
                bad,
            )
            .await;
            Some(ok("pay", "availability"))
        }
    };
    if let Some(r) = resp {
        route(kind, "pay", "availability", r, bad).await;
    }
    (good.uri(), faulty)
}

/// Writes the cell's snapshots (`file`): `steady.json` and `faulty.json`.
fn snapshots(dir: &Path, fault: Fault, now: f64) {
    let steady = snapshot(&[("cart", "availability", Body::Good)], now);
    write(dir, "steady.json", steady.to_string());
    let pay = |b: Body| snapshot(&[("pay", "availability", b)], now).to_string();
    match fault {
        Fault::Refused => {}
        Fault::Timeout => {
            let made = Command::new("mkfifo").arg(dir.join("faulty.json")).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        }
        Fault::Malformed => write(dir, "faulty.json", "{\"readings\": ["),
        Fault::MissingField => write(dir, "faulty.json", pay(Body::Missing)),
        Fault::NaN => write(dir, "faulty.json", pay(Body::NaN)),
        Fault::Empty => write(dir, "faulty.json", pay(Body::Empty)),
        Fault::Stale => write(dir, "faulty.json", pay(Body::Stale)),
        Fault::Partial => write(
            dir,
            "faulty.json",
            snapshot(
                &[
                    ("pay", "availability", Body::Good),
                    ("pay", "latency", Body::Empty),
                ],
                now,
            )
            .to_string(),
        ),
        Fault::Http500 | Fault::Http429 => unreachable!("no HTTP for files"),
    }
}

/// The worst state of a service's entries (`unknown` is worst).
fn service_state(report: &Value, service: &str) -> String {
    let rank = |s: &str| match s {
        "healthy" => 0,
        "warning" => 1,
        "critical" => 2,
        "exhausted" => 3,
        _ => 4,
    };
    report["budget"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["service"] == service)
        .filter_map(|e| e["state"].as_str())
        .max_by_key(|s| rank(s))
        .unwrap_or("none")
        .to_string()
}

fn entry<'a>(report: &'a Value, service: &str, slo: &str) -> &'a Value {
    report["budget"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|e| e["service"] == service && e["slo"] == slo)
        })
        .unwrap_or_else(|| panic!("no budget entry {service}/{slo}: {report:#}"))
}

/// A private copy of the `prr` binary for the whole table: the cells take
/// a while, and a concurrent `cargo build` in the shared target directory
/// may replace `target/debug/prr` under them.
fn prr_binary() -> &'static Path {
    static COPY: std::sync::OnceLock<(tempfile::TempDir, std::path::PathBuf)> =
        std::sync::OnceLock::new();
    let (_, path) = COPY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let to = dir.path().join("prr");
        let mut tries = 0;
        while let Err(e) = std::fs::copy(env!("CARGO_BIN_EXE_prr"), &to) {
            tries += 1;
            assert!(tries < 20, "copy the prr binary: {e}");
            std::thread::sleep(Duration::from_millis(500));
        }
        (dir, to)
    });
    path
}

/// Runs one cell and checks it against [`expected`]. Returns the elapsed time.
fn run_cell(rt: &tokio::runtime::Runtime, kind: Kind, fault: Fault, setting: Setting) -> Duration {
    let cell = format!("{kind:?} × {fault:?} × {setting:?}");
    let now = now();
    let (good, bad) = rt.block_on(async { (MockServer::start().await, MockServer::start().await) });
    let (steady, faulty) = if kind == Kind::File {
        ("steady.json".to_string(), "faulty.json".to_string())
    } else {
        rt.block_on(serve(kind, fault, now, &good, &bad))
    };
    let d = repo(kind, fault, setting, &steady, &faulty);
    if kind == Kind::File {
        snapshots(d.path(), fault, now);
    }
    let t = std::time::Instant::now();
    let out = Command::new(prr_binary())
        .args(["check", ".", "-f", "json"])
        .current_dir(d.path())
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("GITHUB_HEAD_REF")
        .env("NO_COLOR", "1")
        .env("PRR_FAULTS_TOKEN", "faults-token-not-a-secret")
        .env("PRR_FAULTS_DD_API", "faults-dd-api-not-a-secret")
        .env("PRR_FAULTS_DD_APP", "faults-dd-app-not-a-secret")
        .output()
        .unwrap_or_else(|e| panic!("{cell}: run {}: {e}", prr_binary().display()));
    let took = t.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{cell}: not JSON ({e}): {stdout}{stderr}"));
    let want = expected(setting, fault);

    // The gate.
    assert_eq!(
        out.status.code(),
        Some(want.exit),
        "{cell}: exit code\n{stderr}\n{report:#}"
    );
    assert_eq!(report["result"], want.result, "{cell}");

    // The control service answers, whatever happened to the other.
    let cart = entry(&report, "cart", "availability");
    assert_eq!(cart["state"], "healthy", "{cell}: cart {cart:#}");
    assert_eq!(cart["decision"], "pass", "{cell}");
    let left = cart["remaining"].as_f64().unwrap_or(f64::NAN);
    assert!((left - 0.9).abs() < 1e-9, "{cell}: cart remaining {left}");

    // The faulted service: never healthy.
    assert_eq!(
        service_state(&report, "pay"),
        "unknown",
        "{cell}: {report:#}"
    );
    let failing = if fault == Fault::Partial {
        "latency"
    } else {
        "availability"
    };
    let pay = entry(&report, "pay", failing);
    assert_ne!(pay["state"], "healthy", "{cell}");
    assert_eq!(pay["state"], "unknown", "{cell}: {pay:#}");
    assert_eq!(pay["decision"], want.decision, "{cell}: {pay:#}");
    let on_error = if setting == Setting::FailOpen {
        "fail-open"
    } else {
        "fail-closed"
    };
    assert_eq!(pay["on_error"], on_error, "{cell}");
    let reason = pay["reason"].as_str().unwrap_or_default();
    assert!(reason.contains(want.reason_setting), "{cell}: {reason}");
    assert!(reason.contains(want.reason), "{cell}: {reason}");
    let want_error = if kind == Kind::File {
        file_error(fault)
    } else {
        want.error
    };
    match want_error {
        Some(piece) => {
            let error = pay["error"].as_str().unwrap_or_default();
            assert!(
                error.contains(piece),
                "{cell}: error {error:?} lacks {piece:?}"
            );
            assert!(pay["remaining"].is_null(), "{cell}: no reading, no number");
        }
        None => {
            assert!(pay["error"].is_null(), "{cell}: {pay:#}");
            assert_eq!(
                pay["as_of"], OLD,
                "{cell}: the stale reading is kept, distrusted"
            );
        }
    }
    if fault == Fault::Partial {
        let answered = entry(&report, "pay", "availability");
        assert_eq!(
            answered["state"], "healthy",
            "{cell}: the SLO that answered"
        );
        assert_eq!(answered["decision"], "pass", "{cell}");
    }

    // Exactly one budget finding: about pay's failing SLO, with the setting's rule.
    let budget_findings: Vec<&Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("budget/")))
        .collect();
    assert_eq!(budget_findings.len(), 1, "{cell}: {budget_findings:#?}");
    let f = budget_findings[0];
    assert_eq!(f["rule"], want.rule, "{cell}");
    assert_eq!(f["service"], "pay", "{cell}");
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with(&format!("SLO `{failing}` of `pay`:")),
        "{cell}: {msg}"
    );
    // No other error decides the exit code.
    let other_errors = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["level"] == "error" && f["rule"] != "budget/blocked")
        .count();
    assert_eq!(other_errors, 0, "{cell}: {report:#}");
    took
}

/// When the `Timeout` fault's answer comes: far past the 300 ms timeout.
const LATE_ANSWER: Duration = Duration::from_secs(10);

#[test]
fn every_provider_fault_and_setting_decides_safely() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut cells = Vec::new();
    let mut skipped = Vec::new();
    for kind in KINDS {
        for fault in FAULTS {
            for setting in SETTINGS {
                if applies(kind, fault) {
                    cells.push((kind, fault, setting));
                } else {
                    skipped.push(format!("{kind:?} × {fault:?} × {setting:?}"));
                }
            }
        }
    }
    let grid = KINDS.len() * FAULTS.len() * SETTINGS.len();
    assert_eq!(cells.len() + skipped.len(), grid);
    assert_eq!(
        cells.len(),
        198,
        "cells (7 providers × 10 faults × 3 settings, less 12)"
    );
    assert_eq!(skipped.len(), 12, "{skipped:#?}");
    let mut slowest = (Duration::ZERO, String::new());
    for &(kind, fault, setting) in &cells {
        let took = run_cell(&rt, kind, fault, setting);
        // The timeout is 300 ms and the late answer comes after 10 s: no
        // cell waits for it. The bound is the late answer itself, not a
        // guess at the machine's speed: the 198 cells run beside every other
        // test of the binary, and a loaded 2-core runner took 6.9 s for a
        // refused connection.
        assert!(
            took < LATE_ANSWER,
            "{kind:?} × {fault:?} × {setting:?} took {took:?}"
        );
        if took > slowest.0 {
            slowest = (took, format!("{kind:?} × {fault:?} × {setting:?}"));
        }
    }
    let worst = slowest;
    eprintln!(
        "faults: {} cells run, {} not applicable, slowest {:?} ({})",
        cells.len(),
        skipped.len(),
        worst.0,
        worst.1
    );
}

/// The table's expectation is a function of the setting alone: unset is
/// fail-closed, and no setting lets a faulted budget pass silently.
#[test]
fn expectations_follow_the_setting() {
    for fault in FAULTS {
        assert_eq!(
            expected(Setting::Unset, fault),
            expected(Setting::FailClosed, fault)
        );
        let open = expected(Setting::FailOpen, fault);
        assert_eq!(
            (open.exit, open.decision, open.rule),
            (0, "warn", "budget/warning")
        );
        let closed = expected(Setting::FailClosed, fault);
        assert_eq!(
            (closed.exit, closed.decision, closed.rule),
            (1, "block", "budget/blocked")
        );
    }
}
