//! `alerts/template-labels`: a template that reads a label the alert's
//! expression cannot produce (`{{ $labels.instance }}` when the expression
//! is `sum by (job) (…)`) renders as an empty string — the check pint runs
//! as `alerts/template`. `$labels` holds the labels of the expression's
//! result sample (Prometheus' rules/alerting.go), not the rule's `labels:`.
//!
//! The labels an expression can produce are derived from promql-parser's
//! AST, and only where they are certain: `sum by (a, b)` produces exactly
//! `a, b`; `without (x)` and `histogram_quantile` (`le`) remove labels;
//! `count_values` adds its label, `label_replace` / `label_join` their
//! target; a number or `vector(…)` / `time()` has none; a binary operation
//! keeps its vector side's (only the `on (…)` labels one-to-one, the many side with `group_left` /
//! `group_right`, plus the listed labels), `and` / `unless` the left side's,
//! `or` either side's. Anything else (a selector, an unknown function) may
//! carry any label and is never reported.

use super::template::{promql_alerts, templated_values};
use crate::checks::{Context, Sink};
use crate::finding::Level;
use gotmpl::parse::{Expr as TExpr, ListNode, Node, Parser, PipeNode};
use promql_parser::parser::{Expr, LabelModifier, VectorMatchCardinality};
use serde::Deserialize;
use std::collections::BTreeSet;

/// What labels an expression's result can carry.
#[derive(Clone, Debug, PartialEq)]
pub enum Produced {
    /// Exactly these (or a subset).
    Only(BTreeSet<String>),
    /// Any label except these.
    AnyBut(BTreeSet<String>),
}

impl Produced {
    /// Whether the result can never carry `label`.
    pub fn lacks(&self, label: &str) -> bool {
        match self {
            Produced::Only(s) => !s.contains(label),
            Produced::AnyBut(s) => s.contains(label),
        }
    }

    fn any() -> Produced {
        Produced::AnyBut(BTreeSet::new())
    }

    fn add(self, l: &str) -> Produced {
        match self {
            Produced::Only(mut s) => {
                s.insert(l.to_string());
                Produced::Only(s)
            }
            Produced::AnyBut(mut s) => {
                s.remove(l);
                Produced::AnyBut(s)
            }
        }
    }

    fn remove(self, l: &str) -> Produced {
        match self {
            Produced::Only(mut s) => {
                s.remove(l);
                Produced::Only(s)
            }
            Produced::AnyBut(mut s) => {
                s.insert(l.to_string());
                Produced::AnyBut(s)
            }
        }
    }

    /// Labels either may carry.
    fn union(self, o: Produced) -> Produced {
        match (self, o) {
            (Produced::Only(a), Produced::Only(b)) => {
                Produced::Only(a.union(&b).cloned().collect())
            }
            (Produced::AnyBut(a), Produced::AnyBut(b)) => {
                Produced::AnyBut(a.intersection(&b).cloned().collect())
            }
            (Produced::Only(a), Produced::AnyBut(b)) | (Produced::AnyBut(b), Produced::Only(a)) => {
                Produced::AnyBut(b.difference(&a).cloned().collect())
            }
        }
    }
}

/// Functions that keep their (first vector) argument's labels.
const KEEPS: &[&str] = &[
    "abs",
    "ceil",
    "floor",
    "round",
    "exp",
    "ln",
    "log2",
    "log10",
    "sqrt",
    "clamp",
    "clamp_max",
    "clamp_min",
    "rate",
    "irate",
    "increase",
    "delta",
    "idelta",
    "deriv",
    "predict_linear",
    "changes",
    "resets",
    "sort",
    "sort_desc",
    "avg_over_time",
    "min_over_time",
    "max_over_time",
    "sum_over_time",
    "count_over_time",
    "quantile_over_time",
    "stddev_over_time",
    "stdvar_over_time",
    "last_over_time",
    "present_over_time",
    "absent_over_time",
    "timestamp",
    "sgn",
    "holt_winters",
    "double_exponential_smoothing",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "days_in_month",
    "hour",
    "minute",
    "month",
    "year",
];

