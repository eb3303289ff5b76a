//! The `budget:` section of prr.yaml and the per-service `budget:` block.
//!
//! ```yaml
//! budget:
//!   default-provider: prom
//!   on-error: fail-closed        # or fail-open: what an unreadable budget means
//!   timeout: 10s                 # per request
//!   retries: 2                   # after the first attempt (5xx, 429, connection errors)
//!   providers:
//!     prom:
//!       type: prometheus
//!       url: http://prometheus.monitoring:9090
//!       auth: { bearer-env: PROM_TOKEN }
//!     dd:
//!       type: datadog
//!       site: datadoghq.eu
//!       api-key-env: DD_API_KEY
//!       app-key-env: DD_APP_KEY
//!   policy: { … }                # see budget::policy
//! services:
//!   - name: checkout
//!     budget:
//!       provider: dd
//!       on-error: fail-open
//!       slos: [{ name: availability, id: "abc123def456" }]
//! ```
//!
//! Credentials are never written in the file: only the names of the
//! environment variables that hold them (`*-env` keys).

pub use prr_core::budget::OnError;

use crate::policy::PolicyConfig;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Unit of a value read by `http-json`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// Remaining budget as a ratio (1.0 = untouched).
    Ratio,
    /// Remaining budget in percent (100 = untouched).
    Percent,
    /// Consumed budget in percent (0 = untouched).
    ConsumedPercent,
    /// Consumed budget as a ratio (0 = untouched).
    ConsumedRatio,
}

/// Credentials, by environment variable name.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AuthConfig {
    /// Variable holding a bearer token (`Authorization: Bearer …`).
    #[serde(default)]
    pub bearer_env: Option<String>,
    /// Variable holding the basic-auth user.
    #[serde(default)]
    pub basic_user_env: Option<String>,
    /// Variable holding the basic-auth password.
    #[serde(default)]
    pub basic_password_env: Option<String>,
    /// Prometheus: AWS Signature Version 4 (Amazon Managed Service for
    /// Prometheus), keys from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`.
    #[serde(default)]
    pub sigv4: Option<SigV4Config>,
}

/// `auth.sigv4`: the signing scope.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SigV4Config {
    /// AWS region of the workspace (`eu-west-1`).
    pub region: String,
    /// Signing service name; default `aps`.
    #[serde(default)]
    pub service: Option<String>,
}

/// One provider of `budget.providers`: its `type` and its options as
/// written. The provider of that type (`prr_budget::providers`, one file
/// each) owns its option type and decodes [`ProviderConfig::options`] into
/// it, so a key of another provider type is an error at its line, not a
/// key silently ignored. prr.yaml:
///
/// ```yaml
/// budget:
///   providers:
///     prom: { type: prometheus, url: http://prometheus:9090, mode: sloth }
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProviderConfig {
    /// `type:`: the provider type's name (`prometheus`, `datadog`, …).
    pub kind: String,
    /// Every other key (kebab-case, as written) and its value.
    pub options: BTreeMap<String, serde_json::Value>,
    /// Where each option key is written, in the positions of the merged
    /// config ([`crate::Config::locate`] maps them to a layer's file and
    /// line); filled in by the loader, empty when built from JSON.
    pub key_pos: BTreeMap<String, crate::yaml::Pos>,
    /// Where the provider's entry is (its first key), likewise.
    pub pos: crate::yaml::Pos,
    /// `file`: the snapshot as the policy revision holds it, set by
    /// `--policy-from` (`prr::policy_source`); never read from YAML.
    pub pinned: Option<PinnedSnapshot>,
}

impl<'de> Deserialize<'de> for ProviderConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut options = BTreeMap::<String, serde_json::Value>::deserialize(d)?;
        let kind = match options.remove("type") {
            Some(serde_json::Value::String(k)) => k,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "provider `type` must be a name such as prometheus, not {other}"
                )));
            }
            None => return Err(D::Error::missing_field("type")),
        };
        // A scalar is text as written: `eval-time: 1700000000` is the
        // string its option type reads (every option leaf is a string or
        // a name), not a number to refuse.
        for v in options.values_mut() {
            if v.is_number() || v.is_boolean() {
                *v = serde_json::Value::String(v.to_string());
            }
        }
        Ok(ProviderConfig {
            kind,
            options,
            ..Default::default()
        })
    }
}

impl schemars::JsonSchema for ProviderConfig {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ProviderConfig".into()
    }

    /// A mapping with a `type`; which other keys apply is the provider
    /// type's (`prr schema` fills in each type's keys from the providers'
    /// registry).
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "One budget provider: `type` and the options of that type.",
            "required": ["type"],
            "properties": { "type": { "type": "string" } }
        })
    }
}

/// The `file` provider's snapshot read from a git revision instead of the
/// working tree (`--policy-from`): the budget data is policy, so a change
/// cannot edit the readings that judge it.
#[derive(Clone, Debug, PartialEq)]
pub struct PinnedSnapshot {
    /// The content at the revision; `None` when the revision has no such
    /// file (the reading is then an error, and `on-error` decides).
    pub bytes: Option<std::sync::Arc<[u8]>>,
    /// How reports name it (`budget.json at main`).
    pub shown: String,
}

/// The top-level `budget:` section.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BudgetConfig {
    /// Named providers.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
    /// Provider for services that name none (default: the only one, when there is one).
    #[serde(default)]
    pub default_provider: Option<String>,
    /// Default for services that say nothing.
    #[serde(default)]
    pub on_error: OnError,
    /// Per-request timeout (`10s`).
    #[serde(default)]
    pub timeout: Option<String>,
    /// Retries after the first attempt.
    #[serde(default)]
    pub retries: Option<usize>,
    /// The error-budget policy.
    #[serde(default)]
    pub policy: PolicyConfig,
}

/// One SLO named in a service's `budget.slos`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SloRef {
    /// SLO name.
    pub name: String,
    /// Provider-side identifier (Datadog SLO ID, …).
    #[serde(default)]
    pub id: Option<String>,
    /// Objective in percent (`99.9`), when no SLO file states it.
    #[serde(default)]
    pub objective: Option<f64>,
    /// Time window (`30d`), when no SLO file states it.
    #[serde(default)]
    pub window: Option<String>,
}

/// A service's `budget:` block.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServiceBudget {
    /// Provider name (default: `budget.default-provider`).
    #[serde(default)]
    pub provider: Option<String>,
    /// Overrides `budget.on-error` for this service.
    #[serde(default)]
    pub on_error: Option<OnError>,
    /// SLOs to read in addition to (or, for hosted APIs, instead of) those
    /// found in the service's SLO files.
    #[serde(default)]
    pub slos: Vec<SloRef>,
    /// `false` leaves the service out of the budget gate.
    #[serde(default = "yes")]
    pub gate: bool,
}

fn yes() -> bool {
    true
}

impl Default for ServiceBudget {
    /// No block written: the service is gated with the defaults.
    fn default() -> Self {
        ServiceBudget {
            provider: None,
            on_error: None,
            slos: Vec::new(),
            gate: true,
        }
    }
}
