//! Links to this repository's own hosted files.
//!
//! Alerts often link their runbook by its URL on the forge rather than by a
//! relative path: `https://github.com/acme/shop/blob/main/runbooks/db.md#impact`.
//! Such a link names a file of the checkout, so it is checked like a
//! relative link, anchors included. The repository's URLs come from the
//! trusted checkout's `origin` remote (`git remote get-url origin`, never
//! from a file of the change); explicit prefixes still go through
//! `base-urls` of `alerts/runbook-resolves`.
//!
//! Recognised forms, for a remote at `HOST/OWNER/REPO` (HTTPS, `ssh://` or
//! scp-like `git@HOST:OWNER/REPO.git`; `.git` and credentials dropped):
//!
//! - GitHub: `https://HOST/OWNER/REPO/{blob,tree,raw,blame,edit}/REF/PATH`
//!   and `https://raw.githubusercontent.com/OWNER/REPO/REF/PATH`;
//! - GitLab: the same with `/-/` before the view (`…/REPO/-/blob/REF/PATH`),
//!   subgroups included in `OWNER`.
//!
//! `REF` is one path segment unless a longer ref (`release/1.2`) is the only
//! reading under which the path exists in the checkout. Host, owner and
//! repository compare case-insensitively (GitHub's and GitLab's do).

use std::borrow::Cow;

/// The hosted URL forms of the repository under check.
#[derive(Clone, Debug, PartialEq)]
pub struct HostedRepo {
    /// `host/owner/repo`, lowercase, no scheme, no trailing `/`.
    repo: String,
    /// The folder under check relative to the repository's top level, with
    /// a trailing `/` (empty at the top level): hosted paths are relative
    /// to the top level, inventory paths to the folder under check.
    prefix: String,
}

const VIEWS: [&str; 5] = ["blob/", "tree/", "raw/", "blame/", "edit/"];

impl HostedRepo {
    /// Reads a remote URL (`https://github.com/acme/shop.git`,
    /// `git@github.com:acme/shop.git`, `ssh://git@host:22/group/sub/repo`).
    /// `prefix` is the folder under check relative to the top level (git's
    /// `--show-prefix`: `""` or `deploy/`). `None` for local paths and
    /// `file:` remotes, which have no hosted form.
    pub fn from_remote(url: &str, prefix: &str) -> Option<HostedRepo> {
        let url = url.trim();
        let (host, path) = if let Some((_, rest)) = url.split_once("://") {
            if url.to_ascii_lowercase().starts_with("file:") {
                return None;
            }
            let (authority, path) = rest.split_once('/')?;
            let host = authority.rsplit('@').next()?;
            let host = host.split(':').next()?;
            (host.to_string(), path.to_string())
        } else {
            // scp-like: [user@]host:path (a `/` before the `:` is a local path).
            let (before, path) = url.split_once(':')?;
            if before.contains('/') || before.is_empty() {
                return None;
            }
            (before.rsplit('@').next()?.to_string(), path.to_string())
        };
        let path = path.trim_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        if host.is_empty() || !path.contains('/') {
            return None;
        }
        let prefix = prefix.trim_start_matches('/');
        Some(HostedRepo {
            repo: format!("{host}/{path}").to_ascii_lowercase(),
            prefix: if prefix.is_empty() || prefix.ends_with('/') {
                prefix.to_string()
            } else {
                format!("{prefix}/")
            },
        })
    }

