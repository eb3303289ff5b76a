//! The repository inventory: walk the tree, read each file once, classify it
//! by content and build the typed models the checks read.
//!
//! The walk uses the `ignore` crate: dot-folders such as `.github/` are
//! seen, `.git/` is skipped and symlinks are never followed (so no loop and
//! no escape from the root). Inside the git checkout prr was started in,
//! what is walked is what git tracks plus untracked files git does not
//! ignore ([`crate::git::tracked`]: one `git ls-files`, a set lookup per
//! entry): an ignore file never hides a committed file. Outside git,
//! `.gitignore` and `.ignore` are honoured (also without a `.git` folder).
//! Paths are sorted so output is deterministic.

use crate::config::Config;
use crate::finding::{Finding, Level};
use crate::formats::k8s::K8sObject;
use crate::formats::prometheus_rules::{self, PromtoolTest, RuleFile};
use crate::formats::runbook::Runbook;
use crate::formats::slo::{self, SloDocument, SloSpec};
use crate::yaml::{self, Node, Pos};
use globset::{GlobSet, GlobSetBuilder};
pub use prr_core::secret::SecretHit;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::fsio::{MAX_FILE_BYTES, rel_path};

mod read;
pub mod render;
mod walk;
pub use read::{MAX_LINE_BYTES, classify, flatten, parse_error};
pub use walk::{scan_blobs, scan_with};

/// What a file was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `.yaml` / `.yml` that parsed.
    Yaml,
    /// YAML with Go/Helm templating: a file under a chart's `templates/`
    /// with `{{`, or one that is not valid YAML because of `{{ … }}`
    /// markers outside scalars; not checked as YAML.
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
    /// Prometheus rule files and `PrometheusRule` objects (also
    /// `mimirtool`-style files with a `namespace:`, and Loki ruler files,
    /// marked [`prometheus_rules::Dialect::LogQL`]).
    pub rule_files: Vec<RuleFile>,
    /// `promtool test rules` unit-test files (not rule files).
    pub promtool_tests: Vec<PromtoolTest>,
    /// Other Kubernetes objects (workloads, PDBs, HPAs, Services, …).
    pub objects: Vec<K8sObject>,
    /// Runbooks (Markdown under the runbook globs).
    pub runbooks: Vec<Runbook>,
    /// Problems found while reading: `prr/parse-error`, `prr/templated`, `prr/skipped`.
    pub problems: Vec<Finding>,
    /// Secrets found while reading (with a secret engine), in path order.
    pub secrets: Vec<SecretHit>,
    /// Coverage: every kustomize root, Helm chart, OpenShift Template and
    /// OLM ClusterServiceVersion, whether it was rendered (or read), failed
    /// or not rendered, and how many objects came from it ([`crate::inventory::render`]).
    pub renders: Vec<crate::formats::rendered::RenderSource>,
}

impl Inventory {
    /// The text of `file`: kept in memory for YAML and Markdown, read again
    /// from disk for other text files (`None` for binary, over-size or
    /// unreadable files).
    pub fn load_text(&self, file: &SourceFile) -> Option<Arc<str>> {
        if let Some(t) = &file.text {
            return Some(t.clone());
        }
        if file.kind != FileKind::Text || file.size > MAX_FILE_BYTES {
            return None;
        }
        let bytes = crate::fsio::read_bounded(&self.root.join(&file.path), MAX_FILE_BYTES).ok()?;
        Some(Arc::from(String::from_utf8_lossy(&bytes).into_owned()))
    }

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

impl prr_core::report::Sources for Inventory {
    fn line(&self, path: &str, line: u32) -> Option<&str> {
        Inventory::line(self, path, line)
    }
    fn has_file(&self, path: &str) -> bool {
        self.file(path).is_some()
    }
}

/// Builds a glob set; globs were validated with the config.
///
/// Globs match repository-relative paths the way `.gitignore` patterns do:
/// `*` and `?` stay within one path segment and `**` crosses folders, so
/// `**/runbooks/**` matches `ops/runbooks/db.md` but not `xrunbooks/db.md`,
/// and `**/runbook*.md` matches `docs/runbook-db.md` but not
/// `my-runbooks/db.md`.
pub fn globset(globs: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        if let Ok(g) = globset::GlobBuilder::new(g).literal_separator(true).build() {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Directory names holding vendored third-party code: not walked unless
/// `secrets.scan-vendored` is set (the report names each one skipped).
pub const VENDORED_DIRS: &[&str] = &["vendor", "node_modules", "bower_components"];

/// The secret scan the walk runs on each file while it reads it, so every
/// file is read once. Implemented by `prr::secrets`' engine (gitleaks'
/// rule format); the inventory only carries what it returns.
pub trait ScanHook: Sync {
    /// Whether the file at repository-relative `path` is allowlisted: it is
    /// not scanned (the report counts it).
    fn allowlisted(&self, path: &str) -> bool;
    /// The secrets in `bytes`, the content of the file at `path`, located
    /// and redacted, in ascending position.
    fn secrets_in(&self, path: &str, bytes: &[u8]) -> Vec<SecretHit>;
}

/// What else the walk does besides building the inventory.
#[derive(Default)]
pub struct ScanOptions<'a> {
    /// The secret scan: every text file is scanned while it is read.
    pub secrets: Option<&'a dyn ScanHook>,
    /// Only these repository-relative paths (a `--changed-since` or
    /// `--staged` scope); `None`: every file.
    pub only: Option<&'a std::collections::BTreeSet<String>>,
}

/// Why a repository could not be walked at all (a file that cannot be read
/// is a finding, not an error).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// Git could not list the tracked files of the checkout (message from
    /// the git runner, ready to print).
    #[error("{0}")]
    Git(String),
}

/// Walks and reads the repository at `root` (no secret scan).
pub fn scan(root: &Path, config: &Config) -> Result<Inventory, ScanError> {
    scan_with(root, config, &ScanOptions::default())
}

#[cfg(test)]
mod tests {
    use super::read::*;
    use super::*;

