//! `--policy-from REF`: the SLO definitions the budget phase reads are
//! policy, taken from REF; the change's edits to them are reported, not
//! applied.
//!
//! An SLO's definition — its format, objective, time window and SLI queries
//! — decides what a provider reads (Prometheus `compute` mode divides the
//! SLI queries' counts by `1 − objective` over the window; the other modes
//! and providers read the objective and window too). A change that could
//! lower the objective, shorten the window or make the good-events query
//! equal the total would turn its own exhausted budget into a pass. So with
//! `--policy-from` the budget phase gets [`resolve`]'s list:
//!
//! - **an SLO REF defines** (matched by service and SLO name, the service
//!   being the SLO's own `service` or the one whose paths hold its file,
//!   by the REF config) is read with REF's definition, wherever the change
//!   moved, renamed or deleted its file. Each difference is a
//!   `prr/policy-changed` notice naming the SLO and the old and new values
//!   (`objective 0.999 → 0.9`, `window 30d → 7d`, `good query … → …`); a
//!   definition the change removes is still gated, and said so;
//! - **an SLO new in the change** (REF defines no SLO of that service and
//!   name) has no trusted definition. Its budget is read with the change's
//!   definition and a `prr/policy-changed` notice says so ("new SLO,
//!   definition from the change"). This is honest because it cannot lift
//!   anything: every SLO REF defines is still read with REF's definition,
//!   so a new SLO can only add a reading (and a block), never replace one.
//!   Reading it as unknown instead would block every change that adds an
//!   SLO under `on-error: fail-closed`, until an administrator merged it;
//! - **except** when REF's prr.yaml lists that SLO under the service's
//!   `budget.slos` (a hosted SLO with no file at REF): then prr.yaml's entry
//!   is its definition and the change's file is left out of the budget
//!   phase (a notice says so), so the file cannot add SLI queries or a
//!   format to an SLO the policy defines.
//!
//! The readiness rules (`slo/*`) still check the working tree's files.

use crate::finding::{Finding, Level};
use crate::formats::slo::{SloFormat, SloSpec};
use prr_config::Service;
use std::collections::BTreeMap;

/// Service (when known) and SLO name: how an SLO is matched across revisions.
type Key = (Option<String>, String);

/// The SLOs the budget phase reads, and the notices about the change's
/// edits to their definitions.
///
/// `at_ref`: the definitions at the policy revision `git_ref`
/// (`prr::policy_source::Revision::slo_definitions`); `tree`: the
/// working tree's; `services`: the REF config's services (for
/// `budget.slos`); `service_of`: the service owning a path, by the REF
/// config.
pub fn resolve(
    at_ref: Vec<SloSpec>,
    tree: &[SloSpec],
    git_ref: &str,
    services: &[Service],
    service_of: &dyn Fn(&str) -> Option<String>,
) -> (Vec<SloSpec>, Vec<Finding>) {
    let key = |s: &SloSpec| -> Key {
        (
            s.service.clone().or_else(|| service_of(&s.path)),
            s.name.clone(),
        )
    };
    let by_key = |specs: &[SloSpec]| -> BTreeMap<Key, usize> {
        let mut m = BTreeMap::new();
        for (i, s) in specs.iter().enumerate().filter(|(_, s)| !s.placeholder) {
            m.entry(key(s)).or_insert(i);
        }
        m
    };
    let (old, new) = (by_key(&at_ref), by_key(tree));
    let listed = |(service, name): &Key| {
        services.iter().any(|s| {
            Some(&s.name) == service.as_ref() && s.budget.slos.iter().any(|r| &r.name == name)
        })
    };
    let mut notes = Vec::new();
    let mut out = at_ref.clone();
    for (k, &i) in &old {
        let was = &at_ref[i];
        let who = name(k);
        match new.get(k).map(|&j| &tree[j]) {
            Some(now) => {
                if now.path == was.path {
                    // Annotations point at the SLO as the change has it.
                    out[i].pos = now.pos;
                }
                let diff = differences(was, now);
                if !diff.is_empty() {
                    notes.push(note(
                        now,
                        format!(
                            "this change edits the definition of {who}: {}; its budget is read with the definition at {git_ref} ({}), the edit applies once merged",
                            diff.join(", "),
                            was.path
                        ),
                    ));
                }
            }
            None if k.0.is_some() => notes.push(note(
                was,
                format!(
                    "{who} is defined at {git_ref} ({}) but not in this change: it is still gated with that definition until the removal is merged",
                    was.path
                ),
            )),
            None => {}
        }
    }
    for (k, &j) in &new {
        if old.contains_key(k) || k.0.is_none() {
            continue;
        }
        let now = &tree[j];
        let who = name(k);
        if listed(k) {
            notes.push(note(
                now,
                format!(
                    "this change adds a definition of {who}, which prr.yaml at {git_ref} lists under budget.slos: its budget is read with prr.yaml's definition, the file applies once merged"
                ),
            ));
            continue;
        }
        notes.push(note(
            now,
            format!(
                "new SLO, definition from the change: {git_ref} does not define {who}, so its budget is read with this change's definition ({}); it cannot replace the reading of an SLO {git_ref} defines",
                summary(now)
            ),
        ));
        out.push(now.clone());
    }
    (out, notes)
}

