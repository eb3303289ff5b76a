//! GitHub REST API delivery via octocrab (design.md §8): a check run with
//! annotations, one sticky pull-request comment, and the pull request's live
//! labels with who applied each.
//!
//! Every call returns a [`GithubError`] naming the call and the HTTP status,
//! so the caller can turn it into a warning: a read-only token (fork pull
//! requests: 403/404) or any API error must never fail the gate.
//!
//! Requests go through octocrab's generic `get`/`post`/`patch` with our own
//! request bodies and minimal response types (only the fields we read), so a
//! field GitHub adds, drops or nulls in a response does not break delivery.

use crate::finding::{Finding, Level};
use octocrab::{Octocrab, Page};
use serde::{Deserialize, Serialize};

/// GitHub accepts at most 50 annotations per check-run request
/// (REST "Create a check run", `output.annotations`).
pub const ANNOTATIONS_PER_REQUEST: usize = 50;

/// Maximum length, in characters, of a check run's `output.summary`
/// (REST "Create a check run": "Maximum length: 65535 characters").
pub const MAX_SUMMARY_CHARS: usize = 65_535;

/// Maximum length, in characters, of an issue comment body (GitHub rejects
/// bodies of 65,536 characters or more).
pub const MAX_COMMENT_CHARS: usize = 65_535;

/// The hidden marker that identifies prr's sticky pull-request comment.
pub const STICKY_MARKER: &str = "<!-- prr:sticky -->";

/// Page size used for every listing (GitHub's maximum is 100).
const PER_PAGE: u8 = 100;

/// A failed GitHub API call. The message names the call and, when GitHub
/// answered, the HTTP status; it never contains the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("GitHub API: {call} failed{}: {message}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
pub struct GithubError {
    /// Which call failed, e.g. `create check run for acme/shop`.
    pub call: String,
    /// The HTTP status when GitHub answered with an error, else `None`
    /// (connection, TLS or decoding failures).
    pub status: Option<u16>,
    /// GitHub's error message, or the transport/decoding error.
    pub message: String,
}

impl GithubError {
    /// The token lacks permission or the resource is hidden from it
    /// (401/403/404): typical of read-only tokens on fork pull requests.
    pub fn is_permission(&self) -> bool {
        matches!(self.status, Some(401 | 403 | 404))
    }
}

/// Conclusion of a check run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Conclusion {
    /// The gate passed.
    Success,
    /// The gate blocked.
    Failure,
    /// Informational (e.g. `mode: warn`).
    Neutral,
}

/// Level of a check-run annotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationLevel {
    /// From a `notice` finding.
    Notice,
    /// From a `warning` finding.
    Warning,
    /// From an `error` finding.
    Failure,
}

/// One check-run annotation (REST `output.annotations[]`). Lines are 1-based.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Annotation {
    /// Repository-relative path with `/` separators.
    pub path: String,
    /// First line (1-based).
    pub start_line: u32,
    /// Last line (1-based, ≥ `start_line`).
    pub end_line: u32,
    /// `notice`, `warning` or `failure`.
    pub annotation_level: AnnotationLevel,
    /// Short title: the rule ID.
    pub title: String,
    /// The finding's message.
    pub message: String,
}

impl Annotation {
    /// The annotation for a finding, or `None` for a repository-level finding
    /// (empty path), which cannot be attached to a file. A whole-file finding
    /// (line 0) is annotated on line 1.
    pub fn from_finding(f: &Finding) -> Option<Annotation> {
        if f.path.is_empty() {
            return None;
        }
        let line = f.line.max(1);
        let annotation_level = match f.level {
            Level::Error => AnnotationLevel::Failure,
            Level::Warning => AnnotationLevel::Warning,
            Level::Notice | Level::Off => AnnotationLevel::Notice,
        };
        Some(Annotation {
            path: f.path.clone(),
            start_line: line,
            end_line: line,
            annotation_level,
            title: f.rule.clone(),
            message: f.message.clone(),
        })
    }

    /// Annotations for all unsuppressed file-level findings, in order.
    pub fn from_findings(findings: &[Finding]) -> Vec<Annotation> {
        findings
            .iter()
            .filter(|f| !f.suppressed)
            .filter_map(Annotation::from_finding)
            .collect()
    }
}

