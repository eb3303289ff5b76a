//! The exception labels of the run's pull request, resolved through the
//! label audit ([`pr_labels`]).

use super::PrContext;

/// The labels that may grant error-budget exceptions on a pull request,
/// after the audit of [`super::GithubClient::audit_labels`].
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
