//! What a run delivers to GitHub besides its reports: inside Actions, the
//! workflow annotations, the job summary and the step outputs; with a token,
//! the check run and the sticky pull-request comment
//! ([`crate::github`]). Reports are rendered by [`crate::report`]; this
//! module only decides what goes where.

use crate::ci;
use crate::github;
use crate::report::{self, Format, GateResult, RunReport};

/// Inside GitHub Actions: workflow annotations (at most 10 per level, the
/// most severe first, in PR mode only on changed lines unless `--annotate
/// all`; not repeated when `--format github` already printed them), the
/// Markdown job summary appended to `$GITHUB_STEP_SUMMARY` (listing what
/// did not fit in annotations), and step outputs in `$GITHUB_OUTPUT`:
/// `result`, `errors`, `warnings`, `notices`, and the path of each report
/// written to a file (`report-json`, `report-sarif`, …).
pub fn github_delivery(
    report: &RunReport,
    outputs: &[(Format, Option<std::path::PathBuf>)],
    changed_lines: Option<&report::github::ChangedLines>,
    print: &dyn Fn(&str),
) -> anyhow::Result<()> {
    let env = ci::GithubEnv::from_env();
    let sel = report::github::select(report.findings, changed_lines);
    if !outputs
        .iter()
        .any(|(f, d)| *f == Format::GITHUB && d.is_none())
    {
        print(&report::github::render_selection(&sel));
    }
    if let Some(path) = &env.step_summary {
        let md = report::markdown::render_with(report, &sel);
        ci::append_summary(path, &md)
            .map_err(|e| anyhow::anyhow!("cannot write the job summary {}: {e}", path.display()))?;
    }
    if let Some(path) = &env.output {
        let s = &report.summary;
        let result = match report.result {
            GateResult::Pass => "pass",
            GateResult::Fail => "fail",
        };
        let (errors, warnings, notices) = (
            s.errors.to_string(),
            s.warnings.to_string(),
            s.notices.to_string(),
        );
        let mut pairs: Vec<(String, String)> = vec![
            ("result".into(), result.into()),
            ("errors".into(), errors),
            ("warnings".into(), warnings),
            ("notices".into(), notices),
        ];
        for (f, dest) in outputs {
            if let Some(d) = dest {
                let name = f.name();
                pairs.push((format!("report-{name}"), d.display().to_string()));
            }
        }
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        ci::write_outputs(path, &refs)
            .map_err(|e| anyhow::anyhow!("cannot write step outputs {}: {e}", path.display()))?;
    }
    if let Some(ctx) = github::PrContext::from_env(&env) {
        github_api_delivery(report, &sel, &ctx, print);
    }
    Ok(())
}

/// On a pull request with a token: a check run on the PR head SHA (the
/// verdict, the job summary, annotations in batches of 50) and one sticky
/// PR comment updated in place. Any API failure — a read-only token on a
/// fork PR, an outage — is a warning; the verdict and exit code never
/// depend on it.
fn github_api_delivery(
    report: &RunReport,
    sel: &report::github::Selection,
    ctx: &github::PrContext,
    print: &dyn Fn(&str),
) {
    let summary = report::markdown::render_with(report, sel);
    let conclusion = match report.result {
        GateResult::Pass => github::Conclusion::Success,
        GateResult::Fail => github::Conclusion::Failure,
    };
    let s = &report.summary;
    let title = format!(
        "prr: {} — {}, {}",
        if report.result == GateResult::Pass {
            "pass"
        } else {
            "fail"
        },
        report::verdict::plural(s.errors, "error"),
        report::verdict::plural(s.warnings, "warning")
    );
    let annotations = github::Annotation::from_findings(report.findings);
    let (owner, repo) = (ctx.owner.clone(), ctx.repo.clone());
    let (head_sha, number) = (ctx.pr.head_sha.clone(), ctx.pr.number);
    let results = ctx.with_client(|c| async move {
        let check = c
            .create_check_run(
                &owner,
                &repo,
                &head_sha,
                "prr",
                conclusion,
                &title,
                &summary,
                &annotations,
            )
            .await
            .map(|_| ());
        let comment = c
            .upsert_sticky_comment(&owner, &repo, number, &summary)
            .await
            .map(|_| ());
        Ok([check, comment])
    });
    let errors: Vec<github::GithubError> = match results {
        Ok(r) => r.into_iter().filter_map(Result::err).collect(),
        Err(e) => vec![e],
    };
    for e in errors {
        let hint = if e.is_permission() {
            " (read-only token, e.g. a fork PR: annotations and the job summary still carry the verdict)"
        } else {
            ""
        };
        print(&format!(
            "::warning title=prr::{}\n",
            report::github::escape_data(&format!("{e}{hint}"))
        ));
    }
}