/// A label on a pull request and who applied it last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelInfo {
    /// Label name.
    pub name: String,
    /// Login of the actor of the latest `labeled` event for this label;
    /// `None` when the events do not show it (e.g. label applied before the
    /// events' retention, or events unreadable).
    pub applied_by: Option<String>,
}

#[derive(Serialize)]
struct CheckOutput<'a> {
    title: &'a str,
    summary: &'a str,
    annotations: &'a [Annotation],
}

#[derive(Serialize)]
struct CreateCheckRun<'a> {
    name: &'a str,
    head_sha: &'a str,
    status: &'static str,
    conclusion: Conclusion,
    output: CheckOutput<'a>,
}

#[derive(Serialize)]
struct UpdateCheckRun<'a> {
    output: CheckOutput<'a>,
}

#[derive(Serialize)]
struct CommentBody<'a> {
    body: &'a str,
}

#[derive(Deserialize)]
struct Id {
    id: u64,
}

#[derive(Deserialize)]
struct CommentItem {
    id: u64,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
struct LabelItem {
    name: String,
}

#[derive(Deserialize)]
struct Login {
    login: String,
}

#[derive(Deserialize)]
struct EventItem {
    event: String,
    #[serde(default)]
    actor: Option<Login>,
    #[serde(default)]
    label: Option<LabelItem>,
}

/// A GitHub REST client authenticated with a token.
pub struct GithubClient {
    crab: Octocrab,
    token: String,
}

impl std::fmt::Debug for GithubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubClient").finish_non_exhaustive()
    }
}

impl GithubClient {
    /// A client for `api_url` (the value of `GITHUB_API_URL`, e.g.
    /// `https://api.github.com` or `https://ghe.example.com/api/v3`) sending
    /// `Authorization: Bearer <token>`. Installs rustls' ring provider first.
    /// Errors: an invalid URL or TLS setup failure.
    pub fn new(api_url: &str, token: &str) -> Result<Self, GithubError> {
        crate::budget::http::install_crypto_provider();
        let fail = |message: String| GithubError {
            call: "build GitHub client".into(),
            status: None,
            message: redact(&message, token),
        };
        let crab = Octocrab::builder()
            .base_uri(api_url.trim_end_matches('/'))
            .map_err(|e| fail(format!("invalid GITHUB_API_URL {api_url:?}: {e}")))?
            .personal_token(token.to_string())
            .build()
            .map_err(|e| fail(e.to_string()))?;
        Ok(GithubClient {
            crab,
            token: token.to_string(),
        })
    }

    fn error(&self, call: String, e: octocrab::Error) -> GithubError {
        let (status, message) = match &e {
            octocrab::Error::GitHub { source, .. } => {
                (Some(source.status_code.as_u16()), source.message.clone())
            }
            other => (None, other.to_string()),
        };
        GithubError {
            call,
            status,
            message: redact(&message, &self.token),
        }
    }

