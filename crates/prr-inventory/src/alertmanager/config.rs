//! The Alertmanager configuration model (routing tree, receivers) built from
//! YAML with positions, and its validation as Alertmanager's `config.Load`
//! (what `amtool check-config` runs) does it.
//!
//! Checked, with Alertmanager's wording where it has one: unknown keys at
//! the top level and in `global`, `route`, receivers and `inhibit_rules` (`field x not
//! found`), malformed matchers, invalid label names and regular expressions
//! in `match` / `match_re`, a root route without a receiver or with
//! matchers, routes naming undefined receivers or time intervals, receivers
//! without a name or with a duplicate one, duplicate `group_by` labels, zero
//! `group_interval` / `repeat_interval`, URLs that are not `http(s)` (the
//! `*_url` keys of `global`, `api_url` / `url` / `webhook_url` of
//! integrations). Not checked: the other fields inside each integration (`slack_configs: [{…}]`): those are
//! reported by amtool only (prr does not re-implement every integration's
//! schema). Alertmanager stops at the first error; prr reports them all.

use super::matcher::{MatchOp, Matcher, parse_matchers, valid_label_name};
use crate::yaml::{Node, Pos, Value};
use std::collections::BTreeSet;

/// One node of the routing tree.
#[derive(Clone, Debug, Default)]
pub struct Route {
    /// Where the route starts (mapped to the repository file).
    pub pos: Pos,
    /// The route's own `receiver` (`None`: inherited from the parent).
    pub receiver: Option<String>,
    /// All matchers: `matchers`, `match` and `match_re` together (all must match).
    pub matchers: Vec<Matcher>,
    /// `continue`: after this route matched, siblings after it are tried too.
    pub cont: bool,
    /// Child routes, in order.
    pub routes: Vec<Route>,
}

/// A receiver and its integrations.
#[derive(Clone, Debug)]
pub struct Receiver {
    /// `name`.
    pub name: String,
    /// Where the receiver is declared.
    pub pos: Pos,
    /// The integration keys with at least one entry, e.g. `pagerduty_configs`
    /// (`pagerdutyConfigs` in an `AlertmanagerConfig`); empty for a
    /// blackhole receiver that notifies nobody.
    pub integrations: Vec<String>,
}

/// Integrations that page a person (Alertmanager `<receiver>` docs):
/// PagerDuty, Opsgenie, VictorOps, both key spellings.
pub const PAGING_INTEGRATIONS: &[&str] = &[
    "pagerduty_configs",
    "opsgenie_configs",
    "victorops_configs",
    "pagerdutyConfigs",
    "opsgenieConfigs",
    "victoropsConfigs",
];

impl Receiver {
    /// Whether one of its integrations pages ([`PAGING_INTEGRATIONS`]).
    pub fn pages(&self) -> bool {
        self.integrations
            .iter()
            .any(|i| PAGING_INTEGRATIONS.contains(&i.as_str()))
    }
}

/// A problem Alertmanager would refuse the configuration for.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Where (mapped to the repository file).
    pub pos: Pos,
    /// What, in Alertmanager's words where it has some.
    pub message: String,
}

/// Maps positions inside the configuration text to the repository file:
/// an `alertmanager.yaml` embedded in a Secret starts some lines into the
/// manifest; a base64 one has no line of its own (everything points at its key).
#[derive(Clone, Copy, Debug, Default)]
pub struct Origin {
    /// Lines to add.
    pub line_offset: u32,
    /// When set, every position is this one.
    pub fixed: Option<Pos>,
}

impl Origin {
    /// `pos` in the repository file.
    pub fn map(&self, pos: Pos) -> Pos {
        match self.fixed {
            Some(p) => p,
            None => Pos {
                line: pos.line + self.line_offset,
                column: pos.column,
            },
        }
    }
}

const TOP_KEYS: &[&str] = &[
    "global",
    "route",
    "inhibit_rules",
    "receivers",
    "templates",
    "mute_time_intervals",
    "time_intervals",
    "tracing",
];

