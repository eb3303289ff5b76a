//! The GitHub Actions environment (docs/design.md §6, §8): the variables the
//! runner sets, the `pull_request` event payload at `GITHUB_EVENT_PATH`,
//! step outputs (`$GITHUB_OUTPUT`) and the job summary
//! (`$GITHUB_STEP_SUMMARY`).
//!
//! Sources: GitHub docs "Variables" (default environment variables),
//! "Workflow commands" (setting an output parameter, multiline strings,
//! adding a job summary) and "Webhook events and payloads" (`pull_request`).

use anyhow::Context as _;
use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// GitHub's limit on one step's summary file: 1 MiB (1,048,576 bytes).
pub const STEP_SUMMARY_MAX_BYTES: u64 = 1024 * 1024;

/// The default REST API base URL (github.com); GitHub Enterprise Server
/// sets `GITHUB_API_URL` to its own.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// What the Actions runner tells a step through its environment. Unset and
/// empty variables are `None`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GithubEnv {
    /// `GITHUB_ACTIONS=true`: running inside GitHub Actions.
    pub actions: bool,
    /// `GITHUB_EVENT_NAME`: `pull_request`, `pull_request_target`, `push`, ….
    pub event_name: Option<String>,
    /// `GITHUB_EVENT_PATH`: the webhook payload of the triggering event (JSON).
    pub event_path: Option<PathBuf>,
    /// `GITHUB_OUTPUT`: the step-outputs file.
    pub output: Option<PathBuf>,
    /// `GITHUB_STEP_SUMMARY`: the job-summary file of this step.
    pub step_summary: Option<PathBuf>,
    /// `GITHUB_HEAD_REF`: the PR's head branch (PR events only).
    pub head_ref: Option<String>,
    /// `GITHUB_BASE_REF`: the PR's base branch (PR events only).
    pub base_ref: Option<String>,
    /// `GITHUB_SHA`: the commit the workflow runs on. On `pull_request`
    /// this is the merge commit, not the PR head: use
    /// [`PullRequest::head_sha`] for check runs.
    pub sha: Option<String>,
    /// `GITHUB_REPOSITORY`: `owner/name`.
    pub repository: Option<String>,
    /// `GITHUB_API_URL`, else [`DEFAULT_API_URL`]; no trailing `/`.
    pub api_url: String,
}

/// A pull request as described by a `pull_request` / `pull_request_target`
/// event payload.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PullRequest {
    /// `number`.
    pub number: u64,
    /// `action`: `opened`, `synchronize`, `labeled`, ….
    pub action: Option<String>,
    /// `pull_request.base.sha`.
    pub base_sha: String,
    /// `pull_request.head.sha`: the commit to attach check runs to.
    pub head_sha: String,
    /// `pull_request.base.ref` (branch name).
    pub base_ref: Option<String>,
    /// `pull_request.head.ref` (branch name).
    pub head_ref: Option<String>,
    /// `pull_request.labels[].name` at the time of the event (labels are
    /// read live from the API for decisions, docs/design.md §8).
    pub labels: Vec<String>,
    /// `pull_request.head.repo.full_name`; `None` when the head repository
    /// was deleted (`repo: null`).
    pub head_repo: Option<String>,
    /// `pull_request.base.repo.full_name`.
    pub base_repo: Option<String>,
}

impl PullRequest {
    /// Whether the PR comes from another repository (a fork), so its
    /// `GITHUB_TOKEN` is read-only. A deleted head repository counts as a
    /// fork (the safe assumption).
    pub fn is_fork(&self) -> bool {
        match (&self.head_repo, &self.base_repo) {
            (Some(h), Some(b)) => !h.eq_ignore_ascii_case(b),
            _ => true,
        }
    }
}

/// Event names whose payload carries a `pull_request` object this module reads.
pub const PR_EVENTS: [&str; 2] = ["pull_request", "pull_request_target"];

