//! Where the reader of an authorized_user file takes its fields from: the
//! file's JSON, read field by field and borrowed from the bytes (no map
//! for the fields it knows), or an object any serde format gave as a map.

use serde_json::{Map, Value};

use crate::error::config::FileError;
use crate::wire::json::{opt_str_list, parse_object, take_str};
use crate::wire::json_fields::{read_fields, Field, Fields};

/// The fields the authorized_user reader takes out, each once.
pub(crate) trait FileFields {
    /// A string field, moved or copied once into the returned `String`
    /// (absent, `null` and `""` are `None`); `file` names the file in errors.
    fn text(
        &mut self,
        file: &'static str,
        field: &'static str,
    ) -> Result<Option<String>, FileError>;

    /// A field of any type, taken out.
    fn value(&mut self, field: &'static str) -> Option<Value>;

    /// A list of strings, or one space-separated string.
    fn list(
        &mut self,
        file: &'static str,
        field: &'static str,
    ) -> Result<Option<Vec<String>>, FileError>;

    /// Every member but `type`, for a reader of another form of the file.
    fn into_map(self, file: &'static str) -> Result<Map<String, Value>, FileError>;
}

impl FileFields for Map<String, Value> {
    fn text(
        &mut self,
        file: &'static str,
        field: &'static str,
    ) -> Result<Option<String>, FileError> {
        take_str(self, field).map_err(|reason| FileError::invalid(file, field, reason))
    }

    fn value(&mut self, field: &'static str) -> Option<Value> {
        self.remove(field)
    }

    fn list(
        &mut self,
        file: &'static str,
        field: &'static str,
    ) -> Result<Option<Vec<String>>, FileError> {
        opt_str_list(self, field).map_err(|reason| FileError::invalid(file, field, reason))
    }

    fn into_map(mut self, _: &'static str) -> Result<Map<String, Value>, FileError> {
        self.remove("type");
        Ok(self)
    }
}

/// A JSON file read with [`read_fields`]: the string fields named in
/// `names`, every other member in the map.
pub(crate) struct JsonFields<'a, const N: usize> {
    bytes: &'a [u8],
    limit: usize,
    names: &'static [&'static str; N],
    fields: Fields<'a, N>,
}

impl<'a, const N: usize> JsonFields<'a, N> {
    /// Reads `bytes`, at most `limit` of them, as `file`.
    pub(crate) fn read(
        bytes: &'a [u8],
        limit: usize,
        names: &'static [&'static str; N],
        file: &'static str,
    ) -> Result<Self, FileError> {
        let fields = read_fields(bytes, limit, names).map_err(|p| FileError::from_json(file, p))?;
        Ok(Self {
            bytes,
            limit,
            names,
            fields,
        })
    }
}

impl<const N: usize> FileFields for JsonFields<'_, N> {
    fn text(
        &mut self,
        file: &'static str,
        field: &'static str,
    ) -> Result<Option<String>, FileError> {
        let Some(index) = self.names.iter().position(|name| *name == field) else {
            return self.fields.extra.text(file, field);
        };
        let text = Field::text(self.fields.known[index].take())
            .map_err(|reason| FileError::invalid(file, field, reason))?;
        Ok(text.map(std::borrow::Cow::into_owned))
    }

    fn value(&mut self, field: &'static str) -> Option<Value> {
        self.fields.extra.remove(field)
    }

    fn list(
        &mut self,
        file: &'static str,
        field: &'static str,
    ) -> Result<Option<Vec<String>>, FileError> {
        self.fields.extra.list(file, field)
    }

    // Rare (another form of the file): read the bytes again, whole.
    fn into_map(self, file: &'static str) -> Result<Map<String, Value>, FileError> {
        parse_object(self.bytes, self.limit)
            .map_err(|p| FileError::from_json(file, p))?
            .into_map(file)
    }
}
