//! `yaml.assert`: a JSONPath assertion on selected YAML documents.

use super::*;

/// `yaml.assert`: select YAML documents, query them with JSONPath (RFC
/// 9535), and assert on what the query returns.
///
/// ```yaml
/// check: yaml.assert
/// with:
///   select: { kind: Deployment, files: ["deploy/**"] }
///   path: "$.spec.template.spec.securityContext.runAsNonRoot"
///   assert: equals          # exists | absent | equals | matches | min | max
///   value: true
/// ```
#[derive(Debug, Deserialize)]
#[serde(try_from = "RawYamlAssert")]
pub struct YamlAssert {
    /// Which documents.
    pub select: Select,
    /// JSONPath query.
    pub path: JsonPath,
    /// The assertion.
    pub assert: Assertion,
    /// Operand of `equals` (any value), `matches` (regex string), `min`/`max` (number).
    pub value: Option<serde_json::Value>,
    /// `value` compiled, for `matches`.
    pub regex: Option<regex::Regex>,
    /// Message override.
    pub message: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawYamlAssert {
    #[serde(default)]
    select: Select,
    #[serde(deserialize_with = "de_jsonpath")]
    path: JsonPath,
    assert: Assertion,
    #[serde(default)]
    value: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
}

impl TryFrom<RawYamlAssert> for YamlAssert {
    type Error = String;

    /// Checks the operand against the assertion, so a bad rule fails when
    /// it is loaded (exit 2), not by reporting every document.
    fn try_from(r: RawYamlAssert) -> Result<Self, String> {
        let mut regex = None;
        match (r.assert, &r.value) {
            (Assertion::Matches, Some(serde_json::Value::String(s))) => {
                regex =
                    Some(regex::Regex::new(s).map_err(|e| format!("invalid `value` regex: {e}"))?);
            }
            (Assertion::Matches, _) => {
                return Err("`assert: matches` needs a regex string in `value`".into());
            }
            (Assertion::Min | Assertion::Max, Some(v)) if number(v).is_some() => {}
            (Assertion::Min | Assertion::Max, _) => {
                return Err("`assert: min`/`max` needs a number in `value`".into());
            }
            (Assertion::Equals, None) => return Err("`assert: equals` needs a `value`".into()),
            _ => {}
        }
        Ok(YamlAssert {
            select: r.select,
            path: r.path,
            assert: r.assert,
            value: r.value,
            regex,
            message: r.message,
        })
    }
}

/// Document selection for `yaml.assert`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Select {
    /// `kind` to match (any when absent).
    #[serde(default)]
    pub kind: Option<String>,
    /// `apiVersion` to match (any when absent).
    #[serde(default)]
    pub api_version: Option<String>,
    /// File globs (any file when empty).
    #[serde(default)]
    pub files: Vec<String>,
}

/// What `yaml.assert` asserts about the query result.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assertion {
    /// The query returns at least one node.
    Exists,
    /// The query returns nothing.
    Absent,
    /// Every returned node equals `value`.
    Equals,
    /// Every returned node is a string matching the regex `value`.
    Matches,
    /// Every returned node is a number ≥ `value`.
    Min,
    /// Every returned node is a number ≤ `value`.
    Max,
}

fn de_jsonpath<'de, D: serde::Deserializer<'de>>(d: D) -> Result<JsonPath, D::Error> {
    let s = String::deserialize(d)?;
    JsonPath::parse(&s).map_err(serde::de::Error::custom)
}

/// Runs `yaml.assert`.
pub fn yaml_assert(ctx: &Context, p: &YamlAssert, sink: &mut Sink) {
    let files = globset(&p.select.files);
    let re = p.regex.as_ref();
    for f in &ctx.inventory.files {
        if f.kind != FileKind::Yaml || (!p.select.files.is_empty() && !files.is_match(&f.path)) {
            continue;
        }
        for doc in &f.docs {
            let field = |k: &str| doc.get(k).and_then(Node::as_str);
            if p.select
                .kind
                .as_deref()
                .is_some_and(|k| field("kind") != Some(k))
                || p.select
                    .api_version
                    .as_deref()
                    .is_some_and(|v| field("apiVersion") != Some(v))
            {
                continue;
            }
            let json = doc.to_json();
            let located = p.path.query_located(&json);
            let what = p.message.clone();
            let name = doc
                .path("metadata.name")
                .and_then(Node::scalar_text)
                .map(|n| format!(" in {n}"))
                .unwrap_or_default();
            match p.assert {
                Assertion::Exists if located.is_empty() => sink.report(
                    &f.path,
                    doc.pos,
                    what.unwrap_or_else(|| format!("`{}` is missing{name}", p.path)),
                ),
                Assertion::Exists => {}
                Assertion::Absent => {
                    for n in located.iter() {
                        let pos = node_at(doc, n.location().iter()).map_or(doc.pos, |n| n.pos);
                        sink.push(
                            sink.finding(
                                &f.path,
                                pos,
                                what.clone().unwrap_or_else(|| {
                                    format!("`{}` must not be set{name}", p.path)
                                }),
                            ),
                        );
                    }
                }
                _ => {
                    for n in located.iter() {
                        let v = n.node();
                        let ok = match p.assert {
                            Assertion::Equals => p.value.as_ref() == Some(v),
                            Assertion::Matches => {
                                v.as_str().zip(re).is_some_and(|(s, re)| re.is_match(s))
                            }
                            Assertion::Min => number(v)
                                .zip(p.value.as_ref().and_then(number))
                                .is_some_and(|(a, b)| a >= b),
                            Assertion::Max => number(v)
                                .zip(p.value.as_ref().and_then(number))
                                .is_some_and(|(a, b)| a <= b),
                            Assertion::Exists | Assertion::Absent => true,
                        };
                        if !ok {
                            let pos = node_at(doc, n.location().iter()).map_or(doc.pos, |n| n.pos);
                            let expect = p.value.as_ref().map_or(String::new(), |v| v.to_string());
                            sink.report(
                                &f.path,
                                pos,
                                what.clone().unwrap_or_else(|| {
                                    format!(
                                        "`{}` is {v}{name}; expected {} {expect}",
                                        p.path,
                                        match p.assert {
                                            Assertion::Min => "at least",
                                            Assertion::Max => "at most",
                                            Assertion::Matches => "a match of",
                                            _ => "",
                                        }
                                    )
                                }),
                            );
                        }
                    }
                }
            }
        }
    }
}

fn number(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The node at a JSONPath normalized location.
fn node_at<'a, 'b>(
    root: &'a Node,
    path: impl Iterator<Item = &'b PathElement<'b>>,
) -> Option<&'a Node> {
    let mut cur = root;
    for el in path {
        cur = match el {
            PathElement::Name(k) => cur.get(k)?,
            PathElement::Index(i) => cur.items().get(*i)?,
        };
    }
    Some(cur)
}
