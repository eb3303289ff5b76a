//! Reading one file: size and line-length limits, YAML parsing, and
//! classification into the typed models the checks read.

use super::*;

/// YAML and Markdown files with a line longer than this are not parsed
/// (reported as a `prr/skipped` notice at that line); the secret scan
/// still reads them (its windows are bounded).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The 1-based number and length in bytes of the longest line of `bytes`.
pub(super) fn longest_line(bytes: &[u8]) -> (usize, usize) {
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.len()))
        .fold((1, 0), |best, cur| if cur.1 > best.1 { cur } else { best })
}

pub(super) fn read_file(
    abs: &Path,
    rel: &str,
    runbook_globs: &GlobSet,
    secrets: Option<&dyn ScanHook>,
) -> Walked {
    let size = std::fs::metadata(abs).map(|m| m.len()).unwrap_or(0);
    let mut part = Inventory::default();
    if size > MAX_FILE_BYTES {
        part.problems.push(
            Finding::new(
                "prr/skipped",
                rel,
                Pos::default(),
                format!(
                    "not checked and not scanned for secrets: {size} bytes is over the {} MiB limit",
                    MAX_FILE_BYTES / 1024 / 1024
                ),
            )
            .with_level(Level::Notice),
        );
        return Walked::unread(rel, FileKind::TooLarge, size, part);
    }
    let bytes = match crate::fsio::read_bounded(abs, MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(e) => {
            part.problems.push(
                Finding::new(
                    "prr/skipped",
                    rel,
                    Pos::default(),
                    format!("not readable: {e}"),
                )
                .with_level(Level::Notice),
            );
            return Walked::unread(rel, FileKind::Binary, size, part);
        }
    };
    read_bytes(rel, bytes, runbook_globs, secrets, part)
}

/// Classifies and scans one file's content (read from disk or, for
/// `--staged`, from the Git index).
pub(super) fn read_bytes(
    rel: &str,
    bytes: Vec<u8>,
    runbook_globs: &GlobSet,
    secrets: Option<&dyn ScanHook>,
    mut part: Inventory,
) -> Walked {
    let size = bytes.len() as u64;
    let mut file = SourceFile {
        path: rel.to_string(),
        kind: FileKind::Text,
        size,
        text: None,
        docs: Vec::new(),
    };
    let mut skip = None;
    let binary = crate::fsio::is_binary(&bytes);
    if let Some(scan) = secrets {
        if scan.allowlisted(rel) {
            skip = Some((SecretSkip::Allowlisted, rel.to_string()));
        } else {
            part.secrets = scan.secrets_in(rel, &bytes);
            if binary {
                skip = Some((SecretSkip::Binary, rel.to_string()));
            }
        }
    }
    let mut docs = Vec::new();
    if binary {
        file.kind = FileKind::Binary;
        return Walked {
            file,
            part,
            docs,
            skip,
        };
    }
    let lower = rel.to_ascii_lowercase();
    let is_yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
    let is_md = lower.ends_with(".md") || lower.ends_with(".markdown");
    if let Some((line, len)) = (is_yaml || is_md)
        .then(|| longest_line(&bytes))
        .filter(|(_, len)| *len > MAX_LINE_BYTES)
    {
        part.problems.push(
            Finding::new(
                "prr/skipped",
                rel,
                Pos::line(u32::try_from(line).unwrap_or(u32::MAX)),
                format!(
                    "not checked: line {line} is {len} bytes, over the {} KiB line limit (generated or minified?); still scanned for secrets",
                    MAX_LINE_BYTES / 1024
                ),
            )
            .with_level(Level::Notice),
        );
        file.kind = FileKind::TooLarge;
        return Walked {
            file,
            part,
            docs,
            skip,
        };
    }
    if !is_yaml && !is_md {
        // Other text files are not kept in memory; checks that need one
        // read it again ([`Inventory::load_text`]).
        return Walked {
            file,
            part,
            docs,
            skip,
        };
    }
    let (text, utf8_error) = match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
            (
                String::from_utf8_lossy(&bytes).into_owned(),
                Some((at, line)),
            )
        }
    };
    let text: Arc<str> = Arc::from(text);
    file.text = Some(text.clone());
    if is_md {
        file.kind = FileKind::Markdown;
        if runbook_globs.is_match(rel) {
            part.runbooks.push(Runbook::parse(rel, &text));
        }
        return Walked {
            file,
            part,
            docs,
            skip,
        };
    }
    let inv = &mut part;
    let slo_docs = &mut docs;
    if let Some((at, line)) = utf8_error {
        file.kind = FileKind::BrokenYaml;
        inv.problems.push(parse_error(
            rel,
            Pos::line(u32::try_from(line).unwrap_or(u32::MAX)),
            format!("not valid UTF-8 (byte offset {at})"),
        ));
        return Walked {
            file,
            part,
            docs,
            skip,
        };
    }
    let parsed = yaml::parse_documents(&text);
    let in_chart_templates = rel.starts_with("templates/") || rel.contains("/templates/");
    // Parse first: a file is templated only when its template markers are
    // why it does not parse (a broken rule file with `{{ $labels.x }}` in
    // its annotations is broken YAML), or when it is a chart template.
    let templated = match &parsed {
        _ if in_chart_templates && text.contains("{{") => Some(first_marker(&text)),
        Err(e) => crate::formats::template::caused_by_markers(&text, e),
        Ok(_) => None,
    };
    if let Some(pos) = templated {
        file.kind = FileKind::Templated;
        inv.problems.push(
            Finding::new(
                "prr/templated",
                rel,
                pos,
                "Go/Helm template: not checked as YAML (render it, e.g. `helm template`, and check the output)",
            )
            .with_level(Level::Notice),
        );
        return Walked {
            file,
            part,
            docs,
            skip,
        };
    }
    match parsed {
        Ok(docs) => {
            file.kind = FileKind::Yaml;
            file.docs = flatten(docs);
            classify(rel, &file.docs, inv, slo_docs);
        }
        Err(e) => {
            file.kind = FileKind::BrokenYaml;
            inv.problems.push(parse_error(
                rel,
                e.pos,
                format!("invalid YAML: {}", e.message),
            ));
        }
    }
    Walked {
        file,
        part,
        docs,
        skip,
    }
}

