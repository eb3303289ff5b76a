//! Enums of names: the small closed sets prr.yaml, rule files and reports
//! spell as words (levels, tiers, budget states and actions, what an
//! exception lifts). [`named_enum!`](crate::named_enum) declares one with
//! each variant's name written once, beside the variant.

/// Declares a `Copy` enum whose variants are known by a name
/// (`Warning = "warning"`, `FastBurn = "fast-burn"`), with everything such
/// an enum needs from that one spelling:
///
/// - the derives `Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord,
///   Hash` (ordered as declared), serde's `Serialize` and `Deserialize`
///   and schemars' `JsonSchema`, each variant renamed to its name (so
///   serde's "unknown variant `x`, expected one of …" lists the names);
/// - `as_str(self) -> &'static str`, the name;
/// - `parse(&str) -> Option<Self>`, the variant of an exact name;
/// - `Display`, the name.
///
/// The enum's and the variants' attributes and docs are kept (add
/// `#[derive(Default)]` and a variant's `#[default]` as usual). The
/// calling crate depends on `serde` and `schemars`.
///
/// ```
/// prr_core::named_enum! {
///     /// How loud.
///     pub enum Volume {
///         /// Barely.
///         Low = "low",
///         /// Very.
///         VeryHigh = "very-high",
///     }
/// }
/// assert_eq!(Volume::VeryHigh.as_str(), "very-high");
/// assert_eq!(Volume::parse("low"), Some(Volume::Low));
/// assert!(Volume::Low < Volume::VeryHigh);
/// assert_eq!(serde_json::to_string(&Volume::VeryHigh).unwrap(), "\"very-high\"");
/// ```
#[macro_export]
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $text:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            PartialOrd,
            Ord,
            Hash,
            ::serde::Deserialize,
            ::serde::Serialize,
            ::schemars::JsonSchema,
        )]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $text)]
                $variant,
            )+
        }

        impl $name {
            /// The name prr.yaml, rule files and reports spell it with.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The variant called `name`, spelt exactly as
            /// [`as_str`](Self::as_str) writes it.
            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
