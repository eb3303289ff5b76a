//! `alerts/burn-rate`: every SLO has fast and slow multi-window, multi-burn-rate alerts (Google SRE Workbook, ch. 5).
//!
//! An SLO is covered when its format generates the alerts (Sloth with its
//! page and ticket alerts enabled, Pyrra unless alerting is disabled) or when
//! the repository's alerting rules contain them. An alerting rule counts when
//! its PromQL (read with promql-parser's AST, not regexes) compares an error
//! ratio over a long and a short window against the same threshold:
//!
//! - fast burn (page): long window ≤ 6 h, e.g. 14.4× over 1 h and 5 m,
//!   6× over 6 h and 30 m;
//! - slow burn (ticket): long window > 6 h, e.g. 3× over 1 d and 2 h,
//!   1× over 3 d and 6 h.
//!
//! The threshold must be consistent with the SLO's objective: written as
//! `factor * budget` (`14.4 * (1 - 0.999)`, Sloth's `(14.4 * 0.001)`, Pyrra's
//! `(14 * (1-0.99))`) the budget must equal `1 - objective`; written as one
//! number (`0.0144`) it must be a known burn-rate factor (14.4, 6, 3, 1 or
//! Pyrra's 14, 7, 2, 1) times the error budget.
//!
//! Windows come from range selectors (`rate(x[1h])`), subqueries, recording
//! rule names that end in the window (`slo:sli_error:ratio_rate1h`,
//! `…:burnrate5m`) or Sloth's `sloth_window` label. An alert matches an SLO
//! by its `sloth_slo`/`slo` (and `sloth_service`/`service`, `sloth_id`)
//! labels or matchers, or else by sharing a metric name with the SLI queries.

