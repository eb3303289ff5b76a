//! Services as prr.yaml and catalogs declare them: their [`Tier`].

use serde::Deserialize;

/// Service tier, from most to least demanding (the service catalog tiers of
/// the SRE practice we follow).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// User-facing, revenue or safety critical.
    Critical,
    /// Important but with a fallback.
    Important,
    /// The default.
    Standard,
    /// Not yet in production.
    Experimental,
}

impl Tier {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Critical => "critical",
            Tier::Important => "important",
            Tier::Standard => "standard",
            Tier::Experimental => "experimental",
        }
    }
}
