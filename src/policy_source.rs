//! `--policy-from REF`: the gate's own policy comes from a trusted git ref
//! (the base branch of a pull request), so a pull request cannot weaken the
//! gate that judges it.
//!
//! Read from REF (never from the working tree): prr.yaml (or the `--config`
//! path), the team rules folder (`rules-dir`), the gitleaks config
//! (`secrets.gitleaks-config` or `.gitleaks.toml`) with its `[extend] path`
//! chain, `.gitleaksignore`, the baseline, the service catalog, and the
//! budget phase's inputs: the `file` provider's snapshot and the SLO
//! definitions ([`Revision::slo_definitions`]; compared with the working
//! tree's by [`crate::budget::definitions`]). The repository content under
//! check — what the readiness rules, `slo/*` included, look at — is still
//! the working tree.
//!
//! The `file` snapshot (`budget.providers.<name>.path` inside the
//! repository): read as REF has it. One REF lacks is an error reading (so
//! `on-error` decides) when the change commits it — a snapshot the change
//! adds is not policy — and is read from the working tree, with a notice,
//! when git does not track it (made by the CI job before the run, which the
//! change cannot write). A path outside the repository is read as it is.
//! Each file is written to a private temporary folder and the config points
//! there. The run reports what it used (`prr/policy-from`, a notice) and
//! every policy file the working tree changes (`prr/policy-changed`, a
//! notice: the change is not applied until it is merged).
//!
//! Commands: `git rev-parse --verify REF^{commit}`, `git show REF:./PATH`,
//! `git ls-tree -z --name-only REF:./DIR`, `git ls-files -z -- PATH`,
//! `git grep -l -z -I -F -e … REF -- .` (paths relative to the checked
//! folder). Errors (exit 2): not a git repository, unknown REF, a policy file
//! in REF that does not parse.

use crate::config::{CONFIG_NAMES, Config};
use crate::finding::{Finding, Level};
use crate::yaml::Pos;
use std::path::{Path, PathBuf};

/// Largest working-tree copy of a policy file compared with the revision's,
/// in bytes (the baseline's limit, the largest policy file).
const WORKING_TREE_LIMIT: u64 = crate::baseline::MAX_BASELINE_BYTES;

/// The policy loaded from a ref, and what the run reports about it.
pub struct PolicySource {
    /// The config, its paths pointing into `dir`.
    pub config: Config,
    /// Notices: what was used, what the working tree changes.
    pub notes: Vec<Finding>,
    /// The temporary folder holding the files read from the ref (removed on drop).
    pub dir: tempfile::TempDir,
    /// The service catalog at the ref (`catalog-info.yaml`, `service.yaml`):
    /// a change cannot lower its own service's tier.
    pub catalog: Vec<crate::catalog::CatalogFile>,
    /// The revision, for what is read later (the SLO definitions).
    pub revision: Revision,
}

/// The policy revision: a resolved commit of the repository at `root`.
#[derive(Clone, Debug)]
pub struct Revision {
    /// The checked folder.
    pub root: PathBuf,
    /// The full commit id.
    pub commit: String,
    /// The ref as given (`main`), for messages.
    pub name: String,
}

/// Substrings one of which every SLO document holds in its `apiVersion`
/// or `version` ([`crate::formats::slo::classify`]): OpenSLO, Sloth and its
/// CRD, Pyrra, slo-generator.
const SLO_MARKERS: [&str; 5] = [
    "openslo/",
    "sloth.slok.dev/",
    "prometheus/v1",
    "pyrra.dev/",
    "sre.google.com/",
];