use crate::checks::slo::{TEMPLATE_WINDOW, describe, number, percent};
use crate::checks::{Context, Sink};
use crate::formats::parse_duration;
use crate::formats::prometheus_rules::PromRule;
use crate::formats::slo::{SloSpec, render_query_template};
use crate::yaml::Pos;
use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, VectorSelector};
use regex::Regex;
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Parameters of `alerts.burn-rate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct BurnRate {
    /// Burn-rate factors accepted for thresholds written as a single number
    /// (default: the SRE Workbook's 14.4, 6, 3, 1 and Pyrra's 14, 7, 2, 1).
    pub factors: Vec<f64>,
    /// Relative tolerance when comparing factors and error budgets (default 0.05).
    pub tolerance: f64,
}

impl Default for BurnRate {
    fn default() -> Self {
        BurnRate {
            factors: vec![14.4, 6.0, 3.0, 1.0, 14.0, 7.0, 2.0],
            tolerance: 0.05,
        }
    }
}

/// Longest long window of a fast-burn (page) condition, in seconds (6 h).
const FAST_MAX_WINDOW: f64 = 6.0 * 3600.0;

/// One `error ratio over a window > threshold` comparison.
#[derive(Clone, Debug)]
struct Cond {
    /// Window in seconds.
    window: f64,
    /// Threshold (an error ratio, 0–1).
    threshold: f64,
    /// `factor * budget` when the threshold is written that way.
    split: Option<(f64, f64)>,
}

/// A multi-window condition: the same threshold over a long and a short window.
#[derive(Clone, Debug)]
struct MultiWindow {
    long: f64,
    short: f64,
    threshold: f64,
    split: Option<(f64, f64)>,
}

/// What an alerting rule's expression says, as far as burn rates go.
struct AlertInfo<'a> {
    path: &'a str,
    rule: &'a PromRule,
    /// Equality label matchers of the expression and the alert's own labels.
    labels: Vec<(String, String)>,
    /// Metric names selected by the expression.
    metrics: HashSet<String>,
    /// Multi-window conditions.
    multi: Vec<MultiWindow>,
    /// Whether it has burn-rate comparisons over one window only.
    single_window: bool,
}

impl AlertInfo<'_> {
    fn name(&self) -> &str {
        self.rule.name()
    }

    fn pos(&self) -> Pos {
        self.rule.expr.as_ref().map_or(self.rule.pos, |e| e.pos)
    }
}

/// Runs `alerts.burn-rate`.
pub fn burn_rate(ctx: &Context, p: &BurnRate, sink: &mut Sink) {
    let alerts: Vec<AlertInfo> = ctx
        .inventory
        .rule_files
        .iter()
        .flat_map(|f| f.rules().map(move |r| (f.path.as_str(), r)))
        .filter(|(_, r)| r.alert.is_some())
        .filter_map(|(path, r)| analyse(path, r))
        .filter(|a| !a.multi.is_empty() || a.single_window)
        .collect();
    let mut seen = HashSet::new();
    for slo in ctx.inventory.slos.iter().filter(|s| !s.placeholder) {
        let slo_metrics = sli_metrics(slo);
        let budget = slo
            .objective
            .as_ref()
            .map(|o| 1.0 - o.ratio)
            .filter(|b| *b > 0.0 && *b < 1.0);
        let mut page = slo.generates_page_alert;
        let mut ticket = slo.generates_ticket_alert;
        let mut single: Vec<&str> = Vec::new();
        for a in alerts.iter().filter(|a| matches(slo, a, &slo_metrics)) {
            if a.single_window && a.multi.is_empty() {
                single.push(a.name());
            }
            for mw in &a.multi {
                if let Some(b) = budget
                    && let Some(msg) = inconsistency(mw, b, p)
                {
                    if seen.insert((a.path.to_string(), a.pos(), slo.name.clone())) {
                        sink.report(
                            a.path,
                            a.pos(),
                            format!(
                                "alert `{}` compares the {}/{} error ratio with {msg} for {} (objective {} %, error budget {})",
                                a.name(),
                                prr_core::duration::format_duration(mw.long),
                                prr_core::duration::format_duration(mw.short),
                                describe(slo),
                                slo.objective.as_ref().map_or(String::new(), |o| percent(o.ratio)),
                                number(b),
                            ),
                        );
                    }
                    continue;
                }
                if mw.long <= FAST_MAX_WINDOW {
                    page = true;
                } else {
                    ticket = true;
                }
            }
        }
        let note = if single.is_empty() {
            String::new()
        } else {
            format!(
                " (alert `{}` uses a single window: add the short window so it stops firing soon after recovery)",
                single.join("`, `")
            )
        };
        for (kind, covered) in [("page", page), ("ticket", ticket)] {
            if covered {
                continue;
            }
            let disabled = slo
                .alerts_disabled_at
                .iter()
                .find(|(k, _)| k == kind || k == "all");
            let (what, example) = if kind == "page" {
                (
                    "fast-burn (page) alert",
                    "14.4× the error budget over 1h and 5m, or 6× over 6h and 30m",
                )
            } else {
                (
                    "slow-burn (ticket) alert",
                    "3× the error budget over 1d and 2h, or 1× over 3d and 6h",
                )
            };
            let cause = match disabled {
                Some((k, _)) if k == "all" => {
                    "its generated alerts are disabled here and ".to_string()
                }
                Some(_) => format!("its {kind} alert is disabled here and "),
                None => String::new(),
            };
            let pos = disabled.map_or(slo.pos, |(_, p)| *p);
            sink.report(
                &slo.path,
                pos,
                format!(
                    "{} has no multi-window {what}: {cause}no alerting rule in the repository fires at {example} (Google SRE Workbook ch. 5){note}",
                    describe(slo)
                ),
            );
        }
    }
}

/// Why a multi-window condition does not fit the error budget `b`, if it does not.
fn inconsistency(mw: &MultiWindow, b: f64, p: &BurnRate) -> Option<String> {
    let near = |x: f64, want: f64| want != 0.0 && ((x - want) / want).abs() <= p.tolerance;
    match mw.split {
        Some((factor, budget)) => {
            if near(budget, b) {
                None
            } else {
                Some(format!(
                    "{} × {} = {}, but the budget is {}: use {} × {} = {}",
                    number(factor),
                    number(budget),
                    number(mw.threshold),
                    number(b),
                    number(factor),
                    number(b),
                    number(factor * b)
                ))
            }
        }
        None => {
            let f = mw.threshold / b;
            if p.factors.iter().any(|k| near(f, *k)) {
                None
            } else {
                let expect = if mw.long <= FAST_MAX_WINDOW {
                    14.4
                } else {
                    3.0
                };
                Some(format!(
                    "{}, a burn rate of {}× the budget, which is none of the usual factors ({}): e.g. {} × {} = {}",
                    number(mw.threshold),
                    number(f),
                    p.factors
                        .iter()
                        .map(|k| number(*k))
                        .collect::<Vec<_>>()
                        .join(", "),
                    number(expect),
                    number(b),
                    number(expect * b)
                ))
            }
        }
    }
}

/// Whether alert `a` is about `slo`.
fn matches(slo: &SloSpec, a: &AlertInfo, slo_metrics: &HashSet<String>) -> bool {
    let values = |key: &str| -> Vec<&str> {
        a.labels
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let mut explicit = false;
    for key in ["sloth_slo", "slo"] {
        let v = values(key);
        if !v.is_empty() {
            if !v.contains(&slo.name.as_str()) {
                return false;
            }
            explicit = true;
        }
    }
    if let Some(svc) = &slo.service {
        for key in ["sloth_service", "service"] {
            let v = values(key);
            if !v.is_empty() && !v.contains(&svc.as_str()) {
                return false;
            }
        }
        let ids = values("sloth_id");
        if !ids.is_empty() {
            if !ids.contains(&format!("{svc}-{}", slo.name).as_str()) {
                return false;
            }
            explicit = true;
        }
    }
    explicit || !a.metrics.is_disjoint(slo_metrics)
}

/// Metric names the SLO's PromQL SLI queries select.
fn sli_metrics(slo: &SloSpec) -> HashSet<String> {
    let mut labels = Vec::new();
    let mut metrics = HashSet::new();
    let mut conds = Vec::new();
    for q in slo.sli.iter().filter(|q| q.language == "promql") {
        if let Ok(e) =
            crate::formats::promql::parse(&render_query_template(&q.query, TEMPLATE_WINDOW))
        {
            walk(&e, &mut conds, &mut labels, &mut metrics);
        }
    }
    metrics
}

fn analyse<'a>(path: &'a str, rule: &'a PromRule) -> Option<AlertInfo<'a>> {
    let expr = rule.expr.as_ref()?;
    let e = crate::formats::promql::parse(&expr.value).ok()?;
    let mut conds = Vec::new();
    let mut labels = Vec::new();
    let mut metrics = HashSet::new();
    walk(&e, &mut conds, &mut labels, &mut metrics);
    for (k, v) in &rule.labels {
        labels.push((k.value.clone(), v.value.clone()));
    }
    // Group comparisons by threshold: the same threshold over two windows
    // is a multi-window condition.
    let mut multi = Vec::new();
    let mut used = vec![false; conds.len()];
    for i in 0..conds.len() {
        if used[i] {
            continue;
        }
        let t = conds[i].threshold;
        let same: Vec<usize> = (i..conds.len())
            .filter(|j| !used[*j] && close(conds[*j].threshold, t))
            .collect();
        for j in &same {
            used[*j] = true;
        }
        let windows: Vec<f64> = same.iter().map(|j| conds[*j].window).collect();
        let long = windows.iter().copied().fold(f64::MIN, f64::max);
        let short = windows.iter().copied().fold(f64::MAX, f64::min);
        if long > short {
            multi.push(MultiWindow {
                long,
                short,
                threshold: t,
                split: conds[i].split,
            });
        }
    }
    let single_window = multi.is_empty() && !conds.is_empty();
    Some(AlertInfo {
        path,
        rule,
        labels,
        metrics,
        multi,
        single_window,
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12)
}

/// Walks the AST: collects comparisons against constants, equality label
/// matchers and metric names.
fn walk(
    e: &Expr,
    conds: &mut Vec<Cond>,
    labels: &mut Vec<(String, String)>,
    metrics: &mut HashSet<String>,
) {
    match e {
        Expr::Binary(b) => {
            let op = b.op.to_string();
            let (vec_side, const_side) = match op.as_str() {
                ">" | ">=" => (b.lhs.as_ref(), b.rhs.as_ref()),
                "<" | "<=" => (b.rhs.as_ref(), b.lhs.as_ref()),
                _ => (b.lhs.as_ref(), b.lhs.as_ref()),
            };
            if b.op.is_comparison_operator()
                && constant(vec_side).is_none()
                && let Some(threshold) = constant(const_side)
                && let Some(window) = window_of(vec_side)
            {
                conds.push(Cond {
                    window,
                    threshold,
                    split: split(const_side),
                });
            }
            walk(&b.lhs, conds, labels, metrics);
            walk(&b.rhs, conds, labels, metrics);
        }
        Expr::Aggregate(a) => {
            walk(&a.expr, conds, labels, metrics);
            if let Some(p) = &a.param {
                walk(p, conds, labels, metrics);
            }
        }
        Expr::Unary(u) => walk(&u.expr, conds, labels, metrics),
        Expr::Paren(p) => walk(&p.expr, conds, labels, metrics),
        Expr::Subquery(s) => walk(&s.expr, conds, labels, metrics),
        Expr::VectorSelector(vs) => selector(vs, labels, metrics),
        Expr::MatrixSelector(ms) => selector(&ms.vs, labels, metrics),
        Expr::Call(c) => {
            for a in &c.args.args {
                walk(a, conds, labels, metrics);
            }
        }
        _ => {}
    }
}

fn selector(
    vs: &VectorSelector,
    labels: &mut Vec<(String, String)>,
    metrics: &mut HashSet<String>,
) {
    if let Some(n) = &vs.name {
        metrics.insert(n.clone());
    }
    for m in vs
        .matchers
        .matchers
        .iter()
        .chain(vs.matchers.or_matchers.iter().flatten())
    {
        if matches!(m.op, MatchOp::Equal) {
            if m.name == "__name__" {
                metrics.insert(m.value.clone());
            } else {
                labels.push((m.name.clone(), m.value.clone()));
            }
        }
    }
}

/// The value of a constant expression (`0.0144`, `(14.4 * (1 - 0.999))`).
fn constant(e: &Expr) -> Option<f64> {
    match e {
        Expr::NumberLiteral(n) => Some(n.val),
        Expr::Paren(p) => constant(&p.expr),
        Expr::Unary(u) => constant(&u.expr).map(|v| -v),
        Expr::Binary(b) => {
            let (l, r) = (constant(&b.lhs)?, constant(&b.rhs)?);
            match b.op.to_string().as_str() {
                "+" => Some(l + r),
                "-" => Some(l - r),
                "*" => Some(l * r),
                "/" if r != 0.0 => Some(l / r),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `factor * budget` (either order) when the threshold is written that way:
/// the larger constant is the factor, the smaller the budget (in (0, 1)).
/// Factors below 1 occur: Sloth's 28-day slow ticket is `0.9333 * budget`.
pub fn split(e: &Expr) -> Option<(f64, f64)> {
    match e {
        Expr::Paren(p) => split(&p.expr),
        Expr::Binary(b) if b.op.to_string() == "*" => {
            let (l, r) = (constant(&b.lhs)?, constant(&b.rhs)?);
            let (factor, budget) = if l >= r { (l, r) } else { (r, l) };
            (budget > 0.0 && budget < 1.0).then_some((factor, budget))
        }
        _ => None,
    }
}

fn window_suffix_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"rate(\d+(?:ms|[smhdwy]))$").expect("constant regex"))
}

/// The (longest) window an expression looks at, in seconds.
fn window_of(e: &Expr) -> Option<f64> {
    let mut best: Option<f64> = None;
    let mut note = |w: f64| best = Some(best.map_or(w, |b: f64| b.max(w)));
    fn visit(e: &Expr, note: &mut dyn FnMut(f64)) {
        match e {
            Expr::MatrixSelector(ms) => {
                note(ms.range.as_secs_f64());
                visit_selector(&ms.vs, note);
            }
            Expr::Subquery(s) => {
                note(s.range.as_secs_f64());
                visit(&s.expr, note);
            }
            Expr::VectorSelector(vs) => visit_selector(vs, note),
            Expr::Binary(b) => {
                visit(&b.lhs, note);
                visit(&b.rhs, note);
            }
            Expr::Aggregate(a) => visit(&a.expr, note),
            Expr::Unary(u) => visit(&u.expr, note),
            Expr::Paren(p) => visit(&p.expr, note),
            Expr::Call(c) => {
                for a in &c.args.args {
                    visit(a, note);
                }
            }
            _ => {}
        }
    }
    fn visit_selector(vs: &VectorSelector, note: &mut dyn FnMut(f64)) {
        if let Some(n) = &vs.name
            && let Some(w) = window_suffix_re()
                .captures(n)
                .and_then(|c| c.get(1))
                .and_then(|m| parse_duration(m.as_str()))
        {
            note(w);
        }
        for m in vs.matchers.matchers.iter() {
            if m.name == "sloth_window"
                && matches!(m.op, MatchOp::Equal)
                && let Some(w) = parse_duration(&m.value)
            {
                note(w);
            }
        }
    }
    visit(e, &mut note);
    best
}
