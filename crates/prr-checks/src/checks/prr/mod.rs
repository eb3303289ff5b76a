//! Production-readiness review (PRR) checklist analyzers (`prr/…`): the
//! items of the `recommended` pack that the generic analyzers
//! (`file.exists`, `file.contains`, `yaml.assert`) cannot express and that
//! belong to no other family.
//!
//! | analyzer             | rule                  | reads                                                    |
//! |----------------------|-----------------------|----------------------------------------------------------|
//! | `prr.oncall`         | `prr/oncall`          | services' `owner` / `oncall` (prr.yaml), CODEOWNERS      |
//! | `prr.dashboards`     | `prr/dashboards`      | Grafana dashboard JSON, ConfigMaps, GrafanaDashboards, grafonnet |
//! | `prr.load-test`      | `prr/load-test`       | k6, Locust, Gatling and JMeter scripts                   |
//!
//! (`prr.min-level` is [`crate::score::min_level_check`].) The other
//! checklist analyzers live with their family: `runbook.escalation` in
//! [`super::runbooks`], `rollout.autoscaling`, `rollout.secret-env` and
//! `rollout.backup` in [`super::rollout`].
//!
//! Service-level findings (no owner, no dashboard, no load test) point at
//! the service's entry in prr.yaml, or at the repository (empty path, line
//! 0) for the implicit service of a repository without `services:`.

mod dashboards;
mod load_test;
pub mod min_level;
mod oncall;

pub use dashboards::{Dashboards, dashboards};
pub use load_test::{LoadTest, load_test};
pub use oncall::{Oncall, oncall};

use crate::checks::{Context, Sink};
use crate::config::Service;

/// Reports a finding about the service `svc` as a whole, where it is
/// declared ([`Context::service_site`]).
fn report_service(ctx: &Context, sink: &mut Sink, svc: &Service, message: String) {
    let (path, pos) = ctx.service_site(svc);
    let f = sink.finding(&path, pos, message).with_service(&svc.name);
    sink.push(f);
}