/// `global:` keys (Alertmanager's `GlobalConfig`, up to 0.29).
const GLOBAL_KEYS: &[&str] = &[
    "resolve_timeout",
    "http_config",
    "smtp_from",
    "smtp_hello",
    "smtp_smarthost",
    "smtp_auth_username",
    "smtp_auth_password",
    "smtp_auth_password_file",
    "smtp_auth_secret",
    "smtp_auth_secret_file",
    "smtp_auth_identity",
    "smtp_require_tls",
    "smtp_tls_config",
    "smtp_force_implicit_tls",
    "slack_api_url",
    "slack_api_url_file",
    "slack_app_token",
    "slack_app_token_file",
    "slack_app_url",
    "victorops_api_url",
    "victorops_api_key",
    "victorops_api_key_file",
    "pagerduty_url",
    "opsgenie_api_url",
    "opsgenie_api_key",
    "opsgenie_api_key_file",
    "wechat_api_url",
    "wechat_api_secret",
    "wechat_api_secret_file",
    "wechat_api_corp_id",
    "telegram_api_url",
    "telegram_bot_token",
    "telegram_bot_token_file",
    "webex_api_url",
    "jira_api_url",
    "rocketchat_api_url",
    "rocketchat_token",
    "rocketchat_token_file",
    "rocketchat_token_id",
    "rocketchat_token_id_file",
    "mattermost_webhook_url",
    "mattermost_webhook_url_file",
];

const ROUTE_KEYS: &[&str] = &[
    "receiver",
    "group_by",
    "continue",
    "matchers",
    "match",
    "match_re",
    "mute_time_intervals",
    "active_time_intervals",
    "group_wait",
    "group_interval",
    "repeat_interval",
    "routes",
];

const INHIBIT_KEYS: &[&str] = &[
    "source_match",
    "source_match_re",
    "source_matchers",
    "target_match",
    "target_match_re",
    "target_matchers",
    "equal",
];

/// Integration keys of a receiver (Alertmanager up to 0.29).
const INTEGRATION_KEYS: &[&str] = &[
    "discord_configs",
    "email_configs",
    "incidentio_configs",
    "jira_configs",
    "mattermost_configs",
    "msteams_configs",
    "msteamsv2_configs",
    "opsgenie_configs",
    "pagerduty_configs",
    "pushover_configs",
    "rocketchat_configs",
    "slack_configs",
    "sns_configs",
    "telegram_configs",
    "victorops_configs",
    "webex_configs",
    "webhook_configs",
    "wechat_configs",
];

