//! The repository inventory: walk the tree, read each file once, classify it
//! by content and build the typed models the checks read.
//!
//! The walk uses the `ignore` crate: `.gitignore` is honoured (also without a
//! `.git` folder), dot-folders such as `.github/` are seen, `.git/` is skipped
//! and symlinks are never followed (so no loop and no escape from the root).
//! Paths are sorted so output is deterministic.

use crate::config::Config;
use crate::finding::{Finding, Level};
use crate::formats::k8s::K8sObject;
use crate::formats::prometheus_rules::{self, RuleFile};
use crate::formats::runbook::Runbook;
use crate::formats::slo::{self, SloDocument, SloSpec};
use crate::yaml::{self, Node, Pos};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are not read (reported as a `prr/skipped` notice).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// What a file was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `.yaml` / `.yml` that parsed.
    Yaml,
    /// YAML with Go/Helm templating (`{{ … }}`); not checked as YAML.
    Templated,
    /// YAML that failed to parse (a `prr/parse-error` finding exists).
    BrokenYaml,
    /// Markdown.
    Markdown,
    /// Any other text file.
    Text,
    /// Binary content (a NUL byte in the first 8 KiB).
    Binary,
    /// Over [`MAX_FILE_BYTES`].
    TooLarge,
}

/// One file of the repository.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path relative to the root, `/` separators.
    pub path: String,
    /// Classification.
    pub kind: FileKind,
    /// Size in bytes.
    pub size: u64,
    /// Text content (invalid UTF-8 replaced by U+FFFD); `None` for binary
    /// and too-large files.
    pub text: Option<Arc<str>>,
    /// Parsed YAML documents (for `Yaml` files), top-level lists of objects
    /// flattened (OpenSLO and `kind: List` files).
    pub docs: Vec<Node>,
}

/// Everything the checks know about the repository.
#[derive(Debug, Default)]
pub struct Inventory {
    /// The repository root.
    pub root: PathBuf,
    /// Every file walked, sorted by path.
    pub files: Vec<SourceFile>,
    /// SLO definitions of all formats.
    pub slos: Vec<SloSpec>,
    /// Prometheus rule files and `PrometheusRule` objects.
    pub rule_files: Vec<RuleFile>,
    /// Other Kubernetes objects (workloads, PDBs, HPAs, Services, …).
    pub objects: Vec<K8sObject>,
    /// Runbooks (Markdown under the runbook globs).
    pub runbooks: Vec<Runbook>,
    /// Problems found while reading: `prr/parse-error`, `prr/templated`, `prr/skipped`.
    pub problems: Vec<Finding>,
}

impl Inventory {
    /// The text of `path`, if it was read.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.file(path).and_then(|f| f.text.as_deref())
    }

    /// The file at `path`.
    pub fn file(&self, path: &str) -> Option<&SourceFile> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }

    /// Line `line` (1-based) of `path`, without its line ending.
    pub fn line(&self, path: &str, line: u32) -> Option<&str> {
        let text = self.text(path)?;
        text.lines()
            .nth(usize::try_from(line).ok()?.checked_sub(1)?)
    }
}

/// Builds a glob set; globs were validated with the config.
pub fn globset(globs: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        if let Ok(g) = Glob::new(g) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Walks and reads the repository at `root`.
///
/// Errors: only when `root` cannot be walked at all; unreadable or malformed
/// files become findings.
pub fn scan(root: &Path, config: &Config) -> anyhow::Result<Inventory> {
    let ignore = globset(&config.ignore);
    let runbook_globs = globset(&config.runbooks);
    let mut inv = Inventory {
        root: root.to_path_buf(),
        ..Default::default()
    };
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .parents(false)
        .filter_entry(|e| e.file_name() != ".git")
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    let mut paths: Vec<(PathBuf, String)> = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                inv.problems.push(
                    Finding::new(
                        "prr/skipped",
                        &walk_error_path(&err, root),
                        Pos::default(),
                        format!("not read: {err}"),
                    )
                    .with_level(Level::Notice),
                );
                continue;
            }
        };
        let Some(ft) = entry.file_type() else {
            continue;
        };
        if !ft.is_file() {
            // Directories, and symlinks (never followed).
            continue;
        }
        let rel = rel_path(entry.path(), root);
        if ignore.is_match(&rel) {
            continue;
        }
        paths.push((entry.into_path(), rel));
    }
    // Read and parse on all cores; merge in walk order (deterministic).
    let loaded = crate::par::map_ordered(&paths, |(abs, rel)| {
        let mut part = Inventory::default();
        let mut docs = Vec::new();
        let file = read_file(abs, rel, &runbook_globs, &mut part, &mut docs);
        (file, part, docs)
    });
    let mut slo_docs = Vec::new();
    for (file, part, docs) in loaded {
        inv.files.push(file);
        inv.problems.extend(part.problems);
        inv.runbooks.extend(part.runbooks);
        inv.rule_files.extend(part.rule_files);
        inv.objects.extend(part.objects);
        slo_docs.extend(docs);
    }
    inv.files.sort_by(|a, b| a.path.cmp(&b.path));
    inv.slos = slo::extract(&slo_docs);
    Ok(inv)
}

fn walk_error_path(err: &ignore::Error, root: &Path) -> String {
    fn find(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                find(err)
            }
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    find(err).map(|p| rel_path(p, root)).unwrap_or_default()
}

/// `path` relative to `root` with `/` separators.
pub fn rel_path(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    s.join("/")
}