/// What labels `e` can produce.
pub fn produced(e: &Expr) -> Produced {
    match e {
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Produced::Only(BTreeSet::new()),
        Expr::Paren(p) => produced(&p.expr),
        Expr::Unary(u) => produced(&u.expr),
        Expr::Subquery(s) => produced(&s.expr),
        Expr::Aggregate(a) => {
            let op = a.op.to_string().to_lowercase();
            let inner = match op.as_str() {
                "topk" | "bottomk" | "limitk" | "limit_ratio" => return produced(&a.expr),
                "count_values" => {
                    let label = match a.param.as_deref() {
                        Some(Expr::StringLiteral(s)) => Some(s.val.clone()),
                        _ => None,
                    };
                    let base = grouped(&a.modifier, produced(&a.expr));
                    return match label {
                        Some(l) => base.add(&l),
                        None => Produced::any(),
                    };
                }
                _ => produced(&a.expr),
            };
            grouped(&a.modifier, inner)
        }
        Expr::Binary(b) => {
            let l = produced(&b.lhs);
            let r = produced(&b.rhs);
            if is_scalar(&b.lhs) {
                return r;
            }
            if is_scalar(&b.rhs) {
                return l;
            }
            let op = b.op.to_string().to_lowercase();
            match op.as_str() {
                "and" | "unless" => l,
                "or" => l.union(r),
                _ => match b.modifier.as_ref().map(|m| &m.card) {
                    Some(VectorMatchCardinality::ManyToOne(include)) => {
                        include.labels.iter().fold(l, |acc, x| acc.add(x))
                    }
                    Some(VectorMatchCardinality::OneToMany(include)) => {
                        include.labels.iter().fold(r, |acc, x| acc.add(x))
                    }
                    // One-to-one: `on (…)` keeps only those labels,
                    // `ignoring (…)` drops them (Prometheus' resultMetric).
                    _ => match b.modifier.as_ref().and_then(|m| m.matching.as_ref()) {
                        Some(m @ LabelModifier::Include(_)) => grouped(&Some(m.clone()), l),
                        Some(LabelModifier::Exclude(ls)) => {
                            ls.labels.iter().fold(l, |acc, x| acc.remove(x))
                        }
                        None => l,
                    },
                },
            }
        }
        Expr::Call(c) => {
            let name = c.func.name;
            let arg = |i: usize| c.args.args.get(i).map(|a| produced(a));
            let string_arg = |i: usize| match c.args.args.get(i).map(|a| a.as_ref()) {
                Some(Expr::StringLiteral(s)) => Some(s.val.clone()),
                _ => None,
            };
            match name {
                "vector" | "time" | "scalar" | "pi" => Produced::Only(BTreeSet::new()),
                "histogram_quantile" => arg(1).map_or_else(Produced::any, |p| p.remove("le")),
                "label_replace" | "label_join" => match (arg(0), string_arg(1)) {
                    (Some(p), Some(dst)) => p.add(&dst),
                    _ => Produced::any(),
                },
                // The first vector argument (`quantile_over_time(0.9, v)`).
                n if KEEPS.contains(&n) => c
                    .args
                    .args
                    .iter()
                    .find(|a| !is_scalar(a) && !matches!(a.as_ref(), Expr::StringLiteral(_)))
                    .map_or_else(Produced::any, |a| produced(a)),
                _ => Produced::any(),
            }
        }
        _ => Produced::any(),
    }
}

/// Whether `e` is scalar-valued: a number, `scalar(…)`, `time()`, `pi()`,
/// and arithmetic of those.
fn is_scalar(e: &Expr) -> bool {
    match e {
        Expr::NumberLiteral(_) => true,
        Expr::Paren(p) => is_scalar(&p.expr),
        Expr::Unary(u) => is_scalar(&u.expr),
        Expr::Binary(b) => is_scalar(&b.lhs) && is_scalar(&b.rhs),
        Expr::Call(c) => matches!(c.func.name, "scalar" | "time" | "pi"),
        _ => false,
    }
}

