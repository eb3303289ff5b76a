//! SLI queries made renderable over any window, and the error ratio an SLO's
//! SLI yields per format.

use super::text::one_line;
use crate::formats::slo::{self, SloFormat, SloSpec, has_window_template, render_query_template};
use promql_parser::parser::Expr;
use std::time::Duration;

/// One SLI query, ready to be rendered over a window.
#[derive(Clone, Debug)]
pub(super) enum Query {
    /// A query with Sloth's `{{.window}}` placeholder.
    Template(String),
    /// PromQL whose range selectors are all set to the window.
    Ast(Box<Expr>),
    /// A bare counter selector: `sum(rate(<selector>[window]))`.
    Counter(String),
}

impl Query {
    pub(super) fn render(&self, window: &str) -> String {
        match self {
            Query::Template(q) => one_line(&render_query_template(q, window)),
            Query::Ast(e) => {
                let mut e = (**e).clone();
                if let Some(d) = crate::formats::parse_duration(window) {
                    crate::formats::promql::set_ranges(&mut e, Duration::from_secs_f64(d));
                }
                e.to_string()
            }
            Query::Counter(sel) => format!("sum(rate({sel}[{window}]))"),
        }
    }
}

/// How the error ratio is built from the queries.
#[derive(Clone, Debug)]
pub(super) enum Ratio {
    /// `errors / total`.
    Errors { errors: Query, total: Query },
    /// `1 - good / total`.
    Good { good: Query, total: Query },
    /// The query is the error ratio.
    Raw(Query),
}

impl Ratio {
    pub(super) fn render(&self, w: &str) -> String {
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

/// The error ratio of a spec's SLI.
pub(super) fn ratio(s: &SloSpec) -> Result<Ratio, String> {
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
pub(super) fn promql(q: &str) -> Result<Query, String> {
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