/// Whether a value is wholly a deploy-time placeholder: an upper-case
/// identifier with an underscore (`SLACK_WEBHOOK_URL`), `${NAME}`, `$NAME`
/// or `<…>`.
fn is_deploy_placeholder(text: &str) -> bool {
    let t = text.trim();
    let ident = |s: &str| {
        !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let upper = ident(t) && t.contains('_') && t.chars().all(|c| !c.is_ascii_lowercase());
    let braced = t
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .is_some_and(ident);
    let dollar = t.strip_prefix('$').is_some_and(ident);
    let angle = t.len() > 2 && t.starts_with('<') && t.ends_with('>') && !t.contains('\n');
    upper || braced || dollar || angle
}

/// Reads a configuration tree, collecting problems.
pub(crate) struct Reader {
    pub(crate) origin: Origin,
    pub(crate) problems: Vec<Problem>,
    /// Receiver names used by routes, with where.
    pub(crate) used_receivers: Vec<(String, Pos)>,
    /// Time interval names used by routes, with where.
    used_intervals: Vec<(String, Pos)>,
}

impl Reader {
    pub(crate) fn new(origin: Origin) -> Reader {
        Reader {
            origin,
            problems: Vec::new(),
            used_receivers: Vec::new(),
            used_intervals: Vec::new(),
        }
    }

    pub(crate) fn problem(&mut self, pos: Pos, message: impl Into<String>) {
        self.problems.push(Problem {
            pos: self.origin.map(pos),
            message: message.into(),
        });
    }

    fn unknown_keys(&mut self, node: &Node, known: &[&str], what: &str) {
        for (k, _) in node.entries() {
            if !known.contains(&k.name.as_str()) {
                self.problem(
                    k.pos,
                    format!(
                        "field {} not found in {what} (Alertmanager refuses unknown keys)",
                        k.name
                    ),
                );
            }
        }
    }

    fn expect_map(&mut self, node: &Node, what: &str) -> bool {
        if node.is_map() {
            return true;
        }
        self.problem(
            node.pos,
            format!("{what} must be a mapping, not {}", node.type_name()),
        );
        false
    }

    /// A URL field: Alertmanager accepts only `http` and `https` URLs
    /// (`config.URL`: "unsupported scheme").
    ///
    /// A value that is wholly a deploy-time placeholder (`SLACK_WEBHOOK_URL`,
    /// `${SLACK_URL}`, `$URL`, `<webhook url>`) is not judged: the file is
    /// a template that a deploy step fills in (amtool refuses it as
    /// committed; what is deployed is another file).
    fn url(&mut self, node: Option<&Node>) {
        let Some(v) = node else { return };
        let Some(text) = v.as_str() else { return };
        if is_deploy_placeholder(text) {
            return;
        }
        let scheme = text
            .split_once(':')
            .map(|(s, _)| s)
            .filter(|s| {
                s.starts_with(|c: char| c.is_ascii_alphabetic())
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            })
            .unwrap_or("");
        if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
            self.problem(v.pos, format!("unsupported scheme {scheme:?} for URL"));
        }
    }

    /// `matchers:` strings.
    fn matcher_list(&mut self, node: Option<&Node>, out: &mut Vec<Matcher>) {
        let Some(node) = node else { return };
        for item in node.items() {
            let Some(s) = item.scalar_text() else {
                self.problem(
                    item.pos,
                    format!("a matcher must be a string, not {}", item.type_name()),
                );
                continue;
            };
            match parse_matchers(&s) {
                Ok(ms) => out.extend(ms),
                Err(e) => self.problem(item.pos, e),
            }
        }
    }

    /// `match` / `match_re` maps.
    fn match_map(&mut self, node: Option<&Node>, op: MatchOp, out: &mut Vec<Matcher>) {
        let Some(node) = node else { return };
        for (k, v) in node.entries() {
            if !valid_label_name(&k.name) {
                self.problem(k.pos, format!("invalid label name {:?}", k.name));
                continue;
            }
            let value = v.scalar_text().unwrap_or_default();
            match Matcher::new(&k.name, op, &value) {
                Ok(m) => out.push(m),
                Err(e) => self.problem(v.pos, e),
            }
        }
    }

    /// A route of `alertmanager.yml`.
    pub(crate) fn route(&mut self, node: &Node, root: bool) -> Route {
        let mut r = Route {
            pos: self.origin.map(node.pos),
            ..Route::default()
        };
        if !self.expect_map(node, "a route") {
            return r;
        }
        self.unknown_keys(node, ROUTE_KEYS, "route");
        if let Some(v) = node.get("receiver") {
            let name = v.scalar_text().unwrap_or_default();
            if !name.is_empty() {
                self.used_receivers
                    .push((name.clone(), self.origin.map(v.pos)));
                r.receiver = Some(name);
            }
        }
        self.matcher_list(node.get("matchers"), &mut r.matchers);
        self.match_map(node.get("match"), MatchOp::Equal, &mut r.matchers);
        self.match_map(node.get("match_re"), MatchOp::Regex, &mut r.matchers);
        r.cont = node
            .get("continue")
            .and_then(Node::as_bool)
            .unwrap_or(false);
        if let Some(g) = node.get("group_by") {
            let mut seen = BTreeSet::new();
            let labels: Vec<String> = g.items().iter().filter_map(Node::scalar_text).collect();
            for (item, l) in g.items().iter().zip(&labels) {
                if !seen.insert(l.clone()) {
                    self.problem(item.pos, format!("duplicated label {l:?} in group_by"));
                }
            }
            if labels.len() > 1 && labels.iter().any(|l| l == "...") {
                self.problem(
                    g.pos,
                    "cannot have wildcard group_by (`...`) and other other labels at the same time",
                );
            }
        }
        for key in ["group_interval", "repeat_interval"] {
            if let Some(v) = node.get(key)
                && v.scalar_text()
                    .and_then(|s| crate::formats::parse_duration(&s))
                    == Some(0.0)
            {
                self.problem(v.pos, format!("{key} cannot be zero"));
            }
        }
        for key in ["mute_time_intervals", "active_time_intervals"] {
            if let Some(v) = node.get(key) {
                if root && !v.items().is_empty() {
                    let what = key.trim_end_matches("_time_intervals");
                    self.problem(
                        v.pos,
                        format!("root route must not have any {what} time intervals"),
                    );
                }
                for i in v.items() {
                    if let Some(s) = i.scalar_text() {
                        self.used_intervals.push((s, self.origin.map(i.pos)));
                    }
                }
            }
        }
        if root && !r.matchers.is_empty() {
            let at = ["matchers", "match", "match_re"]
                .iter()
                .find_map(|k| node.key(k))
                .map_or(node.pos, |k| k.pos);
            self.problem(at, "root route must not have any matchers");
        }
        if let Some(children) = node.get("routes") {
            for c in children.items() {
                r.routes.push(self.route(c, false));
            }
        }
        r
    }

    fn receivers(&mut self, node: Option<&Node>) -> Vec<Receiver> {
        let mut out: Vec<Receiver> = Vec::new();
        let Some(node) = node else { return out };
        for item in node.items() {
            if !self.expect_map(item, "a receiver") {
                continue;
            }
            let mut known: Vec<&str> = INTEGRATION_KEYS.to_vec();
            known.push("name");
            self.unknown_keys(item, &known, "receiver");
            let name = item
                .get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            if name.is_empty() {
                self.problem(item.pos, "missing name in receiver");
                continue;
            }
            if out.iter().any(|r| r.name == name) {
                self.problem(
                    item.pos,
                    format!("notification config name {name:?} is not unique"),
                );
                continue;
            }
            for (k, list) in item.entries() {
                if k.name.ends_with("_configs") {
                    for cfg in list.items() {
                        for key in ["api_url", "url", "webhook_url"] {
                            self.url(cfg.get(key));
                        }
                    }
                }
            }
            out.push(Receiver {
                name,
                pos: self.origin.map(item.pos),
                integrations: integrations(item, |k| k.ends_with("_configs")),
            });
        }
        out
    }

    fn inhibit_rules(&mut self, node: Option<&Node>) {
        let Some(node) = node else { return };
        for rule in node.items() {
            if !self.expect_map(rule, "an inhibit rule") {
                continue;
            }
            self.unknown_keys(rule, INHIBIT_KEYS, "inhibit rule");
            let mut sink = Vec::new();
            for side in ["source", "target"] {
                self.matcher_list(rule.get(&format!("{side}_matchers")), &mut sink);
                self.match_map(
                    rule.get(&format!("{side}_match")),
                    MatchOp::Equal,
                    &mut sink,
                );
                self.match_map(
                    rule.get(&format!("{side}_match_re")),
                    MatchOp::Regex,
                    &mut sink,
                );
            }
            if let Some(eq) = rule.get("equal") {
                for l in eq.items() {
                    if l.scalar_text().is_none() {
                        self.problem(l.pos, "equal must list label names");
                    }
                }
            }
        }
    }

    /// After the tree is read: receivers and time intervals that routes
    /// name but nothing defines.
    pub(crate) fn check_references(
        &mut self,
        receivers: &[Receiver],
        intervals: &BTreeSet<String>,
    ) {
        for (name, pos) in std::mem::take(&mut self.used_receivers) {
            if !receivers.iter().any(|r| r.name == name) {
                self.problems.push(Problem {
                    pos,
                    message: format!("undefined receiver {name:?} used in route"),
                });
            }
        }
        for (name, pos) in std::mem::take(&mut self.used_intervals) {
            if !intervals.contains(&name) {
                self.problems.push(Problem {
                    pos,
                    message: format!("undefined time interval {name:?} used in route"),
                });
            }
        }
    }
}