fn read_file(
    abs: &Path,
    rel: &str,
    runbook_globs: &GlobSet,
    inv: &mut Inventory,
    slo_docs: &mut Vec<SloDocument>,
) -> SourceFile {
    let size = std::fs::metadata(abs).map(|m| m.len()).unwrap_or(0);
    let mut file = SourceFile {
        path: rel.to_string(),
        kind: FileKind::Text,
        size,
        text: None,
        docs: Vec::new(),
    };
    if size > MAX_FILE_BYTES {
        file.kind = FileKind::TooLarge;
        inv.problems.push(
            Finding::new(
                "prr/skipped",
                rel,
                Pos::default(),
                format!(
                    "not checked: {size} bytes is over the {} MiB limit",
                    MAX_FILE_BYTES / 1024 / 1024
                ),
            )
            .with_level(Level::Notice),
        );
        return file;
    }
    let bytes = match std::fs::read(abs) {
        Ok(b) => b,
        Err(e) => {
            file.kind = FileKind::Binary;
            inv.problems.push(
                Finding::new(
                    "prr/skipped",
                    rel,
                    Pos::default(),
                    format!("not readable: {e}"),
                )
                .with_level(Level::Notice),
            );
            return file;
        }
    };
    if bytes[..bytes.len().min(8192)].contains(&0) {
        file.kind = FileKind::Binary;
        return file;
    }
    let lower = rel.to_ascii_lowercase();
    let is_yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
    let is_md = lower.ends_with(".md") || lower.ends_with(".markdown");
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
            inv.runbooks.push(Runbook::parse(rel, &text));
        }
        return file;
    }
    if !is_yaml {
        return file;
    }
    if let Some((at, line)) = utf8_error {
        file.kind = FileKind::BrokenYaml;
        inv.problems.push(parse_error(
            rel,
            Pos::line(u32::try_from(line).unwrap_or(u32::MAX)),
            format!("not valid UTF-8 (byte offset {at})"),
        ));
        return file;
    }
    let parsed = yaml::parse_documents(&text);
    let in_chart_templates = rel.starts_with("templates/") || rel.contains("/templates/");
    let templated = text.contains("{{") && (in_chart_templates || parsed.is_err());
    if templated {
        file.kind = FileKind::Templated;
        let pos = text
            .lines()
            .enumerate()
            .find_map(|(i, l)| l.find("{{").map(|c| (i, l[..c].chars().count())))
            .map_or(Pos::default(), |(i, c)| Pos {
                line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                column: u32::try_from(c + 1).unwrap_or(u32::MAX),
            });
        inv.problems.push(
            Finding::new(
                "prr/templated",
                rel,
                pos,
                "Go/Helm template: not checked as YAML (render it, e.g. `helm template`, and check the output)",
            )
            .with_level(Level::Notice),
        );
        return file;
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
    file
}

/// A `prr/parse-error` finding (error level).
pub fn parse_error(path: &str, pos: Pos, message: String) -> Finding {
    Finding::new("prr/parse-error", path, pos, message).with_level(Level::Error)
}

/// Top-level sequences of objects (OpenSLO files) and `kind: List` objects
/// become one document per item.
fn flatten(docs: Vec<Node>) -> Vec<Node> {
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

fn classify(rel: &str, docs: &[Node], inv: &mut Inventory, slo_docs: &mut Vec<SloDocument>) {
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
            inv.rule_files.push(RuleFile::from_document(rel, doc));
        } else if let Some(obj) = K8sObject::from_node(rel, doc) {
            inv.objects.push(obj);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, body: &[u8]) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }

    #[test]
    fn walk_and_classify() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(d, ".github/workflows/ci.yaml", b"on: push\n");
        write(d, ".gitignore", b"ignored/\n");
        write(d, "ignored/x.yaml", b"a: 1\n");
        write(d, "alerts.yaml", b"groups:\n- name: g\n  rules: []\n");
        write(d, "deploy.yaml", b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n");
        write(d, "broken.yaml", b"a: [1\n");
        write(d, "chart/templates/d.yaml", b"replicas: {{ .Values.n }}\n");
        write(d, "bad-utf8.yaml", b"a: \xff\n");
        write(d, "bin.dat", b"\x00\x01");
        write(d, "runbooks/a.md", b"# A\n## Diagnosis\n");
        std::fs::create_dir_all(d.join(".git")).unwrap();
        write(d, ".git/config", b"x");
        let inv = scan(d, &Config::default_for(d)).unwrap();
        let paths: Vec<_> = inv.files.iter().map(|f| f.path.as_str()).collect();
        assert!(paths.contains(&".github/workflows/ci.yaml"));
        assert!(
            !paths
                .iter()
                .any(|p| p.starts_with("ignored/") || p.starts_with(".git/"))
        );
        assert_eq!(inv.rule_files.len(), 1);
        let kinds: Vec<_> = inv.objects.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(kinds, vec!["Deployment", "Service"]);
        assert_eq!(inv.runbooks.len(), 1);
        let probs: Vec<_> = inv
            .problems
            .iter()
            .map(|p| (p.rule.as_str(), p.path.as_str(), p.line))
            .collect();
        assert!(
            probs.contains(&("prr/parse-error", "broken.yaml", 1)),
            "{probs:?}"
        );
        assert!(
            probs.contains(&("prr/parse-error", "bad-utf8.yaml", 1)),
            "{probs:?}"
        );
        assert!(
            probs.contains(&("prr/templated", "chart/templates/d.yaml", 1)),
            "{probs:?}"
        );
        assert_eq!(inv.file("bin.dat").unwrap().kind, FileKind::Binary);
    }
}
