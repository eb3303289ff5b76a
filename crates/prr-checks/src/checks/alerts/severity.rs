//! The repository's severity vocabulary, and which alerts page.
//!
//! `alerts/severity-label` used to require one of a fixed list
//! (`critical, warning, info, page, ticket`), and `alerts/for` and
//! `alerts/cause-based-page` assumed that `critical` and `page` page. Real
//! repositories have their own schemes — `high`/`medium`, a severity per
//! team channel that Alertmanager routes on, `severity: none` on a dead
//! man's switch routed by alert name, `critical` that goes to chat while
//! `page` pages — and the fixed list made hundreds of false errors on them.
//! The vocabulary is what the repository uses, unless prr.yaml says
//! otherwise:
//!
//! - **Allowed values**: prr.yaml's `allowed` list when given (compared
//!   exactly); otherwise every value the repository's alerts use, except a
//!   value that looks like a slip of a more common one (another case, or an
//!   edit distance of 1–2 letters from a value used at least three times as
//!   often, digits aside, so `p1`/`p2` and `sev1`/`sev2` stay distinct).
//!   One notice says the vocabulary was taken from the repository.
//! - **A missing label** is a finding when the repository routes on the
//!   label, that is when most of its alerts carry it.
//! - **Paging values**: prr.yaml's `page-severities` when given; otherwise
//!   inferred from the scheme: `page` (or `pager`, `paging`) when the
//!   repository uses it — then `critical` is the top non-paging level, as in
//!   the page/ticket scheme — else `critical`. Messages say which.
//!
//! When the repository holds Alertmanager configuration (an
//! `alertmanager.yml`-shaped file, `AlertmanagerConfig` objects) and none of
//! its receivers can page (only e-mail, Slack, Teams, … — no PagerDuty,
//! Opsgenie, VictorOps, Pushover, SNS or webhook), no alert pages.
//! Otherwise, when it has a routing tree and `page-severities` is not set,
//! the routes decide: an alert pages when its static labels reach a
//! receiver that pages (PagerDuty, Opsgenie, VictorOps, or named in
//! prr.yaml's `paging-receivers`; see [`super::route`]).

use super::{alerts, label_value};
use crate::checks::Context;
use crate::formats::prometheus_rules::{PromRule, RuleGroup};
use std::collections::BTreeMap;

/// Severity values the alerts of the repository use, with counts.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Value → number of alerts that carry it (group labels included).
    pub counts: BTreeMap<String, usize>,
    /// Alerts that carry the label.
    pub labelled: usize,
    /// All alerts.
    pub alerts: usize,
}

impl Vocabulary {
    /// The values of `label` over every alert of the repository, counted
    /// once per run (see [`Vocabulary::count`]).
    pub fn of(ctx: &Context, label: &str) -> std::sync::Arc<Vocabulary> {
        let mut memo = ctx
            .memo
            .vocabulary
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        memo.entry(label.to_string())
            .or_insert_with(|| std::sync::Arc::new(Vocabulary::count(ctx, label)))
            .clone()
    }

    /// Counts the values of `label` over every alert of the repository.
    pub fn count(ctx: &Context, label: &str) -> Vocabulary {
        let mut v = Vocabulary::default();
        for (_, g, r) in alerts(ctx) {
            v.alerts += 1;
            if let Some(t) = label_value(g, r, label) {
                v.labelled += 1;
                *v.counts.entry(t.value.trim().to_string()).or_default() += 1;
            }
        }
        v
    }

    /// Whether the repository routes on the label: more than half of its
    /// alerts carry it.
    pub fn routes_on_label(&self) -> bool {
        self.labelled * 2 > self.alerts
    }

    /// The more common value `value` looks like a slip of, if any: the same
    /// letters in another case, or within edit distance 1 (optimal string
    /// alignment: a swap of two letters counts once; values of up to
    /// 5 characters) or 2 (longer), differing in more than digits, and used
    /// at least three times as often.
    pub fn slip_of(&self, value: &str) -> Option<&str> {
        let n = self.counts.get(value).copied().unwrap_or(0);
        let letters = |s: &str| -> String { s.chars().filter(|c| !c.is_ascii_digit()).collect() };
        self.counts
            .iter()
            .filter(|(other, m)| other.as_str() != value && **m >= 3 * n.max(1))
            .filter(|(other, _)| {
                if other.eq_ignore_ascii_case(value) {
                    return true;
                }
                if letters(other) == letters(value) {
                    return false;
                }
                let max = if value.chars().count() <= 5 { 1 } else { 2 };
                strsim::osa_distance(&other.to_lowercase(), &value.to_lowercase()) <= max
            })
            .max_by_key(|(_, m)| **m)
            .map(|(other, _)| other.as_str())
    }

    /// `high 320, medium 210, …` (most used first, at most `max`).
    pub fn summary(&self, max: usize) -> String {
        let mut v: Vec<(&String, &usize)> = self.counts.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let mut parts: Vec<String> = v
            .iter()
            .take(max)
            .map(|(k, n)| format!("{} {n}", if k.is_empty() { "\"\"" } else { k }))
            .collect();
        if v.len() > max {
            parts.push(format!("and {} more", v.len() - max));
        }
        parts.join(", ")
    }
}

