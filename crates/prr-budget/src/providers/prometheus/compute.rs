//! Compute mode's query rewriting: the SLI queries of an SLO file made
//! into sums of increases over any window (`rate` → `increase`, bare
//! counters wrapped, every range set to the window, the whole summed), and
//! the error ratio from the parts' values. See the parent module's docs for
//! the formulas.

use super::{Sample, duration_text};
use crate::formats::slo::render_query_template;
use crate::{FetchError, Target, finite};
use promql_parser::parser::{self, AggregateExpr, Expr};
use std::collections::BTreeMap;
use std::time::Duration;

/// The SLI queries of a target, by the roles compute mode understands.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Sli<'a> {
    /// Bad events and all events.
    Bad { bad: &'a str, total: &'a str },
    /// Good events and all events.
    Good { good: &'a str, total: &'a str },
    /// An error-ratio query with Sloth's `{{.window}}` placeholder.
    Ratio(&'a str),
}

pub(super) fn sli_roles(target: &Target) -> Option<Sli<'_>> {
    let q = |roles: &[&str]| {
        target
            .sli
            .iter()
            .find(|s| {
                roles.contains(&s.role.as_str())
                    && (s.language.is_empty() || s.language == "promql")
            })
            .map(|s| s.query.as_str())
    };
    let total = q(&["total"]);
    if let (Some(bad), Some(total)) = (q(&["errors", "bad"]), total) {
        return Some(Sli::Bad { bad, total });
    }
    if let (Some(good), Some(total)) = (q(&["good", "success"]), total) {
        return Some(Sli::Good { good, total });
    }
    q(&["error-ratio"]).map(Sli::Ratio)
}

