//! Unit tests: the YAML, Markdown and annotation directive readers.

use super::annotation::{document_ranges, object_span};
use super::yaml_comments::opens_block_scalar;
use super::*;
use crate::inventory::SourceFile;

fn dirs_yaml(text: &str) -> (Vec<Directive>, Vec<Finding>) {
    let (mut d, mut m) = (Vec::new(), Vec::new());
    scan_yaml("a.yaml", text, &mut d, &mut m);
    (d, m)
}

fn dirs_md(text: &str) -> (Vec<Directive>, Vec<Finding>) {
    let (mut d, mut m) = (Vec::new(), Vec::new());
    scan_markdown("a.md", text, &mut d, &mut m);
    (d, m)
}

#[test]
fn yaml_trailing_own_line_and_file_forms() {
    let (d, m) = dirs_yaml(
        "a: 1 # prr:ignore x/y -- ok\n# prr:ignore x/*, z/w until=2030-01-02 -- later\n# plain comment\nb: 2\n# prr:ignore-file q/r -- all\n",
    );
    assert!(m.is_empty(), "{m:?}");
    assert_eq!(d.len(), 3);
    assert_eq!((d[0].reach, d[0].pos.column), (Reach::Line(Some(1)), 6));
    assert_eq!(d[0].reason, "ok");
    assert_eq!(d[1].reach, Reach::Line(Some(4)));
    assert_eq!(d[1].rules, vec!["x/*", "z/w"]);
    assert_eq!(d[1].until.as_deref(), Some("2030-01-02"));
    assert!(d[1].matcher.is_match("x/anything") && d[1].matcher.is_match("z/w"));
    assert_eq!(d[2].reach, Reach::File);
}

#[test]
fn yaml_block_scalar_content_is_data_not_a_directive() {
    // must not fire: a directive-looking line inside `|`, `>-`, `- |2`
    for header in ["data: |", "data: >-", "- |2", "key: !!str |", "a: | # note"] {
        let text = format!(
            "kind: ConfigMap\n{header}\n    # prr:ignore-file secrets/* -- pasted\n    token\n"
        );
        let (d, m) = dirs_yaml(&text);
        assert!(d.is_empty() && m.is_empty(), "{header}: {d:?} {m:?}");
    }
    // must fire: the same comment after the scalar ends, and a real
    // comment next to a `|` inside a quoted value.
    let (d, _) =
        dirs_yaml("data: |\n  body\n# prr:ignore-file secrets/* -- real comment\nb: 'x |'\n");
    assert_eq!(d.len(), 1);
    let (d, _) = dirs_yaml("a: \"x |\"\n  # prr:ignore-file q/r -- comment\n");
    assert_eq!(d.len(), 1, "a quoted `|` opens no scalar");
    assert!(!opens_block_scalar("expr: a | b"));
    assert!(!opens_block_scalar("x: a>"));
    assert!(opens_block_scalar("- >"));
    assert!(opens_block_scalar("|"));
}

#[test]
fn yaml_non_directives_are_ignored() {
    let (d, m) = dirs_yaml(
        "a: \"x # prr:ignore r/s -- in a string\"\nb: c#prr:ignore r/s -- no space\n# see prr:ignore docs\nd: 1 # prr:ignored r/s -- longer word\ne: it's fine # prr:ignore r/s -- apostrophe\n",
    );
    assert!(m.is_empty(), "{m:?}");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].pos.line, 5);
}

#[test]
fn yaml_invalid_directives() {
    let (d, m) = dirs_yaml(
        "# prr:ignore r/s\n# prr:ignore r/s --\n# prr:ignore -- why\n# prr:ignore r/s until=2030-13-01 -- why\n# prr:ignore r/s foo=1 -- why\n# prr:ignore r/[s -- why\n",
    );
    assert!(d.is_empty(), "{d:?}");
    let lines: Vec<u32> = m.iter().map(|f| f.line).collect();
    assert_eq!(lines, vec![1, 2, 3, 4, 5, 6]);
    assert!(m.iter().all(|f| f.rule == "prr/suppression-invalid"));
    assert!(m[0].message.contains("no reason"), "{}", m[0].message);
    assert!(m[3].message.contains("not a date"), "{}", m[3].message);
}

#[test]
fn markdown_forms_fences_and_code_spans() {
    let (d, m) = dirs_md(
        "<!-- prr:ignore runbook/sections -- legacy -->\n# Title\n## Fix <!-- prr:ignore a/b -- trailing -->\n```\n<!-- prr:ignore c/d -- in a fence -->\n```\nUse `<!-- prr:ignore e/f -- in code -->` to…\n<!-- prr:ignore-file g/h -- whole file -->\n<!-- prr:ignore i/j -->\n<!-- prr:ignore k/l -- open\n",
    );
    assert_eq!(d.len(), 3, "{d:?}");
    assert_eq!(d[0].reach, Reach::Line(Some(2)));
    assert_eq!(d[0].reason, "legacy");
    assert_eq!(d[1].reach, Reach::Line(Some(3)));
    assert_eq!(d[2].reach, Reach::File);
    assert_eq!(
        m.iter().map(|f| f.line).collect::<Vec<_>>(),
        vec![9, 10],
        "{m:?}"
    );
}

#[test]
fn document_and_list_item_spans() {
    let text = "# lead\napiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: B\n  - apiVersion: v1\n    kind: C\n...\n";
    assert_eq!(document_ranges(text), vec![(1, 3), (4, 12)]);
    let docs = crate::inventory::flatten(crate::yaml::parse_documents(text).unwrap());
    let file = SourceFile {
        path: "a.yaml".into(),
        kind: FileKind::Yaml,
        size: 0,
        text: None,
        docs,
    };
    let r = document_ranges(text);
    assert_eq!(object_span(&file, &r, 0), Some((1, 3)));
    assert_eq!(object_span(&file, &r, 1), Some((4, 9)));
    assert_eq!(object_span(&file, &r, 2), Some((10, 12)));
}
