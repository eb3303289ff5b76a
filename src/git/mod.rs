//! Git helpers for `--changed-since REF` and policy exceptions: changed
//! paths, commit trailers, the current branch.
//!
//! Every helper runs the `git` command (`std::process::Command`, no shell;
//! arguments are passed as-is) with `-C <repo_root>`, so the user's git
//! configuration, credentials and `safe.directory` rules apply. Nothing here
//! changes repository state. Refs that begin with `-` are refused (they
//! would be read as options).

use std::path::Path;
use std::process::Command;

/// Runs `git -C root ARGS…` and returns stdout, or a message naming the
/// command and git's own error (first lines of stderr).
fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git ({e}); is git installed and on PATH?"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let err: Vec<&str> = err
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(3)
            .collect();
        Err(format!(
            "`git {}` failed in {}: {}",
            args.join(" "),
            root.display(),
            if err.is_empty() {
                format!("exit status {}", out.status)
            } else {
                err.join(" / ")
            }
        ))
    }
}

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
/// Commands: `git rev-parse --verify --quiet REF^{commit}`, `git merge-base
/// REF HEAD`, `git diff --name-only --no-renames --relative -z <merge-base>`
/// (the merge-base tree against the working tree, so commits since the merge
/// base, staged and unstaged changes alike), `git ls-files --others
/// --exclude-standard -z`.
///
/// Errors (exit 2): not a git repository, unknown ref (in a shallow CI
/// checkout, fetch it first), no common ancestor, git missing.
pub fn changed_paths(repo_root: &Path, base_ref: &str) -> Result<Vec<String>, String> {
    check_ref("--changed-since", base_ref)?;
    git(repo_root, &["rev-parse", "--git-dir"]).map_err(|e| {
        format!(
            "{} is not inside a git repository ({e})",
            repo_root.display()
        )
    })?;
    let mb = merge_base(repo_root, base_ref)?;
    let mut paths = nul_paths(&git(
        repo_root,
        &[
            "diff",
            "--name-only",
            "--no-renames",
            "--relative",
            "--no-ext-diff",
            "-z",
            &mb,
            "--",
        ],
    )?);
    paths.extend(nul_paths(&git(
        repo_root,
        &["ls-files", "--others", "--exclude-standard", "-z"],
    )?));
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// The merge base of `base_ref` and `HEAD` (errors as [`changed_paths`]).
fn merge_base(repo_root: &Path, base_ref: &str) -> Result<String, String> {
    let spec = format!("{base_ref}^{{commit}}");
    if git(repo_root, &["rev-parse", "--verify", "--quiet", &spec]).is_err() {
        return Err(format!(
            "--changed-since: unknown git revision `{base_ref}` in {} (in a shallow CI checkout, \
             fetch it first, e.g. `git fetch origin main` or actions/checkout with fetch-depth: 0)",
            repo_root.display()
        ));
    }
    let mb = git(repo_root, &["merge-base", base_ref, "HEAD"]).map_err(|e| {
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

/// Lines added or changed since the merge base of `base_ref` and `HEAD`,
/// as (repository-relative path, 1-based line) of the new side: the hunks
/// of `git diff -U0 --no-renames --relative <merge-base>` (working tree, so
/// uncommitted edits count), plus every line of untracked files. For PR
/// annotations on changed lines. Errors as [`changed_paths`].
pub fn changed_lines(
    repo_root: &Path,
    base_ref: &str,
) -> Result<std::collections::HashSet<(String, u32)>, String> {
    check_ref("--changed-since", base_ref)?;
    let mb = merge_base(repo_root, base_ref)?;
    let diff = git(
        repo_root,
        &[
            "-c",
            "core.quotePath=false",
            "diff",
            "-U0",
            "--no-color",
            "--no-renames",
            "--relative",
            "--no-ext-diff",
            &mb,
            "--",
        ],
    )?;
    let mut out = parse_unified_zero(&String::from_utf8_lossy(&diff));
    for p in nul_paths(&git(
        repo_root,
        &["ls-files", "--others", "--exclude-standard", "-z"],
    )?) {
        let n = std::fs::read(repo_root.join(&p))
            .map(|b| b.iter().filter(|c| **c == b'\n').count() + 1)
            .unwrap_or(1);
        for l in 1..=u32::try_from(n).unwrap_or(u32::MAX) {
            out.insert((p.clone(), l));
        }
    }
    Ok(out)
}

/// What a commit made now would add: the staged files (added, copied,
/// modified or renamed; relative to `repo_root`), their content as staged
/// (the index, not the working tree), and the staged lines, as
/// (path, 1-based line). For `prr secrets --staged` in a pre-commit hook.
///
/// Commands: `git diff --cached --name-only --diff-filter=ACMR --relative -z`,
/// `git show :PATH` per file (the path from the repository top), `git diff
/// --cached -U0 --relative`. Errors: not a git repository, git missing.
#[allow(clippy::type_complexity)]
pub fn staged(
    repo_root: &Path,
) -> Result<
    (
        Vec<(String, Vec<u8>)>,
        std::collections::HashSet<(String, u32)>,
    ),
    String,
> {
    git(repo_root, &["rev-parse", "--git-dir"]).map_err(|e| {
        format!(
            "--staged: {} is not inside a git repository ({e})",
            repo_root.display()
        )
    })?;
    let prefix = String::from_utf8_lossy(&git(repo_root, &["rev-parse", "--show-prefix"])?)
        .trim()
        .to_string();
    let paths = nul_paths(&git(
        repo_root,
        &[
            "diff",
            "--cached",
            "--name-only",
            "--diff-filter=ACMR",
            "--relative",
            "--no-ext-diff",
            "-z",
        ],
    )?);
    let mut blobs = Vec::with_capacity(paths.len());
    for p in paths {
        let spec = format!(":{prefix}{p}");
        let body = git(repo_root, &["show", &spec])?;
        blobs.push((p, body));
    }
    let diff = git(
        repo_root,
        &[
            "-c",
            "core.quotePath=false",
            "diff",
            "--cached",
            "-U0",
            "--no-color",
            "--relative",
            "--no-ext-diff",
        ],
    )?;
    Ok((blobs, parse_unified_zero(&String::from_utf8_lossy(&diff))))
}

/// The new-side lines of a `-U0` unified diff: `+++ b/PATH` names the file,
/// each `@@ -a,b +c,d @@` adds lines c..c+d (d defaults to 1; 0 = a pure
/// deletion, no new line).
fn parse_unified_zero(diff: &str) -> std::collections::HashSet<(String, u32)> {
    let mut out = std::collections::HashSet::new();
    let mut file: Option<String> = None;
    for line in diff.lines() {
        if let Some(rest) = line.strip_prefix("+++ ") {
            file = rest
                .trim_end_matches('\t')
                .strip_prefix("b/")
                .map(str::to_string);
        } else if let (Some(f), Some(h)) = (&file, line.strip_prefix("@@ ")) {
            let Some(new) = h.split_whitespace().find(|t| t.starts_with('+')) else {
                continue;
            };
            let mut it = new[1..].splitn(2, ',');
            let start: u32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let count: u32 = it.next().map_or(1, |c| c.parse().unwrap_or(0));
            for l in start..start.saturating_add(count) {
                out.insert((f.clone(), l));
            }
        }
    }
    out
}

/// Trailers of commit `rev` (`Change-Type: security`), as (key, value) in
/// message order, with folded lines unfolded. Lines without `:` are
/// skipped; keys and values are trimmed, case kept.
///
/// Command: `git log -1 --format=%(trailers:unfold,only) REV --` (git ≥ 2.22;
/// trailer syntax as `git interpret-trailers` reads it).
pub fn commit_trailers(repo_root: &Path, rev: &str) -> Result<Vec<(String, String)>, String> {
    check_ref("revision", rev)?;
    let out = git(
        repo_root,
        &["log", "-1", "--format=%(trailers:unfold,only)", rev, "--"],
    )?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            let (k, v) = (k.trim(), v.trim());
            (!k.is_empty()).then(|| (k.to_string(), v.to_string()))
        })
        .collect())
}

/// The checked-out branch (`hotfix/login`), or `None` on a detached HEAD
/// (as in most CI checkouts: use the CI's variables there, e.g.
/// `GITHUB_HEAD_REF`), outside a repository, or when git fails.
///
/// Command: `git symbolic-ref --quiet --short HEAD`.
pub fn current_branch(repo_root: &Path) -> Option<String> {
    let out = git(repo_root, &["symbolic-ref", "--quiet", "--short", "HEAD"]).ok()?;
    let b = String::from_utf8_lossy(&out).trim().to_string();
    (!b.is_empty()).then_some(b)
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
