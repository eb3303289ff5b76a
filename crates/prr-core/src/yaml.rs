//! A generic YAML tree that keeps the source position of every node.
//!
//! Every check needs to point at a file and a line, so repository YAML is read
//! once into [`Node`]s (a value plus its 1-based line and column, taken from
//! `serde_saphyr::Spanned`) and the format modules build typed views on top.
//! Parsing follows YAML 1.2 booleans (`Y`, `on`, `yes` stay strings, as in
//! Kubernetes and Prometheus, which use Go's yaml.v3), rejects duplicate keys
//! (as `promtool` and `kubectl` do), and runs under a resource budget so a
//! hostile file (alias bombs, deep nesting) is an error, not an exhausted host.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Budget, Options, Spanned};
use std::fmt;

/// A 1-based line and column in a source file (0 means unknown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// 1-based line number; 0 when the position is not known.
    pub line: u32,
    /// 1-based column number (characters); 0 when not known.
    pub column: u32,
}

impl Pos {
    /// A position at `line`, column 1.
    pub fn line(line: u32) -> Self {
        Pos { line, column: 1 }
    }
}

impl From<&serde_saphyr::Location> for Pos {
    fn from(l: &serde_saphyr::Location) -> Self {
        Pos {
            line: u32::try_from(l.line()).unwrap_or(u32::MAX),
            column: u32::try_from(l.column()).unwrap_or(u32::MAX),
        }
    }
}

/// A YAML value whose children carry their own positions.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` / `false` (YAML 1.2 core schema only).
    Bool(bool),
    /// An integer that fits in `i64` (larger unsigned values become `Float`).
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string scalar.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order. Keys are scalars rendered as strings.
    Map(Vec<(Key, Node)>),
}

/// A mapping key: the scalar rendered as a string, with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key text (`"8080"` for the integer key 8080).
    pub name: String,
    /// Where the key starts.
    pub pos: Pos,
}

/// A YAML value with the position where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value starts (for an alias: where the alias is used).
    pub pos: Pos,
}

/// A YAML syntax error, with position when the parser gave one.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// The parser's message, first line only (no snippet).
    pub message: String,
    /// Where the error was detected.
    pub pos: Pos,
}

const NULL_NODE: Node = Node {
    value: Value::Null,
    pos: Pos { line: 0, column: 0 },
};

impl Node {
    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The key object (with its position) for `key` when this node is a mapping.
    pub fn key(&self, key: &str) -> Option<&Key> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(k, _)| k),
            _ => None,
        }
    }

    /// Follows a dotted path of mapping keys (`"spec.template.spec"`).
    /// Numeric segments index sequences (`"spec.containers.0"`).
    pub fn path(&self, dotted: &str) -> Option<&Node> {
        let mut cur = self;
        for seg in dotted.split('.').filter(|s| !s.is_empty()) {
            cur = match &cur.value {
                Value::Map(_) => cur.get(seg)?,
                Value::Seq(items) => items.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The string value, if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar rendered as text (`3` → `"3"`, `true` → `"true"`); `None` for
    /// null, sequences and mappings.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A number, from a numeric scalar or a string that parses as one
    /// (Pyrra writes `target: "99.5"`).
    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Str(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
    }

    /// An integer scalar (or an integral float / numeric string).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Int(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 && f.is_finite() => Some(*f as i64),
            Value::Str(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        }
    }

    /// A boolean scalar.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The items when this is a sequence (empty slice otherwise).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The entries when this is a mapping (empty slice otherwise).
    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Whether this node is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// Whether this node is null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A short name for the node's type, for messages ("a mapping", "a string").
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a sequence",
            Value::Map(_) => "a mapping",
        }
    }

    /// The null node, for `unwrap_or` chains.
    pub fn null() -> &'static Node {
        &NULL_NODE
    }

    /// Converts to a `serde_json::Value` (positions dropped), for JSONPath
    /// queries and typed parameter decoding.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Limits for parsing repository YAML: generous for real manifests, small
