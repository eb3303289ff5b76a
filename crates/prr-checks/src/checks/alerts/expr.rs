//! Facts about an alert's PromQL expression (metrics, rate windows, `and`),
//! read by `alerts/for`, `alerts/cause-based-page` and the route checks.

use regex::Regex;
use std::sync::LazyLock;

/// Facts about a PromQL expression gathered from its AST.
#[derive(Default)]
pub(super) struct ExprFacts {
    /// Metric names (selector names and `__name__="…"` matchers).
    pub(super) metrics: Vec<String>,
    /// Distinct windows: range selector durations (seconds) and
    /// `…rate5m`-style suffixes of recording-rule names.
    pub(super) windows: Vec<String>,
    /// Whether an `and` operator appears.
    pub(super) has_and: bool,
}

impl promql_parser::util::ExprVisitor for ExprFacts {
    type Error = std::convert::Infallible;

    fn pre_visit(&mut self, e: &promql_parser::parser::Expr) -> Result<bool, Self::Error> {
        use promql_parser::parser::Expr;
        let vs = match e {
            Expr::VectorSelector(vs) => Some(vs),
            Expr::MatrixSelector(ms) => {
                let w = format!("{}s", ms.range.as_secs());
                if !self.windows.contains(&w) {
                    self.windows.push(w);
                }
                Some(&ms.vs)
            }
            Expr::Binary(b) => {
                if b.op.to_string() == "and" {
                    self.has_and = true;
                }
                None
            }
            _ => None,
        };
        if let Some(vs) = vs {
            let name = vs.name.clone().or_else(|| {
                vs.matchers
                    .matchers
                    .iter()
                    .find(|m| m.name == "__name__" && m.op.to_string() == "=")
                    .map(|m| m.value.clone())
            });
            if let Some(n) = name {
                static WIN: LazyLock<Option<Regex>> = LazyLock::new(|| {
                    Regex::new(r"(?:rate|ratio|burnrate|window)_?([0-9]+[smhdwy])$").ok()
                });
                if let Some(c) = WIN
                    .as_ref()
                    .and_then(|re| re.captures(&n))
                    .and_then(|c| c.get(1))
                    && let Some(secs) = crate::formats::parse_duration(c.as_str())
                {
                    let w = format!("{secs}s");
                    if !self.windows.contains(&w) {
                        self.windows.push(w);
                    }
                }
                if !self.metrics.contains(&n) {
                    self.metrics.push(n);
                }
            }
        }
        Ok(true)
    }
}

/// Whether `expr` is a fast-burn (page) multi-window burn-rate condition:
/// an `and` of conditions over at least two windows, the longest at most
/// 6 h (Google SRE Workbook ch. 5; see [`crate::checks::burn_rate`]).
pub(crate) fn fast_burn(expr: &str) -> bool {
    let Some(f) = expr_facts(expr) else {
        return false;
    };
    let secs: Vec<f64> = f
        .windows
        .iter()
        .filter_map(|w| crate::formats::parse_duration(w))
        .collect();
    f.has_and && secs.len() >= 2 && secs.iter().all(|s| *s <= 6.0 * 3600.0)
}

pub(super) fn expr_facts(expr: &str) -> Option<ExprFacts> {
    let ast = crate::formats::promql::parse(expr).ok()?;
    let mut facts = ExprFacts::default();
    let _ = promql_parser::util::walk_expr(&mut facts, &ast);
    Some(facts)
}
