//! The sticky pull-request comment: whose comments are prr's own, and
//! [`GithubClient::upsert_sticky_comment`].

use super::client::Id;
use super::{GithubClient, GithubError, seg, truncate};
use serde::{Deserialize, Serialize};

/// Maximum length, in characters, of an issue comment body (GitHub rejects
/// bodies of 65,536 characters or more).
pub const MAX_COMMENT_CHARS: usize = 65_535;

/// The hidden marker that identifies prr's sticky pull-request comment.
pub const STICKY_MARKER: &str = "<!-- prr:sticky -->";

#[derive(Serialize)]
struct CommentBody<'a> {
    body: &'a str,
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

impl GithubClient {
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
}
