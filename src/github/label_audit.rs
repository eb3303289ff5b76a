//! The audit of pull-request labels as error-budget exceptions: who
//! applied each, with what permission, and whether after the current head.

use super::{GithubClient, GithubError, seg};
use serde::Deserialize;

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

#[derive(Deserialize)]
struct LabelItem {
    name: String,
}

impl GithubClient {
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
}

/// A timeline timestamp (`created_at`, `committer.date`) as Unix seconds.
fn when(v: Option<&serde_json::Value>) -> Option<f64> {
    v.and_then(serde_json::Value::as_str)
        .and_then(prr_core::time::rfc3339)
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
    let applied = at.as_deref().and_then(prr_core::time::rfc3339);
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
