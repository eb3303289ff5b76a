//! GitHub REST API delivery via octocrab (docs/design.md §8): a check run with
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

/// The audit of one pull-request label as an error-budget exception (see
/// [`GithubClient::audit_labels`] for the rule).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelAudit {
    /// Label name.
    pub name: String,
    /// Login of the actor of the latest `labeled` event for this label.
    pub applied_by: Option<String>,
    /// When that event happened (its `created_at`, RFC 3339).
    pub applied_at: Option<String>,
    /// The actor's role on the repository (`role_name`, else `permission`),
    /// when it was read.
    pub role: Option<String>,
    /// Why the label grants no exception; `None` when it counts.
    pub refused: Option<String>,
}

/// A user's permission on a repository (REST "Get repository permissions
/// for a user": `permission` is the legacy level `admin`, `write`, `read`
/// or `none`, with maintain mapped to write and triage to read;
/// `role_name` the full role, custom roles included).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Permission {
    /// `admin`, `write`, `read` or `none`.
    pub permission: String,
    /// `admin`, `maintain`, `write`, `triage`, `read` or a custom role.
    #[serde(default)]
    pub role_name: Option<String>,
}

impl Permission {
    /// Write access or more: `admin` or `write` (which includes maintain).
    pub fn can_write(&self) -> bool {
        matches!(self.permission.as_str(), "admin" | "maintain" | "write")
    }

    /// The role to show: `role_name`, else `permission`.
    pub fn role(&self) -> &str {
        self.role_name
            .as_deref()
            .filter(|r| !r.is_empty())
            .unwrap_or(&self.permission)
    }
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
    #[serde(default)]
    user: Option<Login>,
}

#[derive(Deserialize)]
struct Login {
    login: String,
}

/// Who authors comments made with an Actions `GITHUB_TOKEN` (an app
/// installation token, which `GET /user` refuses with 403 "Resource not
/// accessible by integration").
pub const ACTIONS_BOT_LOGIN: &str = "github-actions[bot]";

/// Whose comments are prr's own, from [`GithubClient::own_login`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Author {
    /// A user token or PAT: exactly this login.
    Login(String),
    /// A GitHub App installation token (Actions' `GITHUB_TOKEN` is one:
    /// `github-actions[bot]`; another app posts as `<slug>[bot]`, which the
    /// token cannot look up): an app bot's login (ending in `[bot]`), never
    /// a person's.
    AppBot,
}

impl Author {
    /// Whether a comment by `login` is one this token wrote.
    pub fn wrote(&self, login: &str) -> bool {
        match self {
            Author::Login(l) => l == login,
            Author::AppBot => login.ends_with("[bot]"),
        }
    }
}

#[derive(Deserialize)]
struct LabelItem {
    name: String,
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

    /// Who comments made with this client's token are authored by: `GET
    /// /user` (a user token or PAT); when GitHub answers 403 or 404 other
    /// than a rate limit (an installation token such as Actions'
    /// `GITHUB_TOKEN`), [`Author::AppBot`].
    ///
    /// Errors: a rate limit, or any other failure of `GET /user`.
    pub async fn own_login(&self) -> Result<Author, GithubError> {
        let me: Result<Login, octocrab::Error> = self.crab.get("/user", None::<&()>).await;
        match me {
            Ok(l) => Ok(Author::Login(l.login)),
            Err(octocrab::Error::GitHub { source, .. })
                if matches!(source.status_code.as_u16(), 403 | 404)
                    && !source.message.to_lowercase().contains("rate limit") =>
            {
                Ok(Author::AppBot)
            }
            Err(e) => Err(self.error("read the token's own login (GET /user)".into(), e)),
        }
    }

    /// Creates or updates prr's sticky comment on pull request `pr_number`
    /// and returns the comment ID. The comment is prr's own: one carrying
    /// [`STICKY_MARKER`] among all the pull request's issue comments (every
    /// page) **and** authored by this token's login ([`Self::own_login`]);
    /// a comment by someone else that carries the marker is never edited
    /// (a new one is created). The marker is added to `body` when missing.
    /// The body is cut under 65,536 characters with a note.
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
        let me = self.own_login().await?;
        let existing = comments.iter().find(|c| {
            c.body.as_deref().is_some_and(|b| b.contains(STICKY_MARKER))
                && c.user.as_ref().is_some_and(|u| me.wrote(&u.login))
        });
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

