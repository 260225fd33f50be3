//! Declarative helpers shared across the crate.

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

/// Builder setters that set one field and return the builder:
/// `pub fn name(arg: Type) => field = value;` (or `=> a.b = value;` for a
/// nested field) becomes
/// `pub fn name(mut self, arg: Type) -> Self { self.field = value; self }`,
/// keeping the doc comments and attributes written above it.
macro_rules! setters {
    ($(
        $(#[$attr:meta])*
        $vis:vis fn $name:ident($arg:ident: $ty:ty) => $($field:ident).+ = $value:expr;
    )*) => {
        $(
            $(#[$attr])*
            $vis fn $name(mut self, $arg: $ty) -> Self {
                self.$($field).+ = $value;
                self
            }
        )*
    };
}
pub(crate) use setters;
