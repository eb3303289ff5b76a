//! The model the `alerts/…` checks (and the route, severity, template,
//! duplicate and runbook checks) read: every rule, every alert, a rule's
//! effective labels and annotations, where its name is written.

use crate::checks::Context;
use crate::formats::prometheus_rules::{PromRule, RuleFile, RuleGroup, Text};
use crate::yaml::Pos;

/// Every rule with the file and group it belongs to.
pub(crate) fn all_rules<'a>(
    ctx: &'a Context,
) -> impl Iterator<Item = (&'a RuleFile, &'a RuleGroup, &'a PromRule)> {
    ctx.inventory.rule_files.iter().flat_map(|f| {
        f.groups
            .iter()
            .flat_map(move |g| g.rules.iter().map(move |r| (f, g, r)))
    })
}

/// Every alerting rule (a non-empty `alert:`) with its file and group.
pub fn alerts<'a>(
    ctx: &'a Context,
) -> impl Iterator<Item = (&'a RuleFile, &'a RuleGroup, &'a PromRule)> {
    all_rules(ctx).filter(|(_, _, r)| r.alert.as_ref().is_some_and(|a| !a.value.is_empty()))
}

/// The value of label `name` on a rule, falling back to the group's
/// `labels:` (Prometheus adds group labels to every rule; rule labels win).
pub(crate) fn label_value(group: &RuleGroup, rule: &PromRule, name: &str) -> Option<Text> {
    if let Some(v) = rule.label(name) {
        return Some(v.clone());
    }
    let labels = group.node.get("labels")?;
    let v = labels.get(name)?;
    let k = labels.key(name)?;
    Some(Text {
        value: v.scalar_text().unwrap_or_default(),
        pos: if v.pos.line == 0 { k.pos } else { v.pos },
        key_pos: k.pos,
    })
}

/// The first non-empty annotation among `names` (in that order).
pub(crate) fn first_annotation<'a>(
    rule: &'a PromRule,
    names: &'a [String],
) -> Option<(&'a str, &'a Text)> {
    names.iter().find_map(|n| {
        rule.annotation(n)
            .filter(|t| !t.value.trim().is_empty())
            .map(|t| (n.as_str(), t))
    })
}

/// Where a rule's name is written (`alert:` / `record:` value), or the rule
/// start.
pub(crate) fn name_pos(rule: &PromRule) -> Pos {
    rule.alert
        .as_ref()
        .or(rule.record.as_ref())
        .map_or(rule.pos, |t| t.pos)
}