    /// Creates a completed check run on `head_sha` (for `pull_request`
    /// events, `pull_request.head.sha`, not `GITHUB_SHA`) and returns its ID.
    ///
    /// The first 50 annotations go with the creation (POST), the rest in
    /// PATCHes of 50 (GitHub's per-request limit). `summary_markdown` is cut
    /// to 65,535 characters with a note.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_check_run(
        &self,
        owner: &str,
        repo: &str,
        head_sha: &str,
        name: &str,
        conclusion: Conclusion,
        title: &str,
        summary_markdown: &str,
        annotations: &[Annotation],
    ) -> Result<u64, GithubError> {
        let summary = truncate(summary_markdown, MAX_SUMMARY_CHARS);
        let mut batches = annotations.chunks(ANNOTATIONS_PER_REQUEST);
        let first = batches.next().unwrap_or(&[]);
        let route = format!("/repos/{}/{}/check-runs", seg(owner), seg(repo));
        let body = CreateCheckRun {
            name,
            head_sha,
            status: "completed",
            conclusion,
            output: CheckOutput {
                title,
                summary: &summary,
                annotations: first,
            },
        };
        let created: Id = self
            .crab
            .post(&route, Some(&body))
            .await
            .map_err(|e| self.error(format!("create check run for {owner}/{repo}"), e))?;
        for batch in batches {
            let body = UpdateCheckRun {
                output: CheckOutput {
                    title,
                    summary: &summary,
                    annotations: batch,
                },
            };
            let _: Id = self
                .crab
                .patch(format!("{route}/{}", created.id), Some(&body))
                .await
                .map_err(|e| {
                    self.error(format!("add annotations to check run {}", created.id), e)
                })?;
        }
        Ok(created.id)
    }

    /// Creates or updates prr's sticky comment on pull request `pr_number`
    /// and returns the comment ID. The comment is found by
    /// [`STICKY_MARKER`] among all the pull request's issue comments (every
    /// page); the marker is added to `body` when missing. The body is cut
    /// under 65,536 characters with a note.
    pub async fn upsert_sticky_comment(
        &self,
        owner: &str,
        repo: &str,
        pr_number: u64,
        body: &str,
    ) -> Result<u64, GithubError> {
        let mut text = if body.contains(STICKY_MARKER) {
            body.to_string()
        } else {
            format!("{STICKY_MARKER}\n{body}")
        };
        text = truncate(&text, MAX_COMMENT_CHARS);
        let base = format!("/repos/{}/{}/issues", seg(owner), seg(repo));
        let list_call = || format!("list comments of {owner}/{repo}#{pr_number}");
        let comments: Vec<CommentItem> = self
            .all_pages(format!("{base}/{pr_number}/comments"), list_call)
            .await?;
        let existing = comments
            .iter()
            .find(|c| c.body.as_deref().is_some_and(|b| b.contains(STICKY_MARKER)));
        let payload = CommentBody { body: &text };
        let saved: Id = match existing {
            Some(c) => self
                .crab
                .patch(format!("{base}/comments/{}", c.id), Some(&payload))
                .await
                .map_err(|e| self.error(format!("update comment {} on {owner}/{repo}", c.id), e))?,
            None => self
                .crab
                .post(format!("{base}/{pr_number}/comments"), Some(&payload))
                .await
                .map_err(|e| {
                    self.error(format!("create comment on {owner}/{repo}#{pr_number}"), e)
                })?,
        };
        Ok(saved.id)
    }

    /// The pull request's current labels (read live, not from the event
    /// payload), each with the login of whoever applied it last (the latest
    /// `labeled` issue event for that label name).
    pub async fn live_labels(
        &self,
        owner: &str,
        repo: &str,
        pr_number: u64,
    ) -> Result<Vec<LabelInfo>, GithubError> {
        let base = format!("/repos/{}/{}/issues/{pr_number}", seg(owner), seg(repo));
        let labels: Vec<LabelItem> = self
            .all_pages(format!("{base}/labels"), || {
                format!("list labels of {owner}/{repo}#{pr_number}")
            })
            .await?;
        if labels.is_empty() {
            return Ok(Vec::new());
        }
        let events: Vec<EventItem> = self
            .all_pages(format!("{base}/events"), || {
                format!("list issue events of {owner}/{repo}#{pr_number}")
            })
            .await?;
        Ok(labels
            .into_iter()
            .map(|l| {
                // Events are listed oldest first: the last match is the latest.
                let applied_by = events
                    .iter()
                    .rev()
                    .find(|e| {
                        e.event == "labeled" && e.label.as_ref().is_some_and(|x| x.name == l.name)
                    })
                    .and_then(|e| e.actor.as_ref().map(|a| a.login.clone()));
                LabelInfo {
                    name: l.name,
                    applied_by,
                }
            })
            .collect())
    }

    /// GETs `route` with `per_page=100` and follows `Link: rel="next"`.
    async fn all_pages<T: serde::de::DeserializeOwned>(
        &self,
        route: String,
        call: impl Fn() -> String,
    ) -> Result<Vec<T>, GithubError> {
        let mut page: Page<T> = self
            .crab
            .get(&route, Some(&[("per_page", PER_PAGE)]))
            .await
            .map_err(|e| self.error(call(), e))?;
        let mut items = std::mem::take(&mut page.items);
        // Guard against a server that links a page to itself.
        for _ in 0..1000 {
            match self
                .crab
                .get_page::<T>(&page.next)
                .await
                .map_err(|e| self.error(call(), e))?
            {
                Some(mut next) => {
                    items.append(&mut next.items);
                    page = next;
                }
                None => break,
            }
        }
        Ok(items)
    }
}

