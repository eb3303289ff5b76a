//! What the gate checks in a git checkout: the files git tracks plus the
//! untracked files git does not ignore, so an ignore file (`.gitignore`,
//! `.ignore`, `.git/info/exclude`, a global excludes file) never hides a
//! committed file.

use super::runner::Checkout;
use std::collections::HashSet;
use std::path::Path;

/// The files of a folder under check that the gate reads in a git checkout:
/// one `git ls-files -z --cached --others --exclude-standard` (hardened
/// runner), paths relative to the folder, `/` separators.
///
/// An entry that is a folder on disk (a submodule, or an untracked nested
/// repository, listed as `dir/`) keeps everything below it.
#[derive(Debug, Default)]
pub struct Tracked {
    /// Listed paths.
    files: HashSet<String>,
    /// Every proper ancestor folder of a listed path.
    dirs: HashSet<String>,
}

impl Tracked {
    /// Builds the set from `ls-files -z` output.
    fn from_nul(out: &[u8]) -> Tracked {
        let mut t = Tracked::default();
        for p in out.split(|b| *b == 0).filter(|p| !p.is_empty()) {
            let p = String::from_utf8_lossy(p);
            let p = p.trim_end_matches('/');
            let mut at = 0;
            while let Some(i) = p[at..].find('/') {
                t.dirs.insert(p[..at + i].to_string());
                at += i + 1;
            }
            t.files.insert(p.to_string());
        }
        t
    }

    /// Whether a listed entry is `rel` or one of its ancestor folders.
    fn under_listed(&self, rel: &str) -> bool {
        let mut at = rel.len();
        loop {
            if self.files.contains(&rel[..at]) {
                return true;
            }
            match rel[..at].rfind('/') {
                Some(i) => at = i,
                None => return false,
            }
        }
    }

    /// Whether the file (or symbolic link) at `rel` is checked.
    pub fn keeps_file(&self, rel: &str) -> bool {
        self.under_listed(rel)
    }

    /// Whether the walk enters the folder at `rel` (it holds a listed path,
    /// or is or lies under a listed folder).
    pub fn keeps_dir(&self, rel: &str) -> bool {
        rel.is_empty() || self.dirs.contains(rel) || self.under_listed(rel)
    }
}

/// The [`Tracked`] set of the folder `root`, or `None` when `root` is not
/// inside the git checkout prr was started in (no checkout, git missing, or
/// a folder elsewhere), or when git lists nothing under it (a folder the
/// checkout ignores as a whole, such as rendered manifests in `build/`: no
/// committed file there to hide): then ignore files decide, as outside git.
///
/// Errors: the checkout was found but `git ls-files` failed.
pub fn tracked(root: &Path) -> Result<Option<Tracked>, String> {
    let Ok(co) = Checkout::open(root) else {
        return Ok(None);
    };
    let out = co.run(&[
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ])?;
    let t = Tracked::from_nul(&out);
    Ok((!t.files.is_empty()).then_some(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_folders_and_nested_repositories() {
        let t = Tracked::from_nul(b"a/b/c.yaml\0top.env\0sub\0nested/\0");
        assert!(t.keeps_file("a/b/c.yaml") && t.keeps_file("top.env"));
        assert!(!t.keeps_file("a/b/other.yaml") && !t.keeps_file("a/b"));
        assert!(t.keeps_dir("") && t.keeps_dir("a") && t.keeps_dir("a/b"));
        assert!(!t.keeps_dir("target") && !t.keeps_dir("a/c"));
        // A submodule (`sub`) and an untracked repository (`nested/`).
        assert!(t.keeps_dir("sub") && t.keeps_dir("sub/x") && t.keeps_file("sub/x/y.yaml"));
        assert!(t.keeps_dir("nested") && t.keeps_file("nested/z.env"));
        assert!(!t.keeps_file("subx") && !t.keeps_file("nestedz/a"));
    }
}
