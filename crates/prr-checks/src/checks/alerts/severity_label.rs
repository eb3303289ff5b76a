//! `alerts.severity-label` (rule `alerts/severity-label`): every alert
//! carries a severity label with a value the routes match.

use super::model::{alerts, label_value, name_pos};
use super::notice::{non_production_alerts, notice};
use super::params::default_severity_label;
use crate::checks::{Context, Sink};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Parameters of `alerts.severity-label`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SeverityLabel {
    /// The label name (default `severity`).
    #[serde(default = "default_severity_label")]
    pub label: String,
    /// Allowed values, compared exactly (Alertmanager routes match
    /// exactly). Unset (the default): the values the repository's alerts
    /// use, less slips of a more common value (see [`crate::checks::severity`]).
    /// Empty: any value.
    #[serde(default)]
    pub allowed: Option<Vec<String>>,
}

/// The values of the two common schemes (`critical / warning / info`,
/// `page / ticket`): a repository using only these gets no notice about
/// its vocabulary.
const COMMON_SEVERITIES: &[&str] = &["critical", "warning", "info", "page", "ticket"];

/// Runs `alerts.severity-label`.
pub fn severity_label(ctx: &Context, p: &SeverityLabel, sink: &mut Sink) {
    let vocab = crate::checks::severity::Vocabulary::of(ctx, &p.label);
    let configured = p.allowed.as_ref();
    // Without `allowed`, the values the Alertmanager routes match on.
    let routed = match configured {
        None => crate::checks::route::routed_values(ctx, &p.label),
        Some(_) => None,
    };
    // Missing labels matter when the list is configured or when the
    // repository routes on the label (routes match it, most alerts carry it).
    let require = configured.is_some() || routed.is_some() || vocab.routes_on_label();
    let shown = match (configured, &routed) {
        (Some(a), _) if !a.is_empty() => a.join("|"),
        (None, Some((values, _))) if !values.is_empty() => values.join("|"),
        _ => {
            let mut v: Vec<(&String, &usize)> = vocab.counts.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1));
            v.iter()
                .take(4)
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>()
                .join("|")
        }
    };
    let mut non_production: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (f, g, r) in alerts(ctx) {
        match label_value(g, r, &p.label) {
            // A rule of a non-production environment left without a
            // severity: counted in one notice, not reported one by one
            // (unless prr.yaml sets `allowed`).
            None if require
                && configured.is_none()
                && let Some(env) = crate::checks::environment::non_production(
                    &f.path,
                    f.object_namespace.as_deref(),
                ) =>
            {
                *non_production.entry(env).or_default() += 1;
            }
            None if require => {
                let at = r.node.key("labels").map_or(name_pos(r), |k| k.pos);
                let why = if configured.is_some() {
                    "prr.yaml requires it".to_string()
                } else if let Some((_, sites)) = &routed {
                    format!(
                        "the Alertmanager routes ({sites}) match on it, so this alert goes to the default receiver"
                    )
                } else {
                    format!(
                        "{} of this repository's {} alerts carry it, so its routing depends on it and this alert goes to the default receiver",
                        vocab.labelled, vocab.alerts
                    )
                };
                sink.report(
                    &f.path,
                    at,
                    format!(
                        "alert `{}` has no `{}` label: {why}; add `{}: <{shown}>` under `labels:`",
                        r.name(),
                        p.label,
                        p.label,
                    ),
                );
            }
            None => {}
            Some(v) => {
                let value = v.value.trim();
                let shown_value = if value.is_empty() { "\"\"" } else { value };
                let problem = match configured {
                    Some(a) if !a.is_empty() && !a.iter().any(|x| x == &v.value) => {
                        let hint = a
                            .iter()
                            .find(|x| x.eq_ignore_ascii_case(value))
                            .map(|x| format!(" (did you mean `{x}`? values are case-sensitive)"))
                            .unwrap_or_default();
                        Some(format!("{hint}: use one of {} so Alertmanager routes it", a.join(", ")))
                    }
                    Some(_) => None,
                    None if routed.is_some() => {
                        let (values, sites) = routed.as_ref().map(|(v, s)| (v.join(", "), s.as_str())).unwrap_or_default();
                        (!crate::checks::route::value_routed(ctx, &p.label, value)).then(|| {
                            format!(
                                ", which no route of the Alertmanager configuration ({sites}) matches{}: Alertmanager sends it to the default receiver; use a value the routes match",
                                if values.is_empty() { String::new() } else { format!(" (they match {values})") }
                            )
                        })
                    }
                    None => vocab.slip_of(value).map(|common| {
                        format!(
                            ", which looks like a slip of `{common}` ({} alerts here use it; values are compared exactly, so routes on `{common}` miss this one): use `{common}`, or list both in the rule's `allowed`",
                            vocab.counts.get(common).copied().unwrap_or(0)
                        )
                    }),
                };
                if let Some(problem) = problem {
                    sink.report(
                        &f.path,
                        v.pos,
                        format!(
                            "alert `{}` has `{}: {shown_value}`{problem}",
                            r.name(),
                            p.label
                        ),
                    );
                }
            }
        }
    }
    if !non_production.is_empty() {
        let (_, alerts) = non_production_alerts(&non_production, "");
        notice(
            sink,
            "",
            format!(
                "{alerts} carry no `{}` label: not reported one by one; set `allowed` in prr.yaml to require it everywhere",
                p.label
            ),
        );
    }
    if configured.is_none() && routed.is_none() && !vocab.counts.is_empty() {
        let own = vocab
            .counts
            .keys()
            .any(|k| !COMMON_SEVERITIES.contains(&k.as_str()));
        if own || !require {
            let routing = if require {
                String::new()
            } else {
                format!(
                    "; only {} of {} alerts carry the label, so a missing one is not reported",
                    vocab.labelled, vocab.alerts
                )
            };
            notice(
                sink,
                "",
                format!(
                    "`{}` values taken from this repository's alerts (no Alertmanager routing read, no `allowed` list): {}{routing}. Set `allowed` in prr.yaml to enforce a list",
                    p.label,
                    vocab.summary(8)
                ),
            );
        }
    }
}