/// Percent-encodes a path segment (owner or repository name).
fn seg(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Removes any occurrence of the token from a message.
fn redact(message: &str, token: &str) -> String {
    if token.is_empty() {
        message.to_string()
    } else {
        message.replace(token, "***")
    }
}

/// Cuts `text` to at most `max` characters, ending with a note when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    const NOTE: &str = "\n\n…(truncated by prr: see the job summary for the full report)";
    let keep = max.saturating_sub(NOTE.chars().count());
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(NOTE);
    out
}

/// The GitHub pull request of this run, and how to reach the API for it:
/// available inside Actions on a `pull_request` event with
/// `GITHUB_REPOSITORY` and a token in `GITHUB_TOKEN` (the action maps its
/// `token` input there).
pub struct PrContext {
    api_url: String,
    token: String,
    /// Repository owner.
    pub owner: String,
    /// Repository name.
    pub repo: String,
    /// The pull request (head SHA from the event, not `GITHUB_SHA`).
    pub pr: crate::ci::PullRequest,
}

impl std::fmt::Debug for PrContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrContext")
            .field("api_url", &self.api_url)
            .field("owner", &self.owner)
            .field("repo", &self.repo)
            .field("pr", &self.pr.number)
            .finish_non_exhaustive()
    }
}

impl PrContext {
    /// Builds the context from the environment; `None` outside a PR, or
    /// without a token or repository (then prr reports through annotations
    /// and the job summary only).
    pub fn from_env(env: &crate::ci::GithubEnv) -> Option<PrContext> {
        let pr = env.pull_request().ok()??;
        let token = std::env::var("GITHUB_TOKEN")
            .ok()
            .filter(|t| !t.is_empty())?;
        let (owner, repo) = env.repository.as_deref()?.split_once('/')?;
        Some(PrContext {
            api_url: env.api_url.clone(),
            token,
            owner: owner.to_string(),
            repo: repo.to_string(),
            pr,
        })
    }

    /// Runs `f` with a client on a small current-thread runtime. The client
    /// is built inside the runtime (octocrab spawns a worker task when it is
    /// built, so it must live where it is used).
    pub fn with_client<T, F, Fut>(&self, f: F) -> Result<T, GithubError>
    where
        F: FnOnce(GithubClient) -> Fut,
        Fut: std::future::Future<Output = Result<T, GithubError>>,
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| GithubError {
                call: "start the async runtime".into(),
                status: None,
                message: e.to_string(),
            })?;
        rt.block_on(async {
            let client = GithubClient::new(&self.api_url, &self.token)?;
            f(client).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Pos;

    #[test]
    fn truncate_keeps_short_and_cuts_long() {
        assert_eq!(truncate("abc", 10), "abc");
        let long = "é".repeat(70_000);
        let cut = truncate(&long, MAX_COMMENT_CHARS);
        assert_eq!(cut.chars().count(), MAX_COMMENT_CHARS);
        assert!(cut.ends_with("full report)"));
    }

    #[test]
    fn annotation_from_finding() {
        let mut f = Finding::new("alerts/for", "a.yaml", Pos { line: 0, column: 0 }, "m");
        f.level = Level::Error;
        let a = Annotation::from_finding(&f).expect("file finding");
        assert_eq!((a.start_line, a.end_line), (1, 1));
        assert_eq!(a.annotation_level, AnnotationLevel::Failure);
        assert_eq!(a.title, "alerts/for");
        f.path.clear();
        assert!(Annotation::from_finding(&f).is_none());
    }

    #[test]
    fn error_display_and_permission() {
        let e = GithubError {
            call: "create check run for a/b".into(),
            status: Some(403),
            message: redact("bad ghp_x", "ghp_x"),
        };
        assert!(e.is_permission());
        assert_eq!(
            e.to_string(),
            "GitHub API: create check run for a/b failed (HTTP 403): bad ***"
        );
        assert_eq!(seg("a b/c"), "a%20b%2Fc");
    }
}
