//! `prr generate alerts`: multi-window, multi-burn-rate alerts (Google SRE
//! Workbook, ch. 5) and the error-ratio recording rules they read, from an
//! SLO file.
//!
//! Inputs: Sloth `prometheus/v1` files and `PrometheusServiceLevel` objects
//! (`events` and `raw` SLIs), OpenSLO v1/v1alpha ratio SLIs on a
//! Prometheus-compatible source, Pyrra `ratio` and `latency` indicators.
//! Anything else (threshold SLIs, Datadog or other sources, Sloth plugins,
//! Pyrra `latencyNative`/`bool_gauge`, slo-generator) is an error naming the
//! file and the SLO.
//!
//! Output, per SLO, sorted by service and SLO name:
//!
//! - recording rules `slo:sli_error:ratio_rate<W>` for W in 5m, 30m, 1h, 2h,
//!   6h, 1d, 3d (Sloth's names), labelled `service` (when the SLO names one)
//!   and `slo`, so prr's `alerts/burn-rate` check and dashboards find them;
//! - a page alert (`severity: page`): the error ratio above
//!   `factor × (1 − objective)` over 1h and 5m, or over 6h and 30m;
//! - a ticket alert (`severity: ticket`): over 1d and 2h, or over 3d and 6h.
//!
//! Factors: each condition spends a fixed share of the error budget in its
//! long window — 2 % in 1h, 5 % in 6h, 10 % in 1d, 10 % in 3d (the
//! Workbook's table) — so `factor = share × period / long window`. For the
//! Workbook's 30-day period that is 14.4, 6, 3 and 1; for 28 days it is
//! Sloth's built-in 28-day catalogue (13.44, 5.6, 2.8), except that a factor
//! is never below 1 (Sloth's 28-day slow ticket is 0.93): a burn rate below
//! 1 spends less than the budget over the period, so an alert on it fires
//! for an SLO that is being met. Sloth itself refuses periods other than
//! 28 and 30 days without a custom `AlertWindows` catalogue; prr keeps the
//! windows and the budget shares for any period from 7 days (below that the
//! 3-day window is close to half the period) and says which factors it used
//! in the file's header. Sloth files carry no period: 30 days, Sloth's
//! default (`--default-slo-period`).

use crate::formats::slo::{
    self, SloDocument, SloFormat, SloSpec, has_window_template, render_query_template,
};
use promql_parser::parser::Expr;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// Largest SLO file read, in bytes (the inventory's limit for any file).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Shortest SLO period accepted, in seconds (7 days).
pub const MIN_PERIOD_SECS: f64 = 7.0 * 86_400.0;

/// Sloth's default SLO period, used when the format has none: 30 days.
pub const DEFAULT_PERIOD_SECS: f64 = 30.0 * 86_400.0;

/// Every window a recording rule is written for, shortest first.
pub const WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/// Alert severity, the value of the `severity` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Fast burn: wake someone up.
    Page,
    /// Slow burn: a ticket for working hours.
    Ticket,
}

impl Severity {
    /// The label value: `page` or `ticket`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Page => "page",
            Severity::Ticket => "ticket",
        }
    }
}

/// One row of the Workbook's table: alert when the error ratio is above
/// `factor × error budget` over both windows, where the factor spends
/// `budget_share` of the period's error budget in the long window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Condition {
    /// Which alert the condition belongs to.
    pub severity: Severity,
    /// Long window (a Prometheus duration).
    pub long: &'static str,
    /// Short window, 1/12 of the long one: the alert stops soon after recovery.
    pub short: &'static str,
    /// Share of the period's error budget spent in the long window (0–1).
    pub budget_share: f64,
}

/// The Google SRE Workbook's recommended conditions (ch. 5, "Multiwindow,
/// Multi-Burn-Rate Alerts"), as budget shares.
pub const CONDITIONS: [Condition; 4] = [
    Condition {
        severity: Severity::Page,
        long: "1h",
        short: "5m",
        budget_share: 0.02,
    },
    Condition {
        severity: Severity::Page,
        long: "6h",
        short: "30m",
        budget_share: 0.05,
    },
    Condition {
        severity: Severity::Ticket,
        long: "1d",
        short: "2h",
        budget_share: 0.10,
    },
    Condition {
        severity: Severity::Ticket,
        long: "3d",
        short: "6h",
        budget_share: 0.10,
    },
];