/// enough that an alias bomb or a deeply nested file fails fast.
/// Deepest nesting of sequences and mappings accepted (real CRD schemas
/// reach about 40).
pub const MAX_DEPTH: usize = 128;
/// Most aliases (`*ref`) accepted in one file.
pub const MAX_ALIASES: usize = 10_000;
/// Most anchors (`&ref`) defined in one file.
pub const MAX_ANCHORS: usize = 10_000;
/// Most parser events (scalars, collection starts/ends) in one file.
pub const MAX_EVENTS: usize = 5_000_000;
/// Most YAML nodes (scalars, sequences, mappings) in one file, aliases
/// expanded. A 10 MiB manifest (the inventory's file size limit) has about
/// a million; an alias expansion bomb stops here.
pub const MAX_NODES: usize = 2_000_000;
/// Most node copies made while expanding aliases of nested anchors (the
/// "billion laughs" pattern is caught here first).
pub const MAX_ALIAS_COPIES: usize = 1_000_000;
/// Most documents (`---`) in one file.
pub const MAX_DOCUMENTS: usize = 10_000;
/// Most bytes of scalar text in one file, aliases expanded (64 MiB).
pub const MAX_SCALAR_BYTES: usize = 64 * 1024 * 1024;

fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_aliases = MAX_ALIASES;
    budget.max_anchors = MAX_ANCHORS;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_events = MAX_EVENTS;
    budget.max_depth = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_recorded_anchor_events = MAX_ALIAS_COPIES;
    budget.max_recorded_anchor_bytes = MAX_SCALAR_BYTES;
    budget.max_total_scalar_bytes = MAX_SCALAR_BYTES;
    budget.max_documents = MAX_DOCUMENTS;
    // The aliases-per-anchor heuristic (over 10 uses of one anchor) refuses
    // real files, such as one `labels: &team {…}` block reused by a hundred
    // alerts; the node, copy and byte limits above bound the expansion.
    budget.enforce_alias_anchor_ratio = false;
    let mut opts = Options::default();
    opts.budget = Some(budget);
    opts.strict_booleans = true;
    opts.with_snippet = false;
    // `.inf` and `.nan` are valid YAML floats (histogram buckets use them).
    opts.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::PassThrough;
    opts
}

/// Stack of the thread that parses a file. Deserialising recurses once per
/// nesting level, about 40 KiB per level in a debug build (far less when
/// optimised), so [`MAX_DEPTH`] levels need about 5 MiB: more than the
/// 2 MiB of the threads that call the parser (the walker's, the test
/// harness's), which overflowed and aborted at 60 levels. Only the pages
/// used are committed.
const PARSE_STACK_BYTES: usize = 32 * 1024 * 1024;

/// Parses every document of a YAML stream.
///
/// Empty documents (a stray `---`) are dropped. Errors: the first syntax
/// error, duplicate key or budget breach, with its position. Runs on a
/// thread of its own with a [`PARSE_STACK_BYTES`] stack, so nesting up to
/// [`MAX_DEPTH`] never overflows the caller's stack (on the caller's thread
/// if that thread cannot be started).
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    std::thread::scope(|s| {
        match std::thread::Builder::new()
            .name("prr-yaml".to_string())
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(s, || parse_here(text))
        {
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            Err(_) => parse_here(text),
        }
    })
}

fn parse_here(text: &str) -> Result<Vec<Node>, YamlError> {
    let docs: Vec<Option<Spanned<Value>>> =
        serde_saphyr::from_multiple_with_options(text, options()).map_err(to_error)?;
    Ok(docs
        .into_iter()
        .flatten()
        .map(|s| Node {
            pos: Pos::from(&s.referenced),
            value: s.value,
        })
        .filter(|n| !n.is_null())
        .collect())
}