impl GithubEnv {
    /// Reads the process environment.
    pub fn from_env() -> Self {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// Reads the variables through `get` (tests pass a map).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Self {
        let var = |k: &str| get(k).filter(|v| !v.is_empty());
        GithubEnv {
            actions: var("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
            event_name: var("GITHUB_EVENT_NAME"),
            event_path: var("GITHUB_EVENT_PATH").map(PathBuf::from),
            output: var("GITHUB_OUTPUT").map(PathBuf::from),
            step_summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            head_ref: var("GITHUB_HEAD_REF"),
            base_ref: var("GITHUB_BASE_REF"),
            sha: var("GITHUB_SHA"),
            repository: var("GITHUB_REPOSITORY"),
            api_url: var("GITHUB_API_URL")
                .map(|u| u.trim_end_matches('/').to_string())
                .unwrap_or_else(|| DEFAULT_API_URL.to_string()),
        }
    }

    /// Whether the triggering event is `pull_request` or `pull_request_target`.
    pub fn is_pull_request(&self) -> bool {
        self.event_name
            .as_deref()
            .is_some_and(|e| PR_EVENTS.contains(&e))
    }

    /// The pull request of a PR event: `Ok(None)` for other events or
    /// without `GITHUB_EVENT_PATH`; an error when the payload cannot be read
    /// or lacks the PR's number or SHAs.
    pub fn pull_request(&self) -> anyhow::Result<Option<PullRequest>> {
        if !self.is_pull_request() {
            return Ok(None);
        }
        let Some(path) = &self.event_path else {
            return Ok(None);
        };
        let text = crate::fsio::read_text_bounded(path, 64 * 1024 * 1024)
            .with_context(|| format!("cannot read the event payload {}", path.display()))?;
        parse_pull_request(&text)
            .with_context(|| format!("event payload {}", path.display()))
            .map(Some)
    }
}

/// Parses a `pull_request` webhook payload (GitHub docs, "Webhook events
/// and payloads"): `number`, `action`, `pull_request.{head,base}.{sha,ref,
/// repo.full_name}`, `pull_request.labels[].name`.
pub fn parse_pull_request(json: &str) -> anyhow::Result<PullRequest> {
    let v: Value = serde_json::from_str(json).context("not valid JSON")?;
    let pr = v
        .get("pull_request")
        .filter(|p| p.is_object())
        .context("no `pull_request` object")?;
    let s = |p: &str| pr.pointer(p).and_then(Value::as_str).map(str::to_string);
    let number = v
        .get("number")
        .or_else(|| pr.get("number"))
        .and_then(Value::as_u64)
        .context("no PR `number`")?;
    let head_sha = s("/head/sha").context("no `pull_request.head.sha`")?;
    let base_sha = s("/base/sha").context("no `pull_request.base.sha`")?;
    let labels = pr
        .get("labels")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|l| l.get("name").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(PullRequest {
        number,
        action: v.get("action").and_then(Value::as_str).map(str::to_string),
        base_sha,
        head_sha,
        base_ref: s("/base/ref"),
        head_ref: s("/head/ref"),
        labels,
        head_repo: s("/head/repo/full_name"),
        base_repo: s("/base/repo/full_name"),
    })
}

/// A heredoc delimiter (`ghadelimiter_<hex>`, as `@actions/core` uses)
/// that occurs in none of `texts`. Randomness from std's per-process
/// random hash seed, the clock and a counter.
fn delimiter(texts: &[&str]) -> String {
    use std::hash::{BuildHasher, Hasher};
    let state = std::collections::hash_map::RandomState::new();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut i: u64 = 0;
    loop {
        let mut h = state.build_hasher();
        h.write_u128(nanos);
        h.write_u64(i);
        h.write_u32(std::process::id());
        let d = format!("ghadelimiter_{:016x}", h.finish());
        if texts.iter().all(|t| !t.contains(&d)) {
            return d;
        }
        i += 1;
    }
}

/// The `$GITHUB_OUTPUT` text for `pairs`: `key=value` lines, and the
/// `key<<DELIM` … `DELIM` form for values with a line break.
pub fn format_outputs(pairs: &[(&str, &str)]) -> anyhow::Result<String> {
    let mut out = String::new();
    for (k, v) in pairs {
        if k.is_empty() || k.contains(['=', '\n', '\r']) || k.contains("<<") {
            anyhow::bail!("invalid step output name {k:?}");
        }
        if v.contains(['\n', '\r']) {
            let d = delimiter(&[k, v]);
            out.push_str(&format!("{k}<<{d}\n{v}\n{d}\n"));
        } else {
            out.push_str(&format!("{k}={v}\n"));
        }
    }
    Ok(out)
}

/// Appends step outputs to the `$GITHUB_OUTPUT` file at `path` (created
/// when missing); see [`format_outputs`].
pub fn write_outputs(path: &Path, pairs: &[(&str, &str)]) -> anyhow::Result<()> {
    let text = format_outputs(pairs)?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The note appended when [`append_summary`] has to cut the Markdown.
pub const SUMMARY_CUT_NOTE: &str = "\n\n---\n**Truncated:** the job summary reached GitHub's 1 MiB limit; see the JSON or SARIF report for the rest.\n";

/// Appends `markdown` to the job-summary file at `path`, keeping the file
/// under [`STEP_SUMMARY_MAX_BYTES`] (GitHub rejects a larger step summary):
/// what does not fit is cut at a line boundary and replaced by
/// [`SUMMARY_CUT_NOTE`]. Returns whether anything was cut.
pub fn append_summary(path: &Path, markdown: &str) -> anyhow::Result<bool> {
    let existing = std::fs::metadata(path).map_or(0, |m| m.len());
    let room = usize::try_from(STEP_SUMMARY_MAX_BYTES.saturating_sub(existing)).unwrap_or(0);
    let (text, cut) = if markdown.len() <= room {
        (markdown.to_string(), false)
    } else if room <= SUMMARY_CUT_NOTE.len() {
        (String::new(), true)
    } else {
        let mut end = room - SUMMARY_CUT_NOTE.len();
        while !markdown.is_char_boundary(end) {
            end -= 1;
        }
        let head = &markdown[..end];
        let head = head.rfind('\n').map_or(head, |i| &head[..=i]);
        (format!("{head}{SUMMARY_CUT_NOTE}"), true)
    };
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(cut)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A `pull_request` payload in the documented webhook shape (trimmed
    /// of URLs and user objects; every field prr reads is real).
    fn payload(head_repo: &str, base_repo: &str, labels: &[&str]) -> String {
        let labels: Vec<Value> = labels
            .iter()
            .enumerate()
            .map(|(i, n)| {
                serde_json::json!({
                    "id": 208045946 + i, "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=",
                    "url": format!("https://api.github.com/repos/{base_repo}/labels/{n}"),
                    "name": n, "description": null, "color": "f29513", "default": false
                })
            })
            .collect();
        let repo = |full: &str, fork: bool| {
            if full.is_empty() {
                return Value::Null;
            }
            let (owner, name) = full.split_once('/').unwrap_or((full, full));
            serde_json::json!({
                "id": 1296269, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
                "name": name, "full_name": full, "private": false, "fork": fork,
                "owner": { "login": owner, "id": 1, "type": "User" },
                "html_url": format!("https://github.com/{full}"),
                "default_branch": "main"
            })
        };
        serde_json::json!({
            "action": "labeled",
            "number": 42,
            "pull_request": {
                "url": format!("https://api.github.com/repos/{base_repo}/pulls/42"),
                "id": 1, "node_id": "PR_kwDOABCD", "number": 42, "state": "open",
                "locked": false, "title": "Tune checkout alerts", "draft": false,
                "user": { "login": "octocat", "id": 1, "type": "User" },
                "labels": labels,
                "head": {
                    "label": "octocat:fix-alerts", "ref": "fix-alerts",
                    "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
                    "user": { "login": "octocat", "id": 1, "type": "User" },
                    "repo": repo(head_repo, head_repo != base_repo)
                },
                "base": {
                    "label": "acme:main", "ref": "main",
                    "sha": "a10867b14bb761a232cd80139fbd4c0d33264240",
                    "user": { "login": "acme", "id": 2, "type": "Organization" },
                    "repo": repo(base_repo, false)
                },
                "merged": false, "commits": 3, "additions": 10, "deletions": 2, "changed_files": 1
            },
            "label": { "id": 208045946, "name": labels.first().map_or(Value::Null, |l| l["name"].clone()) },
            "repository": repo(base_repo, false),
            "sender": { "login": "octocat", "id": 1, "type": "User" }
        })
        .to_string()
    }

    fn env_with(vars: &[(&str, &str)]) -> GithubEnv {
        let m: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        GithubEnv::from_vars(|k| m.get(k).cloned())
    }

    #[test]
    fn same_repo_pull_request_from_the_event_file() {
        let dir = tempfile::tempdir().unwrap();
        let ev = dir.path().join("event.json");
        std::fs::write(
            &ev,
            payload("acme/shop", "acme/shop", &["hotfix", "budget-exception"]),
        )
        .unwrap();
        let env = env_with(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", ev.to_str().unwrap()),
            ("GITHUB_SHA", "ffffffffffffffffffffffffffffffffffffffff"),
            ("GITHUB_REPOSITORY", "acme/shop"),
            ("GITHUB_HEAD_REF", "fix-alerts"),
            ("GITHUB_BASE_REF", "main"),
            ("GITHUB_OUTPUT", ""),
        ]);
        assert!(env.actions && env.is_pull_request());
        assert_eq!(env.api_url, DEFAULT_API_URL);
        assert_eq!(env.output, None, "empty variables are unset");
        assert_eq!(env.head_ref.as_deref(), Some("fix-alerts"));
        let pr = env.pull_request().unwrap().unwrap();
        assert_eq!(pr.number, 42);
        assert_eq!(pr.action.as_deref(), Some("labeled"));
        // The head SHA comes from the payload, not GITHUB_SHA (the merge commit).
        assert_eq!(pr.head_sha, "6dcb09b5b57875f334f61aebed695e2e4193db5e");
        assert_eq!(pr.base_sha, "a10867b14bb761a232cd80139fbd4c0d33264240");
        assert_eq!(pr.labels, vec!["hotfix", "budget-exception"]);
        assert_eq!(pr.head_ref.as_deref(), Some("fix-alerts"));
        assert_eq!(pr.base_ref.as_deref(), Some("main"));
        assert!(!pr.is_fork());
    }

    #[test]
    fn fork_and_deleted_head_repo_are_forks() {
        let pr = parse_pull_request(&payload("mallory/shop", "acme/shop", &[])).unwrap();
        assert_eq!(pr.head_repo.as_deref(), Some("mallory/shop"));
        assert_eq!(pr.base_repo.as_deref(), Some("acme/shop"));
        assert!(pr.labels.is_empty());
        assert!(pr.is_fork());
        let pr = parse_pull_request(&payload("", "acme/shop", &[])).unwrap();
        assert_eq!(pr.head_repo, None);
        assert!(pr.is_fork());
    }

    #[test]
    fn other_events_and_bad_payloads() {
        let dir = tempfile::tempdir().unwrap();
        let ev = dir.path().join("event.json");
        std::fs::write(&ev, r#"{"ref":"refs/heads/main","after":"abc"}"#).unwrap();
        let push = env_with(&[
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_EVENT_PATH", ev.to_str().unwrap()),
            ("GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
        ]);
        assert!(!push.actions);
        assert_eq!(push.api_url, "https://ghe.example.com/api/v3");
        assert_eq!(push.pull_request().unwrap(), None);
        let target = env_with(&[
            ("GITHUB_EVENT_NAME", "pull_request_target"),
            ("GITHUB_EVENT_PATH", ev.to_str().unwrap()),
        ]);
        let err = format!("{:#}", target.pull_request().unwrap_err());
        assert!(err.contains("no `pull_request` object"), "{err}");
        assert!(parse_pull_request("{").is_err());
        assert!(
            parse_pull_request(r#"{"number":1,"pull_request":{"head":{},"base":{"sha":"b"}}}"#)
                .is_err()
        );
    }

    #[test]
    fn outputs_single_and_multi_line() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        std::fs::write(&out, "earlier=1\n").unwrap();
        write_outputs(&out, &[("result", "fail"), ("errors", "3"), ("x", "a=b")]).unwrap();
        write_outputs(&out, &[("report", "line 1\nline 2")]).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[..4],
            ["earlier=1", "result=fail", "errors=3", "x=a=b"]
        );
        let (key, delim) = lines[4].split_once("<<").unwrap();
        assert_eq!(key, "report");
        assert!(delim.starts_with("ghadelimiter_"));
        assert_eq!(lines[5..], ["line 1", "line 2", delim]);
        assert!(write_outputs(&out, &[("bad=key", "v")]).is_err());
        // A CR alone also needs the heredoc form.
        let t = format_outputs(&[("m", "a\rb")]).unwrap();
        assert!(t.starts_with("m<<ghadelimiter_"), "{t}");
    }

    #[test]
    fn summary_respects_the_one_mib_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("summary.md");
        assert!(!append_summary(&p, "## first\n").unwrap());
        let line = "- ❌ a finding line\n";
        let big = line.repeat(STEP_SUMMARY_MAX_BYTES as usize / line.len() + 10);
        assert!(append_summary(&p, &big).unwrap());
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.len() as u64 <= STEP_SUMMARY_MAX_BYTES,
            "{}",
            text.len()
        );
        assert!(text.starts_with("## first\n- ❌"));
        assert!(text.ends_with(SUMMARY_CUT_NOTE));
        // Cut at a line boundary: the text before the note is whole lines.
        let body = text.strip_suffix(SUMMARY_CUT_NOTE).unwrap();
        assert!(body.ends_with(line));
        // A full file takes nothing more.
        assert!(append_summary(&p, &big).unwrap());
        assert!(std::fs::metadata(&p).unwrap().len() <= STEP_SUMMARY_MAX_BYTES);
    }
}