/// The parts of the compute query: PromQL templates with `{W}` for the
/// window, by part name (`errors`, `good`, `total`, `ratio`).
#[derive(Clone, Debug)]
pub(super) struct Parts {
    pub(super) parts: Vec<(&'static str, Rewrite)>,
    pub(super) good: bool,
}

/// One SLI query, ready to be windowed.
#[derive(Clone, Debug)]
pub(super) enum Rewrite {
    /// An AST whose range selectors get the window.
    Ast(Expr),
    /// A Sloth `{{.window}}` template (error-ratio queries).
    Template(String),
}

impl Rewrite {
    pub(super) fn at(&self, seconds: u64) -> String {
        let d = Duration::from_secs(seconds);
        match self {
            Rewrite::Ast(e) => {
                let mut e = e.clone();
                crate::formats::promql::set_ranges(&mut e, d);
                e.to_string()
            }
            Rewrite::Template(t) => render_query_template(t, &duration_text(seconds)),
        }
    }
}

impl Parts {
    pub(super) fn from_target(target: &Target) -> Result<Parts, FetchError> {
        let sli = sli_roles(target).ok_or_else(|| {
            FetchError::Config(format!(
                "SLO `{}`: compute mode needs PromQL SLI queries (errors/bad/good with total, or an error-ratio query); found roles [{}]",
                target.slo,
                target.sli.iter().map(|s| s.role.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })?;
        let ast = |role: &str, q: &str| {
            windowed(q).map(Rewrite::Ast).map_err(|e| {
                FetchError::Config(format!("SLO `{}`: {role} query `{q}`: {e}", target.slo))
            })
        };
        Ok(match sli {
            Sli::Bad { bad, total } => Parts {
                parts: vec![
                    ("errors", ast("errors", bad)?),
                    ("total", ast("total", total)?),
                ],
                good: false,
            },
            Sli::Good { good, total } => Parts {
                parts: vec![
                    ("good", ast("good", good)?),
                    ("total", ast("total", total)?),
                ],
                good: true,
            },
            Sli::Ratio(q) => {
                let rendered = render_query_template(q, "5m");
                crate::formats::promql::parse(&rendered).map_err(|e| {
                    FetchError::Config(format!(
                        "SLO `{}`: error-ratio query `{q}` is not PromQL: {e}",
                        target.slo
                    ))
                })?;
                if rendered == q {
                    return Err(FetchError::Config(format!(
                        "SLO `{}`: error-ratio query `{q}` has no {{{{.window}}}} placeholder to set the window",
                        target.slo
                    )));
                }
                Parts {
                    parts: vec![("ratio", Rewrite::Template(q.to_string()))],
                    good: false,
                }
            }
        })
    }

    /// Parts over already-windowable counter selectors (Pyrra's recorded sums).
    pub(super) fn counters(errors: &str, total: &str, good: bool) -> Parts {
        let wrap = |sel: &str| Rewrite::Template(format!("sum(increase({sel}[{{{{.window}}}}]))"));
        Parts {
            parts: vec![
                (if good { "good" } else { "errors" }, wrap(errors)),
                ("total", wrap(total)),
            ],
            good,
        }
    }

    /// One query returning every part over every window, each series
    /// labelled `prr_part="<part>:<window label>"`.
    pub(super) fn promql(&self, windows: &[(String, u64)]) -> String {
        let mut terms = Vec::new();
        for (label, secs) in windows {
            for (part, rw) in &self.parts {
                terms.push(format!(
                    r#"label_replace({}, "prr_part", "{part}:{label}", "", "")"#,
                    rw.at(*secs)
                ));
            }
        }
        terms.join(" or ")
    }

    pub(super) fn formula(&self) -> &'static str {
        match self.parts.first().map(|p| p.0) {
            Some("ratio") => "the SLI's error-ratio query",
            _ if self.good => {
                "(sum(increase(total[W])) − sum(increase(good[W]))) / sum(increase(total[W]))"
            }
            _ => "sum(increase(errors[W])) / sum(increase(total[W]))",
        }
    }
}

/// Parses an SLI query (after filling window placeholders) and makes it
/// windowable: `rate(x[…])` → `increase(x[W])`, a bare counter selector →
/// `increase(sel[W])`, all wrapped in `sum()`. Errors: not PromQL, or a
/// construct whose value cannot be re-windowed (`irate`, `*_over_time`,
/// subqueries, a selector that is not a counter).
pub fn windowed(query: &str) -> Result<Expr, String> {
    let rendered = render_query_template(query, "5m");
    let mut expr =
        crate::formats::promql::parse(&rendered).map_err(|e| format!("not PromQL: {e}"))?;
    let mut has_range = false;
    rewrite(&mut expr, &mut has_range)?;
    if !has_range {
        return Err("no counter to compute increases from: use rate()/increase() over a counter, or a `…_total`/`…_count` counter selector".to_string());
    }
    // Always sum: the ratio of sums, whatever grouping the query had.
    Ok(sum(expr))
}

fn sum(expr: Expr) -> Expr {
    match parser::parse("sum(x)") {
        Ok(Expr::Aggregate(mut a)) => {
            a.expr = Box::new(expr);
            Expr::Aggregate(a)
        }
        _ => expr,
    }
}

fn is_counter_name(name: &str) -> bool {
    ["_total", "_count", "_bucket", "_sum"]
        .iter()
        .any(|s| name.ends_with(s))
}

fn rewrite(expr: &mut Expr, has_range: &mut bool) -> Result<(), String> {
    match expr {
        Expr::Call(call) => match call.func.name {
            "rate" | "increase" => {
                let Some(arg) = call.args.args.first() else {
                    return Err(format!("{}() without an argument", call.func.name));
                };
                if !matches!(**arg, Expr::MatrixSelector(_)) {
                    return Err(format!(
                        "{}() over a subquery cannot be re-windowed",
                        call.func.name
                    ));
                }
                call.func.name = "increase";
                *has_range = true;
                Ok(())
            }
            "irate" | "idelta" | "delta" | "deriv" | "resets" | "changes" | "predict_linear"
            | "holt_winters" => Err(format!(
                "{}() cannot be evaluated over the SLO window; use rate() or increase()",
                call.func.name
            )),
            name if name.ends_with("_over_time") => Err(format!(
                "{name}() cannot be re-windowed exactly; use rate() or increase() over a counter"
            )),
            _ => {
                for a in call.args.args.iter_mut() {
                    rewrite(a, has_range)?;
                }
                Ok(())
            }
        },
        Expr::VectorSelector(vs) => {
            let name = vs.name.clone().unwrap_or_default();
            if is_counter_name(&name) {
                let text = format!("increase({}[5m])", Expr::VectorSelector(vs.clone()));
                *expr = parser::parse(&text).map_err(|e| format!("cannot window `{name}`: {e}"))?;
                *has_range = true;
                Ok(())
            } else {
                Err(format!(
                    "`{}` is not a counter (no _total/_count suffix) and is not inside rate()/increase()",
                    Expr::VectorSelector(vs.clone())
                ))
            }
        }
        Expr::MatrixSelector(_) => Err("a range selector outside rate()/increase()".to_string()),
        Expr::Subquery(_) => Err("subqueries cannot be re-windowed".to_string()),
        Expr::Aggregate(AggregateExpr { expr: inner, .. }) => rewrite(inner, has_range),
        Expr::Binary(b) => {
            rewrite(&mut b.lhs, has_range)?;
            rewrite(&mut b.rhs, has_range)
        }
        Expr::Paren(p) => rewrite(&mut p.expr, has_range),
        Expr::Unary(u) => rewrite(&mut u.expr, has_range),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Ok(()),
        Expr::Extension(_) => Err("unsupported expression".to_string()),
    }
}

/// Error ratio over the window labelled `label` from the part values.
/// `None` when the window had no requests (total 0) or, unless
/// `required`, when a series is absent. A missing errors series with
/// traffic counts as 0 errors (counters with a `code` label appear with the
/// first error); a missing good series is never read as 100 % errors.
pub(super) fn error_ratio(
    got: &BTreeMap<String, Sample>,
    label: &str,
    required: bool,
    good_mode: bool,
) -> Result<Option<f64>, FetchError> {
    if let Some(r) = got.get(&format!("ratio:{label}")) {
        return finite(r.value, &format!("error ratio over {label}")).map(Some);
    }
    let absent = |what: &str| {
        if required {
            Err(FetchError::Empty(format!(
                "the {what} query returned no series over the {label} window"
            )))
        } else {
            Ok(None)
        }
    };
    let Some(t) = got.get(&format!("total:{label}")) else {
        return absent("total");
    };
    let total = finite(t.value, &format!("total over {label}"))?;
    if total <= 0.0 {
        return Ok(None);
    }
    if good_mode {
        let Some(g) = got.get(&format!("good:{label}")) else {
            return absent("good");
        };
        let good = finite(g.value, &format!("good over {label}"))?;
        return Ok(Some((total - good) / total));
    }
    let errors = match got.get(&format!("errors:{label}")) {
        Some(e) => finite(e.value, &format!("errors over {label}"))?,
        None => 0.0,
    };
    Ok(Some(errors / total))
}
