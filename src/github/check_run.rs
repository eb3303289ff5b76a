//! Check runs: the conclusion, the annotations made from findings, and
//! [`GithubClient::create_check_run`] posting them in batches of 50.

use super::client::Id;
use super::{GithubClient, GithubError, seg, truncate};
use crate::finding::{Finding, Level};
use serde::Serialize;

/// GitHub accepts at most 50 annotations per check-run request
/// (REST "Create a check run", `output.annotations`).
pub const ANNOTATIONS_PER_REQUEST: usize = 50;

/// Maximum length, in characters, of a check run's `output.summary`
/// (REST "Create a check run": "Maximum length: 65535 characters").
pub const MAX_SUMMARY_CHARS: usize = 65_535;

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

impl GithubClient {
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
}
