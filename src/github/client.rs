//! The authenticated REST client: construction, error mapping with the
//! token redacted, and paginated listing.

use super::{GithubError, redact};
use octocrab::{Octocrab, Page};
use serde::Deserialize;

/// Page size used for every listing (GitHub's maximum is 100).
const PER_PAGE: u8 = 100;

/// The `id` of a created or updated object.
#[derive(Deserialize)]
pub(super) struct Id {
    pub(super) id: u64,
}

/// A GitHub REST client authenticated with a token.
pub struct GithubClient {
    pub(super) crab: Octocrab,
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

    /// A [`GithubError`] for `call` from octocrab's error, the token redacted.
    pub(super) fn error(&self, call: String, e: octocrab::Error) -> GithubError {
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

    /// GETs `route` with `per_page=100` and follows `Link: rel="next"`.
    pub(super) async fn all_pages<T: serde::de::DeserializeOwned>(
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