    /// Audits the pull request's current labels as error-budget exceptions.
    /// A label counts only when both hold:
    ///
    /// 1. **Write access**: the actor of its latest `labeled` event has
    ///    `admin` or `write` permission on the repository (`GET
    ///    /repos/{owner}/{repo}/collaborators/{user}/permission`; maintain
    ///    is reported as write, triage as read). Triage users can label
    ///    pull requests but not push: their labels grant nothing.
    /// 2. **Applied to the current head**: that event's `created_at` is
    ///    later than the time the head commit `head_sha` arrived, read from
    ///    the issue timeline (`GET /repos/{owner}/{repo}/issues/{n}/timeline`)
    ///    as the latest of the `committer.date` of the head's `committed`
    ///    item and the `created_at` of every `head_ref_force_pushed` item. A
    ///    label applied before the last push does not vouch for code it
    ///    never saw: re-apply it. A head that does not appear in the
    ///    timeline (and no force push names it) cannot be dated: refused.
    ///
    /// Limits, documented on purpose: GitHub's REST timeline records no
    /// server time for an ordinary (non-force) push; the committer date is
    /// written by the committer's git. A commit backdated on purpose and
    /// pushed after the label would pass rule 2; GitHub's "dismiss stale
    /// approvals" branch protection is the control for that threat. A
    /// label whose `labeled` event is missing (older than the timeline
    /// keeps) or whose actor was deleted is refused.
    ///
    /// Errors: listing labels or the timeline fails (the caller then
    /// grants no PR label). A permission that cannot be read refuses that
    /// label only, with the reason.
    pub async fn audit_labels(
        &self,
        owner: &str,
        repo: &str,
        pr_number: u64,
        head_sha: &str,
    ) -> Result<Vec<LabelAudit>, GithubError> {
        let base = format!("/repos/{}/{}/issues/{pr_number}", seg(owner), seg(repo));
        let labels: Vec<LabelItem> = self
            .all_pages(format!("{base}/labels"), || {
                format!("list labels of {owner}/{repo}#{pr_number}")
            })
            .await?;
        if labels.is_empty() {
            return Ok(Vec::new());
        }
        let timeline: Vec<serde_json::Value> = self
            .all_pages(format!("{base}/timeline"), || {
                format!("list the timeline of {owner}/{repo}#{pr_number}")
            })
            .await?;
        let mut permissions: std::collections::BTreeMap<String, Result<Permission, String>> =
            std::collections::BTreeMap::new();
        for l in &labels {
            let Some((Some(actor), _)) = last_labeled(&timeline, &l.name) else {
                continue;
            };
            if permissions.contains_key(&actor) {
                continue;
            }
            let route = format!(
                "/repos/{}/{}/collaborators/{}/permission",
                seg(owner),
                seg(repo),
                seg(&actor)
            );
            let p: Result<Permission, octocrab::Error> = self.crab.get(&route, None::<&()>).await;
            let p = p.map_err(|e| {
                self.error(format!("read {actor}'s permission on {owner}/{repo}"), e)
                    .to_string()
            });
            permissions.insert(actor, p);
        }
        let head_at = head_arrived_at(&timeline, head_sha);
        Ok(labels
            .iter()
            .map(|l| judge_label(&l.name, &timeline, head_sha, head_at.as_ref(), &permissions))
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

/// The labels that may grant error-budget exceptions on a pull request,
/// after the audit of [`GithubClient::audit_labels`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PrLabels {
    /// Labels that count: `--label` values that are not labels of the pull
    /// request (the workflow's own choice), and pull-request labels that
    /// passed the audit.
    pub labels: Vec<String>,
    /// Who applied each audited pull-request label.
    pub actors: std::collections::BTreeMap<String, String>,
    /// Pull-request labels that grant nothing, with why.
    pub refused: Vec<crate::budget::policy::RefusedLabel>,
    /// Why the labels could not be audited at all (no token, API error),
    /// for a warning; `None` when the audit ran.
    pub unaudited: Option<String>,
}

/// Resolves the exception labels of the run's pull request `pr`: reads
/// the live labels and audits them through the API when a token is
/// available ([`PrContext::from_env`]). A `--label` that names a label of
/// the pull request (as the composite action passes them) is a pull-request
/// label and must pass the audit like the others; without a token or when
/// the API fails, pull-request labels grant nothing and
/// [`PrLabels::unaudited`] says why.
pub fn pr_labels(
    env: &crate::ci::GithubEnv,
    pr: &crate::ci::PullRequest,
    cli_labels: &[String],
) -> PrLabels {
    use crate::budget::policy::RefusedLabel;
    let audits = match PrContext::from_env(env) {
        Some(ctx) => {
            let (owner, repo) = (ctx.owner.clone(), ctx.repo.clone());
            let (number, head) = (ctx.pr.number, ctx.pr.head_sha.clone());
            ctx.with_client(|c| async move { c.audit_labels(&owner, &repo, number, &head).await })
                .map_err(|e| e.to_string())
        }
        None => Err("no GITHUB_TOKEN to read who applied them".to_string()),
    };
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    let mut out = PrLabels::default();
    let mut pr_names: Vec<String> = pr.labels.clone();
    match audits {
        Ok(audits) => {
            for a in audits {
                pr_names.push(a.name.clone());
                match a.refused {
                    None => {
                        if let Some(who) = &a.applied_by {
                            out.actors.insert(a.name.clone(), who.clone());
                        }
                        out.labels.push(a.name);
                    }
                    Some(reason) => out.refused.push(RefusedLabel {
                        label: a.name,
                        applied_by: a.applied_by,
                        reason,
                    }),
                }
            }
        }
        Err(why) => {
            for l in &pr.labels {
                out.refused.push(RefusedLabel {
                    label: l.clone(),
                    applied_by: None,
                    reason: format!("pull-request labels could not be audited ({why})"),
                });
            }
            out.unaudited = Some(why);
        }
    }
    let trusted: Vec<String> = cli_labels
        .iter()
        .filter(|l| !pr_names.iter().any(|p| same(p, l)))
        .cloned()
        .collect();
    out.labels.splice(0..0, trusted);
    out
}

/// A timeline timestamp (`created_at`, `committer.date`) as Unix seconds.
fn when(v: Option<&serde_json::Value>) -> Option<f64> {
    v.and_then(serde_json::Value::as_str)
        .and_then(crate::budget::providers::http_json::rfc3339)
}

/// When the head commit arrived on the pull request, as Unix seconds and
/// as text (see [`GithubClient::audit_labels`], rule 2): the latest of the
/// head's `committed` item's `committer.date` and every
/// `head_ref_force_pushed` item's `created_at`. `None` when neither names
/// the head.
pub fn head_arrived_at(timeline: &[serde_json::Value], head_sha: &str) -> Option<(f64, String)> {
    let mut latest: Option<(f64, String)> = None;
    let mut head_seen = false;
    for item in timeline {
        let event = item.get("event").and_then(serde_json::Value::as_str);
        let (at, names_head) = match event {
            Some("committed") => {
                let date = item.pointer("/committer/date");
                let is_head = item.get("sha").and_then(serde_json::Value::as_str) == Some(head_sha);
                if !is_head {
                    continue;
                }
                (date, true)
            }
            Some("head_ref_force_pushed") => {
                let is_head =
                    item.get("commit_id").and_then(serde_json::Value::as_str) == Some(head_sha);
                (item.get("created_at"), is_head)
            }
            _ => continue,
        };
        head_seen |= names_head;
        if let Some(t) = when(at)
            && latest.as_ref().is_none_or(|(l, _)| t > *l)
        {
            let text = at
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string();
            latest = Some((t, text));
        }
    }
    latest.filter(|_| head_seen)
}

/// The latest `labeled` item for `label`: its actor's login (`None` for a
/// deleted account) and its `created_at`.
pub fn last_labeled(
    timeline: &[serde_json::Value],
    label: &str,
) -> Option<(Option<String>, Option<String>)> {
    timeline
        .iter()
        .filter(|i| i.get("event").and_then(serde_json::Value::as_str) == Some("labeled"))
        .filter(|i| i.pointer("/label/name").and_then(serde_json::Value::as_str) == Some(label))
        .max_by(|a, b| {
            let t = |i: &serde_json::Value| when(i.get("created_at")).unwrap_or(f64::MIN);
            t(a).total_cmp(&t(b))
        })
        .map(|i| {
            (
                i.pointer("/actor/login")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string),
                i.get("created_at")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string),
            )
        })
}

