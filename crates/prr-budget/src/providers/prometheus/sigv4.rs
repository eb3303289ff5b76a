//! AWS Signature Version 4 for Amazon Managed Service for Prometheus
//! (`auth: { sigv4: { region: eu-west-1 } }`), with the `aws-sigv4` crate
//! (AWS's own signer from smithy-rs).
//!
//! Credentials come from the standard AWS environment variables,
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, for temporary
//! credentials, `AWS_SESSION_TOKEN`; they are read per request, remembered
//! for scrubbing and never printed. The signing service is `aps` unless
//! configured. Each request is signed over its exact URL (query included),
//! with an empty payload, at the current time.

use crate::FetchError;
use crate::providers::env_secret;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use std::time::SystemTime;

/// Signing scope of one provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigV4 {
    /// AWS region (`us-east-1`).
    pub region: String,
    /// Signing service name (`aps` for Amazon Managed Service for Prometheus).
    pub service: String,
}

/// The credentials of a signature (values, not variable names).
pub struct Keys<'a> {
    /// Access key ID.
    pub access_key_id: &'a str,
    /// Secret access key.
    pub secret_access_key: &'a str,
    /// Session token of temporary credentials.
    pub session_token: Option<&'a str>,
}

impl SigV4 {
    /// The headers that sign `GET url` at `time` with `keys`
    /// (`authorization`, `x-amz-date`, and `x-amz-security-token` with a
    /// session token). `url` must be in its final, encoded form.
    pub fn headers_at(
        &self,
        method: &str,
        url: &str,
        extra: &[(String, String)],
        keys: &Keys<'_>,
        time: SystemTime,
    ) -> Result<Vec<(String, String)>, FetchError> {
        let identity = aws_credential_types::Credentials::new(
            keys.access_key_id,
            keys.secret_access_key,
            keys.session_token.map(str::to_string),
            None,
            "prr-environment",
        )
        .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| FetchError::Config(format!("SigV4 signing parameters: {e}")))?
            .into();
        let request = SignableRequest::new(
            method,
            url,
            extra.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(&[]),
        )
        .map_err(|e| FetchError::Config(format!("SigV4: cannot sign the request URL: {e}")))?;
        let (instructions, _signature) = sign(request, &params)
            .map_err(|e| FetchError::Config(format!("SigV4 signing failed: {e}")))?
            .into_parts();
        let (headers, _) = instructions.into_parts();
        Ok(headers
            .iter()
            .map(|h| (h.name().to_string(), h.value().to_string()))
            .collect())
    }

    /// [`Self::headers_at`] now, with the keys from the AWS environment
    /// variables. Errors name a missing variable, never a value.
    pub fn headers(&self, url: &str) -> Result<Vec<(String, String)>, FetchError> {
        let access_key_id = env_secret("AWS_ACCESS_KEY_ID")?;
        let secret_access_key = env_secret("AWS_SECRET_ACCESS_KEY")?;
        let session_token = env_secret("AWS_SESSION_TOKEN").ok();
        let keys = Keys {
            access_key_id: &access_key_id,
            secret_access_key: &secret_access_key,
            session_token: session_token.as_deref(),
        };
        let headers = self.headers_at("GET", url, &[], &keys, SystemTime::now())?;
        for (name, value) in &headers {
            if name == "authorization" {
                crate::providers::register_secret(value);
            }
        }
        Ok(headers)
    }
}
