//! Text helpers of the output: YAML scalars and blocks, names and numbers.

use std::fmt::Write as _;

/// `key: |-` and the text's lines indented under it; a text with control
/// characters is written as a double-quoted scalar instead.
pub(super) fn block(o: &mut String, at: &str, key: &str, text: &str) {
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
pub(super) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A query on one line: line breaks and the indentation around them become
/// one space (PromQL does not care; the YAML block stays regular).
pub(super) fn one_line(q: &str) -> String {
    q.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `checkout-api` → `CheckoutApi` (letters and digits only).
pub(super) fn camel(s: &str) -> String {
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
pub(super) fn k8s_name(s: &str) -> String {
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
pub(super) fn fmt_ratio(x: f64) -> String {
    let s = format!("{x:.10}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A number with at most 4 decimals (`14.4`, `99.9`, `6`).
pub(super) fn num(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Seconds as a Prometheus duration (`2592000` → `30d`, never weeks).
pub(super) use crate::duration::format_duration as dur;