/// Applies the rule of [`GithubClient::audit_labels`] to one label.
pub fn judge_label(
    label: &str,
    timeline: &[serde_json::Value],
    head_sha: &str,
    head_at: Option<&(f64, String)>,
    permissions: &std::collections::BTreeMap<String, Result<Permission, String>>,
) -> LabelAudit {
    let short: String = head_sha.chars().take(7).collect();
    let mut audit = LabelAudit {
        name: label.to_string(),
        applied_by: None,
        applied_at: None,
        role: None,
        refused: None,
    };
    let Some((actor, at)) = last_labeled(timeline, label) else {
        audit.refused = Some(
            "no `labeled` event for it in the pull request's timeline, so who applied it is unknown"
                .into(),
        );
        return audit;
    };
    audit.applied_by = actor.clone();
    audit.applied_at = at.clone();
    let Some(actor) = actor else {
        audit.refused = Some("it was applied by a deleted account".into());
        return audit;
    };
    match permissions.get(&actor) {
        Some(Ok(p)) => {
            audit.role = Some(p.role().to_string());
            if !p.can_write() {
                audit.refused = Some(format!(
                    "{actor} has {} access to the repository; write access is required",
                    p.role()
                ));
                return audit;
            }
        }
        Some(Err(e)) => {
            audit.refused = Some(format!("{actor}'s permission could not be read ({e})"));
            return audit;
        }
        None => {
            audit.refused = Some(format!("{actor}'s permission was not read"));
            return audit;
        }
    }
    let applied = at
        .as_deref()
        .and_then(crate::budget::providers::http_json::rfc3339);
    match (head_at, applied) {
        (None, _) => {
            audit.refused = Some(format!(
                "the pull request's timeline does not show when the current head {short} was pushed"
            ));
        }
        (Some(_), None) => {
            audit.refused = Some("the `labeled` event has no valid time".into());
        }
        (Some((head, head_text)), Some(t)) if t <= *head => {
            audit.refused = Some(format!(
                "it was applied at {}, before the current head {short} was pushed ({head_text}): \
                 re-apply the label to grant the exception for this head",
                at.unwrap_or_default()
            ));
        }
        _ => {}
    }
    audit
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

    /// Rule 2 of the audit: a force push after the label, or a head the
    /// timeline does not date, refuses it; a label after the head counts.
    #[test]
    fn label_must_postdate_the_head() {
        use serde_json::json;
        let head = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
        let label = |at: &str| {
            json!({"event": "labeled", "created_at": at,
            "actor": {"login": "octocat"}, "label": {"name": "hotfix", "color": "f29513"}})
        };
        let commit = |sha: &str, at: &str| {
            json!({"event": "committed", "sha": sha,
            "committer": {"name": "M", "email": "m@example.com", "date": at}})
        };
        let force = |sha: &str, at: &str| {
            json!({"event": "head_ref_force_pushed",
            "commit_id": sha, "created_at": at, "actor": {"login": "mallory"}})
        };
        let writer: std::collections::BTreeMap<String, Result<Permission, String>> = [(
            "octocat".to_string(),
            Ok(Permission {
                permission: "admin".into(),
                role_name: Some("admin".into()),
            }),
        )]
        .into();
        let judge = |timeline: Vec<serde_json::Value>| {
            let at = head_arrived_at(&timeline, head);
            judge_label("hotfix", &timeline, head, at.as_ref(), &writer).refused
        };
        // Committed 09:00, labelled 09:10: counts.
        assert_eq!(
            judge(vec![
                commit(head, "2025-05-12T09:00:00Z"),
                label("2025-05-12T09:10:00Z")
            ]),
            None
        );
        // The same head force-pushed again at 09:30 (a rewrite to the same
        // tree, or back and forth): the label predates the push.
        let r = judge(vec![
            commit(head, "2025-05-12T09:00:00Z"),
            label("2025-05-12T09:10:00Z"),
            force(head, "2025-05-12T09:30:00Z"),
        ])
        .unwrap_or_default();
        assert_eq!(
            r,
            "it was applied at 2025-05-12T09:10:00Z, before the current head 6dcb09b was pushed \
             (2025-05-12T09:30:00Z): re-apply the label to grant the exception for this head"
        );
        // A force push to the head the timeline has no commit for.
        assert!(
            judge(vec![
                label("2025-05-12T09:10:00Z"),
                force(head, "2025-05-12T09:05:00Z")
            ])
            .is_none()
        );
        // A head the timeline does not show at all: cannot be dated.
        let r = judge(vec![
            commit(
                "7638417db6d59f3c431d3e1f261cc637155684cd",
                "2025-05-12T09:00:00Z",
            ),
            label("2025-05-12T09:10:00Z"),
        ])
        .unwrap_or_default();
        assert!(
            r.contains("does not show when the current head 6dcb09b was pushed"),
            "{r}"
        );
        // Equal times do not count (not later than the push).
        assert!(
            judge(vec![
                commit(head, "2025-05-12T09:10:00Z"),
                label("2025-05-12T09:10:00Z")
            ])
            .is_some()
        );
        // A deleted account (actor null) and no labeled event at all.
        let ghost = json!({"event": "labeled", "created_at": "2025-05-12T09:20:00Z",
            "actor": null, "label": {"name": "hotfix"}});
        assert_eq!(
            judge(vec![commit(head, "2025-05-12T09:00:00Z"), ghost]).as_deref(),
            Some("it was applied by a deleted account")
        );
        assert!(
            judge(vec![commit(head, "2025-05-12T09:00:00Z")])
                .is_some_and(|r| r.starts_with("no `labeled` event"))
        );
    }

    #[test]
    fn write_access_levels() {
        let p = |permission: &str, role: Option<&str>| Permission {
            permission: permission.into(),
            role_name: role.map(str::to_string),
        };
        assert!(p("admin", Some("admin")).can_write());
        assert!(p("write", Some("maintain")).can_write());
        assert!(p("write", Some("custom-deployer")).can_write());
        assert!(!p("read", Some("triage")).can_write());
        assert!(!p("read", None).can_write());
        assert!(!p("none", None).can_write());
        assert_eq!(p("read", Some("triage")).role(), "triage");
        assert_eq!(p("read", Some("")).role(), "read");
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
