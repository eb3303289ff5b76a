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

/// YAML and Markdown files with a line longer than this are not parsed
/// (reported as a `prr/skipped` notice at that line); the secret scan
/// still reads them (its windows are bounded).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The 1-based number and length in bytes of the longest line of `bytes`.
fn longest_line(bytes: &[u8]) -> (usize, usize) {
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.len()))
        .fold((1, 0), |best, cur| if cur.1 > best.1 { cur } else { best })
}

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
    /// or not rendered, and how many objects came from it ([`crate::render`]).
    pub renders: Vec<crate::render::RenderSource>,
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

/// Why a file was not scanned for secrets (counted for the report).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum SecretSkip {
    Allowlisted,
    Binary,
}

struct Walked {
    file: SourceFile,
    part: Inventory,
    docs: Vec<SloDocument>,
    skip: Option<(SecretSkip, String)>,
}

impl Walked {
    /// A file whose content was not read (too large, unreadable).
    fn unread(rel: &str, kind: FileKind, size: u64, part: Inventory) -> Walked {
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

/// Walks and reads the repository at `root` on all cores (the `ignore`
/// crate's parallel walker), each file read once: classified for the
/// checks and, with an engine, scanned for secrets. Only YAML and Markdown
/// files keep their text in memory.
///
/// Errors: only when `root` cannot be walked at all; unreadable or malformed
/// files become findings.
pub fn scan_with(
    root: &Path,
    config: &Config,
    opts: &ScanOptions<'_>,
) -> Result<Inventory, ScanError> {
    use std::sync::Mutex;
    let ignore = globset(&config.ignore);
    let runbook_globs = globset(&config.runbooks);
    let scan_vendored = config.secrets.scan_vendored;
    let root_canon = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let walked: Mutex<Vec<Walked>> = Mutex::new(Vec::new());
    let pruned: std::sync::Arc<Mutex<Vec<PathBuf>>> = Default::default();
    let pruned_in_walk = pruned.clone();
    let notes: Mutex<Vec<Finding>> = Mutex::new(Vec::new());
    let note = |f: Finding| {
        if let Ok(mut n) = notes.lock() {
            n.push(f);
        }
    };
    let tracked = crate::git::tracked(root)
        .map_err(ScanError::Git)?
        .map(Arc::new);
    let by_ignore_files = tracked.is_none();
    let tracked_in_walk = tracked.clone();
    let walk_root = root.to_path_buf();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .parents(false)
        .git_ignore(by_ignore_files)
        .git_exclude(by_ignore_files)
        .git_global(by_ignore_files)
        .ignore(by_ignore_files)
        .threads(
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(8),
        )
        .filter_entry(move |e| {
            let name = e.file_name();
            if name == ".git" {
                return false;
            }
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if is_dir
                && let Some(t) = &tracked_in_walk
                && !t.keeps_dir(&rel_path(e.path(), &walk_root))
            {
                return false;
            }
            let vendored = is_dir
                && !scan_vendored
                && e.depth() > 0
                && VENDORED_DIRS.iter().any(|v| name == *v);
            if vendored && let Ok(mut p) = pruned_in_walk.lock() {
                p.push(e.path().to_path_buf());
            }
            !vendored
        })
        .build_parallel();
    walker.run(|| {
        let note = &note;
        let walked = &walked;
        let ignore = &ignore;
        let runbook_globs = &runbook_globs;
        let root_canon = &root_canon;
        let tracked = &tracked;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    note(
                        Finding::new(
                            "prr/skipped",
                            &walk_error_path(&err, root),
                            Pos::default(),
                            format!("not read: {err}"),
                        )
                        .with_level(Level::Notice),
                    );
                    return ignore::WalkState::Continue;
                }
            };
            let Some(ft) = entry.file_type() else {
                return ignore::WalkState::Continue;
            };
            let rel = rel_path(entry.path(), root);
            if ft.is_dir() {
                return ignore::WalkState::Continue;
            }
            if let Some(t) = tracked.as_deref()
                && !t.keeps_file(&rel)
            {
                return ignore::WalkState::Continue;
            }
            if ft.is_symlink() {
                // Never followed; one that leaves the tree, loops or
                // dangles is named (resolved without touching anything
                // outside the root).
                let reason = symlink_problem(entry.path(), root_canon);
                if let Some(reason) = reason
                    && opts.only.is_none_or(|o| o.contains(&rel))
                {
                    note(
                        Finding::new("prr/skipped", &rel, Pos::default(), reason)
                            .with_level(Level::Notice),
                    );
                }
                return ignore::WalkState::Continue;
            }
            if !ft.is_file() || ignore.is_match(&rel) {
                return ignore::WalkState::Continue;
            }
            if let Some(only) = opts.only
                && !only.contains(&rel)
            {
                return ignore::WalkState::Continue;
            }
            let w = read_file(entry.path(), &rel, runbook_globs, opts.secrets);
            if let Ok(mut v) = walked.lock() {
                v.push(w);
            }
            ignore::WalkState::Continue
        })
    });
    let walked = walked.into_inner().unwrap_or_default();
    let mut vendored: Vec<String> = pruned
        .lock()
        .map(|p| p.iter().map(|d| rel_path(d, root)).collect())
        .unwrap_or_default();
    vendored.retain(|d| !ignore.is_match(d));
    let notes = notes.into_inner().unwrap_or_default();
    // Overlays and charts are rendered in a full scan only (a scoped scan
    // reads single files).
    let render = opts.only.is_none().then_some(&config.render);
    Ok(assemble(root, walked, notes, vendored, render))
}

