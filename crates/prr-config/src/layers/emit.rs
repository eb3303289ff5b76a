//! Writing the merged tree back out as YAML text, each line mapped to the
//! layer and line it came from.

use super::*;

pub(super) fn emit_map(entries: &[(String, Origin, Tree)], indent: usize, out: &mut Resolved) {
    for (k, ko, v) in entries {
        emit_entry(k, *ko, v, indent, None, out);
    }
}

/// Writes `key: value` at `indent`; `prefix` replaces the indentation of
/// the first line (the `- ` of a sequence item).
pub(super) fn emit_entry(
    k: &str,
    ko: Origin,
    v: &Tree,
    indent: usize,
    prefix: Option<&str>,
    out: &mut Resolved,
) {
    let lead = prefix.map_or_else(|| " ".repeat(indent), str::to_string);
    let key = quote(k);
    match v {
        Tree::Scalar(s, _) => push(out, format!("{lead}{key}: {}", scalar(s)), ko),
        Tree::Seq(items, _) if items.is_empty() => push(out, format!("{lead}{key}: []"), ko),
        Tree::Map(e, _) if e.is_empty() => push(out, format!("{lead}{key}: {{}}"), ko),
        Tree::Seq(items, _) => {
            push(out, format!("{lead}{key}:"), ko);
            emit_seq(items, indent + 2, out);
        }
        Tree::Map(e, _) => {
            push(out, format!("{lead}{key}:"), ko);
            emit_map(e, indent + 2, out);
        }
    }
}

pub(super) fn emit_seq(items: &[Tree], indent: usize, out: &mut Resolved) {
    let pad = " ".repeat(indent);
    for item in items {
        match item {
            Tree::Scalar(s, o) => push(out, format!("{pad}- {}", scalar(s)), *o),
            Tree::Seq(inner, o) if inner.is_empty() => push(out, format!("{pad}- []"), *o),
            Tree::Map(e, o) if e.is_empty() => push(out, format!("{pad}- {{}}"), *o),
            Tree::Seq(inner, o) => {
                push(out, format!("{pad}-"), *o);
                emit_seq(inner, indent + 2, out);
            }
            Tree::Map(e, _) => {
                let first = format!("{pad}- ");
                for (j, (k, ko, v)) in e.iter().enumerate() {
                    let p = (j == 0).then_some(first.as_str());
                    emit_entry(k, *ko, v, indent + 2, p, out);
                }
            }
        }
    }
}

pub(super) fn push(out: &mut Resolved, line: String, o: Origin) {
    out.text.push_str(&line);
    out.text.push('\n');
    out.lines.push(o);
}

/// A YAML scalar: strings double-quoted with JSON escapes (valid YAML 1.2).
pub(super) fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_nan() => ".nan".to_string(),
        Value::Float(f) if f.is_infinite() => if *f > 0.0 { ".inf" } else { "-.inf" }.to_string(),
        Value::Float(f) => {
            let s = f.to_string();
            if s.contains('.') || s.contains('e') {
                s
            } else {
                format!("{s}.0")
            }
        }
        Value::Str(s) => quote(s),
        Value::Seq(_) | Value::Map(_) => "null".to_string(),
    }
}

pub(super) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}
