//! A committed secret as the walk hands it on: located, redacted and
//! fingerprinted ([`SecretHit`]), or judged not to be a secret
//! ([`NotSecret`]). The secret scan itself (gitleaks' rule format) is
//! `prr::secrets`; only the data lives here, so the inventory can carry
//! hits without depending on the scan.

use crate::yaml::Pos;

/// Why a pattern match is not a secret (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotSecret {
    /// A `…Secret` key whose value is a resource name (lowercase words
    /// joined by `-` or `.`): it names a Kubernetes Secret, it does not hold one.
    SecretName,
    /// The value is the resource part of an AWS ARN (`arn:aws:…:secret:NAME-AbCdEf`).
    ArnName,
    /// A Grafana query key: `Q-` + UUID + `-` + query index (the ID Grafana's
    /// query editor gives each query of a panel, saved in dashboard JSON).
    GrafanaQueryKey,
    /// A hex digest (32, 40, 64 or 128 digits) under a checksum, digest or
    /// hash key (Helm's `checksum/config` annotations).
    Checksum,
    /// At least 60 % of the value's letters and digits are runs of 4 or more
    /// sequential or repeated characters (`1234`, `abcdefgh`, `0000`).
    Sequential,
    /// Base64 of a single token that is a placeholder.
    EncodedPlaceholder,
    /// Every data entry of a Kubernetes Secret decodes to a multi-line text
    /// with no credential word, no PEM block and no match of any secret rule.
    SecretDataWithoutCredential,
}

impl NotSecret {
    /// Why the match is not reported, for the suppression reason.
    pub fn reason(self) -> &'static str {
        match self {
            NotSecret::SecretName => {
                "the value names a Secret (a `…Secret` key holding a resource name such as `app-tls`), it does not hold one"
            }
            NotSecret::ArnName => {
                "the value is the name part of an AWS ARN, which identifies a resource and grants nothing"
            }
            NotSecret::GrafanaQueryKey => {
                "a Grafana query key (`Q-<uuid>-<index>`, the ID Grafana gives each query of a panel)"
            }
            NotSecret::Checksum => {
                "a hex digest under a checksum or hash key: a hash, not a credential"
            }
            NotSecret::Sequential => {
                "the value is mostly sequential or repeated characters (`1234`, `abcdefgh`): a placeholder"
            }
            NotSecret::EncodedPlaceholder => {
                "the value is base64 of a placeholder (it decodes to an `example`, `changeme` or sequential value)"
            }
            NotSecret::SecretDataWithoutCredential => {
                "every data entry of this Secret decodes to a configuration text without a credential (no credential word, no key block, no match of any secret rule)"
            }
        }
    }
}

/// A secret found in one file, located and redacted.
#[derive(Clone, Debug)]
pub struct SecretHit {
    /// prr rule ID.
    pub rule: String,
    /// Repository-relative path.
    pub path: String,
    /// 1-based line and column (characters) of the secret.
    pub pos: Pos,
    /// The raw secret — used once to redact every output, never printed.
    pub secret: String,
    /// [`crate::finding::redact`] of the secret.
    pub redacted: String,
    /// [`crate::finding::secret_fingerprint`] (rule ID + secret).
    pub fingerprint: String,
    /// The source line, every secret on it redacted, clipped to 60
    /// characters on each side of the secret.
    pub snippet: String,
    /// 1-based column of the redacted secret in `snippet`.
    pub snippet_column: u32,
    /// `prr:allow-secret` or `gitleaks:allow` when the line carries it.
    pub inline_allow: Option<&'static str>,
    /// A path-only rule matched (the file itself is the secret).
    pub path_only: bool,
    /// Set when the context filters judged the match not to be a secret:
    /// the finding is reported as suppressed with this reason.
    pub dismissed: Option<NotSecret>,
}
