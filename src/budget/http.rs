//! The HTTP client every provider uses: a timeout per request, retries with
//! exponential backoff and jitter (via `backon`) on connection errors,
//! timeouts, 5xx and 429 (honouring `Retry-After`), a cap on the body size,
//! and redirects followed only to the same origin, so credentials in
//! headers never reach another host.

use super::FetchError;
use backon::{ExponentialBuilder, Retryable};
use std::time::Duration;

/// Limits of one provider's HTTP requests.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpOptions {
    /// Whole-request timeout (connect, send, read the body).
    pub timeout: Duration,
    /// Retries after the first attempt (0 = no retry).
    pub retries: usize,
    /// Largest body accepted, in bytes.
    pub max_body: usize,
    /// First backoff delay (doubles each retry, with jitter).
    pub min_delay: Duration,
    /// Longest single wait, also the cap on a server's `Retry-After`.
    pub max_delay: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(10),
            retries: 2,
            max_body: 8 * 1024 * 1024,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

/// An HTTP client with prr's retry and safety policy.
#[derive(Clone, Debug)]
pub struct Http {
    client: reqwest::Client,
    opts: HttpOptions,
}

/// One failed attempt: the error, and the server's `Retry-After` if any.
#[derive(Debug)]
struct Attempt {
    error: FetchError,
    retry_after: Option<Duration>,
}

/// Installs rustls' `ring` crypto provider for the process (idempotent).
/// reqwest is built without a provider of its own (design.md §10).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Http {
    /// Builds a client. Errors: TLS setup failure (reported as configuration).
    pub fn new(opts: HttpOptions) -> Result<Http, FetchError> {
        install_crypto_provider();
        let redirects = reqwest::redirect::Policy::custom(|attempt| {
            let same_origin = attempt.previous().first().is_some_and(|first| {
                first.scheme() == attempt.url().scheme()
                    && first.host_str() == attempt.url().host_str()
                    && first.port_or_known_default() == attempt.url().port_or_known_default()
            });
            if attempt.previous().len() >= 5 || !same_origin {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::Client::builder()
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout)
            .redirect(redirects)
            .user_agent(concat!("prr/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Config(format!("HTTP client: {e}")))?;
        Ok(Http { client, opts })
    }

    /// The options in force.
    pub fn options(&self) -> &HttpOptions {
        &self.opts
    }

    /// GETs `url` with `headers` and `query` parameters and parses the
    /// body as JSON, retrying per the options.
    pub async fn get_json(
        &self,
        url: &str,
        headers: &[(String, String)],
        query: &[(String, String)],
    ) -> Result<serde_json::Value, FetchError> {
        let body = self.get(url, headers, query).await?;
        serde_json::from_slice(&body).map_err(|e| FetchError::Malformed(format!("not JSON: {e}")))
    }

    /// GETs `url` and returns the body bytes, retrying per the options.
    pub async fn get(
        &self,
        url: &str,
        headers: &[(String, String)],
        query: &[(String, String)],
    ) -> Result<Vec<u8>, FetchError> {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.opts.min_delay)
            .with_max_delay(self.opts.max_delay)
            .with_max_times(self.opts.retries)
            .with_jitter();
        let max_delay = self.opts.max_delay;
        let attempt = || self.attempt(url, headers, query);
        attempt
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(|a: &Attempt| retryable(&a.error))
            // `dur` is None when the retries are spent: keep it None then,
            // or a server answering 429 with Retry-After forever would be
            // retried forever. Otherwise the server's wait wins (capped).
            .adjust(move |a: &Attempt, dur| match a.retry_after {
                Some(ra) => dur.map(|_| ra.min(max_delay)),
                None => dur,
            })
            .await
            .map_err(|a| a.error)
    }

    async fn attempt(
        &self,
        url: &str,
        headers: &[(String, String)],
        query: &[(String, String)],
    ) -> Result<Vec<u8>, Attempt> {
        let fail = |error| Attempt {
            error,
            retry_after: None,
        };
        let mut req = self.client.get(url);
        if !query.is_empty() {
            let mut u = reqwest::Url::parse(url)
                .map_err(|e| fail(FetchError::Config(format!("invalid URL: {e}"))))?;
            u.query_pairs_mut().extend_pairs(query);
            req = self.client.get(u);
        }
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let mut resp = req.send().await.map_err(|e| fail(self.classify(&e)))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.opts.max_body {
                        return Err(fail(FetchError::Malformed(format!(
                            "body over {} bytes",
                            self.opts.max_body
                        ))));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(fail(self.classify(&e))),
            }
        }
        if !status.is_success() {
            return Err(Attempt {
                error: FetchError::Http {
                    status: status.as_u16(),
                    detail: excerpt(&body),
                },
                retry_after,
            });
        }
        Ok(body)
    }

    fn classify(&self, e: &reqwest::Error) -> FetchError {
        if e.is_timeout() {
            FetchError::Timeout(self.opts.timeout.as_secs_f64())
        } else if e.is_connect() {
            FetchError::Unreachable(root_cause(e))
        } else if e.is_redirect() {
            FetchError::Unreachable("redirect to another origin refused".to_string())
        } else {
            FetchError::Unreachable(root_cause(e))
        }
    }
}

/// Connection errors, timeouts, 5xx and 429 are worth another try.
fn retryable(e: &FetchError) -> bool {
    match e {
        FetchError::Unreachable(_) | FetchError::Timeout(_) => true,
        FetchError::Http { status, .. } => *status == 429 || *status >= 500,
        _ => false,
    }
}

/// `Retry-After` as delay-seconds (RFC 9110 §10.2.3); an HTTP date is
/// converted relative to now.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate_to_unix(v)?;
    let now = super::now_unix();
    Some(Duration::from_secs_f64((when - now).max(0.0)))
}