/// Which severity values page, and how prr knows.
#[derive(Debug, Clone)]
pub struct Paging {
    /// The paging values (compared case-insensitively).
    pub values: Vec<String>,
    /// `true` when prr.yaml's `page-severities` gave them.
    pub configured: bool,
    /// Set when the repository's Alertmanager configuration has no
    /// receiver that can page: where it is (`path`, one of them).
    pub no_pager_in: Option<String>,
    /// `true` when the repository's Alertmanager routing decides: an alert
    /// pages when one of the receivers its labels reach pages
    /// ([`super::route::paging_route`]); `values` is then empty.
    pub routed: bool,
}

/// Alertmanager receiver integrations that notify a person's phone or an
/// incident tool (Alertmanager docs, `<receiver>`), or may (a webhook can
/// front a pager): while one exists, prr cannot say that nothing pages.
const MAY_PAGE: &[&str] = &[
    "pagerduty_configs",
    "opsgenie_configs",
    "victorops_configs",
    "pushover_configs",
    "webhook_configs",
    "sns_configs",
    "incidentio_configs",
    "pagerdutyConfigs",
    "opsgenieConfigs",
    "victoropsConfigs",
    "pushoverConfigs",
    "webhookConfigs",
    "snsConfigs",
    "incidentioConfigs",
];

/// Values that name paging directly in a page/ticket scheme.
const PAGE_WORDS: &[&str] = &["page", "pager", "paging"];

/// The first Alertmanager configuration file of the repository when none
/// of its configurations has a receiver that can page; `None` when there is
/// none, or one of them may page. Reads `alertmanager.yml`-shaped documents
/// (a top-level `route` and `receivers`) and prometheus-operator
/// `AlertmanagerConfig` objects (`spec.receivers`); files in non-production
/// trees (Alertmanager's own test data) are not the repository's routing.
/// Computed once per run.
fn no_pager_in(ctx: &Context) -> Option<String> {
    ctx.memo
        .no_pager_in
        .get_or_init(|| {
            let skip = crate::inventory::globset(&ctx.config.non_production);
            let may_page = |rs: &crate::yaml::Node| {
                rs.items()
                    .iter()
                    .any(|r| MAY_PAGE.iter().any(|k| r.get(k).is_some()))
            };
            let mut first: Option<String> = None;
            let files = ctx
                .inventory
                .files
                .iter()
                .filter(|f| !skip.is_match(&f.path));
            for f in files {
                for d in &f.docs {
                    if d.get("route").is_some()
                        && let Some(rs) = d.get("receivers")
                    {
                        if may_page(rs) {
                            return None;
                        }
                        first.get_or_insert_with(|| f.path.clone());
                    }
                }
            }
            let objects = ctx
                .inventory
                .objects
                .iter()
                .filter(|o| !skip.is_match(&o.path));
            for o in objects.filter(|o| o.kind == "AlertmanagerConfig") {
                if let Some(rs) = o.node.path("spec.receivers") {
                    if may_page(rs) {
                        return None;
                    }
                    first.get_or_insert_with(|| o.path.clone());
                }
            }
            first
        })
        .clone()
}

impl Paging {
    /// `configured` when prr.yaml set it, else the inference of the module
    /// docs over the repository's vocabulary.
    pub fn resolve(ctx: &Context, label: &str, configured: Option<&[String]>) -> Paging {
        if let Some(c) = configured {
            return Paging {
                values: c.to_vec(),
                configured: true,
                no_pager_in: None,
                routed: false,
            };
        }
        // Alertmanager configuration whose receivers cannot page: nothing
        // pages, whatever the severity.
        if let Some(at) = no_pager_in(ctx) {
            return Paging {
                values: Vec::new(),
                configured: false,
                no_pager_in: Some(at),
                routed: false,
            };
        }
        // Routing read: the receivers decide, not a guess about values.
        if super::route::has_routing(ctx) {
            return Paging {
                values: Vec::new(),
                configured: false,
                no_pager_in: None,
                routed: true,
            };
        }
        let vocab = Vocabulary::of(ctx, label);
        let used = |w: &str| vocab.counts.keys().any(|k| k.eq_ignore_ascii_case(w));
        let page: Vec<String> = PAGE_WORDS
            .iter()
            .filter(|w| used(w))
            .map(|w| w.to_string())
            .collect();
        let values = if !page.is_empty() {
            page
        } else {
            vec!["critical".to_string()]
        };
        Paging {
            values,
            configured: false,
            no_pager_in: None,
            routed: false,
        }
    }

    /// The alert's severity value when it pages; with [`Paging::routed`],
    /// the receiver that pages it (`receiver `pd` (pagerduty_configs) of
    /// alertmanager.yml:3`), for [`Paging::why`].
    pub fn pages(&self, ctx: &Context, g: &RuleGroup, r: &PromRule, label: &str) -> Option<String> {
        if self.routed {
            return super::route::paging_route(ctx, g, r);
        }
        let v = label_value(g, r, label)?;
        let v = v.value.trim();
        self.values
            .iter()
            .any(|p| p.eq_ignore_ascii_case(v))
            .then(|| v.to_string())
    }

    /// Why the alert counts as paging, for the end of a message:
    /// `paging: severity=critical, …`.
    pub fn why(&self, label: &str, value: &str) -> String {
        if self.routed {
            format!("paging: Alertmanager routes it to {value}")
        } else if self.configured {
            format!("paging: {label}={value}, in page-severities")
        } else {
            format!(
                "paging: {label}={value}, inferred from this repository's {label} values; set page-severities if it does not page"
            )
        }
    }
}
