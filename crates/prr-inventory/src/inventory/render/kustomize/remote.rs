//! What prr does not render offline: remote bases, URLs kustomize would
//! fetch, and references outside the repository.

use crate::yaml::{Node, Pos};

/// Fields whose values (or whose items' `path`) kustomize loads as files,
/// and may fetch when they are URLs.
const LOADED: &[(&str, Option<&str>)] = &[
    ("patches", Some("path")),
    ("patchesJson6902", Some("path")),
    ("patchesStrategicMerge", None),
    ("replacements", Some("path")),
    ("transformers", None),
    ("generators", None),
    ("validators", None),
    ("configurations", None),
    ("crds", None),
];

/// A URL with any `user:password@` part replaced by `…@`, for messages.
pub(super) fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find('/').unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://…@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// The first URL-like value among the files a kustomization loads
/// ([`LOADED`], generator `files`/`envs`/`env`, `openapi.path`).
pub(super) fn fetched_url(doc: &Node) -> Option<(String, Pos)> {
    let url = |n: &Node| -> Option<(String, Pos)> {
        let s = n.as_str()?;
        let file = s.rsplit_once('=').map_or(s, |(_, f)| f);
        is_remote(file).then(|| (without_userinfo(file), n.pos))
    };
    for (key, field) in LOADED {
        for item in doc.get(key).map(Node::items).unwrap_or_default() {
            let n = match field {
                Some(f) => item.get(f),
                None => Some(item),
            };
            if let Some(hit) = n.and_then(url) {
                return Some(hit);
            }
        }
    }
    for key in ["configMapGenerator", "secretGenerator"] {
        for g in doc.get(key).map(Node::items).unwrap_or_default() {
            for field in ["files", "envs"] {
                for n in g.get(field).map(Node::items).unwrap_or_default() {
                    if let Some(hit) = url(n) {
                        return Some(hit);
                    }
                }
            }
            if let Some(hit) = g.get("env").and_then(url) {
                return Some(hit);
            }
        }
    }
    doc.path("openapi.path").and_then(url)
}

/// Whether a `resources` entry is remote (kustomize would fetch it).
pub(super) fn is_remote(r: &str) -> bool {
    r.contains("://")
        || r.starts_with("git@")
        || r.starts_with("github.com/")
        || r.starts_with("gitlab.com/")
        || r.starts_with("bitbucket.org/")
        || r.contains("?ref=")
        || r.contains(".git//")
}

#[cfg(test)]
mod tests {

    #[test]
    fn urls_in_messages_lose_their_credentials() {
        assert_eq!(
            super::without_userinfo("https://user:ghp_x@github.com/a/b//k8s?ref=v1"),
            "https://…@github.com/a/b//k8s?ref=v1"
        );
        assert_eq!(
            super::without_userinfo("https://github.com/a/b?ref=v1@x"),
            "https://github.com/a/b?ref=v1@x"
        );
        assert_eq!(super::without_userinfo("github.com/a/b"), "github.com/a/b");
    }

    use super::*;

    #[test]
    fn remote_references() {
        assert!(is_remote("https://github.com/x/y//base?ref=v1"));
        assert!(is_remote("github.com/x/y/base?ref=v1"));
        assert!(is_remote("git@github.com:x/y.git"));
        assert!(!is_remote("../base"));
        assert!(!is_remote("deployment.yaml"));
    }
}

#[cfg(test)]
mod fetch_tests {
    use super::fetched_url;

    fn doc(text: &str) -> crate::yaml::Node {
        crate::yaml::parse_documents(text).expect("yaml").remove(0)
    }

    /// kustomize fetches a URL in a patch, a generator source or a
    /// replacement, also from localhost (no proxy stops that): such an
    /// overlay is refused; local files and URLs in annotations are not.
    #[test]
    fn urls_kustomize_would_load_are_found() {
        for text in [
            "patches:\n- path: http://127.0.0.1:18777/p.yaml\n",
            "configMapGenerator:\n- name: x\n  files: [x=http://127.0.0.1:18777/p.yaml]\n",
            "replacements:\n- path: https://user:secret@example.com/r.yaml\n",
            "transformers: [https://example.com/t.yaml]\n",
        ] {
            let (url, _) = fetched_url(&doc(text)).expect(text);
            assert!(!url.contains("secret"), "{url}");
        }
        for text in [
            "patches:\n- path: patch.yaml\n",
            "commonAnnotations:\n  docs: https://example.com/runbook\n",
            "configMapGenerator:\n- name: x\n  files: [x=local.txt]\n",
        ] {
            assert!(fetched_url(&doc(text)).is_none(), "{text}");
        }
    }
}