fn httpdate_to_unix(v: &str) -> Option<f64> {
    // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
    let t = humantime::parse_rfc3339_weak(&imf_to_rfc3339(v)?).ok()?;
    t.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs_f64())
}

fn imf_to_rfc3339(v: &str) -> Option<String> {
    let parts: Vec<&str> = v.split_whitespace().collect();
    let [_, day, mon, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let m = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| m == mon)?
        + 1;
    Some(format!("{year}-{m:02}-{day:0>2}T{time}Z"))
}

/// The innermost cause, for messages ("Connection refused (os error 111)").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// At most 200 characters of a body, on one line, for error messages.
fn excerpt(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = one.chars().take(200).collect();
    if one.chars().count() > 200 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// A server that always answers 429 with `Retry-After` is retried
    /// `retries` times, then reported — not retried forever.
    #[tokio::test]
    async fn persistent_429_stops_after_the_retries() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
            .mount(&server)
            .await;
        let http = Http::new(HttpOptions {
            retries: 2,
            min_delay: Duration::from_millis(1),
            ..HttpOptions::default()
        })
        .unwrap();
        let t = std::time::Instant::now();
        let err = http.get(&server.uri(), &[], &[]).await.unwrap_err();
        assert!(
            matches!(err, FetchError::Http { status: 429, .. }),
            "{err:?}"
        );
        assert_eq!(server.received_requests().await.unwrap().len(), 3);
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    /// A redirect to another origin is not followed (credentials stay home).
    #[tokio::test]
    async fn cross_origin_redirect_is_refused() {
        let other = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
            .mount(&other)
            .await;
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("Location", format!("{}/x", other.uri()).as_str()),
            )
            .mount(&server)
            .await;
        let http = Http::new(HttpOptions {
            retries: 0,
            ..HttpOptions::default()
        })
        .unwrap();
        let headers = vec![(
            "Authorization".to_string(),
            "Bearer s3cr3t-token".to_string(),
        )];
        let err = http.get(&server.uri(), &headers, &[]).await.unwrap_err();
        assert!(
            matches!(err, FetchError::Http { status: 302, .. }),
            "{err:?}"
        );
        assert!(
            other.received_requests().await.unwrap().is_empty(),
            "the other host saw nothing"
        );
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(
            imf_to_rfc3339("Sun, 06 Nov 1994 08:49:37 GMT").as_deref(),
            Some("1994-11-06T08:49:37Z")
        );
    }
}
