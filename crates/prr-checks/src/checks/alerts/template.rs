//! `alerts/template`: annotation and label values of alerting rules are Go
//! `text/template` text that Prometheus parses when it loads the rule file
//! (`rulefmt`'s template test, what `promtool check rules` runs): a syntax
//! error, a function Prometheus does not define or an undefined variable
//! makes it refuse the whole file.
//!
//! Parsing is gotmpl's (a Rust port of Go's `text/template/parse`); the
//! names are checked here as Go's parser checks them against Prometheus'
//! function map (`template/template.go`, Prometheus 2.x–3.x) and the
//! variables Prometheus declares in front of every value (`$labels`,
//! `$externalLabels`, `$externalURL`, `$value`, plus `$`), with the scoping
//! of Go's parser (a variable lives until the `{{end}}` of the control
//! structure it was declared in).

use super::alerts;
use crate::checks::{Context, Sink};
use crate::formats::prometheus_rules::{Dialect, PromRule, RuleFile, Text};
use gotmpl::parse::{Expr, ListNode, Node, Parser, PipeNode};
use serde::Deserialize;

/// Functions Go's `text/template` defines.
const GO_BUILTINS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
];

/// Functions Prometheus adds (`template.NewTemplateExpander`).
pub const PROMETHEUS_FUNCS: &[&str] = &[
    "query",
    "first",
    "label",
    "value",
    "strvalue",
    "args",
    "reReplaceAll",
    "safeHtml",
    "match",
    "title",
    "toUpper",
    "toLower",
    "graphLink",
    "tableLink",
    "sortByLabel",
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "humanizeTimestamp",
    "toTime",
    "toDuration",
    "pathPrefix",
    "externalURL",
    "parseDuration",
    "stripPort",
    "stripDomain",
    "now",
];

/// What Prometheus declares before each value (rules/alerting.go).
pub(crate) const DEFS: &str = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

/// Parameters of `alerts.template` (none).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {}

/// What Prometheus says about `text` (an annotation or label value of
/// alert `alert`) when it parses it: `None` when it parses, else the
/// error as Go words it (`template: __alert_X:1: function "f" not defined`).
pub fn check_text(alert: &str, text: &str) -> Option<String> {
    if !text.contains("{{") {
        return None;
    }
    let name = format!("__alert_{alert}");
    let src = format!("{DEFS}{text}");
    let parsed = Parser::with_name(Some(&name), &src, "{{", "}}").and_then(|p| p.parse());
    match parsed {
        Err(e) => Some(go_words(&name, &e.to_string())),
        Ok((tree, defines)) => {
            if let Some(e) = stopped_early(&name, &src) {
                return Some(e);
            }
            let mut vars = vec!["$".to_string()];
            let mut err = None;
            walk_list(&tree, &mut vars, &mut err);
            for d in &defines {
                let mut vars = vec!["$".to_string()];
                walk_list(&d.body, &mut vars, &mut err);
            }
            err.map(|(line, m)| format!("template: {name}:{line}: {m}"))
        }
    }
}

/// gotmpl 0.6 ends the parse at a top-level `{{end}}` or `{{else}}` without
/// an error (Go reports `unexpected {{end}}`): parsed again with a sentinel
/// action after the text, a complete parse ends with the sentinel. When it
/// does not, the stray keyword is named from a scan of the actions.
fn stopped_early(name: &str, src: &str) -> Option<String> {
    const SENTINEL: &str = "__prr_sentinel__";
    let with = format!("{src}{{{{{SENTINEL}}}}}");
    let (tree, _) = Parser::with_name(Some(name), &with, "{{", "}}")
        .ok()?
        .parse()
        .ok()?;
    let complete = tree.nodes.last().is_some_and(|n| {
        matches!(n, Node::Action(a) if a.pipe.commands.first().and_then(|c| c.args.first())
            .is_some_and(|e| matches!(e, Expr::Identifier(_, id) if id.as_str() == SENTINEL)))
    });
    if complete {
        return None;
    }
    let mut depth = 0usize;
    let mut rest = src;
    let mut line = 1;
    while let Some(i) = rest.find("{{") {
        line += rest[..i].matches('\n').count();
        let action = rest[i + 2..].trim_start_matches('-').trim_start();
        let word: String = action
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        match word.as_str() {
            "if" | "range" | "with" | "define" | "block" => depth += 1,
            "end" | "else" if depth == 0 => {
                return Some(format!(
                    "template: {name}:{line}: unexpected {{{{{word}}}}}"
                ));
            }
            "end" => depth -= 1,
            _ => {}
        }
        rest = &rest[i + 2..];
    }
    Some(format!("template: {name}:{line}: unexpected {{{{end}}}}"))
}

/// gotmpl's `template: name:line:col: msg` as Go's `template: name:line: msg`.
fn go_words(name: &str, s: &str) -> String {
    let prefix = format!("template: {name}:");
    let Some(rest) = s.strip_prefix(&prefix) else {
        return s.to_string();
    };
    let mut parts = rest.splitn(3, ':');
    let (Some(line), Some(second), Some(third)) = (parts.next(), parts.next(), parts.next()) else {
        return s.to_string();
    };
    if second.chars().all(|c| c.is_ascii_digit()) && !second.is_empty() {
        format!("{prefix}{line}:{third}")
    } else {
        s.to_string()
    }
}

type Err = Option<(usize, String)>;

fn walk_list(l: &ListNode, vars: &mut Vec<String>, err: &mut Err) {
    for n in &l.nodes {
        walk_node(n, vars, err);
    }
}

