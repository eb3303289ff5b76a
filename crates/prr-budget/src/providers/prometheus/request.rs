//! Requests to the Prometheus HTTP API: credentials and headers per request,
//! SigV4 signing, the flavor's parameters, and partial answers refused.

use super::{Auth, Prometheus, Sample, format_time, parse_response, partial, prometheus_error};
use crate::FetchError;
use crate::providers::env_secret;

impl Prometheus {
    fn headers(&self) -> Result<Vec<(String, String)>, FetchError> {
        let mut out = Vec::new();
        match &self.auth {
            // Signed per request over the final URL (get_api).
            Auth::None | Auth::SigV4(_) => {}
            Auth::Bearer(var) => out.push((
                "Authorization".to_string(),
                format!("Bearer {}", env_secret(var)?),
            )),
            Auth::Basic(u, p) => {
                out.push((
                    "Authorization".to_string(),
                    crate::providers::basic_auth(u, p)?,
                ));
            }
        }
        for (header, var) in &self.headers_env {
            out.push((header.clone(), env_secret(var)?));
        }
        Ok(out)
    }

    /// Runs one instant query and returns its samples.
    pub(super) async fn query(&self, promql: &str) -> Result<Vec<Sample>, FetchError> {
        let mut params = vec![("query".to_string(), promql.to_string())];
        if let Some(t) = self.eval_time {
            params.push(("time".to_string(), format_time(t)));
        }
        let body = self.get_api("query", params).await?;
        parse_response(&body)
    }

    /// GETs `/api/v1/<endpoint>` with `params` plus the flavor's, and
    /// refuses partial answers. Returns the JSON body.
    pub(super) async fn get_api(
        &self,
        endpoint: &str,
        mut params: Vec<(String, String)>,
    ) -> Result<serde_json::Value, FetchError> {
        let mut headers = self.headers()?;
        for (k, v) in self.flavor.params() {
            params.push((k.to_string(), v.to_string()));
        }
        let mut url = format!("{}/api/v1/{endpoint}", self.base);
        if let Auth::SigV4(s) = &self.auth {
            // The signature covers the exact query string sent.
            let mut u = reqwest::Url::parse(&url)
                .map_err(|e| FetchError::Config(format!("invalid URL: {e}")))?;
            u.query_pairs_mut().extend_pairs(&params);
            url = u.to_string();
            params.clear();
            headers.extend(s.headers(&url)?);
        }
        let body = match self.http.get_json(&url, &headers, &params).await {
            Ok(b) => b,
            Err(FetchError::Http { status, detail }) => {
                return Err(FetchError::Http {
                    status,
                    detail: prometheus_error(&detail).unwrap_or(detail),
                });
            }
            Err(e) => return Err(e),
        };
        // A partial answer is never a reading, whatever it holds.
        partial::check_partial(&body)?;
        Ok(body)
    }
}
