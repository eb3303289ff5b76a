//! Checks: pure functions of the inventory and the budget readings that
//! report findings.
//!
//! An analyzer is a function `fn(&Context, &Params, &mut Sink)`: it reads
//! the [`Context`] (config, services, inventory, budget entries) and
//! reports each finding with [`Sink::report`] (path, position, message; the
//! sink stamps the rule's id), or builds one with [`Sink::finding`] to
//! change it before [`Sink::push`]. It never sees
//! the rule it runs for: only this module (the registry and the runner)
//! reads [`crate::rules`]. The runner ([`run_all`]) runs each enabled rule's
//! analyzer, once with the rule's parameters and once per tier variant,
//! then stamps each finding the sink collected with its service and the
//! rule's level.
//!
//! Each analyzer has its own file in its family's folder (`slo/`, `alerts/`,
//! `runbooks/`, `rollout/`, `prr/`, `budget/`; the declarative `file.*` and
//! `yaml.assert` in `generic/`; the secret scan's one, `secrets.pattern`, is
//! `secrets.rs`), with the helpers its siblings share in the folder's
//! `mod.rs`. Every built-in analyzer is one line of [`REGISTRY`]: its name (what a rule
//! file's `check:` names), the function, and the type its `with:` parameters
//! decode into (serde, `deny_unknown_fields`). Adding an analyzer
//! `<family>.<name>` for a rule `<family>/<name>`:
//!
//! 1. one file under its family's folder (`rollout/backup.rs`), holding the
//!    parameter type and the function, re-exported by the folder's `mod.rs`;
//! 2. one registry line: `analyzer!("<family>.<name>", <family>::<name>,
//!    <family>::<Params>)`;
//! 3. the rule's YAML, `rules/<family>-<name>.yaml` at the workspace root
//!    (`id`, `title`, `level`, `check`, `with`, `help`), embedded into the
//!    crate at build time;
//! 4. a fixture folder `tests/rules/<family>-<name>/` with a `fail/`
//!    repository the rule reports on and a `pass/` one it does not (see
//!    `tests/rules/README.md`).

use crate::config::{Config, Service, Tier};
use crate::finding::Finding;
use crate::inventory::{Inventory, globset};
use crate::yaml::{Node, Pos};
use globset::GlobSet;
use serde::de::DeserializeOwned;
use std::any::Any;
use std::sync::Arc;

pub mod alerts;
pub mod budget;
pub mod environment;
pub mod generic;
pub mod hosted;
pub mod links;
pub mod prr;
pub mod rollout;
pub use alerts::{burn_rate, duplicate, produced_labels, route, template};
pub mod runbooks;
pub mod secrets;
pub use alerts::severity;
mod sink;
pub mod slo;

pub use sink::Sink;

/// What a check can read.
pub struct Context<'a> {
    /// The validated config.
    pub config: &'a Config,
    /// The repository inventory.
    pub inventory: &'a Inventory,
    /// Services: those declared in prr.yaml, or one implicit service named
    /// after the repository folder covering every file.
    pub services: Vec<Service>,
    /// Error-budget entries of the gated SLOs (empty without a `budget:` section).
    pub budget: &'a [crate::budget::gate::BudgetEntry],
    /// `prr/catalog` warnings about catalog files (see [`crate::catalog`]).
    pub problems: Vec<Finding>,
    /// No service is declared (prr.yaml, catalog): [`Context::services`]
    /// holds one implicit service named after the folder. Claims about
    /// "the service" are then prr's guess, not the team's declaration.
    pub implicit_service: bool,
    service_globs: Vec<GlobSet>,
    /// This repository's hosted URL forms (from the trusted checkout's
    /// `origin` remote), for runbook links to its own files.
    hosted: Option<hosted::HostedRepo>,
    /// Whole-repository facts several rules read, computed once per run
    /// (rules run in parallel, hence the locks).
    pub(crate) memo: Memo,
}

/// See [`Context::memo`].
#[derive(Default)]
pub(crate) struct Memo {
    /// [`severity::Vocabulary`] by label name.
    pub(crate) vocabulary:
        std::sync::Mutex<std::collections::HashMap<String, Arc<severity::Vocabulary>>>,
    /// Where the repository's Alertmanager configuration has no receiver
    /// that can page (`None`: none found, or one may page).
    pub(crate) no_pager_in: std::sync::OnceLock<Option<String>>,
    /// The repository's Alertmanager configurations ([`route::configs`]).
    pub(crate) alertmanager: std::sync::OnceLock<Vec<crate::alertmanager::AmConfig>>,
    /// Whether an alert value has a template (`{{`), for the readiness score.
    pub(crate) templated: std::sync::OnceLock<bool>,
}

impl<'a> Context<'a> {
    /// Builds the context: the services declared in prr.yaml and those of
    /// catalog files ([`crate::catalog`]); the implicit service when there
    /// are none.
    pub fn new(config: &'a Config, inventory: &'a Inventory) -> Self {
        Context::with_catalog(
            config,
            inventory,
            &crate::catalog::from_inventory(inventory),
        )
    }

