//! Recognising LogQL (Grafana Loki's query language) in rule files.
//!
//! Loki's ruler reads the same `groups:` files as Prometheus (`rulefmt`), but
//! its `expr:` is LogQL: a stream selector `{app="x"}` followed by a pipeline
//! (`|= "error"`, `|~ "(?i)fail"`, `!= "debug"`, `| json`, `| logfmt`,
//! `| line_format "…"`, `| unwrap latency`) inside range aggregations such as
//! `count_over_time({app="x"} |= "err" [5m])`. That is not PromQL, and
//! parsing it as PromQL reports an error on every Loki alert.
//!
//! prr does not validate LogQL; it recognises it (so it is not reported as
//! invalid PromQL) and checks only that brackets and quotes are balanced,
//! which Loki needs too.

/// Functions that exist in LogQL only (metric queries over log ranges).
const LOGQL_ONLY_FUNCTIONS: &[&str] = &["bytes_over_time", "bytes_rate", "rate_counter"];

/// Whether `expr` is LogQL by its syntax: a stream selector (`{…}`) followed
/// by a pipeline stage (`|…`, or a `!=` / `!~` line filter with a string),
/// or a LogQL-only function (`bytes_over_time`, `bytes_rate`,
/// `rate_counter`). PromQL has no `|` operator and never compares with a
/// string literal, so no valid PromQL expression matches; PromQL-looking
/// LogQL (`count_over_time({app="x"}[5m])`) is left to the PromQL parser,
/// which accepts it.
pub fn is_logql(expr: &str) -> bool {
    let b = expr.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    // The last significant byte outside strings was a `}` closing a
    // selector (at brace depth 0).
    let mut after_selector = false;
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' | b'\'' | b'`' => {
                i = skip_string(b, i);
                after_selector = false;
                continue;
            }
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    after_selector = true;
                    i += 1;
                    continue;
                }
            }
            b'|' if after_selector && depth == 0 => return true,
            b'!' if after_selector && depth == 0 && matches!(b.get(i + 1), Some(b'=' | b'~')) => {
                let next = b[i + 2..].iter().find(|c| !c.is_ascii_whitespace());
                if matches!(next, Some(b'"' | b'`')) {
                    return true;
                }
            }
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        after_selector = false;
        i += 1;
    }
    LOGQL_ONLY_FUNCTIONS.iter().any(|f| {
        expr.match_indices(f).any(|(at, _)| {
            let before = expr[..at].chars().next_back();
            let word_start = !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            word_start && expr[at + f.len()..].trim_start().starts_with('(')
        })
    })
}

/// Index just past the string literal that starts at `start` (`"…"` and
/// `'…'` with backslash escapes, `` `…` `` raw); the end of input when it is
/// not closed.
fn skip_string(b: &[u8], start: usize) -> usize {
    string_end(b, start).unwrap_or(b.len())
}

/// Index just past the string literal that starts at `start`; `None` when
/// it is not closed.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let q = b[start];
    let mut i = start + 1;
    while i < b.len() {
        if b[i] == b'\\' && q != b'`' {
            i += 2;
            continue;
        }
        if b[i] == q {
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// Checks what Loki needs of any LogQL expression and prr can see without a
/// LogQL parser: string literals are closed and `()`, `[]`, `{}` balance.
/// Errors: what is wrong, for a message.
pub fn check_shape(expr: &str) -> Result<(), String> {
    let b = expr.as_bytes();
    let mut stack: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'' | b'`') => {
                let Some(end) = string_end(b, i) else {
                    return Err(format!(
                        "the string opened with {} is not closed",
                        q as char
                    ));
                };
                i = end;
                continue;
            }
            c @ (b'(' | b'[' | b'{') => stack.push(c),
            c @ (b')' | b']' | b'}') => {
                let open = match c {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                if stack.pop() != Some(open) {
                    return Err(format!("unexpected `{}`", c as char));
                }
            }
            _ => {}
        }
        i += 1;
    }
    match stack.last() {
        Some(c) => Err(format!("`{}` is not closed", *c as char)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logql_is_recognised_by_its_syntax() {
        for q in [
            // solanyn/home-ops lokirule.yaml
            "sum by (app) (count_over_time({app=~\"autobrr\"} |~ \"(?i)database image malformed\"[5m])) > 0",
            "sum(count_over_time({app=\"zigbee\"} |~ \"(?i)not connected to mqtt server\"[2m])) > 0",
            "count_over_time({job=\"x\"} |= \"error\" != `debug` [5m])",
            "rate({app=\"x\"} != \"healthz\" [1m])",
            "sum by (level) (count_over_time({app=\"x\"} | json | level=\"error\" [5m]))",
            "quantile_over_time(0.99, {app=\"x\"} | logfmt | unwrap latency [5m]) by (path)",
            "sum(bytes_over_time({app=\"x\"}[5m]))",
        ] {
            assert!(is_logql(q), "{q}");
            assert_eq!(check_shape(q), Ok(()), "{q}");
        }
        for q in [
            "up == 0",
            "sum(rate(http_requests_total{code=~\"5..|429\"}[5m])) > 0",
            "up{job!=\"a\"} != 1",
            "a != b",
            "label_replace(up, \"x\", \"$1\", \"job\", \"(.*)|y\")",
            // Valid as PromQL too: left to the PromQL parser.
            "count_over_time({app=\"x\"}[5m]) > 0",
            "my_bytes_over_time_total > 0",
        ] {
            assert!(!is_logql(q), "{q}");
        }
    }

    #[test]
    fn shape_errors() {
        assert!(check_shape("count_over_time({app=\"x\"} |= \"err\" [5m]").is_err());
        assert!(check_shape("count_over_time({app=\"x} |= \"err\" [5m])").is_err());
        assert!(check_shape("sum(x))").is_err());
        assert_eq!(check_shape("{a=\"\\\"\"} |= `a\\`"), Ok(()));
    }
}