impl Revision {
    /// The SLO definitions of every format as the revision holds them,
    /// read like the inventory reads the working tree (the config's
    /// `ignore` globs and the vendored folders apply). The files read are
    /// those REF holds at `tree_paths` (where the working tree has SLOs)
    /// and every YAML file of REF that names an SLO format (`git grep`),
    /// so an SLO the change moves, renames or deletes is still found.
    pub fn slo_definitions(
        &self,
        config: &Config,
        tree_paths: &[&str],
    ) -> Vec<crate::formats::slo::SloSpec> {
        let mut args = vec![
            "grep",
            "-l",
            "-z",
            "-I",
            "-F",
            "--no-full-name",
            "--no-color",
        ];
        for m in SLO_MARKERS {
            args.extend(["-e", m]);
        }
        args.extend([self.commit.as_str(), "--", "."]);
        let prefix = format!("{}:", self.commit);
        let listed = git(&self.root, &args).unwrap_or_default();
        let mut paths: Vec<String> = listed
            .split(|b| *b == 0)
            .filter_map(|n| {
                let n = String::from_utf8_lossy(n);
                n.strip_prefix(&prefix).map(str::to_string)
            })
            .chain(tree_paths.iter().map(|p| p.to_string()))
            .filter(|p| {
                let l = p.to_ascii_lowercase();
                l.ends_with(".yaml") || l.ends_with(".yml")
            })
            .collect();
        paths.sort();
        paths.dedup();
        let blobs: Vec<(String, Vec<u8>)> = paths
            .into_iter()
            .filter_map(|p| show(&self.root, &self.commit, &p).map(|b| (p, b)))
            .collect();
        crate::inventory::scan_blobs(
            &self.root,
            config,
            &crate::inventory::ScanOptions::default(),
            blobs,
        )
        .slos
    }
}

/// `rel` (relative to the checked folder) without `.` segments, or `None`
/// when it is absolute or climbs out with `..`.
fn inside(rel: &str) -> Option<String> {
    let p = Path::new(rel);
    if p.is_absolute() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::Normal(s) => out.push(s.to_string_lossy().into_owned()),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop()?;
            }
            _ => return None,
        }
    }
    (!out.is_empty()).then(|| out.join("/"))
}

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    crate::git::run_in(root, args)
}

/// How many `[extend] path` links of a gitleaks config are followed (the
/// pack loader refuses a deeper chain).
const EXTEND_DEPTH: usize = 5;

/// `rel` (relative to the folder of the repository file `from`) as a
/// repository-relative path: `sec/.gitleaks.toml` + `base.toml` →
/// `sec/base.toml`. `rel` holds ordinary segments only
/// ([`crate::secrets::gitleaks::extend_path`] checked it).
fn join_rel(from: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    parts.extend(rel.split('/').filter(|s| !s.is_empty() && *s != "."));
    parts.join("/")
}

/// The content of `rel` (relative to `root`) at `commit`, if it exists there.
fn show(root: &Path, commit: &str, rel: &str) -> Option<Vec<u8>> {
    git(root, &["show", &format!("{commit}:./{rel}")]).ok()
}