    /// [`Context::new`] with the catalog files given (read from the working
    /// tree for a scoped run, from the policy revision with `--policy-from`)
    /// instead of those of the inventory. With no service declared or
    /// found, one implicit service covers the repository.
    pub fn with_catalog(
        config: &'a Config,
        inventory: &'a Inventory,
        catalog: &[crate::catalog::CatalogFile],
    ) -> Self {
        let (found, problems) = crate::catalog::discover(catalog);
        let mut services = crate::catalog::merge(&config.services, found);
        let implicit_service = services.is_empty();
        if implicit_service {
            let name = inventory
                .root
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "service".to_string());
            let implicit = Service {
                name,
                paths: vec!["**".to_string()],
                tier: Tier::Standard,
                tier_given: false,
                owner: None,
                oncall: None,
                pos: Pos::default(),
                catalog_file: None,
                budget: Default::default(),
            };
            services.push(implicit);
        }
        let service_globs = services.iter().map(|s| globset(&s.paths)).collect();
        let hosted = crate::git::origin_url(&inventory.root)
            .and_then(|(url, prefix)| hosted::HostedRepo::from_remote(&url, &prefix));
        Context {
            config,
            inventory,
            services,
            budget: &[],
            problems,
            implicit_service,
            service_globs,
            hosted,
            memo: Memo::default(),
        }
    }

    /// A runbook link as the checks resolve it: a URL of one of this
    /// repository's hosted files (see [`hosted`]) becomes a root-relative
    /// link (`/runbooks/db.md#impact`); anything else is returned as is.
    pub(crate) fn own_link<'l>(&self, link: &'l str) -> std::borrow::Cow<'l, str> {
        match &self.hosted {
            Some(h) => h.rewrite(link, |p| {
                p.is_empty() || self.inventory.file(p).is_some() || links::folder_exists(self, p)
            }),
            None => std::borrow::Cow::Borrowed(link),
        }
    }

    /// Adds the budget entries (the budget phase runs after the inventory).
    pub fn with_budget(mut self, budget: &'a [crate::budget::gate::BudgetEntry]) -> Self {
        self.budget = budget;
        self
    }

    /// The first service whose path globs match `path`.
    pub fn service_of(&self, path: &str) -> Option<&Service> {
        self.services
            .iter()
            .zip(&self.service_globs)
            .find(|(_, g)| g.is_match(path))
            .map(|(s, _)| s)
    }

    /// Where a finding about a whole service points: its entry in the
    /// config (the layer that declares it, path relative to the root) or
    /// in its catalog file; the repository itself (empty path, line 0) for
    /// the implicit service.
    pub fn service_site(&self, svc: &Service) -> (String, Pos) {
        if svc.pos.line == 0 {
            return (String::new(), Pos::default());
        }
        if let Some(f) = &svc.catalog_file {
            return (f.clone(), svc.pos);
        }
        if self.config.source.is_none() {
            return (String::new(), Pos::default());
        }
        let (path, pos) = self.config.locate(svc.pos);
        (crate::inventory::rel_path(&path, &self.inventory.root), pos)
    }

    /// The service called `name`.
    pub fn service_named(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// Whether `path` belongs to `service`.
    pub fn in_service(&self, service: &Service, path: &str) -> bool {
        self.services
            .iter()
            .zip(&self.service_globs)
            .any(|(s, g)| s.name == service.name && g.is_match(path))
    }
}

/// A built-in analyzer.
pub struct Analyzer {
    /// The name rule files use in `check:`.
    pub name: &'static str,
    /// Runs the check with the parameters [`Analyzer::prepare`] made,
    /// reporting into the sink of the rule it runs for.
    pub run: fn(&Context, &(dyn Any + Send + Sync), &mut Sink),
    /// Decodes and validates a rule's `with:` parameters once, at load time
    /// (regexes compiled, automata built); the message says what is wrong.
    pub prepare: fn(&Node) -> Result<Prepared, String>,
}

impl Analyzer {
    /// The findings of one run for the rule `rule_id` with `params` (the
    /// rule's own or a tier variant's), stamped with the rule's id; service
    /// and level are the runner's (`crate::run::run_all`).
    pub fn findings(&self, ctx: &Context, rule_id: &str, params: &Prepared) -> Vec<Finding> {
        let mut sink = Sink::new(rule_id);
        (self.run)(ctx, &*params.0, &mut sink);
        sink.into_findings()
    }
}

/// An analyzer's decoded parameters, built once when the rule is loaded.
#[derive(Clone)]
pub struct Prepared(pub Arc<dyn Any + Send + Sync>);

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Prepared(..)")
    }
}

/// Decodes a rule's `with:` into the analyzer's parameter type. Unknown keys
/// are rejected when the type says `deny_unknown_fields`.
pub fn params<P: DeserializeOwned>(with: &Node) -> Result<P, String> {
    serde_json::from_value(with.to_json()).map_err(|e| e.to_string())
}