/// Where the first `{{` of `text` is (1-based line and column).
pub(super) fn first_marker(text: &str) -> Pos {
    text.find("{{").map_or(Pos::default(), |at| {
        crate::formats::template::pos_of(text, at)
    })
}

/// A `prr/parse-error` finding (error level).
pub fn parse_error(path: &str, pos: Pos, message: String) -> Finding {
    Finding::new("prr/parse-error", path, pos, message).with_level(Level::Error)
}

/// Top-level sequences of objects (OpenSLO files) and `kind: List` objects
/// become one document per item.
pub fn flatten(docs: Vec<Node>) -> Vec<Node> {
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        let is_object_list = matches!(&d.value, yaml::Value::Seq(items)
            if !items.is_empty() && items.iter().all(|i| i.get("apiVersion").is_some() || i.get("kind").is_some()));
        let is_k8s_list =
            d.get("kind").and_then(Node::as_str) == Some("List") && d.get("items").is_some();
        if is_object_list {
            out.extend(d.items().iter().cloned());
        } else if is_k8s_list {
            out.extend(
                d.get("items")
                    .map(|i| i.items().to_vec())
                    .unwrap_or_default(),
            );
        } else {
            out.push(d);
        }
    }
    out
}

/// A coverage entry for objects read in process (Templates, CSVs).
pub(super) fn in_process(
    kind: crate::formats::rendered::SourceKind,
    path: &str,
    objects: usize,
) -> crate::formats::rendered::RenderSource {
    crate::formats::rendered::RenderSource {
        kind,
        path: path.to_string(),
        state: crate::formats::rendered::RenderState::Rendered,
        objects,
        templates: 0,
        reaches: Vec::new(),
    }
}

pub fn classify(rel: &str, docs: &[Node], inv: &mut Inventory, slo_docs: &mut Vec<SloDocument>) {
    for doc in docs {
        if let Some(format) = slo::classify(doc) {
            slo_docs.push(SloDocument {
                path: rel.to_string(),
                format,
                node: doc.clone(),
            });
        } else if prometheus_rules::is_rule_file(doc)
            || prometheus_rules::is_prometheus_rule_object(doc)
        {
            let rf = RuleFile::from_document(rel, doc);
            if let Some((pos, n)) = rf.logql_exprs() {
                inv.problems.push(
                    Finding::new(
                        "prr/skipped",
                        rel,
                        pos,
                        format!(
                            "Loki rule file: its {n} `expr:` value(s) are LogQL, not checked (prr reads PromQL only); the rules' structure, labels, annotations and runbooks are checked"
                        ),
                    )
                    .with_level(Level::Notice),
                );
            }
            inv.rule_files.push(rf);
        } else if prometheus_rules::is_promtool_test(doc) {
            inv.promtool_tests
                .push(PromtoolTest::from_document(rel, doc));
        } else if crate::formats::k8s::openshift::is_template(doc) {
            let nodes = crate::formats::k8s::openshift::template_nodes(doc);
            let before = inv.objects.len() + inv.rule_files.len() + slo_docs.len();
            classify(rel, &nodes, inv, slo_docs);
            let objects = inv.objects.len() + inv.rule_files.len() + slo_docs.len() - before;
            inv.renders.push(in_process(
                crate::formats::rendered::SourceKind::OpenshiftTemplate,
                rel,
                objects,
            ));
        } else if let Some(obj) = K8sObject::from_node(rel, doc) {
            if crate::formats::k8s::openshift::is_csv(doc) {
                let deps = crate::formats::k8s::openshift::csv_deployments(rel, doc);
                inv.renders.push(in_process(
                    crate::formats::rendered::SourceKind::ClusterServiceVersion,
                    rel,
                    deps.len(),
                ));
                inv.objects.extend(deps);
            }
            inv.objects.push(obj);
        }
    }
}

/// Why a file was not scanned for secrets (counted for the report).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum SecretSkip {
    Allowlisted,
    Binary,
}

pub(super) struct Walked {
    pub(super) file: SourceFile,
    pub(super) part: Inventory,
    pub(super) docs: Vec<SloDocument>,
    pub(super) skip: Option<(SecretSkip, String)>,
}

impl Walked {
    /// A file whose content was not read (too large, unreadable).
    pub(super) fn unread(rel: &str, kind: FileKind, size: u64, part: Inventory) -> Walked {
        Walked {
            file: SourceFile {
                path: rel.to_string(),
                kind,
                size,
                text: None,
                docs: Vec::new(),
            },
            part,
            docs: Vec::new(),
            skip: None,
        }
    }
}