    fn write(dir: &Path, rel: &str, body: &[u8]) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }

    #[test]
    fn over_long_lines_are_reported_not_parsed() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let mut long = b"a: 1\nb: \"".to_vec();
        long.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 1));
        long.extend_from_slice(b"\"\n");
        write(d, "gen.yaml", &long);
        write(
            d,
            "ok.yaml",
            b"apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
        );
        let inv = scan(d, &Config::default_for(d)).unwrap();
        let p = inv
            .problems
            .iter()
            .find(|p| p.path == "gen.yaml")
            .expect("gen.yaml reported");
        assert_eq!((p.rule.as_str(), p.line), ("prr/skipped", 2));
        assert!(
            p.message.contains("over the 1024 KiB line limit"),
            "{}",
            p.message
        );
        assert_eq!(inv.objects.len(), 1, "the sibling file is still read");
        assert_eq!(longest_line(b"ab\nabcd\n\nx"), (2, 4));
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

    /// Issue 12 pattern 10 and issue 13 item 8: parse first. A rule file
    /// with `{{ … }}` in its annotations that parses is checked; one that is
    /// broken for another reason is a parse error, not "templated"; a file
    /// that is not YAML because of its markers is templated.
    #[test]
    fn templated_means_unparsable_because_of_a_template() {
        let root = crate::testutil::fixtures().join("alerts/rule-formats");
        let inv = scan(&root, &Config::default_for(&root)).unwrap();
        let probs = |p: &str| -> Vec<(&str, u32)> {
            inv.problems
                .iter()
                .filter(|f| f.path == p)
                .map(|f| (f.rule.as_str(), f.line))
                .collect()
        };
        // MoJ: a multi-line single-quoted annotation (see yaml.rs): read.
        assert!(
            probs("moj/node-alerts.yaml").is_empty(),
            "{:?}",
            probs("moj/node-alerts.yaml")
        );
        assert_eq!(
            inv.file("moj/node-alerts.yaml").unwrap().kind,
            FileKind::Yaml
        );
        assert!(
            inv.rule_files
                .iter()
                .any(|r| r.path == "moj/node-alerts.yaml"
                    && r.rules().any(|x| x.name() == "IncreaseInNodeCount"))
        );
        // home-ops cross-seed: a duplicate `annotations:` key (Loki's YAML
        // decoder refuses it too), with `{{ $labels.app }}` in annotations.
        assert_eq!(
            probs("home-ops/cross-seed/lokirule.yaml"),
            vec![("prr/parse-error", 23)]
        );
        assert_eq!(
            inv.file("home-ops/cross-seed/lokirule.yaml").unwrap().kind,
            FileKind::BrokenYaml
        );
        // A Helm `tpl` fragment (cloudnative-pg charts' prometheus_rules/):
        // templated, at its first marker.
        let dir = crate::testutil::repo(&[
            (
                "prometheus_rules/a.yaml",
                "{{- $alert := \"A\" -}}\n{{- if not (has $alert .excludeRules) -}}\nalert: {{ $alert }}\nexpr: |\n  up{namespace=\"{{ .namespace }}\"} == 0\n{{- end -}}\n",
            ),
            ("broken.yaml", "a:\n  summary: \"{{ $labels.x }}\"\n b: 1\n"),
        ]);
        let inv = scan(dir.path(), &Config::default_for(dir.path())).unwrap();
        let got: Vec<_> = inv
            .problems
            .iter()
            .map(|f| (f.path.as_str(), f.rule.as_str(), f.line))
            .collect();
        assert!(
            got.contains(&("prometheus_rules/a.yaml", "prr/templated", 1)),
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|g| g.0 == "broken.yaml" && g.1 == "prr/parse-error"),
            "{got:?}"
        );
        assert!(
            !got.iter()
                .any(|g| g.0 == "broken.yaml" && g.1 == "prr/templated"),
            "{got:?}"
        );
    }
}