macro_rules! analyzer {
    ($name:literal, $f:path, $p:ty) => {
        Analyzer {
            name: $name,
            run: |ctx, p, sink| {
                // `prepare` of the same registry line made `p`: always `$p`.
                if let Some(p) = p.downcast_ref::<$p>() {
                    $f(ctx, p, sink)
                }
            },
            prepare: |with| params::<$p>(with).map(|p| Prepared(Arc::new(p))),
        }
    };
}

/// Every built-in analyzer, by name.
pub static REGISTRY: &[Analyzer] = &[
    analyzer!("budget.decision", budget::decision, budget::DecisionParams),
    analyzer!(
        "budget.exception",
        budget::exception,
        budget::ExceptionParams
    ),
    analyzer!("file.exists", generic::file_exists, generic::FileExists),
    analyzer!(
        "file.contains",
        generic::file_contains,
        generic::FileContains
    ),
    analyzer!("yaml.assert", generic::yaml_assert, generic::YamlAssert),
    analyzer!("slo.present", slo::present, slo::Present),
    analyzer!("slo.schema", slo::schema, slo::Schema),
    analyzer!(
        "slo.objective-range",
        slo::objective_range,
        slo::ObjectiveRange
    ),
    analyzer!("slo.window", slo::window, slo::Window),
    analyzer!("slo.sli-query", slo::sli_query, slo::SliQuery),
    analyzer!("slo.coverage", slo::coverage, slo::Coverage),
    analyzer!(
        "alerts.burn-rate",
        burn_rate::burn_rate,
        burn_rate::BurnRate
    ),
    analyzer!("alerts.parse", alerts::parse, alerts::Parse),
    analyzer!(
        "alerts.duplicate",
        duplicate::duplicate,
        duplicate::Duplicate
    ),
    analyzer!(
        "alerts.severity-label",
        alerts::severity_label,
        alerts::SeverityLabel
    ),
    analyzer!(
        "alerts.required-annotation",
        alerts::required_annotation,
        alerts::RequiredAnnotation
    ),
    analyzer!(
        "alerts.runbook-resolves",
        alerts::runbook_resolves,
        alerts::RunbookResolves
    ),
    analyzer!("alerts.for", alerts::for_duration, alerts::ForDuration),
    analyzer!(
        "alerts.cause-based-page",
        alerts::cause_based_page,
        alerts::CauseBasedPage
    ),
    analyzer!("alerts.route", route::check, route::Route),
    analyzer!("alerts.template", template::template, template::Template),
    analyzer!(
        "alerts.template-labels",
        produced_labels::template_labels,
        produced_labels::TemplateLabels
    ),
    analyzer!(
        "alerts.alertmanager-config",
        alerts::alertmanager_config,
        alerts::AlertmanagerConfig
    ),
    analyzer!("runbook.present", runbooks::present, runbooks::Present),
    analyzer!("runbook.sections", runbooks::sections, runbooks::Sections),
    analyzer!("runbook.orphan", runbooks::orphan, runbooks::Orphan),
    analyzer!("rollout.replicas", rollout::replicas, rollout::Replicas),
    analyzer!("rollout.probe", rollout::probe, rollout::Probe),
    analyzer!("rollout.resources", rollout::resources, rollout::Resources),
    analyzer!("rollout.pdb", rollout::pdb, rollout::Pdb),
    analyzer!("rollout.schema", rollout::schema, rollout::Schema),
    analyzer!("rollout.strategy", rollout::strategy, rollout::Strategy),
    analyzer!(
        "rollout.image-pinned",
        rollout::image_pinned,
        rollout::ImagePinned
    ),
    analyzer!(
        "rollout.selector-match",
        rollout::selector_match,
        rollout::SelectorMatch
    ),
    analyzer!("secrets.pattern", secrets::pattern, secrets::Pattern),
    analyzer!("prr.oncall", prr::oncall, prr::Oncall),
    analyzer!(
        "runbook.escalation",
        runbooks::escalation,
        runbooks::Escalation
    ),
    analyzer!("prr.dashboards", prr::dashboards, prr::Dashboards),
    analyzer!(
        "rollout.autoscaling",
        rollout::autoscaling,
        rollout::Autoscaling
    ),
    analyzer!(
        "rollout.secret-env",
        rollout::secret_env,
        rollout::SecretEnv
    ),
    analyzer!("prr.load-test", prr::load_test, prr::LoadTest),
    analyzer!("rollout.backup", rollout::backup, rollout::Backup),
    analyzer!(
        "prr.min-level",
        prr::min_level::min_level_check,
        prr::min_level::MinLevel
    ),
];

/// The analyzer called `name`.
pub fn analyzer(name: &str) -> Option<&'static Analyzer> {
    REGISTRY.iter().find(|a| a.name == name)
}
