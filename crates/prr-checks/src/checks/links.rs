//! Runbook links: where an alert's runbook annotation points in the
//! repository. Shared by `alerts/runbook-resolves` and the `runbook/…`
//! checks, and by [`super::Context::own_link`].

use super::Context;
use std::collections::BTreeMap;

/// Where a runbook link points, after resolution against the repository.
#[derive(Clone, Debug, PartialEq)]
pub enum Link {
    /// A repository path (normalised, no leading `/`) and the `#anchor`, if any.
    Repo {
        /// Repository-relative path.
        path: String,
        /// The fragment without `#`.
        anchor: Option<String>,
    },
    /// A templated link (`…/runbooks/{{ $labels.x }}.md`): only the folder
    /// before the first `{{` is known (repository-relative, may be empty = root).
    RepoFolder(String),
    /// The link climbs above the repository root with `..` (also written
    /// `%2e%2e`, or with `\` or `%2F` as separators).
    Escapes,
    /// A `file:` URL: a path on someone's machine, never a file of the
    /// repository (and never read).
    FileUrl,
    /// An external URL not under a configured base URL, or a templated link
    /// whose known part says nothing: not checked.
    External,
}

/// Resolves a runbook link written in the rule file at `rule_path`.
///
/// Relative paths are relative to the rule file's folder; a leading `/`
/// makes them repository-root-relative. URLs (`scheme://…`, `//host/…`) are
/// mapped through `base_urls` (URL prefix → repository folder, longest
/// prefix wins); `file:` URLs are [`Link::FileUrl`], other URLs
/// [`Link::External`]. Resolution is textual: the result is a path inside
/// the repository or a verdict, and nothing outside the repository root is
/// ever read or stat'ed (absolute paths are root-relative, `..` above the
/// root is [`Link::Escapes`], symbolic links are not in the inventory).
pub fn resolve_link(rule_path: &str, link: &str, base_urls: &BTreeMap<String, String>) -> Link {
    let link = link.trim();
    // A template or variable (`{{ $labels.x }}`, `[[ .RunbookURL ]]`,
    // `${VAR}`) is an unresolved value: only the fixed folder before it
    // can be checked.
    if let Some(i) = crate::formats::template::first_placeholder(link) {
        let known = &link[..i];
        if known.contains(['#', '?']) {
            return Link::External;
        }
        let Some(slash) = known.rfind('/') else {
            return Link::External;
        };
        return match resolve_link(rule_path, &known[..=slash], base_urls) {
            Link::Repo { path, .. } => Link::RepoFolder(path),
            other => other,
        };
    }
    let (rest, anchor) = match link.split_once('#') {
        Some((r, a)) => (r, Some(a.to_string()).filter(|a| !a.is_empty())),
        None => (link, None),
    };
    let rest = rest.split('?').next().unwrap_or(rest);
    let is_file_url = rest
        .get(..5)
        .is_some_and(|s| s.eq_ignore_ascii_case("file:"));
    let is_url = rest.contains("://")
        || rest.starts_with("//")
        || rest.starts_with("mailto:")
        || is_file_url;
    let (base, rel): (String, String) = if is_url {
        let Some((prefix, folder)) = base_urls
            .iter()
            .filter(|(prefix, _)| {
                // Whole path segments only: `…/main` must not match `…/mainline/x`.
                rest.strip_prefix(prefix.as_str())
                    .is_some_and(|r| prefix.ends_with('/') || r.is_empty() || r.starts_with('/'))
            })
            .max_by_key(|(prefix, _)| prefix.len())
        else {
            return if is_file_url {
                Link::FileUrl
            } else {
                Link::External
            };
        };
        (folder.clone(), rest[prefix.len()..].to_string())
    } else if let Some(abs) = rest.strip_prefix('/') {
        (String::new(), abs.to_string())
    } else {
        let dir = rule_path.rsplit_once('/').map_or("", |(d, _)| d);
        (dir.to_string(), rest.to_string())
    };
    // `base` is a repository folder; the link's own segments are decoded
    // first, so `%2e%2e` climbs like `..`, and `%2F` and `\` separate.
    let segments = base.split('/').map(str::to_string).chain(
        rel.split('/')
            .map(percent_decode)
            .flat_map(|s| s.split(['/', '\\']).map(str::to_string).collect::<Vec<_>>()),
    );
    let mut parts: Vec<String> = Vec::new();
    for seg in segments {
        match seg.as_str() {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Link::Escapes;
                }
            }
            _ => parts.push(seg),
        }
    }
    Link::Repo {
        path: parts.join("/"),
        anchor,
    }
}

/// Decodes `%XX` escapes (UTF-8); malformed escapes are kept as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(h) = b.get(i + 1..i + 3)
            && let Ok(hex) = std::str::from_utf8(h)
            && let Ok(v) = u8::from_str_radix(hex, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether some file of the inventory lives under folder `dir` (`""` = root).
pub(crate) fn folder_exists(ctx: &Context, dir: &str) -> bool {
    if dir.is_empty() {
        return true;
    }
    let prefix = format!("{}/", dir.trim_end_matches('/'));
    let files = &ctx.inventory.files;
    let i = files.partition_point(|f| f.path.as_str() < prefix.as_str());
    files.get(i).is_some_and(|f| f.path.starts_with(&prefix))
}

/// The file a repository link names: the file itself, or for a folder its
/// `README.md` (what GitHub shows), or `None` when neither exists. A folder
/// without README resolves to the folder path itself.
pub(crate) fn target_file(ctx: &Context, path: &str) -> Option<String> {
    if !path.is_empty() && ctx.inventory.file(path).is_some() {
        return Some(path.to_string());
    }
    if folder_exists(ctx, path) {
        let readme = if path.is_empty() {
            "README.md".to_string()
        } else {
            format!("{path}/README.md")
        };
        return Some(if ctx.inventory.file(&readme).is_some() {
            readme
        } else {
            path.to_string()
        });
    }
    None
}

pub(crate) fn is_markdown(path: &str) -> bool {
    let l = path.to_ascii_lowercase();
    l.ends_with(".md") || l.ends_with(".markdown")
}
