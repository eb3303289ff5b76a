//! From an SLO file to plans: the SLOs the generator can write rules for,
//! each checked (objective, period, factors, queries) before any output.

use super::query::{Ratio, ratio};
use super::text::{camel, dur, num, quote};
use super::{CONDITIONS, DEFAULT_PERIOD_SECS, MIN_PERIOD_SECS, Severity, WINDOWS, factor};
use crate::formats::slo::{self, SloDocument, SloSpec};

/// An SLO the generator can write rules for.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Service (from the SLO file), if it names one.
    pub service: Option<String>,
    /// SLO name (as prr and Sloth name it).
    pub slo: String,
    /// Objective as a ratio in (0, 1).
    pub objective: f64,
    /// SLO period in seconds.
    pub period_secs: f64,
    /// Whether the period came from the file (else Sloth's 30-day default).
    pub period_in_file: bool,
    /// The error ratio over `{{.window}}`.
    ratio: Ratio,
}

impl Plan {
    /// The error-ratio PromQL over `window` (e.g. `5m`).
    pub fn error_ratio(&self, window: &str) -> String {
        self.ratio.render(window)
    }

    /// `(severity, long, short, factor)` of every alert condition, in
    /// [`CONDITIONS`] order.
    pub fn conditions(&self) -> Vec<(Severity, &'static str, &'static str, f64)> {
        CONDITIONS
            .iter()
            .map(|c| (c.severity, c.long, c.short, factor(c, self.period_secs)))
            .collect()
    }

    /// Alert name: `<Service><Slo>FastBurn` (page) or `…SlowBurn` (ticket),
    /// the service left out when the SLO name already starts with it.
    pub fn alert_name(&self, severity: Severity) -> String {
        let slo = camel(&self.slo);
        let base = match &self.service {
            Some(svc) if !slo.starts_with(&camel(svc)) => format!("{}{slo}", camel(svc)),
            _ => slo,
        };
        let suffix = match severity {
            Severity::Page => "FastBurn",
            Severity::Ticket => "SlowBurn",
        };
        format!("{base}{suffix}")
    }

    pub(super) fn id(&self) -> String {
        match &self.service {
            Some(s) => format!("{s}-{}", self.slo),
            None => self.slo.clone(),
        }
    }

    /// `{service="…",slo="…"}`.
    pub(super) fn selector(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.service {
            parts.push(format!("service={}", quote(s)));
        }
        parts.push(format!("slo={}", quote(&self.slo)));
        format!("{{{}}}", parts.join(","))
    }
}

/// The SLOs of an SLO file's text, or an error naming `display` with every
/// SLO that cannot be generated from and why.
pub fn plans(text: &str, display: &str) -> anyhow::Result<Vec<Plan>> {
    let nodes = crate::yaml::parse_documents(text).map_err(|e| {
        anyhow::anyhow!(
            "{display}:{}:{}: not valid YAML: {e}",
            e.pos.line,
            e.pos.column
        )
    })?;
    let docs: Vec<SloDocument> = crate::inventory::flatten(nodes)
        .into_iter()
        .filter_map(|node| {
            slo::classify(&node).map(|format| SloDocument {
                path: display.to_string(),
                format,
                node,
            })
        })
        .collect();
    let specs: Vec<SloSpec> = slo::extract(&docs)
        .into_iter()
        .filter(|s| !s.placeholder)
        .collect();
    if specs.is_empty() {
        anyhow::bail!(
            "{display}: no SLO found to generate alerts from (expected a Sloth `prometheus/v1` file or `PrometheusServiceLevel`, an OpenSLO `kind: SLO`, or a Pyrra `ServiceLevelObjective`)"
        );
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for s in &specs {
        match plan(s) {
            Ok(p) => out.push(p),
            Err(why) => errors.push(format!(
                "{display}:{}: SLO `{}`: {why}",
                s.pos.line,
                if s.name.is_empty() { "?" } else { &s.name }
            )),
        }
    }
    if !errors.is_empty() {
        anyhow::bail!(
            "cannot generate burn-rate alerts from {display}:\n  {}",
            errors.join("\n  ")
        );
    }
    out.sort_by(|a, b| (&a.service, &a.slo).cmp(&(&b.service, &b.slo)));
    for w in out.windows(2) {
        if let [a, b] = w
            && a.service == b.service
            && a.slo == b.slo
        {
            anyhow::bail!(
                "{display}: SLO `{}` is declared twice: its rules would clash",
                a.id()
            );
        }
    }
    Ok(out)
}

/// One SLO → a plan, or why not.
fn plan(s: &SloSpec) -> Result<Plan, String> {
    if s.name.trim().is_empty() {
        return Err("the SLO has no name".to_string());
    }
    let objective = s.objective.as_ref().ok_or("no numeric objective")?.ratio;
    if !(objective > 0.0 && objective < 1.0) {
        return Err(format!(
            "objective {} % is not strictly between 0 and 100 %: there is no error budget to burn",
            num(objective * 100.0)
        ));
    }
    let (period_secs, period_in_file) = match (&s.window, s.window_in_file) {
        (Some(w), _) => match w.seconds {
            Some(secs) => (secs, true),
            None => {
                return Err(format!(
                    "time window `{}` is not a duration prr reads",
                    w.raw
                ));
            }
        },
        (None, false) => (DEFAULT_PERIOD_SECS, false),
        (None, true) => return Err("no time window".to_string()),
    };
    if period_secs < MIN_PERIOD_SECS {
        return Err(format!(
            "time window {} is shorter than 7d: the 3d burn-rate window would cover most of it",
            dur(period_secs)
        ));
    }
    let ratio = ratio(s)?;
    let p = Plan {
        service: s.service.clone().filter(|v| !v.trim().is_empty()),
        slo: s.name.clone(),
        objective,
        period_secs,
        period_in_file,
        ratio,
    };
    let budget = 1.0 - objective;
    for (sev, long, short, f) in p.conditions() {
        if f * budget >= 1.0 {
            return Err(format!(
                "the {} condition ({}× over {long} and {short}) needs an error ratio of {} > 1 at objective {} %: it could never fire (objective too low for a {} period)",
                sev.as_str(),
                num(f),
                num(f * budget),
                num(objective * 100.0),
                dur(period_secs)
            ));
        }
    }
    // Every rendered error ratio must parse: a broken SLI query is the SLO
    // file's fault, reported here rather than by Prometheus later.
    for w in WINDOWS {
        let q = p.error_ratio(w);
        crate::formats::promql::parse(&q)
            .map_err(|e| format!("the error ratio over {w} is not valid PromQL ({e}): {q}"))?;
    }
    Ok(p)
}
