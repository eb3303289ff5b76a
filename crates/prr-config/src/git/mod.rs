//! Git helpers for `--changed-since REF`, `--staged`, the tracked-file set
//! and policy exceptions: changed paths and lines, staged content, commit
//! trailers, the current branch.
//!
//! Git runs on hostile repositories (a pull request's files), so every
//! command goes through the hardened runner ([`runner`], [`Checkout`]):
//!
//! - the repository is resolved once from a trusted root, the folder prr was
//!   started in (`git rev-parse --show-toplevel` of the current directory,
//!   with `safe.bareRepository=explicit`), and passed as `--git-dir` and
//!   `--work-tree`: a folder of the change (say a committed bare repository
//!   whose `config` sets `core.fsmonitor`) never becomes the repository;
//!   `GIT_DIR`, `GIT_WORK_TREE` and the other discovery variables of the
//!   environment are removed and `GIT_CEILING_DIRECTORIES` is set;
//! - the folder under check must lie inside that checkout's top level, or
//!   the command is refused (exit 2); git runs with it as the current
//!   directory, so paths are relative to it;
//! - no hooks, no file-system monitor, no external diff, no textconv, no
//!   pager, no signature verification (`-c core.fsmonitor=
//!   -c core.hooksPath=/dev/null --no-ext-diff --no-textconv`);
//! - the user's diff settings cannot change what prr parses: diffs are taken
//!   with `--text` (a `-diff` attribute cannot turn a file into "Binary
//!   files differ"), `--no-color`, `--src-prefix=a/ --dst-prefix=b/`, and
//!   `diff.noprefix`, `diff.mnemonicPrefix`, `diff.relative`, `color.*`
//!   forced off; names come NUL-terminated (`-z`) where git offers it, and
//!   C-quoted patch names are unquoted ([`unified`]);
//! - the user's system and global configuration are still read, so
//!   `safe.directory` keeps working in CI containers (see [`runner`]).
//!
//! Nothing here changes repository state (`GIT_OPTIONAL_LOCKS=0`). Refs that
//! begin with `-` are refused (they would be read as options).

mod runner;
mod tracked;
mod unified;

pub use runner::{Checkout, run_in};
pub use tracked::{Tracked, tracked};
pub use unified::{c_unquote, parse_unified_zero};

use std::collections::HashSet;
use std::path::Path;

/// Options of every patch prr parses (see the module docs).
const PATCH: &[&str] = &[
    "--no-ext-diff",
    "--no-textconv",
    "--text",
    "--no-color",
    "--src-prefix=a/",
    "--dst-prefix=b/",
];

