//! `enum_with_unknown!`: numeric protocol codes as enums with an `Unknown` arm,
//! `From` both ways and `Display`.

/// Declares `pub enum $name { $variant, ..., Unknown($ty) }` with `From<$ty>`,
/// `From<$name> for $ty` and `Display` (the variant name, or `unknown(N)`).
///
/// `Unknown(v)` must not be constructed with a `v` that has a named variant; values
/// converted with `From` never are.
macro_rules! enum_with_unknown {
    (
        $(#[$enum_attr:meta])*
        pub enum $name:ident($ty:ty) {
            $( $(#[$variant_attr:meta])* $variant:ident = $value:expr ),+ $(,)?
        }
    ) => {
        #[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Clone, Copy)]
        $(#[$enum_attr])*
        pub enum $name {
            $( $(#[$variant_attr])* $variant, )+
            /// A value this module does not name.
            Unknown($ty),
        }

        impl ::core::convert::From<$ty> for $name {
            fn from(value: $ty) -> Self {
                match value {
                    $( $value => $name::$variant, )+
                    other => $name::Unknown(other),
                }
            }
        }

        impl ::core::convert::From<$name> for $ty {
            fn from(value: $name) -> Self {
                match value {
                    $( $name::$variant => $value, )+
                    $name::Unknown(other) => other,
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    $( $name::$variant => f.write_str(stringify!($variant)), )+
                    $name::Unknown(other) => write!(f, "unknown({})", other),
                }
            }
        }
    };
}