/// Why a symbolic link at `link` deserves a notice: it points outside
/// `root` (absolute or lexically, via `..`), it loops, or its target does
/// not exist. The chain is resolved lexically with `read_link` on links
/// inside the root only, at most 40 hops (Linux's limit), so nothing outside
/// the repository is ever stat'ed or read. `None`: an ordinary link inside
/// the tree (its target is walked on its own).
fn symlink_problem(link: &Path, root: &Path) -> Option<String> {
    let abs = |p: &Path| -> PathBuf {
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                std::path::Component::ParentDir => {
                    out.pop();
                }
                std::path::Component::CurDir => {}
                other => out.push(other.as_os_str()),
            }
        }
        out
    };
    let start = match link.parent().map(|p| p.canonicalize()) {
        Some(Ok(dir)) => dir.join(link.file_name().unwrap_or_default()),
        _ => return Some("symbolic link not followed: its folder cannot be resolved".into()),
    };
    let mut cur = start;
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&cur) else {
            // Not a link any more: the end of the chain.
            return match std::fs::symlink_metadata(&cur) {
                Ok(_) => None,
                Err(_) => Some("symbolic link not followed: its target does not exist".into()),
            };
        };
        let next = abs(&cur.parent().unwrap_or(root).join(target));
        if !next.starts_with(root) {
            return Some("symbolic link not followed: it points outside the repository".into());
        }
        cur = next;
    }
    Some("symbolic link not followed: it loops (more than 40 links in a row)".into())
}

/// Builds the inventory of `--staged` content: `blobs` are (path, content
/// as staged) pairs; nothing is read from the working tree.
pub fn scan_blobs(
    root: &Path,
    config: &Config,
    opts: &ScanOptions<'_>,
    blobs: Vec<(String, Vec<u8>)>,
) -> Inventory {
    let ignore = globset(&config.ignore);
    let runbook_globs = globset(&config.runbooks);
    let walked: Vec<Walked> = blobs
        .into_iter()
        .filter(|(rel, _)| !ignore.is_match(rel))
        .filter(|(rel, _)| {
            config.secrets.scan_vendored || !rel.split('/').any(|seg| VENDORED_DIRS.contains(&seg))
        })
        .map(|(rel, bytes)| {
            read_bytes(
                &rel,
                bytes,
                &runbook_globs,
                opts.secrets,
                Inventory::default(),
            )
        })
        .collect();
    assemble(root, walked, Vec::new(), Vec::new(), None)
}

/// Merges per-file results in path order (deterministic output).
fn assemble(
    root: &Path,
    mut walked: Vec<Walked>,
    notes: Vec<Finding>,
    mut vendored: Vec<String>,
    render: Option<&crate::render::RenderConfig>,
) -> Inventory {
    walked.sort_by(|a, b| a.file.path.cmp(&b.file.path));
    let mut inv = Inventory {
        root: root.to_path_buf(),
        ..Default::default()
    };
    inv.problems = notes;
    vendored.sort();
    for v in vendored {
        inv.problems.push(
            Finding::new(
                "prr/skipped",
                &v,
                Pos::default(),
                "vendored dependencies: not checked and not scanned for secrets (set `secrets: { scan-vendored: true }` in prr.yaml to scan them)",
            )
            .with_level(Level::Notice),
        );
    }
    let mut slo_docs = Vec::new();
    let mut skips: std::collections::BTreeMap<SecretSkip, (usize, String)> = Default::default();
    for w in walked {
        if let Some((why, example)) = w.skip {
            let e = skips.entry(why).or_insert((0, example));
            e.0 += 1;
        }
        inv.files.push(w.file);
        inv.problems.extend(w.part.problems);
        inv.runbooks.extend(w.part.runbooks);
        inv.rule_files.extend(w.part.rule_files);
        inv.promtool_tests.extend(w.part.promtool_tests);
        inv.objects.extend(w.part.objects);
        inv.secrets.extend(w.part.secrets);
        inv.renders.extend(w.part.renders);
        slo_docs.extend(w.docs);
    }
    for (why, (n, example)) in skips {
        let what = match why {
            SecretSkip::Allowlisted => {
                "matched the secret pack's global path allowlist (lock files, images, fonts, …)"
            }
            SecretSkip::Binary => "are binary (a NUL byte in the first 8 KiB)",
        };
        inv.problems.push(
            Finding::new(
                "prr/skipped",
                "",
                Pos::default(),
                format!("secret scan: {n} file(s) not scanned: they {what}; e.g. {example}"),
            )
            .with_level(Level::Notice),
        );
    }
    // Kustomize patches are not objects: set aside, counted in notices.
    let files = inv.files.iter().map(|f| (f.path.as_str(), &f.docs[..]));
    let notes = crate::formats::k8s::kustomize::set_aside_patches(files, &mut inv.objects);
    inv.problems.extend(notes);
    if let Some(cfg) = render {
        crate::render::apply(&mut inv, cfg);
    }
    inv.problems.sort_by(|a, b| a.path.cmp(&b.path));
    inv.slos = slo::extract(&slo_docs);
    inv
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

fn read_file(
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
fn read_bytes(
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
fn first_marker(text: &str) -> Pos {
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
fn in_process(
    kind: crate::render::SourceKind,
    path: &str,
    objects: usize,
) -> crate::render::RenderSource {
    crate::render::RenderSource {
        kind,
        path: path.to_string(),
        state: crate::render::RenderState::Rendered,
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
                crate::render::SourceKind::OpenshiftTemplate,
                rel,
                objects,
            ));
        } else if let Some(obj) = K8sObject::from_node(rel, doc) {
            if crate::formats::k8s::openshift::is_csv(doc) {
                let deps = crate::formats::k8s::openshift::csv_deployments(rel, doc);
                inv.renders.push(in_process(
                    crate::render::SourceKind::ClusterServiceVersion,
                    rel,
                    deps.len(),
                ));
                inv.objects.extend(deps);
            }
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
