//! The HTTP client every provider uses: a timeout per request, retries with
//! exponential backoff and jitter (via `backon`) on connection errors,
//! timeouts, 5xx and 429 (honouring `Retry-After`), a cap on the body size,
//! and redirects followed only to the same origin, so credentials in
//! headers never reach another host.

use super::FetchError;
use backon::{ExponentialBuilder, Retryable};
use std::time::Duration;

/// Bytes kept of an error (non-2xx) body: enough for the message excerpt.
pub const ERROR_BODY_CAP: usize = 16 * 1024;

/// Extra time the outer guard gives reqwest's own timeout to fire first.
const DEADLINE_GRACE: Duration = Duration::from_millis(250);

/// Limits of one provider's HTTP requests.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpOptions {
    /// Whole-request timeout per attempt (connect, send, read the whole
    /// body): a fetch with retries lasts at most `(retries + 1) × timeout`
    /// plus the backoff waits (each at most `max_delay`).
    pub timeout: Duration,
    /// Retries after the first attempt (0 = no retry).
    pub retries: usize,
    /// Largest success body accepted, in bytes: a longer one (declared by
    /// `Content-Length` or streamed) is refused as `Malformed` without
    /// reading on. Error bodies are cut at `min(max_body, ERROR_BODY_CAP)`.
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
/// reqwest is built without a provider of its own (docs/design.md §10).
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

    /// One request with the whole-request deadline: reqwest's timeout
    /// covers connecting, sending and reading the body; the outer
    /// `tokio::time::timeout` is a second guard on the same deadline (plus
    /// a grace period for reqwest's own error to win), so no server — one
    /// that trickles a byte a second forever included — holds a fetch
    /// longer than `timeout`.
    async fn attempt(
        &self,
        url: &str,
        headers: &[(String, String)],
        query: &[(String, String)],
    ) -> Result<Vec<u8>, Attempt> {
        let deadline = self.opts.timeout + DEADLINE_GRACE;
        match tokio::time::timeout(deadline, self.attempt_inner(url, headers, query)).await {
            Ok(r) => r,
            Err(_) => Err(Attempt {
                error: FetchError::Timeout(self.opts.timeout.as_secs_f64()),
                retry_after: None,
            }),
        }
    }

    async fn attempt_inner(
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
        let resp_location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| {
                resp.url()
                    .join(l)
                    .map(|u| u.to_string())
                    .unwrap_or_default()
            });
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        // A success body must fit `max_body` whole; of an error body only
        // the start is kept, for the message.
        let cap = if status.is_success() {
            self.opts.max_body
        } else {
            self.opts.max_body.min(ERROR_BODY_CAP)
        };
        let over = || {
            fail(FetchError::Malformed(format!(
                "body over {} bytes (the limit), not read further",
                self.opts.max_body
            )))
        };
        // A declared length over the cap is refused before reading a byte.
        if status.is_success() && resp.content_length().is_some_and(|n| n > cap as u64) {
            return Err(over());
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > cap {
                        if status.is_success() {
                            return Err(over());
                        }
                        let room = cap - body.len();
                        body.extend_from_slice(&chunk[..room]);
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(fail(self.classify(&e))),
            }
        }
        if !status.is_success() {
            let detail = match redirect_target(&resp_location, status) {
                Some(to) => format!(
                    "redirect to {to} not followed: credentials are sent to the configured host only"
                ),
                None => excerpt(&without_headers(&body, headers)),
            };
            return Err(Attempt {
                error: FetchError::Http {
                    status: status.as_u16(),
                    detail,
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

/// For a redirect the client did not follow (another origin, or too
/// many hops): the origin it pointed to (`http://host:port`), never its
/// path or query.
fn redirect_target(location: &Option<String>, status: reqwest::StatusCode) -> Option<String> {
    if !status.is_redirection() {
        return None;
    }
    let url = reqwest::Url::parse(location.as_deref()?).ok()?;
    Some(url.origin().ascii_serialization())
}

/// The body as text with the values of the headers sent — whole, and
/// the credential after an auth scheme (`Bearer …`) — replaced by `***`:
/// an API that echoes the request in its error body shows no credential.
fn without_headers(body: &[u8], headers: &[(String, String)]) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(body).into_owned();
    let mut values: Vec<&str> = Vec::new();
    for (_, v) in headers {
        values.push(v.as_str());
        if let Some((_, cred)) = v.split_once(' ') {
            values.push(cred.trim());
        }
    }
    values.retain(|v| v.chars().count() >= 4);
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for v in values {
        text = text.replace(v, "***");
    }
    text.into_bytes()
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

    /// A raw HTTP/1.1 server on 127.0.0.1: every connection gets `head`,
    /// then `chunk` every `every`, forever (until the client hangs up).
    /// Returns its URL and the number of connections accepted.
    async fn endless(
        head: &'static str,
        chunk: Vec<u8>,
        every: Duration,
    ) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        let chunk = std::sync::Arc::new(chunk);
        use std::sync::atomic::Ordering;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/budget", listener.local_addr().unwrap());
        let conns = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = conns.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                seen.fetch_add(1, Ordering::SeqCst);
                let chunk = chunk.clone();
                tokio::spawn(async move {
                    let mut req = [0u8; 4096];
                    let _ = sock.read(&mut req).await;
                    if sock.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    loop {
                        if sock.write_all(&chunk).await.is_err() {
                            return;
                        }
                        if !every.is_zero() {
                            tokio::time::sleep(every).await;
                        }
                    }
                });
            }
        });
        (url, conns)
    }

    fn quick(timeout_ms: u64, retries: usize, max_body: usize) -> Http {
        Http::new(HttpOptions {
            timeout: Duration::from_millis(timeout_ms),
            retries,
            max_body,
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
        })
        .unwrap()
    }

    /// A body that trickles one byte every 50 ms and never ends (declared
    /// length, or chunked without the last chunk) is cut by the timeout:
    /// the fetch ends as `Timeout` within the timeout plus a margin.
    #[tokio::test]
    async fn trickling_body_is_cut_by_the_timeout() {
        let heads = [
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"remaining\": 0.5",
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        ];
        let chunks = [b" ".to_vec(), b"1\r\n \r\n".to_vec()];
        for (head, chunk) in heads.into_iter().zip(chunks) {
            let (url, conns) = endless(head, chunk, Duration::from_millis(50)).await;
            let http = quick(600, 0, 1 << 20);
            let t = std::time::Instant::now();
            let err = http.get_json(&url, &[], &[]).await.unwrap_err();
            let took = t.elapsed();
            assert_eq!(err, FetchError::Timeout(0.6), "{head}");
            assert_eq!(err.to_string(), "timed out after 0.6 s");
            assert!(
                took >= Duration::from_millis(550) && took < Duration::from_millis(1200),
                "{head}: {took:?}"
            );
            assert_eq!(conns.load(std::sync::atomic::Ordering::SeqCst), 1);
        }
    }

    /// With retries, the whole fetch is bounded by (retries + 1) × timeout
    /// plus the backoff: three attempts of 300 ms, not forever.
    #[tokio::test]
    async fn retried_trickle_is_bounded() {
        let (url, conns) = endless(
            "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n",
            b"0".to_vec(),
            Duration::from_millis(50),
        )
        .await;
        let http = quick(300, 2, 1 << 20);
        let t = std::time::Instant::now();
        let err = http.get(&url, &[], &[]).await.unwrap_err();
        let took = t.elapsed();
        assert_eq!(err, FetchError::Timeout(0.3));
        assert_eq!(conns.load(std::sync::atomic::Ordering::SeqCst), 3);
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_millis(2000),
            "{took:?}"
        );
    }

    /// An endless fast body is cut at `max_body`: refused as `Malformed`
    /// long before the (10 s) timeout; a declared `Content-Length` over the
    /// cap is refused before reading.
    #[tokio::test]
    async fn over_size_body_is_cut_at_the_cap() {
        // 8 KiB chunks as fast as the socket takes them (chunked framing).
        let mut chunk = b"2000\r\n".to_vec();
        chunk.extend([b'7'; 8192]);
        chunk.extend(b"\r\n");
        let (url, _) = endless(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            chunk,
            Duration::ZERO,
        )
        .await;
        let http = quick(10_000, 0, 64 * 1024);
        let t = std::time::Instant::now();
        let err = http.get(&url, &[], &[]).await.unwrap_err();
        assert_eq!(
            err,
            FetchError::Malformed("body over 65536 bytes (the limit), not read further".into())
        );
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());

        let (url, _) = endless(
            "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n",
            vec![b'7'; 8192],
            Duration::ZERO,
        )
        .await;
        let t = std::time::Instant::now();
        let err = http.get(&url, &[], &[]).await.unwrap_err();
        assert!(matches!(err, FetchError::Malformed(ref m) if m.starts_with("body over 65536")));
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    }

    /// A huge error body is not an over-size error: its start is kept for
    /// the message (one line, at most 200 characters) and the status wins.
    #[tokio::test]
    async fn huge_error_body_keeps_the_status() {
        let (url, _) = endless(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 1073741824\r\n\r\n",
            vec![b'e'; 8192],
            Duration::ZERO,
        )
        .await;
        let http = quick(10_000, 0, 64 * 1024);
        let t = std::time::Instant::now();
        let err = http.get(&url, &[], &[]).await.unwrap_err();
        match &err {
            FetchError::Http {
                status: 500,
                detail,
            } => {
                assert_eq!(
                    detail.chars().count(),
                    201,
                    "200 characters and the ellipsis"
                );
                assert!(detail.starts_with("eeee") && detail.ends_with('…'));
            }
            other => panic!("{other:?}"),
        }
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    }

    /// Through a provider (http-json): the trickling body ends the read
    /// with the timeout error, which the policy turns into `unknown`.
    #[tokio::test]
    async fn provider_read_ends_within_the_timeout() {
        let (url, _) = endless(
            "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{\"remaining\":",
            b" ".to_vec(),
            Duration::from_millis(50),
        )
        .await;
        let cfg: crate::config::ProviderConfig = serde_json::from_value(serde_json::json!({
            "type": "http-json", "url": url, "value": "/remaining", "unit": "ratio"
        }))
        .unwrap();
        let opts = HttpOptions {
            timeout: Duration::from_millis(400),
            retries: 0,
            ..HttpOptions::default()
        };
        let p = crate::providers::build("api", &cfg, &opts, std::path::Path::new(".")).unwrap();
        let target = crate::Target {
            service: "pay".into(),
            slo: "availability".into(),
            ..Default::default()
        };
        let t = std::time::Instant::now();
        let err = p.read(&target).await.unwrap_err();
        assert_eq!(err, FetchError::Timeout(0.4));
        assert!(
            t.elapsed() < Duration::from_millis(1000),
            "{:?}",
            t.elapsed()
        );
    }

    /// A 401 whose body quotes the request's headers (as some gateways
    /// do) yields an error without the credential.
    #[tokio::test]
    async fn echoed_credentials_are_not_in_the_error() {
        struct Echo;
        impl wiremock::Respond for Echo {
            fn respond(&self, req: &wiremock::Request) -> ResponseTemplate {
                let seen: Vec<String> = req
                    .headers
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("")))
                    .collect();
                ResponseTemplate::new(401).set_body_string(format!(
                    "invalid credentials in request: {}",
                    seen.join("; ")
                ))
            }
        }
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(Echo)
            .mount(&server)
            .await;
        let http = quick(2000, 0, 1 << 20);
        let headers = vec![
            (
                "Authorization".to_string(),
                "Api-Token dt0c01.ECHOED-TOKEN-VALUE".to_string(),
            ),
            ("DD-API-KEY".to_string(), "echoed-dd-api-key".to_string()),
        ];
        let err = http.get(&server.uri(), &headers, &[]).await.unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("HTTP 401: invalid credentials"), "{text}");
        assert!(text.contains("authorization: ***;"), "{text}");
        assert!(text.contains("dd-api-key: ***"), "{text}");
        assert!(
            !text.contains("ECHOED-TOKEN") && !text.contains("echoed-dd-api-key"),
            "{text}"
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