/// The burn-rate factor of `c` for an SLO period of `period_secs` seconds:
/// `budget_share × period / long window`, rounded to 4 decimals, at least 1.
/// 14.4, 6, 3 and 1 for 30 days.
pub fn factor(c: &Condition, period_secs: f64) -> f64 {
    let long = crate::formats::parse_duration(c.long).unwrap_or(3600.0);
    let f = c.budget_share * period_secs / long;
    ((f * 1e4).round() / 1e4).max(1.0)
}

/// Which file format to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// A Prometheus rule file (`groups:`), for `rule_files:` / `promtool`.
    #[default]
    RuleFile,
    /// A `monitoring.coreos.com/v1` `PrometheusRule` (Prometheus Operator).
    PrometheusRule,
}

/// Options of [`generate`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `runbook_url` of the alerts: a URL or path, with `{service}`, `{slo}`
    /// and `{alert}` replaced. Default `runbooks/{service}-{slo}.md`
    /// (`runbooks/{slo}.md` when the SLO names no service).
    pub runbook_url: Option<String>,
    /// Output format.
    pub kind: Kind,
}

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

    fn id(&self) -> String {
        match &self.service {
            Some(s) => format!("{s}-{}", self.slo),
            None => self.slo.clone(),
        }
    }

    /// `{service="…",slo="…"}`.
    fn selector(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.service {
            parts.push(format!("service={}", quote(s)));
        }
        parts.push(format!("slo={}", quote(&self.slo)));
        format!("{{{}}}", parts.join(","))
    }
}

/// One SLI query, ready to be rendered over a window.
#[derive(Clone, Debug)]
enum Query {
    /// A query with Sloth's `{{.window}}` placeholder.
    Template(String),
    /// PromQL whose range selectors are all set to the window.
    Ast(Box<Expr>),
    /// A bare counter selector: `sum(rate(<selector>[window]))`.
    Counter(String),
}

impl Query {
    fn render(&self, window: &str) -> String {
        match self {
            Query::Template(q) => one_line(&render_query_template(q, window)),
            Query::Ast(e) => {
                let mut e = (**e).clone();
                if let Some(d) = crate::formats::parse_duration(window) {
                    set_ranges(&mut e, Duration::from_secs_f64(d));
                }
                e.to_string()
            }
            Query::Counter(sel) => format!("sum(rate({sel}[{window}]))"),
        }
    }
}

/// How the error ratio is built from the queries.
#[derive(Clone, Debug)]
enum Ratio {
    /// `errors / total`.
    Errors { errors: Query, total: Query },
    /// `1 - good / total`.
    Good { good: Query, total: Query },
    /// The query is the error ratio.
    Raw(Query),
}

impl Ratio {
    fn render(&self, w: &str) -> String {
        match self {
            Ratio::Errors { errors, total } => {
                format!("({})\n/\n({})", errors.render(w), total.render(w))
            }
            Ratio::Good { good, total } => {
                format!(
                    "1 - (\n  ({})\n  /\n  ({})\n)",
                    good.render(w),
                    total.render(w)
                )
            }
            Ratio::Raw(q) => q.render(w),
        }
    }
}