/// Splits NUL-terminated output (`-z`) into paths, with `/` separators.
fn nul_paths(out: &[u8]) -> Vec<String> {
    out.split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

fn check_ref(what: &str, r: &str) -> Result<(), String> {
    if r.is_empty() || r.starts_with('-') {
        return Err(format!(
            "{what} `{r}` is not a git revision (a branch, tag or commit such as origin/main)"
        ));
    }
    Ok(())
}

/// The trusted checkout's `origin` remote URL and the folder under check
/// relative to its top level (`""` or `deploy/`), or `None` outside a git
/// checkout, without an `origin`, or when git fails. The URL is the
/// checkout's own configuration (set by whoever cloned it, e.g. the CI's
/// checkout step), never a file of the change.
///
/// Command: `git remote get-url origin`.
pub fn origin_url(repo_root: &Path) -> Option<(String, String)> {
    let co = Checkout::open(repo_root).ok()?;
    let out = co.run(&["remote", "get-url", "origin"]).ok()?;
    let url = String::from_utf8_lossy(&out).trim().to_string();
    (!url.is_empty()).then(|| (url, co.prefix()))
}

/// Paths changed between the merge base of `base_ref` and `HEAD`, plus
/// uncommitted changes (staged or not) and untracked files that are not
/// ignored: what a pull request from this working tree would touch.
///
/// Paths are relative to `repo_root` with `/` separators, sorted and
/// unique. When `repo_root` is a subfolder of the git repository, changes
/// outside it are left out (no service of this root can own them).
///
/// Renames and copies report both the old and the new path: the diff is
/// taken with `--no-renames`, so a rename is a deletion plus an addition,
/// and a service that lost a file counts as touched too. Deleted files are
/// included.
///
/// Commands (hardened, module docs): `git rev-parse --verify --quiet
/// REF^{commit}`, `git merge-base REF HEAD`, `git diff --name-only
/// --no-renames --relative -z <merge-base>` (the merge-base tree against the
/// working tree, so commits since the merge base, staged and unstaged
/// changes alike), `git ls-files --others --exclude-standard -z`.
///
/// Errors (exit 2): prr not started inside a git checkout, `repo_root`
/// outside it, unknown ref (in a shallow CI checkout, fetch it first), no
/// common ancestor, git missing.
pub fn changed_paths(repo_root: &Path, base_ref: &str) -> Result<Vec<String>, String> {
    check_ref("--changed-since", base_ref)?;
    Checkout::open(repo_root)?.changed_paths(base_ref)
}

/// Lines added or changed since the merge base of `base_ref` and `HEAD`,
/// as (path relative to `repo_root`, 1-based line) of the new side: the
/// hunks of `git diff -U0 --no-renames --relative --text <merge-base>`
/// (working tree, so uncommitted edits count), plus every line of untracked
/// files (regular files only, read up to
/// [`crate::fsio::MAX_FILE_BYTES`]). For PR annotations on changed
/// lines and scoped secret scans. Errors as [`changed_paths`].
pub fn changed_lines(repo_root: &Path, base_ref: &str) -> Result<HashSet<(String, u32)>, String> {
    check_ref("--changed-since", base_ref)?;
    Checkout::open(repo_root)?.changed_lines(base_ref)
}

/// Staged files with their content, and staged lines: see [`Checkout::staged`].
pub type Staged = (Vec<(String, Vec<u8>)>, HashSet<(String, u32)>);

/// What a commit made now would add ([`Checkout::staged`]) for the folder
/// `repo_root` inside the checkout prr was started in. For `prr secrets
/// --staged` in a pre-commit hook.
pub fn staged(repo_root: &Path) -> Result<Staged, String> {
    Checkout::open(repo_root)
        .map_err(|e| format!("--staged: {e}"))?
        .staged()
}

/// Trailers of commit `rev` ([`Checkout::commit_trailers`]) in the checkout
/// holding `repo_root`.
pub fn commit_trailers(repo_root: &Path, rev: &str) -> Result<Vec<(String, String)>, String> {
    check_ref("revision", rev)?;
    Checkout::open(repo_root)?.commit_trailers(rev)
}

/// The author of commit `rev` ([`Checkout::commit_author`]) in the
/// checkout holding `repo_root`.
pub fn commit_author(repo_root: &Path, rev: &str) -> Result<String, String> {
    check_ref("revision", rev)?;
    Checkout::open(repo_root)?.commit_author(rev)
}

/// The checked-out branch ([`Checkout::current_branch`]), `None` also when
/// `repo_root` is not inside the checkout prr was started in.
pub fn current_branch(repo_root: &Path) -> Option<String> {
    Checkout::open(repo_root).ok()?.current_branch()
}

impl Checkout {
    /// [`changed_paths`] of this folder.
    pub fn changed_paths(&self, base_ref: &str) -> Result<Vec<String>, String> {
        check_ref("--changed-since", base_ref)?;
        let mb = self.merge_base(base_ref)?;
        let mut paths = nul_paths(&self.run(&[
            "diff",
            "--name-only",
            "--no-renames",
            "--relative",
            "--no-ext-diff",
            "--no-textconv",
            "-z",
            &mb,
            "--",
        ])?);
        paths.extend(nul_paths(&self.run(&[
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
        ])?));
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// The merge base of `base_ref` and `HEAD` (errors as [`changed_paths`]).
    fn merge_base(&self, base_ref: &str) -> Result<String, String> {
        let spec = format!("{base_ref}^{{commit}}");
        if self
            .run(&["rev-parse", "--verify", "--quiet", &spec])
            .is_err()
        {
            return Err(format!(
                "--changed-since: unknown git revision `{base_ref}` in {} (in a shallow CI checkout, \
                 fetch it first, e.g. `git fetch origin main` or actions/checkout with fetch-depth: 0)",
                self.dir().display()
            ));
        }
        let mb = self.run(&["merge-base", base_ref, "HEAD"]).map_err(|e| {
            format!(
                "--changed-since: `{base_ref}` and HEAD have no common ancestor (a shallow clone \
                 cuts history: fetch more, e.g. fetch-depth: 0) — {e}"
            )
        })?;
        let mb = String::from_utf8_lossy(&mb).trim().to_string();
        if mb.is_empty() {
            return Err(format!(
                "--changed-since: `{base_ref}` and HEAD have no common ancestor"
            ));
        }
        Ok(mb)
    }

    /// [`changed_lines`] of this folder.
    pub fn changed_lines(&self, base_ref: &str) -> Result<HashSet<(String, u32)>, String> {
        check_ref("--changed-since", base_ref)?;
        let mb = self.merge_base(base_ref)?;
        let mut args = vec!["diff", "-U0", "--no-renames", "--relative"];
        args.extend_from_slice(PATCH);
        args.extend_from_slice(&[&mb, "--"]);
        let mut out = parse_unified_zero(self.run(&args)?);
        for p in nul_paths(&self.run(&["ls-files", "--others", "--exclude-standard", "-z"])?) {
            // Regular files only, bounded by bytes read (an untracked link
            // to /dev/zero is never followed; the walk reports links).
            let path = self.dir().join(&p);
            let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
            let n = if regular {
                crate::fsio::read_bounded(&path, crate::fsio::MAX_FILE_BYTES)
                    .map(|b| b.iter().filter(|c| **c == b'\n').count() + 1)
                    .unwrap_or(1)
            } else {
                1
            };
            for l in 1..=u32::try_from(n).unwrap_or(u32::MAX) {
                out.insert((p.clone(), l));
            }
        }
        Ok(out)
    }

    /// What a commit made now would add: the staged files (added, copied,
    /// modified or renamed; relative to this folder), their content as
    /// staged (the index, not the working tree), and the staged lines, as
    /// (path, 1-based line).
    ///
    /// Commands: `git diff --cached --name-only --diff-filter=ACMR
    /// --relative -z`, `git cat-file blob :0:PATH` per file (the path from the
    /// repository top), `git diff --cached -U0 --relative --text`. Errors:
    /// git fails.
    pub fn staged(&self) -> Result<Staged, String> {
        let prefix = self.prefix();
        let paths = nul_paths(&self.run(&[
            "diff",
            "--cached",
            "--name-only",
            "--diff-filter=ACMR",
            "--relative",
            "--no-ext-diff",
            "--no-textconv",
            "-z",
        ])?);
        let mut blobs = Vec::with_capacity(paths.len());
        for p in paths {
            // `:0:` names stage 0 explicitly: a file called `1:x` is not
            // read as stage 1 of `x`.
            let spec = format!(":0:{prefix}{p}");
            let body = self.run(&["cat-file", "blob", &spec])?;
            blobs.push((p, body));
        }
        let mut args = vec!["diff", "--cached", "-U0", "--relative"];
        args.extend_from_slice(PATCH);
        let lines = parse_unified_zero(self.run(&args)?);
        Ok((blobs, lines))
    }

    /// Trailers of commit `rev` (`Change-Type: security`), as (key, value)
    /// in message order, with folded lines unfolded. Lines without `:` are
    /// skipped; keys and values are trimmed, case kept.
    ///
    /// Command: `git log -1 --format=%(trailers:unfold,only) REV --` (git ≥
    /// 2.22; trailer syntax as `git interpret-trailers` reads it).
    pub fn commit_trailers(&self, rev: &str) -> Result<Vec<(String, String)>, String> {
        check_ref("revision", rev)?;
        let out = self.run(&[
            "log",
            "-1",
            "--no-show-signature",
            "--format=%(trailers:unfold,only)",
            rev,
            "--",
        ])?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| {
                let (k, v) = l.split_once(':')?;
                let (k, v) = (k.trim(), v.trim());
                (!k.is_empty()).then(|| (k.to_string(), v.to_string()))
            })
            .collect())
    }

    /// The author of commit `rev` as `Name <email>` (named when a trailer
    /// of that commit grants a budget exception).
    ///
    /// Command: `git log -1 --format=%an <%ae> REV --`.
    pub fn commit_author(&self, rev: &str) -> Result<String, String> {
        check_ref("revision", rev)?;
        let out = self.run(&[
            "log",
            "-1",
            "--no-show-signature",
            "--format=%an <%ae>",
            rev,
            "--",
        ])?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }

    /// The checked-out branch (`hotfix/login`), or `None` on a detached HEAD
    /// (as in most CI checkouts: use the CI's variables there, e.g.
    /// `GITHUB_HEAD_REF`) or when git fails.
    ///
    /// Command: `git symbolic-ref --quiet --short HEAD`.
    pub fn current_branch(&self) -> Option<String> {
        let out = self
            .run(&["symbolic-ref", "--quiet", "--short", "HEAD"])
            .ok()?;
        let b = String::from_utf8_lossy(&out).trim().to_string();
        (!b.is_empty()).then_some(b)
    }
}

