//! `alerts/duplicate`: the same alert or recording rule twice in what one
//! Prometheus loads.
//!
//! Two rules clash only when one rule evaluator loads both. Repositories keep
//! a copy of a rule per deploy target (`rules/staging/x.yaml` and
//! `rules/production/x.yaml`, `*-stage` and `*-production` PrometheusRules, a
//! source rule file and its generated bundle copy); those are not
//! duplicates, and "delete one" would delete an environment's alerting. So
//! rules are compared within an **evaluation scope** (parameter `scope`):
//!
//! - `auto` (default): a plain rule file's folder (Prometheus' `rule_files:`
//!   globs a folder, e.g. `rules/*.yml`); a `PrometheusRule` object's
//!   namespace (the Prometheus Operator loads the rules of a namespace
//!   together), or its folder when it sets none (kustomize or `kubectl -n`
//!   places the folder's objects in one namespace);
//! - `file`: one file (what `promtool check rules` sees);
//! - `folder`: one folder, for every kind of file.
//!
//! With `auto` and `folder`, files of one folder whose names name different
//! environments (`rules-staging.yaml`, `rules-prod.yaml`) are different
//! deploy targets;
//! - `repository`: the whole repository (one Prometheus loads everything).
//!
//! Within a scope, as `promtool check rules --lint=duplicate-rules` does
//! (`cmd/promtool/main.go`, `checkDuplicates`), a rule's identity is its
//! name (alert or record) and its labels, group labels included. Two rules
//! with one identity are a duplicate whether or not their expressions are
//! equal — an exact copy is evaluated twice; two expressions under one
//! alert identity cannot be told apart, silenced or routed separately —
//! with one exception, where promtool's lint is stricter than the truth:
//! rules whose output series cannot overlap. A recording rule per status
//! class (`sum by (code) (rate(x{code=~"2.."}[5m]))` and the same over
//! `code=~"5.."`: the label `code` survives the aggregation and each side
//! selects values the other cannot — a literal against any matcher is
//! decided exactly (the regex engine, anchored as Prometheus anchors it);
//! two regexes only when both are literal characters, `.` and a trailing
//! `.*`; otherwise nothing is proven) writes different series; an alert
//! repeated per instance (`…{pod=~"a-.*"}` and `…{pod=~"b-.*"}`, no
//! aggregation) fires with different `pod` labels, which Alertmanager,
//! silences and routes tell apart. That is how such rules are meant to be
//! written, so they are not reported.

use super::all_rules;
use crate::checks::{Context, Sink};
use crate::formats::prometheus_rules::{PromRule, RuleFile, RuleGroup};
use crate::yaml::Pos;
use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, LabelModifier, VectorMatchCardinality};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Which rules one Prometheus evaluates together (see the module docs).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// A plain rule file's folder; a PrometheusRule's namespace (or folder).
    #[default]
    Auto,
    /// One file.
    File,
    /// One folder.
    Folder,
    /// The whole repository.
    Repository,
}

/// Parameters of `alerts.duplicate`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Duplicate {
    /// The evaluation scope rules are compared in (default `auto`).
    #[serde(default)]
    pub scope: Scope,
}

/// One rule as compared: where it is, and what it evaluates (parsed on
/// the first clash that needs it).
struct Seen<'a> {
    path: &'a str,
    pos: Pos,
    expr: String,
    raw: String,
    parsed: Option<Option<Output>>,
}

/// The environment words of a file name (`kubernetes-staging.yaml` →
/// `staging`), `+`-joined; empty when it names none.
fn environment_of(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let mut words = crate::checks::environment::words(stem);
    words.sort_unstable();
    words.join("+")
}

/// What the scope is, for messages: `(key, description)`. Within a folder,
/// files whose names name different environments (`rules-staging.yaml`,
/// `rules-prod.yaml`) are different deploy targets.
fn scope_of(f: &RuleFile, scope: Scope) -> (String, String) {
    let env = environment_of(&f.path);
    let folder = f.path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let folder_key = format!("dir:{folder}|env:{env}");
    let shown = |d: &str| {
        if d.is_empty() {
            "the repository root folder".to_string()
        } else {
            format!("folder `{d}/`")
        }
    };
    match scope {
        Scope::File => (format!("file:{}", f.path), "the same file".to_string()),
        Scope::Folder => (folder_key, shown(&folder)),
        Scope::Repository => ("repo".to_string(), "the repository".to_string()),
        Scope::Auto => match &f.object_name {
            None => (folder_key, shown(&folder)),
            Some(_) => match &f.object_namespace {
                Some(ns) => (format!("ns:{ns}"), format!("namespace `{ns}`")),
                None => (folder_key, shown(&folder)),
            },
        },
    }
}