/// Loads the policy from `git_ref` for the repository folder `root`.
/// `explicit` is `--config` (relative to `root`, or absolute inside it).
///
/// Errors (exit 2): as the module says.
pub fn load(root: &Path, explicit: Option<&Path>, git_ref: &str) -> anyhow::Result<PolicySource> {
    if git_ref.starts_with('-') || git_ref.is_empty() {
        anyhow::bail!("--policy-from: `{git_ref}` is not a git revision");
    }
    let commit = git(root, &["rev-parse", "--verify", "--quiet", &format!("{git_ref}^{{commit}}")])
        .map_err(|_| {
            anyhow::anyhow!(
                "--policy-from: unknown git revision `{git_ref}` in {} (in a shallow CI checkout fetch it first, e.g. `git fetch origin main`)",
                root.display()
            )
        })?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();
    let short: String = commit.chars().take(12).collect();
    let dir = tempfile::Builder::new().prefix("prr-policy-").tempdir()?;
    let mut used: Vec<String> = Vec::new();
    let used_layers = std::cell::RefCell::new(Vec::<String>::new());
    let changed = std::cell::RefCell::new(Vec::<String>::new());
    let compare = |rel: &str, at_ref: Option<&[u8]>| {
        // Bounded and regular files only: a working-tree link to /dev/zero
        // compares as "changed", never as an endless read.
        let now = crate::fsio::read_bounded(&root.join(rel), WORKING_TREE_LIMIT).ok();
        if now.as_deref() != at_ref {
            changed.borrow_mut().push(rel.to_string());
        }
    };
    let compare_layer = |rel: &str, at_ref: Option<&[u8]>| {
        compare(rel, at_ref);
        used_layers.borrow_mut().push(rel.to_string());
    };
    // 1. The config file.
    let candidates: Vec<String> = match explicit {
        Some(p) => vec![crate::inventory::rel_path(p, root)],
        None => CONFIG_NAMES.iter().map(|s| s.to_string()).collect(),
    };
    let mut config = None;
    for name in &candidates {
        if let Some(text) = show(root, &commit, name) {
            let text = String::from_utf8_lossy(&text).into_owned();
            let shown = PathBuf::from(format!("{git_ref}:{name}"));
            // Extended files inside the repository are read at the revision
            // too; an organisation file outside it is not part of the change.
            let read = |p: &Path| -> std::io::Result<String> {
                let rel = crate::inventory::rel_path(p, root);
                if rel.starts_with("..") || Path::new(&rel).is_absolute() {
                    return crate::layers::read_file(p);
                }
                let at_ref = show(root, &commit, &rel);
                compare_layer(&rel, at_ref.as_deref());
                match at_ref {
                    Some(b) => Ok(String::from_utf8_lossy(&b).into_owned()),
                    None => Err(std::io::Error::other(format!("not in {git_ref}"))),
                }
            };
            let entry = root.join(name);
            let c = Config::parse_with(&text, &entry, root, &read).map_err(|mut e| {
                if e.path == entry {
                    e.path = shown.clone();
                }
                e
            })?;
            compare(name, Some(text.as_bytes()));
            used.push(name.clone());
            used.extend(used_layers.borrow_mut().drain(..));
            config = Some(c);
            break;
        }
        compare(name, None);
    }
    if config.is_none() && explicit.is_some() {
        anyhow::bail!(
            "--policy-from {git_ref}: {} does not exist at that revision",
            candidates.join(", ")
        );
    }
    let mut config = config.unwrap_or_else(|| Config::default_for(dir.path()));
    // 2. Team rules: folders inside the repository come from the revision;
    // an organisation folder outside it is not part of the change.
    let mut dirs = Vec::new();
    for (i, rd) in std::mem::take(&mut config.rules_dirs)
        .into_iter()
        .enumerate()
    {
        let rel = crate::inventory::rel_path(&rd, root);
        if rel.starts_with("..") || Path::new(&rel).is_absolute() {
            dirs.push(rd);
            continue;
        }
        let local = dir.path().join(format!("rules-dir-{i}"));
        std::fs::create_dir_all(&local)?;
        let names = git(
            root,
            &["ls-tree", "-z", "--name-only", &format!("{commit}:./{rel}")],
        )
        .unwrap_or_default();
        let mut at_ref: Vec<String> = Vec::new();
        for n in names.split(|b| *b == 0).filter(|n| !n.is_empty()) {
            let n = String::from_utf8_lossy(n).into_owned();
            if !(n.ends_with(".yaml") || n.ends_with(".yml")) || n.contains('/') {
                continue;
            }
            let file = format!("{rel}/{n}");
            if let Some(body) = show(root, &commit, &file) {
                compare(&file, Some(&body));
                std::fs::write(local.join(&n), &body)?;
                at_ref.push(n);
            }
        }
        if let Ok(rd) = std::fs::read_dir(root.join(&rel)) {
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if (n.ends_with(".yaml") || n.ends_with(".yml")) && !at_ref.contains(&n) {
                    changed.borrow_mut().push(format!("{rel}/{n}"));
                }
            }
        }
        used.push(format!(
            "{rel}/ ({})",
            crate::report::verdict::plural(at_ref.len(), "rule file")
        ));
        dirs.push(local);
    }
    config.rules_dirs = dirs;
    // 3. The gitleaks config: the one the ref names or has, never the tree's;
    // an organisation layer's config outside the repository is kept as is.
    let outside = config.secrets.gitleaks_config.as_ref().filter(|p| {
        let rel = crate::inventory::rel_path(p, root);
        rel.starts_with("..") || Path::new(&rel).is_absolute()
    });
    let gl_rel = config
        .secrets
        .gitleaks_config
        .as_ref()
        .map(|p| crate::inventory::rel_path(p, root))
        .filter(|p| !p.starts_with(".."))
        .unwrap_or_else(|| ".gitleaks.toml".to_string());
    config.secrets.gitleaks_config = match show(root, &commit, &gl_rel) {
        _ if outside.is_some() => outside.cloned(),
        Some(body) => {
            // The config and its `[extend] path` chain, laid out in a folder
            // of their own as at the revision (extended paths are relative
            // to the extending file's folder).
            let local_dir = dir.path().join("gitleaks");
            let name = Path::new(&gl_rel)
                .file_name()
                .map_or_else(|| "gitleaks.toml".into(), |n| n.to_os_string());
            let p = local_dir.join(name);
            let (mut at_ref, mut local, mut text) = (gl_rel.clone(), p.clone(), body);
            for _ in 0..=EXTEND_DEPTH {
                compare(&at_ref, Some(&text));
                std::fs::create_dir_all(local.parent().unwrap_or(&local_dir))?;
                std::fs::write(&local, &text)?;
                used.push(at_ref.clone());
                // Absolute or `..` paths are left for the pack loader to
                // refuse with the config's line; a missing file likewise.
                let Ok(Some(ext)) =
                    crate::secrets::gitleaks::extend_path(&String::from_utf8_lossy(&text))
                else {
                    break;
                };
                let next = join_rel(&at_ref, &ext);
                local = local.parent().unwrap_or(&local_dir).join(&ext);
                match show(root, &commit, &next) {
                    Some(b) => (at_ref, text) = (next, b),
                    None => {
                        compare(&next, None);
                        break;
                    }
                }
            }
            Some(p)
        }
        None => {
            compare(&gl_rel, None);
            None
        }
    };
    // 4. `.gitleaksignore` and 5. the baseline.
    let ignore_local = dir.path().join("gitleaksignore");
    match show(root, &commit, ".gitleaksignore") {
        Some(body) => {
            compare(".gitleaksignore", Some(&body));
            std::fs::write(&ignore_local, &body)?;
            used.push(".gitleaksignore".into());
        }
        None => compare(".gitleaksignore", None),
    }
    config.secrets.ignore_file = ignore_local;
    let base_rel = crate::inventory::rel_path(&config.baseline, root);
    let base_local = dir.path().join("baseline.json");
    match show(root, &commit, &base_rel) {
        Some(body) => {
            compare(&base_rel, Some(&body));
            std::fs::write(&base_local, &body)?;
            used.push(base_rel);
        }
        None => compare(&base_rel, None),
    }
    config.baseline = base_local;
    // 6. Budget data: each `file` provider's snapshot inside the repository.
    let mut snapshot_notes = Vec::new();
    if let Some(b) = config.budget.as_mut() {
        for (name, p) in b.providers.iter_mut() {
            if p.kind != "file" {
                continue;
            }
            let Some(rel) = p
                .options
                .get("path")
                .and_then(|v| v.as_str())
                .and_then(inside)
            else {
                continue;
            };
            let shown = format!("{rel} at {git_ref}");
            let bytes = show(root, &commit, &rel);
            let tracked =
                || git(root, &["ls-files", "-z", "--", &rel]).is_ok_and(|o| !o.is_empty());
            let now = read_snapshot(&root.join(&rel));
            let note = match (&bytes, &now) {
                (Some(old), Some(new)) if old != new => Some(format!(
                    "this change edits the budget data {rel} (provider `{name}`): readings are taken from {git_ref}, the edit applies once merged; {}",
                    crate::budget::providers::file::changed_readings(old, new, 5).join("; ")
                )),
                (Some(_), None) => Some(format!(
                    "this change removes or replaces the budget data {rel} (provider `{name}`): readings are taken from {git_ref}"
                )),
                (None, _) if tracked() => Some(format!(
                    "this change adds the budget data {rel} (provider `{name}`), which {git_ref} does not have: a snapshot the change brings is not policy, so its readings are unknown and on-error decides"
                )),
                (None, _) => {
                    snapshot_notes.push(
                        Finding::new(
                            "prr/policy-from",
                            &rel,
                            Pos::default(),
                            format!(
                                "budget data {rel} (provider `{name}`) is not in git: read from the working tree, as the job wrote it (not part of the change)"
                            ),
                        )
                        .with_level(Level::Notice),
                    );
                    continue;
                }
                _ => None,
            };
            if let Some(n) = note {
                snapshot_notes.push(
                    Finding::new("prr/policy-changed", &rel, Pos::default(), n)
                        .with_level(Level::Notice),
                );
            }
            if bytes.is_some() {
                used.push(rel.clone());
            }
            p.pinned = Some(crate::budget::config::PinnedSnapshot {
                bytes: bytes.map(std::sync::Arc::from),
                shown,
            });
        }
    }
    let mut notes = vec![
        Finding::new(
            "prr/policy-from",
            "",
            Pos::default(),
            format!(
                "policy read from {git_ref} ({short}), not from this change: {}",
                if used.is_empty() {
                    "no policy file there, built-in defaults".to_string()
                } else {
                    used.join(", ")
                }
            ),
        )
        .with_level(Level::Notice),
    ];
    notes.extend(snapshot_notes);
    let mut changed = changed.into_inner();
    changed.sort();
    changed.dedup();
    for c in changed {
        notes.push(
            Finding::new(
                "prr/policy-changed",
                &c,
                Pos::default(),
                format!(
                    "this change edits the gate's policy ({c}); the edit is not applied to its own check (policy from {git_ref}) and takes effect once merged"
                ),
            )
            .with_level(Level::Notice),
        );
    }
    // 4. The service catalog (tiers, owners) as the ref has it.
    let listed = git(
        root,
        &["ls-tree", "-r", "-z", "--name-only", &commit, "--", "."],
    )
    .unwrap_or_default();
    let mut texts = Vec::new();
    for n in listed.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let n = String::from_utf8_lossy(n).into_owned();
        if !crate::catalog::is_catalog_path(&n) {
            continue;
        }
        if let Some(body) = show(root, &commit, &n) {
            let now = crate::fsio::read_bounded(&root.join(&n), WORKING_TREE_LIMIT).ok();
            if now.as_deref() != Some(body.as_slice()) {
                notes.push(
                    Finding::new(
                        "prr/policy-changed",
                        &n,
                        Pos::default(),
                        format!(
                            "this change edits a service catalog entry ({n}); its tier and owner are read from {git_ref} for this check and take effect once merged"
                        ),
                    )
                    .with_level(Level::Notice),
                );
            }
            texts.push((n, String::from_utf8_lossy(&body).into_owned()));
        }
    }
    let catalog = crate::catalog::from_texts(texts);
    Ok(PolicySource {
        config,
        notes,
        dir,
        catalog,
        revision: Revision {
            root: root.to_path_buf(),
            commit,
            name: git_ref.to_string(),
        },
    })
}

/// The working tree's snapshot for comparison: a regular file (a symlink
/// is not followed) of at most 16 MiB, else `None`.
fn read_snapshot(path: &Path) -> Option<Vec<u8>> {
    const MAX: u64 = 16 * 1024 * 1024;
    if !std::fs::symlink_metadata(path).ok()?.is_file() {
        return None;
    }
    crate::fsio::read_bounded(path, MAX).ok()
}

#[cfg(test)]
mod tests {
    use super::{inside, join_rel};

    #[test]
    fn paths_stay_inside_the_checked_folder() {
        assert_eq!(inside("budget.json").as_deref(), Some("budget.json"));
        assert_eq!(inside("./data/../b.json").as_deref(), Some("b.json"));
        assert_eq!(inside("../b.json"), None);
        assert_eq!(inside("/etc/passwd"), None);
        assert_eq!(inside("."), None);
        assert_eq!(join_rel(".gitleaks.toml", "base.toml"), "base.toml");
        assert_eq!(
            join_rel("sec/.gitleaks.toml", "./more/b.toml"),
            "sec/more/b.toml"
        );
    }
}
