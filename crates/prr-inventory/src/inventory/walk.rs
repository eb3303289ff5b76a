//! The walk: the `ignore` crate's parallel walker (or the blobs of a
//! revision), one read per file, results assembled in path order.

use super::read::*;
use super::*;

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
pub(super) fn symlink_problem(link: &Path, root: &Path) -> Option<String> {
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
pub(super) fn assemble(
    root: &Path,
    mut walked: Vec<Walked>,
    notes: Vec<Finding>,
    mut vendored: Vec<String>,
    render: Option<&crate::inventory::render::RenderConfig>,
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
        crate::inventory::render::apply(&mut inv, cfg);
    }
    inv.problems.sort_by(|a, b| a.path.cmp(&b.path));
    inv.slos = slo::extract(&slo_docs);
    inv
}

pub(super) fn walk_error_path(err: &ignore::Error, root: &Path) -> String {
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
