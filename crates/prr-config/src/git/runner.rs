//! The hardened git runner: every git command prr runs is started by one
//! function, [`git`] (the options and environment below), and, once the
//! repository is resolved, through [`Checkout::run`].
//!
//! The repository is never discovered from the folder under check (a pull
//! request can commit a folder that looks like a bare repository, with a
//! `config` naming a command). It is resolved once from a trusted root, the
//! folder prr was started in (the process's current directory), with
//! `git rev-parse --show-toplevel --absolute-git-dir` under
//! `safe.bareRepository=explicit`; every later command gets that repository
//! as `--git-dir`/`--work-tree`, so no discovery happens at all. The folder
//! under check must lie inside that top level (else an error, exit 2); git
//! runs with it as the current directory only so that relative pathspecs,
//! `--relative` and `REV:./PATH` mean "relative to the folder under check".
//!
//! Every command also gets: `--no-pager`; `-c core.fsmonitor=` (no
//! file-system monitor command), `-c core.hooksPath=/dev/null` (no hooks),
//! `-c safe.bareRepository=explicit`, `-c log.showSignature=false` (no gpg,
//! nothing extra in `git log` output), `-c color.ui=false`,
//! `-c color.diff=false`, `-c core.quotePath=true`, `-c diff.noprefix=false`,
//! `-c diff.mnemonicPrefix=false`, `-c diff.relative=false` (the user's diff
//! settings cannot change what prr parses; diff commands add `--no-ext-diff
//! --no-textconv --text --no-color --src-prefix=a/ --dst-prefix=b/`
//! themselves). Environment: `GIT_DIR`, `GIT_WORK_TREE`, `GIT_COMMON_DIR`,
//! `GIT_PREFIX`, `GIT_DISCOVERY_ACROSS_FILESYSTEM`, `GIT_EXTERNAL_DIFF`,
//! `GIT_DIFF_OPTS`, `GIT_PAGER` and `GIT_CONFIG` are removed;
//! `GIT_CEILING_DIRECTORIES` is the parent of the top level,
//! `GIT_OPTIONAL_LOCKS=0` (read-only: no index refresh is written) and
//! `GIT_TERMINAL_PROMPT=0`. `GIT_INDEX_FILE` is kept (made absolute): a
//! pre-commit hook of `git commit -a` stages into a temporary index that
//! `--staged` must read.
//!
//! The user's system and global git configuration are still read (not
//! `GIT_CONFIG_NOSYSTEM`/`GIT_CONFIG_GLOBAL=/dev/null`): CI containers rely
//! on `safe.directory` there, and that configuration belongs to whoever
//! runs prr, not to the change under check; the settings above override
//! the parts of it that would run a command or change the output prr
//! parses. Filters (`filter.<driver>.clean`) named by a committed
//! `.gitattributes` still run when git compares working-tree files, but only
//! drivers that trusted configuration defines (such as Git LFS).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// Configuration passed with `-c` to every git command (see the module docs).
const HARDENING: &[&str] = &[
    "-c",
    "safe.bareRepository=explicit",
    "-c",
    "core.fsmonitor=",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "log.showSignature=false",
    "-c",
    "color.ui=false",
    "-c",
    "color.diff=false",
    "-c",
    "core.quotePath=true",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicPrefix=false",
    "-c",
    "diff.relative=false",
];

/// Environment variables removed from every git command (see the module docs).
const REMOVED_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
    "GIT_PAGER",
    "GIT_CONFIG",
];

/// A folder under check inside a trusted git checkout: where git may run.
#[derive(Clone, Debug)]
pub struct Checkout {
    /// The checkout's top level (canonical).
    top: PathBuf,
    /// Its git directory (absolute; `.git/worktrees/NAME` in a linked worktree).
    git_dir: PathBuf,
    /// The folder under check (canonical, inside `top`).
    dir: PathBuf,
    /// The folder under check as given, for messages.
    shown: PathBuf,
}

/// The top level and git directory of the repository holding `trusted`.
type Resolved = Result<(PathBuf, PathBuf), String>;

/// [`resolve`] of the current directory, once per process (and directory).
fn resolve_cwd() -> Resolved {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Resolved>>> = OnceLock::new();
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory ({e})"))?;
    let cache = CACHE.get_or_init(Default::default);
    if let Ok(c) = cache.lock()
        && let Some(r) = c.get(&cwd)
    {
        return r.clone();
    }
    let r = resolve(&cwd);
    if let Ok(mut c) = cache.lock() {
        c.insert(cwd, r.clone());
    }
    r
}

/// Finds the repository holding `trusted` (`git rev-parse --show-toplevel
/// --absolute-git-dir` run there, hardened: a bare repository is never
/// picked up by discovery).
fn resolve(trusted: &Path) -> Resolved {
    let mut cmd = git(trusted, None);
    cmd.args(["rev-parse", "--show-toplevel", "--absolute-git-dir"]);
    let out = output(cmd, "rev-parse --show-toplevel", trusted).map_err(|e| {
        format!(
            "{} is not inside a git repository ({e}); run prr from inside the git checkout that holds the folder under check",
            trusted.display()
        )
    })?;
    let text = String::from_utf8_lossy(&out);
    let mut lines = text.lines();
    let (Some(top), Some(git_dir)) = (lines.next(), lines.next()) else {
        return Err(format!(
            "{} is not inside a git checkout with a working tree",
            trusted.display()
        ));
    };
    let top = Path::new(top)
        .canonicalize()
        .map_err(|e| format!("cannot resolve the git top level {top} ({e})"))?;
    Ok((top, PathBuf::from(git_dir)))
}

