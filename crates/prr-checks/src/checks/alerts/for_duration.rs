//! `alerts.for` (rule `alerts/for`): a paging alert waits (`for:`) before it
//! pages.

use super::expr::expr_facts;
use super::model::{alerts, name_pos};
use super::notice::notice;
use super::params::{DurationParam, default_severity_label};
use crate::checks::{Context, Sink};
use serde::Deserialize;

/// Parameters of `alerts.for`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ForDuration {
    /// Minimum `for:` of a paging alert (default `2m`: at least two
    /// evaluations at Prometheus' default 1m interval, so one bad scrape or
    /// a restart does not page).
    #[serde(default = "default_min_for")]
    pub min: DurationParam,
    /// The severity label (default `severity`).
    #[serde(default = "default_severity_label")]
    pub label: String,
    /// Severity values that page (case-insensitive). Unset (the default):
    /// inferred from the repository's severity scheme (see
    /// [`crate::checks::severity::Paging`]).
    #[serde(default)]
    pub page_severities: Option<Vec<String>>,
    /// Skip multi-window burn-rate alerts (an `and` of two different rate
    /// windows): their short window already filters blips (Google SRE
    /// Workbook ch. 5), and generators such as Sloth set no `for:`.
    #[serde(default = "default_true")]
    pub exempt_multi_window: bool,
}

fn default_min_for() -> DurationParam {
    DurationParam { seconds: 120.0 }
}

fn default_true() -> bool {
    true
}

/// Runs `alerts.for`.
pub fn for_duration(ctx: &Context, p: &ForDuration, sink: &mut Sink) {
    let min_text = prr_core::duration::format_duration(p.min.seconds);
    let paging =
        crate::checks::severity::Paging::resolve(ctx, &p.label, p.page_severities.as_deref());
    if let Some(at) = &paging.no_pager_in {
        notice(
            sink,
            at,
            "no alert is judged as paging: the repository's Alertmanager configuration (this file and any others) has no receiver that can page (PagerDuty, Opsgenie, VictorOps, Pushover, SNS, webhook); set `page-severities` if alerts page another way",
        );
    }
    for (f, g, r) in alerts(ctx) {
        let Some(sev) = paging.pages(ctx, g, r, &p.label) else {
            continue;
        };
        let why = paging.why(&p.label, &sev);
        if p.exempt_multi_window
            && let Some(facts) = r.expr.as_ref().and_then(|e| expr_facts(&e.value))
            && facts.has_and
            && facts.windows.len() >= 2
        {
            continue;
        }
        match &r.r#for {
            None => sink.report(
                &f.path,
                name_pos(r),
                format!(
                    "paging alert `{}` has no `for:`: it pages on a single evaluation (one bad scrape, a restart); add `for: {min_text}` or more ({why})",
                    r.name()
                ),
            ),
            Some(t) => {
                let Some(secs) = crate::formats::parse_duration(&t.value) else { continue };
                if secs < p.min.seconds {
                    sink.report(
                        &f.path,
                        t.pos,
                        format!(
                            "paging alert `{}` has `for: {}`: shorter than {min_text}, it pages on blips; set `for: {min_text}` or more ({why})",
                            r.name(),
                            t.value
                        ),
                    );
                }
            }
        }
    }
}
