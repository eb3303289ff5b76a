//! Positions for rendered objects: a rendered object's nodes carry
//! positions in the tool's output, which nobody can open; these functions
//! give them positions in the source file instead.

use crate::yaml::{Node, Pos, Value};

/// Gives every node of `rendered` the position of the same node in
/// `source` (the base document it came from): map entries by key, list
/// items by their `name` when they have one (containers, ports, env,
/// volumes), else by index. A node the source does not have (added by a
/// patch, a transformer or a generator) takes the position of its nearest
/// ancestor that the source has.
pub fn transplant(rendered: &mut Node, source: &Node) {
    rendered.pos = source.pos;
    match (&mut rendered.value, &source.value) {
        (Value::Map(re), Value::Map(se)) => {
            for (k, v) in re.iter_mut() {
                match se.iter().find(|(sk, _)| sk.name == k.name) {
                    Some((sk, sv)) => {
                        k.pos = sk.pos;
                        transplant(v, sv);
                    }
                    None => {
                        k.pos = source.pos;
                        set_all(v, source.pos);
                    }
                }
            }
        }
        (Value::Seq(ri), Value::Seq(si)) => {
            for (i, item) in ri.iter_mut().enumerate() {
                let name = item.get("name").and_then(Node::scalar_text);
                let matched = match &name {
                    Some(n) => si
                        .iter()
                        .find(|s| s.get("name").and_then(Node::scalar_text).as_ref() == Some(n)),
                    None => si.get(i),
                };
                match matched {
                    Some(s) => transplant(item, s),
                    None => set_all(item, source.pos),
                }
            }
        }
        _ => set_children(rendered, source.pos),
    }
}

fn set_children(node: &mut Node, pos: Pos) {
    match &mut node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                k.pos = pos;
                set_all(v, pos);
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|i| set_all(i, pos)),
        _ => {}
    }
}

/// Sets `pos` on `node` and everything under it.
pub fn set_all(node: &mut Node, pos: Pos) {
    node.pos = pos;
    set_children(node, pos);
}

/// Gives the nodes of `rendered` positions in a template's text (a Helm
/// template, which is not YAML until rendered): each map key is looked up
/// on the lines after its parent's line, as `key:` or `- key:` at a
/// deeper indentation than the parent, before a line at the parent's
/// indentation or less (template-only lines `{{ … }}` are skipped); list
/// items and keys not found (values from helpers, `toYaml` blocks) take
/// their parent's position. The object itself is at `start`.
pub fn transplant_by_text(rendered: &mut Node, text: &str, start: Pos) {
    let lines: Vec<&str> = text.lines().collect();
    walk(rendered, &lines, start, None);
}

fn indent(l: &str) -> usize {
    l.len() - l.trim_start().len()
}

fn walk(node: &mut Node, lines: &[&str], at: Pos, parent_indent: Option<usize>) {
    node.pos = at;
    match &mut node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                let found = find_key(lines, at, parent_indent, &k.name);
                match found {
                    Some((pos, ind)) => {
                        k.pos = pos;
                        walk(v, lines, pos, Some(ind));
                    }
                    None => {
                        k.pos = at;
                        set_all(v, at);
                    }
                }
            }
        }
        Value::Seq(items) => {
            for i in items {
                walk(i, lines, at, parent_indent);
            }
        }
        _ => {}
    }
}

/// The line of `key:` below `at` and deeper than `parent_indent`.
fn find_key(
    lines: &[&str],
    at: Pos,
    parent_indent: Option<usize>,
    key: &str,
) -> Option<(Pos, usize)> {
    let from = usize::try_from(at.line).ok()?.saturating_sub(1);
    let skip_first = parent_indent.is_some();
    for (i, l) in lines
        .iter()
        .enumerate()
        .skip(from + usize::from(skip_first))
    {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') || t.starts_with("{{") {
            continue;
        }
        let ind = indent(l);
        if let Some(p) = parent_indent
            && ind <= p
            && !t.starts_with("- ")
        {
            return None;
        }
        let body = t.strip_prefix("- ").unwrap_or(t);
        let ind = ind + (t.len() - body.len());
        if body.strip_prefix(key).is_some_and(|r| r.starts_with(':')) {
            let line = u32::try_from(i + 1).ok()?;
            let column = u32::try_from(ind + 1).ok()?;
            return Some((Pos { line, column }, ind));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(t: &str) -> Node {
        crate::yaml::parse_documents(t).expect("yaml").remove(0)
    }

    #[test]
    fn transplant_by_key_and_name() {
        let src = doc(
            "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: x\n",
        );
        let mut r = doc(
            "kind: Deployment\nmetadata: {namespace: p}\nspec:\n  template:\n    spec:\n      containers:\n      - name: b\n        image: y\n      - name: a\n        image: x:1\n",
        );
        transplant(&mut r, &src);
        let cs = r.path("spec.template.spec.containers").unwrap().items();
        assert_eq!(cs[1].get("image").unwrap().pos.line, 7);
        // Added by a patch: the list's position.
        assert_eq!(cs[0].get("image").unwrap().pos.line, 6);
        assert_eq!(r.path("metadata.namespace").unwrap().pos, src.pos);
    }

    #[test]
    fn transplant_into_template_text() {
        let text = "apiVersion: apps/v1\nkind: Deployment\n{{- if .Values.x }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: {{ .Chart.Name }}\n          image: \"{{ .Values.image }}\"\n          {{- toYaml .Values.resources | nindent 10 }}\n";
        let mut r = doc(
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: i\n        resources: {}\n",
        );
        transplant_by_text(&mut r, text, Pos::line(1));
        let c = &r.path("spec.template.spec.containers").unwrap().items()[0];
        assert_eq!(c.get("image").unwrap().pos.line, 9);
        assert_eq!(c.get("name").unwrap().pos.line, 8);
        // From a helper block: the container's list line.
        assert_eq!(c.get("resources").unwrap().pos.line, 7);
    }
}
