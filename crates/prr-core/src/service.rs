//! Services as prr.yaml and catalogs declare them: their [`Tier`].

crate::named_enum! {
    /// Service tier, from most to least demanding (the service catalog tiers
    /// of the SRE practice we follow).
    pub enum Tier {
        /// User-facing, revenue or safety critical.
        Critical = "critical",
        /// Important but with a fallback.
        Important = "important",
        /// The default.
        Standard = "standard",
        /// Not yet in production.
        Experimental = "experimental",
    }
}
