//! The pull request of the run and how to reach the API for it, from the
//! Actions environment.

use super::{GithubClient, GithubError};

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