fn walk_node(n: &Node, vars: &mut Vec<String>, err: &mut Err) {
    let control = |pipe: &PipeNode,
                   body: &ListNode,
                   else_body: Option<&ListNode>,
                   vars: &mut Vec<String>,
                   err: &mut Err| {
        let mark = vars.len();
        walk_pipe(pipe, vars, err);
        walk_list(body, vars, err);
        if let Some(e) = else_body {
            walk_list(e, vars, err);
        }
        vars.truncate(mark);
    };
    match n {
        Node::List(l) => walk_list(l, vars, err),
        Node::Action(a) => walk_pipe(&a.pipe, vars, err),
        Node::If(b) | Node::Range(b) | Node::With(b) => {
            control(&b.pipe, &b.body, b.else_body.as_ref(), vars, err)
        }
        Node::Template(t) => {
            if let Some(p) = &t.pipe {
                walk_pipe(p, vars, err);
            }
        }
        Node::Define(d) => {
            let mut inner = vec!["$".to_string()];
            walk_list(&d.body, &mut inner, err);
        }
        _ => {}
    }
}

fn walk_pipe(p: &PipeNode, vars: &mut Vec<String>, err: &mut Err) {
    for c in &p.commands {
        for a in &c.args {
            walk_expr(a, vars, err);
        }
    }
    // Declarations are visible after the pipeline (Go pushes them first,
    // but a variable used in its own declaration is not valid Go either).
    if !p.is_assign {
        vars.extend(p.decl.iter().map(|d| d.to_string()));
    } else {
        for d in &p.decl {
            if !vars.iter().any(|v| v == d.as_str()) && err.is_none() {
                *err = Some((p.pos.line, format!("undefined variable {:?}", d.as_str())));
            }
        }
    }
}

fn walk_expr(e: &Expr, vars: &mut Vec<String>, err: &mut Err) {
    if err.is_some() {
        return;
    }
    match e {
        Expr::Identifier(pos, name) => {
            let n = name.as_str();
            if !GO_BUILTINS.contains(&n) && !PROMETHEUS_FUNCS.contains(&n) {
                *err = Some((pos.line, format!("function {n:?} not defined")));
            }
        }
        Expr::Variable(pos, name, _) if !vars.iter().any(|v| v == name.as_str()) => {
            *err = Some((pos.line, format!("undefined variable {:?}", name.as_str())));
        }
        Expr::Pipe(_, p) => {
            let mark = vars.len();
            walk_pipe(p, vars, err);
            vars.truncate(mark);
        }
        Expr::Chain(_, inner, _) => walk_expr(inner, vars, err),
        _ => {}
    }
}

/// Every alerting rule of a PromQL rule file (a Loki ruler file's values
/// are not Prometheus templates), with its file and its `alert:` name.
pub(crate) fn promql_alerts<'a>(
    ctx: &'a Context,
) -> impl Iterator<Item = (&'a RuleFile, &'a PromRule, &'a Text)> {
    alerts(ctx)
        .filter(|(f, _, _)| f.dialect == Dialect::PromQL)
        .filter_map(|(f, _, r)| r.alert.as_ref().map(|a| (f, r, a)))
}

/// The values of an alerting rule Prometheus expands as templates: its
/// labels, then its annotations, each as what it is (`"label"`,
/// `"annotation"`) and its (key, value).
pub(crate) fn templated_values(
    r: &PromRule,
) -> impl Iterator<Item = (&'static str, &(Text, Text))> {
    r.labels
        .iter()
        .map(|kv| ("label", kv))
        .chain(r.annotations.iter().map(|kv| ("annotation", kv)))
}

/// Runs `alerts.template` over every alerting rule's labels and annotations.
pub fn template(ctx: &Context, _: &Template, sink: &mut Sink) {
    for (f, r, alert) in promql_alerts(ctx) {
        for (what, (k, v)) in templated_values(r) {
            if let Some(e) = check_text(&alert.value, &v.value) {
                sink.report(
                    &f.path,
                    v.pos,
                    format!(
                        "Prometheus refuses this rule file: {what} {:?} of alert `{}`: {e}",
                        k.value, alert.value
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_text;

    #[test]
    fn prometheus_words() {
        assert_eq!(
            check_text(
                "A",
                "{{ $labels.instance }} is {{ $value | humanizePercentage }}"
            ),
            None
        );
        assert_eq!(
            check_text("A", "{{ $value | humanizePercent }}").as_deref(),
            Some("template: __alert_A:1: function \"humanizePercent\" not defined")
        );
        assert_eq!(
            check_text("A", "{{ $label.instance }}").as_deref(),
            Some("template: __alert_A:1: undefined variable \"$label\"")
        );
        assert!(
            check_text("A", "{{ $labels.instance ").is_some_and(|e| e.contains("unclosed action"))
        );
        // Scoping: a range variable ends at {{end}}.
        assert_eq!(
            check_text(
                "A",
                "{{ range $i, $x := query \"up\" }}{{ $x | value }}{{ end }}"
            ),
            None
        );
        assert!(check_text("A", "{{ range $x := query \"up\" }}{{ end }}{{ $x }}").is_some());
        assert_eq!(check_text("A", "{{ $v := 1 }}{{ $v }}"), None);
        assert_eq!(check_text("A", "no template"), None);
        // A stray {{end}} (gotmpl alone would accept it).
        assert_eq!(
            check_text("A", "{{ if true }}x{{ end }}\n{{ end }}").as_deref(),
            Some("template: __alert_A:2: unexpected {{end}}")
        );
        assert_eq!(check_text("A", "{{ if true }}x{{ else }}y{{ end }}"), None);
        assert_eq!(
            check_text("A", "{{ end }}").as_deref(),
            Some("template: __alert_A:1: unexpected {{end}}")
        );
    }
}