fn grouped(m: &Option<LabelModifier>, inner: Produced) -> Produced {
    match m {
        Some(LabelModifier::Include(ls)) => {
            let by: BTreeSet<String> = ls.labels.iter().cloned().collect();
            match inner {
                Produced::Only(s) => Produced::Only(s.intersection(&by).cloned().collect()),
                Produced::AnyBut(s) => Produced::Only(by.difference(&s).cloned().collect()),
            }
        }
        Some(LabelModifier::Exclude(ls)) => ls.labels.iter().fold(inner, |acc, x| acc.remove(x)),
        // `sum(x)`: no labels.
        None => Produced::Only(BTreeSet::new()),
    }
}

/// The `$labels.<name>` a template reads, in order. The template is parsed
/// with every variable Prometheus declares (`$value`, `$externalLabels`,
/// …: [`super::template::DEFS`]), so one that also uses them is read too.
pub fn labels_read(text: &str) -> Vec<String> {
    let src = format!("{}{text}", super::template::DEFS);
    let Ok(p) = Parser::new(&src, "{{", "}}") else {
        return Vec::new();
    };
    let Ok((tree, _)) = p.parse() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    list(&tree, &mut out);
    out
}

fn list(l: &ListNode, out: &mut Vec<String>) {
    for n in &l.nodes {
        match n {
            Node::List(l) => list(l, out),
            Node::Action(a) => pipe(&a.pipe, out),
            Node::If(b) | Node::Range(b) | Node::With(b) => {
                pipe(&b.pipe, out);
                list(&b.body, out);
                if let Some(e) = &b.else_body {
                    list(e, out);
                }
            }
            _ => {}
        }
    }
}

fn pipe(p: &PipeNode, out: &mut Vec<String>) {
    for c in &p.commands {
        for a in &c.args {
            expr(a, out);
        }
    }
}

fn expr(e: &TExpr, out: &mut Vec<String>) {
    match e {
        TExpr::Variable(_, name, fields) if name.as_str() == "$labels" => {
            if let Some(f) = fields.first()
                && !out.iter().any(|x| x == f.as_str())
            {
                out.push(f.to_string());
            }
        }
        TExpr::Pipe(_, p) => pipe(p, out),
        TExpr::Chain(_, inner, _) => expr(inner, out),
        _ => {}
    }
}

/// Parameters of `alerts.template-labels` (none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateLabels {}

/// Runs `alerts.template-labels`.
pub fn template_labels(ctx: &Context, _: &TemplateLabels, sink: &mut Sink) {
    for (f, r, alert) in promql_alerts(ctx) {
        let reads_labels = r
            .labels
            .iter()
            .chain(&r.annotations)
            .any(|(_, v)| v.value.contains("$labels"));
        if !reads_labels {
            continue;
        }
        let Some(e) = r
            .expr
            .as_ref()
            .and_then(|e| crate::formats::promql::parse(&e.value).ok())
        else {
            continue;
        };
        let p = produced(&e);
        if p == Produced::any() {
            continue;
        }
        for (what, (k, v)) in templated_values(r) {
            for l in labels_read(&v.value).into_iter().filter(|l| p.lacks(l)) {
                let can = match &p {
                    Produced::Only(s) if s.is_empty() => "no labels".to_string(),
                    Produced::Only(s) => {
                        format!("only {}", s.iter().cloned().collect::<Vec<_>>().join(", "))
                    }
                    Produced::AnyBut(s) => {
                        format!("no {}", s.iter().cloned().collect::<Vec<_>>().join(", "))
                    }
                };
                sink.push(
                    sink.finding(
                        &f.path,
                        v.pos,
                        format!(
                            "{what} `{}` of alert `{}` reads `$labels.{l}`, which its expression cannot produce (its result carries {can}): it renders empty; keep `{l}` in the aggregation (`by (…, {l})`) or drop it from the template",
                            k.value, alert.value
                        ),
                    )
                    .with_level(Level::Warning),
                );
            }
        }
    }
}