/// The labels of a rule, its group's first (Prometheus adds group labels to
/// every rule; rule labels win).
fn labels_of(g: &RuleGroup, r: &PromRule) -> Vec<(String, String)> {
    let mut labels: BTreeMap<String, String> = g
        .node
        .get("labels")
        .map(|l| {
            l.entries()
                .iter()
                .map(|(k, v)| (k.name.clone(), v.scalar_text().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    for (k, v) in &r.labels {
        labels.insert(k.value.clone(), v.value.clone());
    }
    labels.into_iter().collect()
}

/// Runs `alerts.duplicate`. The second definition is reported, naming the
/// first and the scope they share.
pub fn duplicate(ctx: &Context, p: &Duplicate, sink: &mut Sink) {
    // (scope, is alert, name, labels) → first definition
    type Key = (String, bool, String, Vec<(String, String)>);
    let mut seen: HashMap<Key, Vec<Seen>> = HashMap::new();
    for (f, g, r) in all_rules(ctx) {
        let (is_alert, name) = match (&r.alert, &r.record) {
            (Some(a), None) if !a.value.is_empty() => (true, a),
            (None, Some(rec)) if !rec.value.is_empty() => (false, rec),
            _ => continue,
        };
        let (scope_key, scope_text) = scope_of(f, p.scope);
        let labels = labels_of(g, r);
        // Compared with whitespace normalised; parsed raw (a `#` comment
        // runs to the end of its line), and only when a clash needs it.
        let raw = r
            .expr
            .as_ref()
            .map(|e| e.value.as_str())
            .unwrap_or_default();
        let expr = normalize_ws(raw);
        let key = (scope_key, is_alert, name.value.clone(), labels);
        let earlier = seen.entry(key.clone()).or_default();
        let mut this: Option<Option<Output>> = None;
        // The earliest definition this one can clash with: the same
        // expression, or one whose series may overlap.
        let clash = earlier.iter_mut().find_map(|first| {
            if first.expr == expr {
                return Some((first.path, first.pos, true));
            }
            let a = first.parsed.get_or_insert_with(|| output_of(&first.raw));
            let b = this.get_or_insert_with(|| output_of(raw));
            match (a, b) {
                (Some(a), Some(b)) if a.disjoint(b) => None,
                _ => Some((first.path, first.pos, false)),
            }
        });
        earlier.push(Seen {
            path: &f.path,
            pos: name.pos,
            expr: expr.clone(),
            raw: raw.to_string(),
            parsed: this,
        });
        let Some((first_path, first_pos, same_expr)) = clash else {
            continue;
        };
        let kind = if is_alert { "alert" } else { "recording rule" };
        let labels = if key.3.is_empty() {
            "no labels".to_string()
        } else {
            let l: Vec<String> = key.3.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
            format!("labels {{{}}}", l.join(", "))
        };
        let consequence = match (is_alert, same_expr) {
            (true, true) => {
                "an exact copy is evaluated twice and notifies as one alert; delete one"
            }
            (true, false) => {
                "two expressions under one alert identity cannot be told apart, silenced or routed separately; merge them with `or`, or give each a distinguishing label"
            }
            (false, true) => "both write the same series; delete one",
            (false, false) => {
                "both write series of one name and labels, so their samples clash; delete one or give them distinct labels"
            }
        };
        let what = if same_expr {
            "the same expression"
        } else {
            "a different expression"
        };
        let where_ = if first_path == f.path {
            format!("{first_path}:{}", first_pos.line)
        } else {
            format!(
                "{first_path}:{} ({scope_text}, one Prometheus)",
                first_pos.line
            )
        };
        sink.report(
            &f.path,
            name.pos,
            format!(
                "{kind} `{}` with {labels} is already defined at {where_} with {what}: {consequence}",
                name.value
            ),
        );
    }
}

fn normalize_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Which labels of the input series an expression's result keeps.
#[derive(Debug, Clone)]
enum Keep {
    All,
    Only(BTreeSet<String>),
    AllBut(BTreeSet<String>),
}

impl Keep {
    fn keeps(&self, label: &str) -> bool {
        match self {
            Keep::All => true,
            Keep::Only(s) => s.contains(label),
            Keep::AllBut(s) => !s.contains(label),
        }
    }
}

/// What is known of an expression's output series: the labels it keeps and
/// the matchers its selectors put on each label (`=~"2.."` as `=~2..`).
#[derive(Debug)]
struct Output {
    keep: Keep,
    matchers: BTreeMap<String, BTreeSet<String>>,
}

impl Output {
    /// Whether two outputs cannot share a series: some label survives in
    /// both, and a positive matcher on each side selects values the other
    /// cannot ([`never_equal`]). Negative matchers (`!=`, `!~`) and
    /// regexes prr cannot expand prove nothing: then the series may
    /// overlap.
    fn disjoint(&self, other: &Output) -> bool {
        self.matchers.iter().any(|(label, mine)| {
            label != "__name__"
                && self.keep.keeps(label)
                && other.keep.keeps(label)
                && other.matchers.get(label).is_some_and(|theirs| {
                    mine.iter()
                        .any(|a| theirs.iter().any(|b| never_equal(a, b)))
                })
        })
    }
}

/// The values a positive matcher selects, as alternatives of literal
/// characters and `.` (any one character), each optionally ending in `.*`
/// (any rest): `="x"` → `[x]`, `=~"2..|3.."` → `[2.., 3..]`,
/// `=~"web-.*"` → `[web- + any rest]`. `None` for a negative matcher or a
/// regex with anything else (`+`, `?`, classes, groups, anchors, escapes,
/// `.*` inside). Prometheus anchors regexes at both ends.
fn alternatives(m: &str) -> Option<Vec<(Vec<char>, bool)>> {
    if let Some(v) = m.strip_prefix("=~") {
        let mut out = Vec::new();
        for alt in v.split('|') {
            let (body, open) = match alt.strip_suffix(".*") {
                Some(b) => (b, true),
                None => (alt, false),
            };
            let simple = body
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '/'));
            if !simple {
                return None;
            }
            out.push((body.chars().collect(), open));
        }
        return Some(out);
    }
    if let Some(v) = m.strip_prefix('=') {
        // A literal: its `.` is a plain character, marked so that it only
        // equals itself (a regex `.` still matches it).
        return Some(vec![(v.replace('.', "\u{0}").chars().collect(), false)]);
    }
    None
}

/// Whether matchers `a` and `b` (as `op` + value) can never select the same
/// label value: no alternative of one can match a value an alternative of
/// the other matches.
fn never_equal(a: &str, b: &str) -> bool {
    // One side a literal (`="x"`): decide exactly, with the regex engine
    // for the other side's regex (anchored, as Prometheus anchors it).
    let literal = |m: &str| {
        m.strip_prefix('=')
            .filter(|_| !m.starts_with("=~"))
            .map(str::to_string)
    };
    let full_match = |re: &str, x: &str| {
        regex::Regex::new(&format!("^(?:{re})$"))
            .ok()
            .map(|r| r.is_match(x))
    };
    for (x, other) in [(literal(a), b), (literal(b), a)] {
        let Some(x) = x else { continue };
        return if let Some(re) = other.strip_prefix("=~") {
            full_match(re, &x) == Some(false)
        } else if let Some(re) = other.strip_prefix("!~") {
            full_match(re, &x) == Some(true)
        } else if let Some(y) = other.strip_prefix("!=") {
            x == y
        } else if let Some(y) = literal(other) {
            x != y
        } else {
            false
        };
    }
    // A simple regex against a negative one: disjoint when every value the
    // first selects, the second excludes (`=~"dse-k8s-.*"`, `!~"dse-k8s.*"`).
    for (pos, neg) in [(a, b), (b, a)] {
        if let (Some(re), Some(xs)) = (neg.strip_prefix("!~"), alternatives(pos)) {
            let excluded = alternatives(&format!("=~{re}"));
            return excluded.is_some_and(|ys| xs.iter().all(|x| ys.iter().any(|y| covers(y, x))));
        }
    }
    let (Some(xs), Some(ys)) = (alternatives(a), alternatives(b)) else {
        return false;
    };
    let fits = |p: &char, q: &char| p == q || *p == '.' || *q == '.';
    let meets = |(x, xo): &(Vec<char>, bool), (y, yo): &(Vec<char>, bool)| {
        let common = x.len().min(y.len());
        let prefix = x.iter().zip(y).take(common).all(|(p, q)| fits(p, q));
        prefix
            && match (xo, yo) {
                (false, false) => x.len() == y.len(),
                (true, false) => y.len() >= x.len(),
                (false, true) => x.len() >= y.len(),
                (true, true) => true,
            }
    };
    !xs.iter().any(|x| ys.iter().any(|y| meets(x, y)))
}

/// Whether every value alternative `x` matches, `y` matches too (both as
/// [`alternatives`] gives them): `y`'s characters are `.` or equal to
/// `x`'s literal ones, over all of `y` (a closed `y` also needs a closed
/// `x` of the same length; an open `y` needs `x` at least as long).
fn covers((y, y_open): &(Vec<char>, bool), (x, x_open): &(Vec<char>, bool)) -> bool {
    let lengths = if *y_open {
        x.len() >= y.len()
    } else {
        !x_open && x.len() == y.len()
    };
    lengths
        && y.iter()
            .zip(x)
            .all(|(q, p)| *q == '.' || (q == p && *p != '.'))
}

/// Parses `expr` into an [`Output`]; `None` when it does not parse.
fn output_of(expr: &str) -> Option<Output> {
    let e = crate::formats::promql::parse(expr).ok()?;
    let mut matchers = BTreeMap::new();
    collect_matchers(&e, &mut matchers);
    Some(Output {
        keep: keep_of(&e),
        matchers,
    })
}

fn keep_of(e: &Expr) -> Keep {
    match e {
        Expr::Aggregate(a) => {
            let op = a.op.to_string();
            if matches!(op.as_str(), "topk" | "bottomk" | "limitk" | "limit_ratio") {
                return keep_of(&a.expr);
            }
            match &a.modifier {
                Some(LabelModifier::Include(l)) => Keep::Only(l.labels.iter().cloned().collect()),
                Some(LabelModifier::Exclude(l)) => match keep_of(&a.expr) {
                    Keep::AllBut(mut s) => {
                        s.extend(l.labels.iter().cloned());
                        Keep::AllBut(s)
                    }
                    Keep::Only(s) => {
                        Keep::Only(s.into_iter().filter(|x| !l.labels.contains(x)).collect())
                    }
                    Keep::All => Keep::AllBut(l.labels.iter().cloned().collect()),
                },
                None => Keep::Only(BTreeSet::new()),
            }
        }
        Expr::Unary(u) => keep_of(&u.expr),
        Expr::Paren(p) => keep_of(&p.expr),
        Expr::Subquery(s) => keep_of(&s.expr),
        Expr::Binary(b) => {
            // One-to-one and many-to-one matching keep the left side's
            // labels; `group_left(l…)` copies `l…` from the right side.
            let base = if matches!(*b.lhs, Expr::NumberLiteral(_)) {
                keep_of(&b.rhs)
            } else {
                keep_of(&b.lhs)
            };
            match b.modifier.as_ref().map(|m| &m.card) {
                Some(VectorMatchCardinality::ManyToOne(l)) => with_labels(base, &l.labels),
                _ => base,
            }
        }
        Expr::Call(c) if c.func.name == "label_replace" => {
            // label_replace(v, dst, replacement, src, regex): v's labels
            // plus `dst`.
            let base = c.args.args.first().map_or(Keep::All, |a| keep_of(a));
            match c.args.args.get(1).map(|a| &**a) {
                Some(Expr::StringLiteral(d)) => with_labels(base, std::slice::from_ref(&d.val)),
                _ => base,
            }
        }
        Expr::Call(c) => c
            .args
            .args
            .iter()
            .find(|a| !matches!(***a, Expr::NumberLiteral(_) | Expr::StringLiteral(_)))
            .map_or(Keep::Only(BTreeSet::new()), |a| keep_of(a)),
        _ => Keep::All,
    }
}

/// `keep` plus `labels`.
fn with_labels(keep: Keep, labels: &[String]) -> Keep {
    match keep {
        Keep::All => Keep::All,
        Keep::Only(mut s) => {
            s.extend(labels.iter().cloned());
            Keep::Only(s)
        }
        Keep::AllBut(s) => Keep::AllBut(s.into_iter().filter(|x| !labels.contains(x)).collect()),
    }
}

fn collect_matchers(e: &Expr, out: &mut BTreeMap<String, BTreeSet<String>>) {
    match e {
        Expr::VectorSelector(v) => {
            for m in &v.matchers.matchers {
                let op = match &m.op {
                    MatchOp::Equal => "=",
                    MatchOp::NotEqual => "!=",
                    MatchOp::Re(_) => "=~",
                    MatchOp::NotRe(_) => "!~",
                };
                out.entry(m.name.clone())
                    .or_default()
                    .insert(format!("{op}{}", m.value));
            }
        }
        Expr::MatrixSelector(m) => collect_matchers(&Expr::VectorSelector(m.vs.clone()), out),
        Expr::Aggregate(a) => collect_matchers(&a.expr, out),
        Expr::Unary(u) => collect_matchers(&u.expr, out),
        Expr::Paren(p) => collect_matchers(&p.expr, out),
        Expr::Subquery(s) => collect_matchers(&s.expr, out),
        Expr::Binary(b) => {
            collect_matchers(&b.lhs, out);
            collect_matchers(&b.rhs, out);
        }
        Expr::Call(c) => {
            for a in &c.args.args {
                collect_matchers(a, out);
            }
            // label_replace sets `dst` to the replacement: a constraint on
            // the output like a matcher.
            if c.func.name == "label_replace"
                && let (Some(Expr::StringLiteral(d)), Some(Expr::StringLiteral(r))) = (
                    c.args.args.get(1).map(|a| &**a),
                    c.args.args.get(2).map(|a| &**a),
                )
            {
                out.entry(d.val.clone())
                    .or_default()
                    .insert(format!("={}", r.val));
            }
        }
        _ => {}
    }
}
