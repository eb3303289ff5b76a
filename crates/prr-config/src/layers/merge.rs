//! The merge of layer trees: a later layer overrides an earlier one key by
//! key; sequences are replaced whole, each value keeping its origin.

use super::*;

/// A merged value: like [`Node`], with the layer of each value.
#[derive(Clone, Debug)]
pub(super) enum Tree {
    Scalar(Value, Origin),
    Seq(Vec<Tree>, Origin),
    Map(Vec<(String, Origin, Tree)>, Origin),
}

impl Tree {
    pub(super) fn from_node(n: &Node, layer: usize) -> Tree {
        let o = Origin { layer, pos: n.pos };
        match &n.value {
            Value::Seq(items) => {
                Tree::Seq(items.iter().map(|i| Tree::from_node(i, layer)).collect(), o)
            }
            Value::Map(entries) => Tree::Map(
                entries
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.name.clone(),
                            Origin { layer, pos: k.pos },
                            Tree::from_node(v, layer),
                        )
                    })
                    .collect(),
                o,
            ),
            v => Tree::Scalar(v.clone(), o),
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<&Tree> {
        match self {
            Tree::Map(e, _) => e.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    pub(super) fn str(&self) -> Option<&str> {
        match self {
            Tree::Scalar(Value::Str(s), _) => Some(s),
            _ => None,
        }
    }
}

/// Merges `over` into `base` following the module's rules; `path` is the
/// dotted key path of `base` (empty at the top).
pub(super) fn merge(base: Tree, over: Tree, path: &str) -> Tree {
    match (base, over) {
        (Tree::Map(mut b, bo), Tree::Map(o, _)) => {
            for (k, ko, v) in o {
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.iter().position(|(bk, _, _)| *bk == k) {
                    Some(i) => {
                        let (_, _, old) = b.remove(i);
                        b.insert(i, (k, ko, merge_child(old, v, &child)));
                    }
                    None => b.push((k, ko, v)),
                }
            }
            Tree::Map(b, bo)
        }
        (_, over) => over,
    }
}

pub(super) fn merge_child(old: Tree, new: Tree, path: &str) -> Tree {
    match (path, old, new) {
        ("services", Tree::Seq(mut b, bo), Tree::Seq(o, _)) => {
            for item in o {
                let name = item.get("name").and_then(Tree::str).map(str::to_string);
                let same = name.as_deref().and_then(|n| {
                    b.iter()
                        .position(|x| x.get("name").and_then(Tree::str) == Some(n))
                });
                match same {
                    Some(i) => {
                        let old = b.remove(i);
                        b.insert(i, merge(old, item, "services[]"));
                    }
                    None => b.push(item),
                }
            }
            Tree::Seq(b, bo)
        }
        ("suppressions" | "ignore" | "rules-dir", b, o) => {
            let mut items = into_seq(b);
            let o_origin = origin(&o);
            items.extend(into_seq(o));
            Tree::Seq(items, o_origin)
        }
        (_, b, o) => merge(b, o, path),
    }
}

pub(super) fn origin(t: &Tree) -> Origin {
    match t {
        Tree::Scalar(_, o) | Tree::Seq(_, o) | Tree::Map(_, o) => *o,
    }
}

pub(super) fn into_seq(t: Tree) -> Vec<Tree> {
    match t {
        Tree::Seq(items, _) => items,
        Tree::Scalar(Value::Null, _) => Vec::new(),
        other => vec![other],
    }
}

/// A tier's `budget-policy:` changes the global `budget.policy` key by key:
/// the global policy is merged under it (rule 1), so a tier writes only what
/// differs.
pub(super) fn inherit_tier_policies(tree: &mut Tree) {
    let Some(base) = tree.get("budget").and_then(|b| b.get("policy")).cloned() else {
        return;
    };
    let Tree::Map(top, _) = tree else { return };
    let Some((_, _, Tree::Map(tiers, _))) = top.iter_mut().find(|(k, _, _)| k == "tiers") else {
        return;
    };
    for (_, _, t) in tiers.iter_mut() {
        let Tree::Map(entries, _) = t else { continue };
        if let Some(slot) = entries.iter_mut().find(|(k, _, _)| k == "budget-policy") {
            let own = std::mem::replace(&mut slot.2, Tree::Scalar(Value::Null, slot.1));
            slot.2 = merge(base.clone(), own, "budget.policy");
        }
    }
}