fn to_error(e: serde_saphyr::Error) -> YamlError {
    let (inner, via_alias) = innermost(&e);
    if let serde_saphyr::Error::Budget { breach, .. } = inner {
        return YamlError {
            message: format!("{} (resource limit)", breach_text(breach, via_alias)),
            pos: error_pos(&e),
        };
    }
    let (pos, msg) = error_message(&e, "invalid YAML");
    let message = if msg.contains("recursion limit") {
        // The parser's own limit on nested flow collections (`[[[…`).
        format!("nested deeper than {MAX_DEPTH} levels (resource limit)")
    } else if let Some(key) = msg
        .strip_prefix("duplicate mapping key: ")
        .map(|k| k.split(", set DuplicateKeyPolicy").next().unwrap_or(k))
    {
        // The library's hint names its own option, not a fix for the file.
        format!(
            "duplicate mapping key `{key}`: Go YAML decoders (Prometheus, Loki, kubectl) refuse the file; keep one"
        )
    } else {
        msg
    };
    YamlError { message, pos }
}

/// The one reading of a serde-saphyr error, for every message prr prints
/// about a YAML file (the positioned tree here, prr.yaml and rule files
/// through `config_message::from_saphyr`): where it is (for an error while
/// expanding an alias, where the alias is used) and the first line of the
/// error itself, without serde-saphyr's snippet and alias wrappers (whose
/// text adds "(defined at …) (used at …)"), its `error: line N column M: `
/// prefix and its trailing ` at line N, column M` (callers print the
/// position once); `fallback` when the error has no text.
pub fn error_message(e: &serde_saphyr::Error, fallback: &str) -> (Pos, String) {
    let full = innermost(e).0.to_string();
    let first = full
        .lines()
        .next()
        .unwrap_or(fallback)
        .trim_start_matches("error: ");
    let msg = match first.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") => rest,
        _ => first,
    };
    (error_pos(e), strip_position(msg).to_string())
}

/// Where a serde-saphyr error is (the use site of an alias when the error
/// happened while expanding one); unknown (0) when it has no location.
fn error_pos(e: &serde_saphyr::Error) -> Pos {
    e.location().map(|l| Pos::from(&l)).unwrap_or_default()
}

/// The error inside serde-saphyr's snippet and alias wrappers, and whether
/// an alias wrapper was removed (the error happened expanding an alias).
fn innermost(e: &serde_saphyr::Error) -> (&serde_saphyr::Error, bool) {
    let mut inner = e;
    let mut via_alias = false;
    loop {
        match inner {
            serde_saphyr::Error::WithSnippet { error, .. } => inner = error,
            serde_saphyr::Error::AliasError { error, .. } => {
                via_alias = true;
                inner = error;
            }
            _ => return (inner, via_alias),
        }
    }
}

/// `msg` without a trailing " at line N, column M" (N and M digits).
pub(crate) fn strip_position(msg: &str) -> &str {
    match msg.rfind(" at line ") {
        Some(i)
            if msg[i + 9..]
                .split(", column ")
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) =>
        {
            &msg[..i]
        }
        _ => msg,
    }
}