fn name((service, slo): &Key) -> String {
    match service {
        Some(s) => format!("SLO `{slo}` of `{s}`"),
        None => format!("SLO `{slo}`"),
    }
}

fn note(at: &SloSpec, message: String) -> Finding {
    Finding::new("prr/policy-changed", &at.path, at.pos, message).with_level(Level::Notice)
}

fn objective(s: &SloSpec) -> String {
    s.objective
        .as_ref()
        .map_or_else(|| "none".into(), |o| o.raw.trim().to_string())
}

fn window(s: &SloSpec) -> String {
    s.window
        .as_ref()
        .map_or_else(|| "none".into(), |w| w.raw.trim().to_string())
}

/// A query on one line, cut at 60 characters.
fn query(q: &str) -> String {
    let one = q.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 60 {
        format!("`{}…`", one.chars().take(60).collect::<String>())
    } else {
        format!("`{one}`")
    }
}

/// "objective 0.99, window 28d, OpenSLO, SLI roles good, total".
fn summary(s: &SloSpec) -> String {
    let roles: Vec<&str> = s.sli.iter().map(|q| q.role.as_str()).collect();
    format!(
        "objective {}, window {}, {}{}",
        objective(s),
        window(s),
        SloFormat::label(s.format),
        if roles.is_empty() {
            String::new()
        } else {
            format!(", SLI {}", roles.join(", "))
        }
    )
}