/// The integration keys of a receiver node with at least one entry.
pub(crate) fn integrations(item: &Node, is_integration: impl Fn(&str) -> bool) -> Vec<String> {
    item.entries()
        .iter()
        .filter(|(k, v)| is_integration(&k.name) && !v.items().is_empty())
        .map(|(k, _)| k.name.clone())
        .collect()
}

/// An `alertmanager.yml` document read: the routing tree (`None` when the
/// document has no `route`), receivers and problems.
pub(crate) fn read_alertmanager_yml(
    doc: &Node,
    origin: Origin,
) -> (Option<Route>, Vec<Receiver>, Vec<Problem>) {
    let mut rd = Reader::new(origin);
    if !doc.is_map() {
        rd.problem(
            doc.pos,
            format!(
                "an Alertmanager configuration must be a mapping, not {}",
                doc.type_name()
            ),
        );
        return (None, Vec::new(), rd.problems);
    }
    rd.unknown_keys(doc, TOP_KEYS, "the configuration");
    if let Some(g) = doc.get("global").filter(|g| g.is_map()) {
        rd.unknown_keys(g, GLOBAL_KEYS, "global");
        for (k, _) in g.entries().iter().filter(|(k, _)| k.name.ends_with("_url")) {
            rd.url(g.get(&k.name));
        }
    }
    let route = match doc.get("route") {
        Some(n) if !matches!(n.value, Value::Null) => {
            let r = rd.route(n, true);
            if r.receiver.is_none() {
                let at = doc.key("route").map_or(n.pos, |k| k.pos);
                rd.problem(at, "root route must specify a default receiver");
            }
            Some(r)
        }
        _ => {
            rd.problem(doc.pos, "no routes provided");
            None
        }
    };
    let receivers = rd.receivers(doc.get("receivers"));
    rd.inhibit_rules(doc.get("inhibit_rules"));
    let mut intervals = BTreeSet::new();
    for key in ["mute_time_intervals", "time_intervals"] {
        for i in doc.get(key).map(Node::items).unwrap_or_default() {
            if let Some(n) = i.get("name").and_then(Node::scalar_text) {
                intervals.insert(n);
            }
        }
    }
    rd.check_references(&receivers, &intervals);
    (route, receivers, rd.problems)
}