/// Reads `path` and writes the rules (see the module docs). `display` is
/// the file name printed in messages and in the output's header.
///
/// Errors (exit 2 for the CLI): the file cannot be read or parsed, holds no
/// SLO, or an SLO cannot be generated from (the message names the file, the
/// SLO and why).
pub fn generate(path: &Path, display: &str, opts: &Options) -> anyhow::Result<String> {
    let text = crate::fsio::read_text_bounded(path, MAX_FILE_BYTES)
        .map_err(|e| anyhow::anyhow!("{display}: {e}"))?;
    let plans = plans(&text, display)?;
    render(&plans, display, opts)
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

/// The error ratio of a spec's SLI.
fn ratio(s: &SloSpec) -> Result<Ratio, String> {
    if let Some(q) = s.sli.iter().find(|q| q.language != "promql") {
        return Err(format!(
            "its SLI reads a `{}` source: prr generates Prometheus rules only",
            if q.language.is_empty() {
                "unknown"
            } else {
                &q.language
            }
        ));
    }
    let role = |r: &str| s.sli.iter().find(|q| q.role == r);
    match s.format {
        SloFormat::Sloth | SloFormat::SlothCrd => {
            let t = |q: &slo::SliQuery| {
                if has_window_template(&q.query) {
                    Ok(Query::Template(q.query.clone()))
                } else {
                    Err(format!(
                        "the `{}` query has no `{{{{.window}}}}` placeholder",
                        q.role
                    ))
                }
            };
            match (role("errors"), role("total"), role("error-ratio")) {
                (Some(e), Some(t_), _) => Ok(Ratio::Errors {
                    errors: t(e)?,
                    total: t(t_)?,
                }),
                (_, _, Some(r)) => Ok(Ratio::Raw(t(r)?)),
                _ => Err(
                    "its SLI is neither `events` (error and total queries) nor `raw`: Sloth plugins are not supported"
                        .to_string(),
                ),
            }
        }
        SloFormat::OpenSlo => {
            if role("threshold").is_some() {
                return Err(
                    "its SLI is a threshold metric: prr generates alerts for ratio SLIs only"
                        .to_string(),
                );
            }
            match (role("good"), role("bad"), role("total")) {
                (_, Some(b), Some(t)) => Ok(Ratio::Errors {
                    errors: promql(&b.query)?,
                    total: promql(&t.query)?,
                }),
                (Some(g), None, Some(t)) => Ok(Ratio::Good {
                    good: promql(&g.query)?,
                    total: promql(&t.query)?,
                }),
                _ => Err(
                    "its SLI needs a Prometheus `ratioMetric` with `total` and `good` or `bad` (a `raw` ratio is not supported)"
                        .to_string(),
                ),
            }
        }
        SloFormat::Pyrra => match (role("errors"), role("success"), role("total")) {
            (Some(e), _, Some(t)) => Ok(Ratio::Errors {
                errors: promql(&e.query)?,
                total: promql(&t.query)?,
            }),
            (None, Some(g), Some(t)) => Ok(Ratio::Good {
                good: promql(&g.query)?,
                total: promql(&t.query)?,
            }),
            _ => Err(
                "its indicator is not `ratio` or `latency` (`latencyNative` and `bool_gauge` are not supported)"
                    .to_string(),
            ),
        },
        SloFormat::SloGenerator => {
            Err("slo-generator SLOs are not supported; use Sloth, OpenSLO or Pyrra".to_string())
        }
    }
}

/// A PromQL query to be rendered over other windows: its range selectors
/// are replaced (a bare counter selector gets `sum(rate(…[w]))`).
fn promql(q: &str) -> Result<Query, String> {
    if has_window_template(q) {
        // OpenSLO read the Sloth way (`{{.window}}`, Sloth's OpenSLO loader).
        return Ok(Query::Template(q.to_string()));
    }
    let q = one_line(q);
    let e = crate::formats::promql::parse(&q)
        .map_err(|e| format!("SLI query `{q}` is not valid PromQL: {e}"))?;
    if let Expr::VectorSelector(_) = e {
        return Ok(Query::Counter(q));
    }
    let (mut ranges, mut subqueries) = (0usize, 0usize);
    count_ranges(&e, &mut ranges, &mut subqueries);
    if subqueries > 0 {
        return Err(format!(
            "SLI query `{q}` uses a subquery: prr cannot move it to other windows"
        ));
    }
    if ranges == 0 {
        return Err(format!(
            "SLI query `{q}` has no range selector (such as `rate(x[5m])`): prr cannot evaluate it over other windows"
        ));
    }
    Ok(Query::Ast(Box::new(e)))
}

fn count_ranges(e: &Expr, ranges: &mut usize, subqueries: &mut usize) {
    match e {
        Expr::MatrixSelector(_) => *ranges += 1,
        Expr::Subquery(s) => {
            *subqueries += 1;
            count_ranges(&s.expr, ranges, subqueries);
        }
        Expr::Aggregate(a) => {
            count_ranges(&a.expr, ranges, subqueries);
            if let Some(p) = &a.param {
                count_ranges(p, ranges, subqueries);
            }
        }
        Expr::Unary(u) => count_ranges(&u.expr, ranges, subqueries),
        Expr::Binary(b) => {
            count_ranges(&b.lhs, ranges, subqueries);
            count_ranges(&b.rhs, ranges, subqueries);
        }
        Expr::Paren(p) => count_ranges(&p.expr, ranges, subqueries),
        Expr::Call(c) => {
            for a in &c.args.args {
                count_ranges(a, ranges, subqueries);
            }
        }
        _ => {}
    }
}

fn set_ranges(e: &mut Expr, d: Duration) {
    match e {
        Expr::MatrixSelector(m) => m.range = d,
        Expr::Subquery(s) => set_ranges(&mut s.expr, d),
        Expr::Aggregate(a) => {
            set_ranges(&mut a.expr, d);
            if let Some(p) = &mut a.param {
                set_ranges(p, d);
            }
        }
        Expr::Unary(u) => set_ranges(&mut u.expr, d),
        Expr::Binary(b) => {
            set_ranges(&mut b.lhs, d);
            set_ranges(&mut b.rhs, d);
        }
        Expr::Paren(p) => set_ranges(&mut p.expr, d),
        Expr::Call(c) => {
            for a in &mut c.args.args {
                set_ranges(a, d);
            }
        }
        _ => {}
    }
}

/// Renders the plans as YAML (see the module docs).
pub fn render(plans: &[Plan], display: &str, opts: &Options) -> anyhow::Result<String> {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Generated by prr {} (`prr generate alerts`) from {display}.",
        env!("CARGO_PKG_VERSION")
    );
    o.push_str("# Do not edit: change the SLO file and generate again.\n");
    o.push_str(
        "# Multi-window, multi-burn-rate alerts (Google SRE Workbook, ch. 5) and the\n\
         # error-ratio recording rules they read. Each condition spends a share of the\n\
         # period's error budget in its long window (page: 2 % in 1h, 5 % in 6h;\n\
         # ticket: 10 % in 1d, 10 % in 3d): factor = share x period / long window, at least 1.\n",
    );
    for p in plans {
        let conds: Vec<String> = p
            .conditions()
            .iter()
            .map(|(s, l, sh, f)| format!("{} {}x {l}/{sh}", s.as_str(), num(*f)))
            .collect();
        let _ = writeln!(
            o,
            "# {}: objective {} %, period {}{}: {}.",
            p.id(),
            num(p.objective * 100.0),
            dur(p.period_secs),
            if p.period_in_file {
                ""
            } else {
                " (Sloth's default)"
            },
            conds.join(", ")
        );
    }
    let indent = match opts.kind {
        Kind::RuleFile => {
            o.push_str("groups:\n");
            "  "
        }
        Kind::PrometheusRule => {
            let services: std::collections::BTreeSet<&str> =
                plans.iter().filter_map(|p| p.service.as_deref()).collect();
            let name = match services.iter().next() {
                Some(s) if services.len() == 1 => format!("{s}-slo-burn-rate"),
                _ => "slo-burn-rate".to_string(),
            };
            let _ = write!(
                o,
                "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: {}\n  labels:\n    app.kubernetes.io/managed-by: prr\nspec:\n  groups:\n",
                quote(&k8s_name(&name))
            );
            "    "
        }
    };
    for p in plans {
        write_groups(&mut o, p, indent, opts);
    }
    // The output must read back as YAML (a bug here must not ship rules
    // that Prometheus rejects).
    crate::yaml::parse_documents(&o)
        .map_err(|e| anyhow::anyhow!("internal error: generated YAML does not parse: {e}"))?;
    Ok(o)
}