/// What differs between two definitions of one SLO, old → new.
fn differences(was: &SloSpec, now: &SloSpec) -> Vec<String> {
    let mut out = Vec::new();
    if was.format != now.format {
        out.push(format!(
            "format {} → {}",
            SloFormat::label(was.format),
            SloFormat::label(now.format)
        ));
    }
    let ratio = |s: &SloSpec| s.objective.as_ref().map(|o| o.ratio);
    if ratio(was) != ratio(now) {
        out.push(format!("objective {} → {}", objective(was), objective(now)));
    }
    // Windows compare by length when it parses (`30d` = `720h`), else as written.
    let secs = |s: &SloSpec| {
        s.window.as_ref().map(|w| match w.seconds {
            Some(x) => Ok(x.to_bits()),
            None => Err(w.raw.trim().to_string()),
        })
    };
    if secs(was) != secs(now) {
        out.push(format!("window {} → {}", window(was), window(now)));
    }
    let mut roles: Vec<&str> = was
        .sli
        .iter()
        .chain(&now.sli)
        .map(|q| q.role.as_str())
        .collect();
    roles.sort_unstable();
    roles.dedup();
    for role in roles {
        let q = |s: &SloSpec| -> Vec<(String, String)> {
            s.sli
                .iter()
                .filter(|x| x.role == role)
                .map(|x| (x.query.clone(), x.language.clone()))
                .collect()
        };
        let (a, b) = (q(was), q(now));
        if a == b {
            continue;
        }
        let show = |v: &[(String, String)]| match v {
            [] => "none".to_string(),
            [(one, _)] => query(one),
            many => format!("{} queries", many.len()),
        };
        out.push(format!("{role} query changed: {} → {}", show(&a), show(&b)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::slo::{Objective, SliCategory, SliQuery, TimeWindow};
    use crate::yaml::Pos;

    fn spec(path: &str, name: &str, objective: f64, window: &str, good: &str) -> SloSpec {
        SloSpec {
            format: SloFormat::OpenSlo,
            path: path.into(),
            pos: Pos::line(3),
            service: Some("pay".into()),
            name: name.into(),
            objective: Some(Objective {
                ratio: objective,
                raw: objective.to_string(),
                pos: Pos::default(),
            }),
            window: Some(TimeWindow {
                raw: window.into(),
                seconds: crate::formats::parse_duration(window),
                pos: Pos::default(),
            }),
            window_in_file: true,
            sli: vec![
                SliQuery {
                    role: "good".into(),
                    query: good.into(),
                    pos: Pos::default(),
                    language: "promql".into(),
                },
                SliQuery {
                    role: "total".into(),
                    query: "sum(rate(http_requests_total[5m]))".into(),
                    pos: Pos::default(),
                    language: "promql".into(),
                },
            ],
            category: SliCategory::Availability,
            generates_burn_rate_alerts: false,
            generates_page_alert: false,
            generates_ticket_alert: false,
            alerts_disabled_at: Vec::new(),
            placeholder: false,
            schema_issues: Vec::new(),
        }
    }

    const GOOD: &str = "sum(rate(http_requests_total{code=\"200\"}[5m]))";
    const TOTAL: &str = "sum(rate(http_requests_total[5m]))";

    fn run(at_ref: Vec<SloSpec>, tree: &[SloSpec]) -> (Vec<SloSpec>, Vec<String>) {
        let (out, notes) = resolve(at_ref, tree, "main", &[], &|_| None);
        (out, notes.into_iter().map(|n| n.message).collect())
    }

    /// The three definition swaps of issue 17 item 3: the budget phase
    /// keeps REF's values and the notice names old and new.
    #[test]
    fn edits_are_reported_and_not_applied() {
        let was = spec("slo/pay.yaml", "availability", 0.999, "30d", GOOD);
        let now = spec("slo/pay.yaml", "availability", 0.9, "7d", TOTAL);
        let (out, notes) = run(vec![was], std::slice::from_ref(&now));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].objective.as_ref().map(|o| o.ratio), Some(0.999));
        assert_eq!(
            out[0].window.as_ref().and_then(|w| w.seconds),
            Some(2_592_000.0)
        );
        assert_eq!(out[0].sli[0].query, GOOD);
        assert_eq!(
            notes,
            [format!(
                "this change edits the definition of SLO `availability` of `pay`: objective 0.999 → 0.9, window 30d → 7d, good query changed: `{GOOD}` → `{TOTAL}`; its budget is read with the definition at main (slo/pay.yaml), the edit applies once merged"
            )]
        );
        // Unchanged, or written differently: nothing to say.
        let same = spec("slo/pay.yaml", "availability", 0.999, "30d", GOOD);
        let hours = spec("slo/pay.yaml", "availability", 0.999, "720h", GOOD);
        let (out, notes) = run(vec![same], &[hours]);
        assert_eq!((out.len(), notes.len()), (1, 0), "{notes:?}");
    }

    #[test]
    fn moved_deleted_and_new_slos() {
        let was = spec("slo/pay.yaml", "availability", 0.999, "30d", GOOD);
        // Moved to another file with a lower objective: still REF's.
        let moved = spec("other/pay.yaml", "availability", 0.5, "30d", GOOD);
        let (out, notes) = run(vec![was.clone()], &[moved]);
        assert_eq!((out.len(), out[0].path.as_str()), (1, "slo/pay.yaml"));
        assert!(notes[0].contains("objective 0.999 → 0.5"), "{notes:?}");
        // Deleted: still gated.
        let (out, notes) = run(vec![was.clone()], &[]);
        assert_eq!(out.len(), 1);
        assert!(notes[0].contains("still gated"), "{notes:?}");
        // New: read with the change's definition, and said so.
        let added = spec("slo/pay.yaml", "latency", 0.99, "28d", GOOD);
        let (out, notes) = run(vec![was], &[added]);
        assert_eq!(out.len(), 2);
        assert!(
            notes[1].starts_with(
                "new SLO, definition from the change: main does not define SLO `latency` of `pay`"
            ),
            "{notes:?}"
        );
    }

    /// A file may not give SLI queries to an SLO prr.yaml defines.
    #[test]
    fn a_new_file_for_an_slo_prr_yaml_lists_is_left_out() {
        let svc: Service = serde_json::from_value::<crate::config::ServiceBudget>(
            serde_json::json!({"slos": [{"name": "availability", "objective": 99.9}]}),
        )
        .map(|b| Service {
            name: "pay".into(),
            paths: Vec::new(),
            tier: prr_config::Tier::Standard,
            tier_given: false,
            owner: None,
            oncall: None,
            pos: Pos::default(),
            catalog_file: None,
            budget: b,
        })
        .expect("service");
        let added = spec("slo/pay.yaml", "availability", 0.5, "30d", TOTAL);
        let (out, notes) = resolve(Vec::new(), &[added], "main", &[svc], &|_| None);
        assert!(out.is_empty());
        assert!(
            notes[0].message.contains("lists under budget.slos"),
            "{notes:?}"
        );
    }
}