/// What a budget breach means, naming the limit that was hit.
fn breach_text(breach: &BudgetBreach, via_alias: bool) -> String {
    let bomb = if via_alias {
        " while expanding aliases (an alias expansion bomb?)"
    } else {
        ""
    };
    match breach {
        BudgetBreach::Depth { .. } => format!("nested deeper than {MAX_DEPTH} levels"),
        BudgetBreach::Aliases { .. } => format!("more than {MAX_ALIASES} aliases"),
        BudgetBreach::AliasAnchorRatio { aliases, anchors } => format!(
            "{aliases} aliases for {anchors} anchors: more than {} uses per anchor (an alias expansion bomb?)",
            Budget::default().alias_anchor_ratio_multiplier
        ),
        BudgetBreach::Anchors { .. } => format!("more than {MAX_ANCHORS} anchors"),
        BudgetBreach::Nodes { .. } => format!("more than {MAX_NODES} YAML nodes{bomb}"),
        BudgetBreach::RecordedAnchorEvents { .. } => {
            format!("more than {MAX_ALIAS_COPIES} nodes copied{bomb}")
        }
        BudgetBreach::RecordedAnchorBytes { .. } | BudgetBreach::ScalarBytes { .. } => format!(
            "more than {} MiB of scalar text{bomb}",
            MAX_SCALAR_BYTES / 1024 / 1024
        ),
        BudgetBreach::Events { .. } => format!("more than {MAX_EVENTS} YAML parser events{bomb}"),
        BudgetBreach::Documents { .. } => {
            format!("more than {MAX_DOCUMENTS} YAML documents in one file")
        }
        other => format!("over a parser limit ({other:?})"),
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: Spanned<KeyText> = Spanned::deserialize(d)?;
        Ok(Key {
            name: s.value.0,
            pos: Pos::from(&s.referenced),
        })
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: Spanned<Value> = Spanned::deserialize(d)?;
        Ok(Node {
            pos: Pos::from(&s.referenced),
            value: s.value,
        })
    }
}

struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<KeyText, E> {
                Ok(KeyText(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                Ok(KeyText("null".to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                Ok(Value::Str(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
                Ok(Value::Str(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Ok(Value::Float(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Bool(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
                Value::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut v = Vec::new();
                while let Some(n) = a.next_element::<Node>()? {
                    v.push(n);
                }
                Ok(Value::Seq(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut v = Vec::new();
                while let Some(k) = a.next_key::<Key>()? {
                    let n = a.next_value::<Node>()?;
                    v.push((k, n));
                }
                Ok(Value::Map(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for Node {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AnyValue".into()
    }

    /// Any YAML value (analyzer parameters are checked when the rule loads).
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "description": "Any YAML value; the analyzer checks it when the rule loads." })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_multi_documents() {
        let docs = parse_documents("a: 1\nb:\n  c: [x, y]\n---\n---\nkind: Y\n").unwrap();
        assert_eq!(docs.len(), 2, "the empty middle document is dropped");
        let c = docs[0].path("b.c.1").unwrap();
        assert_eq!(c.as_str(), Some("y"));
        assert_eq!(
            c.pos,
            Pos {
                line: 3,
                column: 10
            }
        );
        assert_eq!(docs[0].key("b").unwrap().pos.line, 2);
        // YAML 1.2 booleans: `Y` is a string, as Kubernetes reads it.
        assert_eq!(docs[1].get("kind").unwrap().as_str(), Some("Y"));
    }

    #[test]
    fn syntax_error_has_position() {
        let err = parse_documents("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert_eq!(err.pos.line, 3);
        assert!(
            !err.message.contains("-->"),
            "no snippet in message: {}",
            err.message
        );
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse_documents("a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.pos.line, 2);
        assert!(
            err.message.starts_with("duplicate mapping key `a`:")
                && !err.message.contains("Options"),
            "{}",
            err.message
        );
    }

    /// A quoted scalar whose continuation line is indented like its key
    /// (not past it, as YAML 1.2 strictly requires) is what Prometheus
    /// (Go yaml.v3), PyYAML and yq accept; granit-parser 2.1 refused it
    /// ("invalid indentation in multiline quoted scalar") and the whole
    /// rule file went unchecked. A quote that is never closed is still an
    /// error.
    #[test]
    fn under_indented_quoted_continuation_is_accepted() {
        let text =
            "a:\n  m: 'one {{ with query \"x\" }}\n    two\n  {{ end }} three'\n  n: \"x\n  y\"\n";
        let docs = parse_documents(text).unwrap();
        assert_eq!(
            docs[0].path("a.m").and_then(Node::as_str),
            Some("one {{ with query \"x\" }} two {{ end }} three")
        );
        assert_eq!(docs[0].path("a.n").and_then(Node::as_str), Some("x y"));
        // The real file (MoJ cloud-platform-terraform-monitoring).
        let real = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/alerts/rule-formats/moj/node-alerts.yaml"
        ))
        .unwrap();
        let docs = parse_documents(&real).unwrap();
        let msg = docs[0].path("spec.groups.0.rules").map(|r| {
            r.items()
                .iter()
                .find(|r| r.get("alert").and_then(Node::as_str) == Some("IncreaseInNodeCount"))
                .and_then(|r| r.path("annotations.message"))
                .and_then(Node::as_str)
                .map(str::to_string)
        });
        assert!(
            msg.flatten()
                .is_some_and(|m| m.ends_with("{{ end }} to {{ $value }}")),
            "the multi-line message is read whole"
        );
        // Still errors: an unterminated quote, a key at a lower indentation
        // than its mapping.
        assert!(parse_documents("a:\n  m: 'one\n  two\n").is_err());
        assert!(parse_documents("a:\n    b: 1\n  c: 2\n").is_err());
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse_documents(&s).unwrap_err();
        assert!(e.message.contains("resource limit"), "{}", e.message);
        // The limit is named, and the message is not cut by the alias
        // locations serde-saphyr appends ("(defined at …) (used at …)").
        assert_eq!(
            e.message,
            "more than 1000000 nodes copied while expanding aliases (an alias expansion bomb?) (resource limit)"
        );
        assert!(e.pos.line >= 2, "at an alias use: {:?}", e.pos);
    }

    #[test]
    fn documents_are_bounded_and_big_files_are_not() {
        let docs = |n: usize| -> String { (0..n).map(|i| format!("---\nn: {i}\n")).collect() };
        assert_eq!(
            parse_documents(&docs(MAX_DOCUMENTS)).unwrap().len(),
            MAX_DOCUMENTS
        );
        let e = parse_documents(&docs(MAX_DOCUMENTS + 1)).unwrap_err();
        assert_eq!(
            e.message,
            "more than 10000 YAML documents in one file (resource limit)"
        );
        // The `---` that opens document 10,001.
        assert_eq!(e.pos.line, 2 * 10_000 + 1);
        // 300,000 nodes (2.3 MB): serde-saphyr's default budget (250,000
        // nodes) refused such a file; prr's limit is MAX_NODES.
        let big: String = (0..300_000).map(|i| format!("- {i}\n")).collect();
        assert_eq!(parse_documents(&big).unwrap()[0].items().len(), 300_000);
        // One anchor used by 300 rules (over the ratio heuristic of 10 uses
        // per anchor that serde-saphyr applies by default).
        let mut reuse = String::from("common: &team {team: payments}\nrules:\n");
        for i in 0..300 {
            reuse.push_str(&format!("- {{alert: A{i}, labels: *team}}\n"));
        }
        let d = parse_documents(&reuse).unwrap();
        assert_eq!(
            d[0].path("rules.299.labels.team").and_then(Node::as_str),
            Some("payments")
        );
    }

    #[test]
    fn depth_is_bounded_and_non_finite_floats_parse() {
        let deep = format!("a: {}{}", "[".repeat(500), "]".repeat(500));
        let e = parse_documents(&deep).unwrap_err();
        assert_eq!(e.message, "nested deeper than 128 levels (resource limit)");
        let d = parse_documents("buckets: [0.1, 1, .inf]\n").unwrap();
        assert_eq!(
            d[0].path("buckets.2").unwrap().as_f64(),
            Some(f64::INFINITY)
        );
    }

    #[test]
    fn to_json_keeps_structure() {
        let docs = parse_documents("a: [1, 2.5, \"s\", true, ~]\n").unwrap();
        assert_eq!(
            docs[0].to_json(),
            serde_json::json!({"a": [1, 2.5, "s", true, null]})
        );
    }
}