fn write_groups(o: &mut String, p: &Plan, ind: &str, opts: &Options) {
    let id = p.id();
    let labels = |o: &mut String, at: &str| {
        let _ = writeln!(o, "{at}labels:");
        if let Some(s) = &p.service {
            let _ = writeln!(o, "{at}  service: {}", quote(s));
        }
        let _ = writeln!(o, "{at}  slo: {}", quote(&p.slo));
    };
    let _ = writeln!(
        o,
        "{ind}- name: {}\n{ind}  rules:",
        quote(&format!("prr-slo-recordings-{id}"))
    );
    for w in WINDOWS {
        let _ = writeln!(o, "{ind}    - record: slo:sli_error:ratio_rate{w}");
        block(o, &format!("{ind}      "), "expr", &p.error_ratio(w));
        labels(o, &format!("{ind}      "));
    }
    let _ = writeln!(
        o,
        "{ind}- name: {}\n{ind}  rules:",
        quote(&format!("prr-slo-alerts-{id}"))
    );
    let budget = fmt_ratio(1.0 - p.objective);
    let objective = fmt_ratio(p.objective);
    let sel = p.selector();
    for sev in [Severity::Page, Severity::Ticket] {
        let conds: Vec<_> = p.conditions().into_iter().filter(|c| c.0 == sev).collect();
        let expr = conds
            .iter()
            .map(|(_, long, short, f)| {
                let t = format!("({} * (1 - {objective}))", num(*f));
                format!(
                    "(\n  slo:sli_error:ratio_rate{long}{sel} > {t}\n  and\n  slo:sli_error:ratio_rate{short}{sel} > {t}\n)"
                )
            })
            .collect::<Vec<_>>()
            .join("\nor\n");
        let alert = p.alert_name(sev);
        let at = format!("{ind}      ");
        let _ = writeln!(o, "{ind}    - alert: {alert}");
        block(o, &at, "expr", &expr);
        let _ = writeln!(o, "{at}labels:\n{at}  severity: {}", sev.as_str());
        if let Some(s) = &p.service {
            let _ = writeln!(o, "{at}  service: {}", quote(s));
        }
        let _ = writeln!(o, "{at}  slo: {}", quote(&p.slo));
        let speed = match sev {
            Severity::Page => "fast",
            Severity::Ticket => "steadily",
        };
        let summary = format!(
            "{} SLO {} is burning its error budget {speed}",
            p.service.as_deref().unwrap_or("the"),
            p.slo
        );
        let windows: Vec<String> = conds
            .iter()
            .map(|(_, l, s, f)| format!("{}x the error budget over {l} and {s}", num(*f)))
            .collect();
        let description = format!(
            "The error ratio of SLO {} (objective {} % over {}, error budget {budget}) is above {}. Error ratio over the long window: {{{{ $value | humanizePercentage }}}}.",
            p.slo,
            num(p.objective * 100.0),
            dur(p.period_secs),
            windows.join(", or ")
        );
        let _ = writeln!(o, "{at}annotations:");
        let _ = writeln!(o, "{at}  summary: {}", quote(&summary));
        let _ = writeln!(o, "{at}  description: {}", quote(&description));
        let _ = writeln!(
            o,
            "{at}  runbook_url: {}",
            quote(&runbook_url(p, &alert, opts))
        );
    }
}

