/// Declares an enumeration whose values travel as fixed lower-case strings (in JSON, in the
/// database and on the command line). One declaration gives the serde names, `as_str`,
/// `FromStr` with an error that lists every accepted spelling, `Display` and the list `ALL`,
/// so the spellings can never drift apart between layers.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $what:literal {
            // `tt` rather than `literal`: a `literal` fragment reaches derive macros wrapped
            // in an invisible group, which utoipa's reading of `#[serde(rename = …)]` does not
            // see through, so the OpenAPI schema listed the Rust variant names (`Critical`)
            // instead of the spellings the API accepts (`critical`).
            $( $(#[$vmeta:meta])* $variant:ident => $text:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every accepted spelling, in declaration order.
            pub const SPELLINGS: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::UnknownValue;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::UnknownValue {
                        what: $what,
                        value: value.to_owned(),
                        expected: Self::SPELLINGS,
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
