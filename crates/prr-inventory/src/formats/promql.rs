//! The one entry point for parsing PromQL (with `promql-parser`, pinned to
//! 0.11 because it makes breaking minor releases).
//!
//! Expressions come from repository files, so they are bounded before the
//! parser and our recursive AST walks see them: at most [`MAX_LEN`] bytes
//! and [`MAX_DEPTH`] levels of nested brackets or chained binary operators.
//! Real rules are far below both (the deepest expression in the public
//! fixtures nests 9 levels).

use promql_parser::parser::Expr;
use std::time::Duration;

/// Longest expression accepted, in bytes.
pub const MAX_LEN: usize = 64 * 1024;

/// Deepest nesting accepted: brackets plus binary operators.
pub const MAX_DEPTH: usize = 256;

/// Parses `expr`. Errors: the parser's message (without position; callers
/// attach the `expr:` value's position), or a limit that was exceeded.
pub fn parse(expr: &str) -> Result<Expr, String> {
    if expr.len() > MAX_LEN {
        return Err(format!(
            "expression is {} bytes, over the {MAX_LEN}-byte limit",
            expr.len()
        ));
    }
    let depth = nesting(expr);
    if depth > MAX_DEPTH {
        return Err(format!(
            "expression nests {depth} levels deep, over the limit of {MAX_DEPTH}"
        ));
    }
    promql_parser::parser::parse(expr)
}

/// Sets the range of every range selector in `expr` to `range`: the query
/// evaluated over another window (`rate(x[5m])` → `rate(x[1h])`), as the
/// budget's compute mode and `prr generate alerts` both need. Selectors are
/// found wherever they stand: function arguments, both sides of an
/// operator, parentheses, a unary minus, an aggregation's expression and
/// its parameter (`topk(scalar(rate(x[5m])), …)` is the same query over
/// the other window only if the parameter moves too), and inside a
/// subquery (whose own range and resolution stay as written).
pub fn set_ranges(expr: &mut Expr, range: Duration) {
    match expr {
        Expr::MatrixSelector(m) => m.range = range,
        Expr::Call(c) => c.args.args.iter_mut().for_each(|a| set_ranges(a, range)),
        Expr::Aggregate(a) => {
            set_ranges(&mut a.expr, range);
            if let Some(p) = &mut a.param {
                set_ranges(p, range);
            }
        }
        Expr::Binary(b) => {
            set_ranges(&mut b.lhs, range);
            set_ranges(&mut b.rhs, range);
        }
        Expr::Paren(p) => set_ranges(&mut p.expr, range),
        Expr::Unary(u) => set_ranges(&mut u.expr, range),
        Expr::Subquery(s) => set_ranges(&mut s.expr, range),
        Expr::VectorSelector(_)
        | Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::Extension(_) => {}
    }
}

/// An upper bound of the AST depth: the deepest bracket nesting plus the
/// number of binary-operator characters (a chain `a+b+c…` nests one level
/// per operator). Quoted strings are skipped.
fn nesting(expr: &str) -> usize {
    let (mut depth, mut max, mut ops) = (0usize, 0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in expr.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '+' | '-' | '*' | '/' | '%' | '^' | '<' | '>' | '=' | '!' => ops += 1,
            _ => {}
        }
    }
    max + ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(parse("sum(rate(http_requests_total{code=~\"5..\"}[5m])) > 0").is_ok());
        let deep = format!("{}up{}", "(".repeat(20_000), ")".repeat(20_000));
        assert!(parse(&deep).unwrap_err().contains("nests"));
        let chain = vec!["up"; 5_000].join(" + ");
        assert!(parse(&chain).unwrap_err().contains("nests"));
        let long = format!("up{{job=\"{}\"}}", "x".repeat(MAX_LEN));
        assert!(parse(&long).unwrap_err().contains("limit"));
        // Operators inside strings do not count.
        let q = format!("up{{job=\"{}\"}}", "+".repeat(1_000));
        assert!(parse(&q).is_ok());
    }

    #[test]
    fn ranges_move_everywhere_but_a_subquery_s_own() {
        let at = |q: &str, secs: u64| {
            let mut e = parse(q).unwrap();
            set_ranges(&mut e, Duration::from_secs(secs));
            e.to_string()
        };
        assert_eq!(
            at("sum(rate(a_total[5m])) / -(b + rate(c_total[1m]))", 3600),
            "sum(rate(a_total[1h])) / -(b + rate(c_total[1h]))"
        );
        assert_eq!(
            at(
                "topk(scalar(max(rate(a_total[5m]))), rate(b_total[5m]))",
                1800
            ),
            "topk(scalar(max(rate(a_total[30m]))), rate(b_total[30m]))"
        );
        assert_eq!(
            at("max_over_time(rate(a_total[5m])[1h:1m])", 600),
            "max_over_time(rate(a_total[10m])[1h:1m])"
        );
    }
}