/// The `runbook_url` of an alert of `p`.
pub fn runbook_url(p: &Plan, alert: &str, opts: &Options) -> String {
    let template = match (&opts.runbook_url, &p.service) {
        (Some(t), _) => t.clone(),
        (None, Some(_)) => "runbooks/{service}-{slo}.md".to_string(),
        (None, None) => "runbooks/{slo}.md".to_string(),
    };
    let template = match &p.service {
        Some(_) => template,
        None => template.replace("{service}-", ""),
    };
    template
        .replace("{service}", p.service.as_deref().unwrap_or(""))
        .replace("{slo}", &p.slo)
        .replace("{alert}", alert)
}

/// `key: |-` and the text's lines indented under it; a text with control
/// characters is written as a double-quoted scalar instead.
fn block(o: &mut String, at: &str, key: &str, text: &str) {
    let first_indented = text.starts_with([' ', '\t']);
    if first_indented
        || text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        let _ = writeln!(o, "{at}{key}: {}", quote(text));
        return;
    }
    let _ = writeln!(o, "{at}{key}: |-");
    for line in text.lines() {
        let _ = writeln!(o, "{at}  {}", line.trim_end());
    }
}

/// A double-quoted string, valid in YAML and in PromQL (JSON escapes).
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A query on one line: line breaks and the indentation around them become
/// one space (PromQL does not care; the YAML block stays regular).
fn one_line(q: &str) -> String {
    q.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `checkout-api` → `CheckoutApi` (letters and digits only).
fn camel(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// A Kubernetes object name: lowercase alphanumerics and `-`, at most 63.
fn k8s_name(s: &str) -> String {
    let n: String = s
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let n = n.trim_matches('-');
    let n: String = n.chars().take(63).collect();
    let n = n.trim_end_matches('-').to_string();
    if n.is_empty() {
        "slo-burn-rate".to_string()
    } else {
        n
    }
}

/// A ratio with at most 10 decimals, trailing zeros removed (`0.999`).
fn fmt_ratio(x: f64) -> String {
    let s = format!("{x:.10}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A number with at most 4 decimals (`14.4`, `99.9`, `6`).
fn num(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Seconds in the largest whole unit (`2592000` → `30d`).
fn dur(secs: f64) -> String {
    for (unit, len) in [
        ("w", 604_800.0),
        ("d", 86_400.0),
        ("h", 3600.0),
        ("m", 60.0),
    ] {
        if secs >= len && (secs / len).fract() == 0.0 {
            if unit == "w" {
                return format!("{}d", secs / 86_400.0);
            }
            return format!("{}{unit}", secs / len);
        }
    }
    format!("{secs}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_for_periods() {
        let f = |days: f64| -> Vec<f64> {
            CONDITIONS
                .iter()
                .map(|c| factor(c, days * 86_400.0))
                .collect()
        };
        assert_eq!(f(30.0), vec![14.4, 6.0, 3.0, 1.0]);
        // Sloth's 28-day catalogue, but the slow ticket floored at 1 (Sloth: 0.9333).
        assert_eq!(f(28.0), vec![13.44, 5.6, 2.8, 1.0]);
        assert_eq!(f(90.0), vec![43.2, 18.0, 9.0, 3.0]);
    }

    #[test]
    fn openslo_ranges_are_rewritten() {
        let q = promql("sum(rate(http_requests_total{job=\"checkout\",code=~\"5..\"}[5m]))\n  / 2")
            .expect("query");
        let r = q.render("3d");
        assert!(r.contains("[3d]") && !r.contains("[5m]"), "{r}");
        assert!(r.contains("code=~\"5..\""), "{r}");
        assert!(matches!(
            promql("http_requests_total{code=~\"5..\"}"),
            Ok(Query::Counter(_))
        ));
        assert_eq!(
            promql("http_requests_total{code=~\"5..\"}")
                .map(|q| q.render("1h"))
                .ok(),
            Some("sum(rate(http_requests_total{code=~\"5..\"}[1h]))".to_string())
        );
        assert!(
            promql("sum(up)")
                .err()
                .is_some_and(|e| e.contains("no range selector"))
        );
        assert!(
            promql("max_over_time(rate(x[5m])[1h:1m])")
                .err()
                .is_some_and(|e| e.contains("subquery"))
        );
    }

    #[test]
    fn names_and_formats() {
        assert_eq!(camel("requests-availability"), "RequestsAvailability");
        assert_eq!(fmt_ratio(99.9 / 100.0), "0.999");
        assert_eq!(num(14.4), "14.4");
        assert_eq!(num(6.0), "6");
        assert_eq!(dur(30.0 * 86_400.0), "30d");
        assert_eq!(dur(28.0 * 86_400.0), "28d");
        assert_eq!(k8s_name("My_Service.slo"), "my-service-slo");
    }
}