    /// Rewrites a link to one of this repository's hosted files as a
    /// root-relative link of the folder under check (`/runbooks/db.md#impact`),
    /// which [`super::links::resolve_link`] resolves like any other; other
    /// links come back unchanged. `exists(path)` tells whether a path
    /// (file or folder, relative to the folder under check) is in the
    /// inventory; it picks the ref length. A hosted file outside the folder
    /// under check comes back unchanged (an external URL: not checked).
    pub fn rewrite<'l>(&self, link: &'l str, exists: impl Fn(&str) -> bool) -> Cow<'l, str> {
        let trimmed = link.trim();
        let Some(after_scheme) = trimmed
            .split_once("://")
            .filter(|(s, _)| s.eq_ignore_ascii_case("https") || s.eq_ignore_ascii_case("http"))
            .map(|(_, r)| r)
        else {
            return Cow::Borrowed(link);
        };
        let (rest, anchor) = match after_scheme.split_once('#') {
            Some((r, a)) => (r, Some(a)),
            None => (after_scheme, None),
        };
        let rest = rest.split('?').next().unwrap_or(rest);
        let Some(tail) = self.after_repo(rest) else {
            return Cow::Borrowed(link);
        };
        let segments: Vec<&str> = tail.split('/').collect();
        // Longest plausible ref first would prefer `release/1.2`; one
        // segment is the common case and the reading used when nothing
        // exists (so a missing file is reported under the usual ref).
        let mut chosen: Option<String> = None;
        for ref_len in 1..=segments.len().saturating_sub(1).clamp(1, 3) {
            let path = segments[ref_len.min(segments.len())..].join("/");
            let path = path.trim_end_matches('/').to_string();
            let Some(local) = self.local(&path) else {
                continue;
            };
            if ref_len == 1 {
                chosen = Some(local.clone());
            }
            if exists(&local) {
                chosen = Some(local);
                break;
            }
        }
        let Some(local) = chosen else {
            return Cow::Borrowed(link);
        };
        Cow::Owned(match anchor {
            Some(a) => format!("/{local}#{a}"),
            None => format!("/{local}"),
        })
    }

    /// The part after `REPO/{view}/` (or GitHub's raw host form), i.e.
    /// `REF/PATH`, when `host_and_path` is one of this repository's file
    /// URLs.
    fn after_repo<'u>(&self, host_and_path: &'u str) -> Option<&'u str> {
        let lower = host_and_path.to_ascii_lowercase();
        let repo_slash = format!("{}/", self.repo);
        if let Some(r) = lower.strip_prefix(&repo_slash) {
            let r_start = host_and_path.len() - r.len();
            let mut r_orig = &host_and_path[r_start..];
            let mut r_low = r;
            if let Some(x) = r_low.strip_prefix("-/") {
                r_low = x;
                r_orig = &r_orig[2..];
            }
            let view = VIEWS.iter().find(|v| r_low.starts_with(*v))?;
            return Some(&r_orig[view.len()..]);
        }
        // raw.githubusercontent.com/OWNER/REPO/REF/PATH for github.com remotes.
        let owner_repo = self.repo.strip_prefix("github.com/")?;
        let raw = format!("raw.githubusercontent.com/{owner_repo}/");
        lower
            .strip_prefix(&raw)
            .map(|r| &host_and_path[host_and_path.len() - r.len()..])
    }

    /// A top-level path as a path of the folder under check, or `None`
    /// when it lies outside that folder.
    fn local(&self, path: &str) -> Option<String> {
        if self.prefix.is_empty() {
            return Some(path.to_string());
        }
        if format!("{path}/") == self.prefix {
            return Some(String::new());
        }
        path.strip_prefix(&self.prefix).map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gh() -> HostedRepo {
        HostedRepo::from_remote("git@github.com:Acme/Shop.git", "").expect("remote")
    }

    #[test]
    fn remotes_in_every_usual_form() {
        for url in [
            "https://github.com/acme/shop.git",
            "https://x-access-token:t0ken@github.com/acme/shop",
            "ssh://git@github.com:22/acme/shop.git",
            "git@github.com:acme/shop.git",
        ] {
            assert_eq!(
                HostedRepo::from_remote(url, "").map(|h| h.repo),
                Some("github.com/acme/shop".to_string()),
                "{url}"
            );
        }
        assert!(HostedRepo::from_remote("/srv/git/shop.git", "").is_none());
        assert!(HostedRepo::from_remote("file:///srv/git/shop.git", "").is_none());
        assert!(HostedRepo::from_remote("../shop", "").is_none());
    }

    #[test]
    fn github_blob_tree_and_raw_links_become_root_relative() {
        let h = gh();
        let none = |_: &str| false;
        assert_eq!(
            h.rewrite(
                "https://github.com/acme/shop/blob/main/runbooks/db.md#impact",
                none
            ),
            "/runbooks/db.md#impact"
        );
        assert_eq!(
            h.rewrite("https://GitHub.com/ACME/shop/tree/main/runbooks", none),
            "/runbooks"
        );
        assert_eq!(
            h.rewrite(
                "https://raw.githubusercontent.com/acme/shop/v1.2.0/runbooks/db.md",
                none
            ),
            "/runbooks/db.md"
        );
        // Another repository, another host, a non-file view: unchanged.
        for other in [
            "https://github.com/acme/shopfront/blob/main/runbooks/db.md",
            "https://github.com/acme/shop/issues/12",
            "https://wiki.acme.dev/runbooks/db",
        ] {
            assert_eq!(h.rewrite(other, none), other);
        }
    }

    #[test]
    fn a_ref_with_slashes_is_read_when_only_it_finds_the_file() {
        let h = gh();
        let exists = |p: &str| p == "runbooks/db.md";
        assert_eq!(
            h.rewrite(
                "https://github.com/acme/shop/blob/release/1.2/runbooks/db.md",
                exists
            ),
            "/runbooks/db.md"
        );
        // Nothing exists: the one-segment reading, so the finding names it.
        assert_eq!(
            h.rewrite(
                "https://github.com/acme/shop/blob/release/1.2/runbooks/db.md",
                |_| false
            ),
            "/1.2/runbooks/db.md"
        );
    }

    #[test]
    fn gitlab_subgroups_and_the_folder_under_check() {
        let h = HostedRepo::from_remote("https://gitlab.com/platform/sre/shop.git", "deploy/")
            .expect("remote");
        assert_eq!(
            h.rewrite(
                "https://gitlab.com/platform/sre/shop/-/blob/main/deploy/rb/db.md#x",
                |_| false
            ),
            "/rb/db.md#x"
        );
        let outside = "https://gitlab.com/platform/sre/shop/-/blob/main/docs/db.md";
        assert_eq!(h.rewrite(outside, |_| false), outside);
    }
}