/// The one way prr starts git: `git --no-pager [--git-dir=… --work-tree=…]
/// -c …` ([`HARDENING`]) in `cwd`, the variables of [`REMOVED_ENV`]
/// removed, `GIT_OPTIONAL_LOCKS=0`, `GIT_TERMINAL_PROMPT=0` and
/// `GIT_INDEX_FILE` made absolute (relative to the process's directory, as
/// git would read it); the caller adds the command's arguments. With
/// `repo` (its git directory and top level, once [`resolve`] has found
/// them) the repository is named, so git discovers none, and
/// `GIT_CEILING_DIRECTORIES` is the top level's parent; without it (only
/// to resolve the repository of a trusted folder) git discovers it from
/// `cwd` under `safe.bareRepository=explicit`.
fn git(cwd: &Path, repo: Option<(&Path, &Path)>) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("--no-pager");
    if let Some((git_dir, top)) = repo {
        let mut dir_arg = std::ffi::OsString::from("--git-dir=");
        dir_arg.push(git_dir);
        let mut tree_arg = std::ffi::OsString::from("--work-tree=");
        tree_arg.push(top);
        cmd.arg(dir_arg)
            .arg(tree_arg)
            .env("GIT_CEILING_DIRECTORIES", top.parent().unwrap_or(top));
    }
    cmd.args(HARDENING).current_dir(cwd);
    for v in REMOVED_ENV {
        cmd.env_remove(v);
    }
    cmd.env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_TERMINAL_PROMPT", "0");
    if let Some(index) = std::env::var_os("GIT_INDEX_FILE") {
        let p = PathBuf::from(&index);
        if p.is_relative()
            && let Ok(here) = std::env::current_dir()
        {
            cmd.env("GIT_INDEX_FILE", here.join(p));
        }
    }
    cmd
}

/// Runs `cmd`; stdout, or a message naming the command, the folder and
/// git's own error (first lines of stderr).
fn output(mut cmd: Command, what: &str, dir: &Path) -> Result<Vec<u8>, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run git ({e}); is git installed and on PATH?"))?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let err: Vec<&str> = err
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .collect();
    Err(format!(
        "`git {what}` failed in {}: {}",
        dir.display(),
        if err.is_empty() {
            format!("exit status {}", out.status)
        } else {
            err.join(" / ")
        }
    ))
}

impl Checkout {
    /// The folder `checked` (relative to the current directory, or absolute)
    /// inside the git checkout prr was started in (the current directory's
    /// top level).
    ///
    /// Errors: the current directory is not inside a git checkout, git is
    /// missing, `checked` does not exist, or it lies outside that checkout
    /// (or inside its `.git`).
    pub fn open(checked: &Path) -> Result<Checkout, String> {
        Self::with(resolve_cwd()?, checked)
    }

    /// As [`Checkout::open`], with `trusted` in place of the current
    /// directory.
    pub fn open_from(trusted: &Path, checked: &Path) -> Result<Checkout, String> {
        Self::with(resolve(trusted)?, checked)
    }

    fn with((top, git_dir): (PathBuf, PathBuf), checked: &Path) -> Result<Checkout, String> {
        let dir = checked
            .canonicalize()
            .map_err(|e| format!("cannot resolve {} ({e})", checked.display()))?;
        let git_dir_canon = git_dir.canonicalize().unwrap_or_else(|_| git_dir.clone());
        if !dir.starts_with(&top) || dir.starts_with(&git_dir_canon) {
            return Err(format!(
                "{} is outside the git checkout prr was started in ({}): run prr from inside the checkout that holds it (git never runs in a folder of the change under check)",
                checked.display(),
                top.display()
            ));
        }
        Ok(Checkout {
            top,
            git_dir,
            dir,
            shown: checked.to_path_buf(),
        })
    }

    /// The checkout's top level (canonical).
    pub fn top(&self) -> &Path {
        &self.top
    }

    /// The folder under check (canonical).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder under check relative to the top level, `/` separators,
    /// ending in `/` (empty at the top level): git's `--show-prefix`.
    pub fn prefix(&self) -> String {
        let rel = crate::fsio::rel_path(&self.dir, &self.top);
        if rel.is_empty() { rel } else { rel + "/" }
    }

    /// Runs `git ARGS…` hardened (module docs) in the folder under check
    /// and returns stdout, or a message naming the command, the folder and
    /// git's own error (first lines of stderr).
    pub fn run(&self, args: &[&str]) -> Result<Vec<u8>, String> {
        let mut cmd = git(&self.dir, Some((&self.git_dir, &self.top)));
        cmd.args(args);
        output(cmd, &args.join(" "), &self.shown)
    }
}

/// Runs `git ARGS…` hardened for the folder `dir` inside the checkout prr
/// was started in ([`Checkout::open`], then [`Checkout::run`]).
pub fn run_in(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    Checkout::open(dir)?.run(args)
}
