//! `--policy-from REF`: the gate's own policy comes from a trusted git ref
//! (the base branch of a pull request), so a pull request cannot weaken the
//! gate that judges it.
//!
//! Read from REF (never from the working tree): prr.yaml (or the `--config`
//! path), the team rules folder (`rules-dir`), the gitleaks config
//! (`secrets.gitleaks-config` or `.gitleaks.toml`), `.gitleaksignore` and the
//! baseline. The repository content under check is still the working tree.
//! Each file is written to a private temporary folder and the config points
//! there. The run reports what it used (`prr/policy-from`, a notice) and
//! every policy file the working tree changes (`prr/policy-changed`, a
//! notice: the change is not applied until it is merged).
//!
//! Commands: `git rev-parse --verify REF^{commit}`, `git show REF:./PATH`,
//! `git ls-tree -z --name-only REF:./DIR` (paths relative to the checked
//! folder). Errors (exit 2): not a git repository, unknown REF, a policy file
//! in REF that does not parse.

use crate::config::{CONFIG_NAMES, Config};
use crate::finding::{Finding, Level};
use crate::yaml::Pos;
use std::path::{Path, PathBuf};

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
}

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    crate::git::run_in(root, args)
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
        let now = std::fs::read(root.join(rel)).ok();
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
        used.push(format!("{rel}/ ({} rule file(s))", at_ref.len()));
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
            compare(&gl_rel, Some(&body));
            let p = dir.path().join("gitleaks.toml");
            std::fs::write(&p, &body)?;
            used.push(gl_rel);
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
            if std::fs::read(root.join(&n)).ok().as_deref() != Some(body.as_slice()) {
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
    })
}