#[cfg(test)]
mod diff_tests {
    use super::parse_unified_zero;

    #[test]
    fn unified_zero_hunks() {
        let d = "diff --git a/a.yaml b/a.yaml\n--- a/a.yaml\n+++ b/a.yaml\n@@ -3 +3 @@\n-x\n+y\n@@ -10,0 +11,2 @@\n+p\n+q\n@@ -20,2 +21,0 @@\n-r\n-s\n--- a/gone.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n";
        let mut got: Vec<(String, u32)> = parse_unified_zero(d).into_iter().collect();
        got.sort();
        let want: Vec<(String, u32)> = [3, 11, 12]
            .iter()
            .map(|l| ("a.yaml".to_string(), *l))
            .collect();
        assert_eq!(got, want);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;

    // The test repositories live in temporary folders, outside the checkout
    // the test process runs in: each is its own trusted root here.
    fn changed_paths(dir: &Path, base: &str) -> Result<Vec<String>, String> {
        check_ref("--changed-since", base)?;
        Checkout::open_from(dir, dir)?.changed_paths(base)
    }

    fn commit_trailers(dir: &Path, rev: &str) -> Result<Vec<(String, String)>, String> {
        check_ref("revision", rev)?;
        Checkout::open_from(dir, dir)?.commit_trailers(rev)
    }

    fn commit_author(dir: &Path, rev: &str) -> Result<String, String> {
        check_ref("revision", rev)?;
        Checkout::open_from(dir, dir)?.commit_author(rev)
    }

    fn current_branch(dir: &Path) -> Option<String> {
        Checkout::open_from(dir, dir).ok()?.current_branch()
    }

    /// Runs git in `dir` isolated from the user's and system configuration
    /// (no signing, hooks or default-branch surprises).
    fn run(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args([
                "-c",
                "user.name=prr test",
                "-c",
                "user.email=prr-test@example.invalid",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
                "-c",
                "core.hooksPath=/dev/null",
            ])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let p = dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }

    fn commit(dir: &Path, msg: &str) {
        run(dir, &["add", "-A"]);
        run(dir, &["commit", "-q", "-m", msg]);
    }

    /// A repo with `main` holding three files, then a `feature` branch.
    fn repo() -> (tempfile::TempDir, PathBuf) {
        let t = tempfile::tempdir().expect("tempdir");
        let d = t.path().to_path_buf();
        run(&d, &["init", "-q"]);
        write(&d, "services/checkout/app.yaml", "replicas: 2\n");
        write(&d, "services/payments/app.yaml", "replicas: 3\n");
        write(&d, "README.md", "# demo\n");
        write(&d, ".gitignore", "target/\n");
        commit(&d, "initial");
        run(&d, &["checkout", "-q", "-b", "feature"]);
        (t, d)
    }

    #[test]
    fn changed_paths_covers_commits_worktree_untracked_and_renames() {
        let (_t, d) = repo();
        // Committed on the branch: a modification and a rename.
        write(&d, "services/checkout/app.yaml", "replicas: 4\n");
        std::fs::create_dir_all(d.join("services/billing")).expect("mkdir");
        run(
            &d,
            &[
                "mv",
                "services/payments/app.yaml",
                "services/billing/app.yaml",
            ],
        );
        commit(&d, "scale checkout, move payments");
        // main moves on independently: not part of this change.
        run(&d, &["checkout", "-q", "main"]);
        write(&d, "docs/other.md", "x\n");
        commit(&d, "main only");
        run(&d, &["checkout", "-q", "feature"]);
        // Uncommitted: staged, unstaged, untracked, ignored, a name with a space.
        write(&d, "README.md", "# demo, edited\n");
        write(&d, "services/search/new file.yaml", "a: 1\n");
        write(&d, "target/build.log", "ignored\n");
        write(&d, "services/checkout/slo.yaml", "staged\n");
        run(&d, &["add", "services/checkout/slo.yaml"]);

        assert_eq!(
            changed_paths(&d, "main"),
            Ok(vec![
                "README.md".to_string(),
                "services/billing/app.yaml".to_string(),
                "services/checkout/app.yaml".to_string(),
                "services/checkout/slo.yaml".to_string(),
                "services/payments/app.yaml".to_string(),
                "services/search/new file.yaml".to_string(),
            ])
        );
        // From a subfolder: relative to it, changes elsewhere left out.
        assert_eq!(
            changed_paths(&d.join("services/checkout"), "main"),
            Ok(vec!["app.yaml".to_string(), "slo.yaml".to_string()])
        );
        // Against itself with a clean tree: nothing.
        commit(&d, "the rest");
        assert_eq!(changed_paths(&d, "HEAD"), Ok(vec![]));
    }

    #[test]
    fn changed_paths_errors_are_actionable() {
        let (_t, d) = repo();
        let e = changed_paths(&d, "origin/main").expect_err("unknown ref");
        assert!(
            e.starts_with("--changed-since: unknown git revision `origin/main` in "),
            "{e}"
        );
        assert!(e.contains("fetch-depth: 0"), "{e}");
        let e = changed_paths(&d, "--output=/tmp/x").expect_err("option-like ref");
        assert!(e.contains("is not a git revision"), "{e}");
        let plain = tempfile::tempdir().expect("tempdir");
        let e = changed_paths(plain.path(), "main").expect_err("not a repo");
        assert!(e.contains("is not inside a git repository"), "{e}");
        // Unrelated history: no merge base.
        run(&d, &["checkout", "-q", "--orphan", "island"]);
        write(&d, "island.txt", "x\n");
        commit(&d, "unrelated");
        let e = changed_paths(&d, "main").expect_err("no merge base");
        assert!(e.contains("have no common ancestor"), "{e}");
    }

    #[test]
    fn trailers_are_parsed() {
        let (_t, d) = repo();
        write(&d, "fix.txt", "x\n");
        run(&d, &["add", "-A"]);
        run(
            &d,
            &[
                "commit",
                "-q",
                "-m",
                "Fix token leak\n\nBody: not a trailer, this paragraph is prose.\n\n\
                 Change-Type: security\nReviewed-by: A Person <a@example.invalid>\n\
                 Refs: long value\n  continued on the next line",
            ],
        );
        assert_eq!(
            commit_trailers(&d, "HEAD"),
            Ok(vec![
                ("Change-Type".to_string(), "security".to_string()),
                (
                    "Reviewed-by".to_string(),
                    "A Person <a@example.invalid>".to_string()
                ),
                (
                    "Refs".to_string(),
                    "long value continued on the next line".to_string()
                ),
            ])
        );
        assert_eq!(
            commit_author(&d, "HEAD").as_deref(),
            Ok("prr test <prr-test@example.invalid>")
        );
        assert_eq!(commit_trailers(&d, "HEAD~1"), Ok(vec![]));
        assert!(commit_trailers(&d, "nope").is_err());
        assert!(commit_trailers(&d, "-p").is_err());
    }

    #[test]
    fn branch_name() {
        let (_t, d) = repo();
        assert_eq!(current_branch(&d).as_deref(), Some("feature"));
        run(&d, &["checkout", "-q", "-b", "hotfix/login"]);
        assert_eq!(current_branch(&d).as_deref(), Some("hotfix/login"));
        run(&d, &["checkout", "-q", "--detach"]);
        assert_eq!(current_branch(&d), None);
        let plain = tempfile::tempdir().expect("tempdir");
        assert_eq!(current_branch(plain.path()), None);
    }
}
