//! The crate's one declarative helper macro.

/// `impl From<T> for Enum` for each `T => Variant`: the value wrapped in
/// that variant.
macro_rules! from_variants {
    ($enum:ident { $($from:ty => $variant:ident),* $(,)? }) => {
        $(
            impl From<$from> for $enum {
                fn from(value: $from) -> Self {
                    Self::$variant(value)
                }
            }
        )*
    };
}
pub(crate) use from_variants;
