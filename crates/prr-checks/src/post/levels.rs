//! Tier level caps: a tier's `max-level` (prr.yaml `tiers.<tier>.max-level`)
//! holds for every finding of its services, also those no rule ran for
//! (parse errors, the findings about suppressions).

use crate::checks::Context;
use crate::finding::Finding;
use crate::pass::PostPass;

/// Lowers each finding of a service whose tier has a `max-level` to it;
/// a finding without a service gets the service whose `paths` hold its
/// file first.
pub struct TierCaps<'a> {
    ctx: &'a Context<'a>,
    /// Whether any tier has a cap (else the pass does nothing).
    any: bool,
}

impl<'a> TierCaps<'a> {
    /// The caps of `ctx`'s config.
    pub fn new(ctx: &'a Context<'a>) -> TierCaps<'a> {
        let any = ctx.config.tiers.values().any(|t| t.max_level.is_some());
        TierCaps { ctx, any }
    }
}

impl PostPass for TierCaps<'_> {
    fn name(&self) -> &'static str {
        "tier level caps"
    }

    fn mark(&mut self, batch: &mut [Finding]) {
        if !self.any {
            return;
        }
        let ctx = self.ctx;
        for f in batch.iter_mut() {
            if f.service.is_none() && !f.path.is_empty() {
                f.service = ctx.service_of(&f.path).map(|s| s.name.clone());
            }
            let cap = f
                .service
                .as_deref()
                .and_then(|n| ctx.service_named(n))
                .and_then(|s| ctx.config.tiers.get(&s.tier))
                .and_then(|t| t.max_level);
            if let Some(cap) = cap
                && f.level > cap
            {
                f.level = cap;
            }
        }
    }

    fn marks_reports(&self) -> bool {
        true
    }
}
