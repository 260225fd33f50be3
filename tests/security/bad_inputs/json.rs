//! A seed document as an editable tree: objects keep their members in
//! order and may hold a key twice, and a value may be raw bytes that are
//! not JSON at all (invalid UTF-8 inside a string).

use serde_json::Value;

#[derive(Clone, Debug)]
pub enum J {
    /// A scalar, written as it is (`null`, `true`, `3599`, `1e400`).
    Lit(String),
    Str(String),
    /// Bytes written verbatim, for inputs no encoder makes.
    Raw(Vec<u8>),
    List(Vec<J>),
    Object(Vec<(String, J)>),
}

impl From<&Value> for J {
    fn from(value: &Value) -> Self {
        match value {
            Value::String(s) => J::Str(s.clone()),
            Value::Array(items) => J::List(items.iter().map(J::from).collect()),
            Value::Object(map) => {
                J::Object(map.iter().map(|(k, v)| (k.clone(), v.into())).collect())
            }
            scalar => J::Lit(scalar.to_string()),
        }
    }
}

/// Where a member is: the member's index in each object on the way down
/// (`None` steps through a list element).
pub type Path = Vec<(usize, Option<usize>)>;

impl J {
    pub fn render(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            J::Lit(text) => out.extend(text.as_bytes()),
            J::Str(s) => out.extend(serde_json::to_vec(s).expect("strings serialize")),
            J::Raw(bytes) => out.extend(bytes),
            J::List(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            J::Object(members) => {
                out.push(b'{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    J::Str(key.clone()).write(out);
                    out.push(b':');
                    value.write(out);
                }
                out.push(b'}');
            }
        }
    }

    /// Every object member at any depth (through lists too), with its
    /// dotted name (`installed.client_id`).
    pub fn members(&self) -> Vec<(Path, String)> {
        let mut found = Vec::new();
        self.collect(&mut Vec::new(), "", &mut found);
        found
    }

    fn collect(&self, path: &mut Path, name: &str, found: &mut Vec<(Path, String)>) {
        match self {
            J::Object(members) => {
                for (i, (key, value)) in members.iter().enumerate() {
                    let dotted = if name.is_empty() {
                        key.clone()
                    } else {
                        format!("{name}.{key}")
                    };
                    path.push((i, None));
                    found.push((path.clone(), dotted.clone()));
                    value.collect(path, &dotted, found);
                    path.pop();
                }
            }
            J::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(last) = path.last_mut() {
                        last.1 = Some(i);
                    }
                    item.collect(path, &format!("{name}[{i}]"), found);
                }
                if let Some(last) = path.last_mut() {
                    last.1 = None;
                }
            }
            _ => {}
        }
    }

    /// The object holding the member at `path`, and the member's index.
    pub fn parent_mut(
        &mut self,
        path: &[(usize, Option<usize>)],
    ) -> (&mut Vec<(String, J)>, usize) {
        let (last, above) = path.split_last().expect("a member path");
        let mut node = self;
        for (index, element) in above {
            let J::Object(members) = node else {
                unreachable!("paths step through objects")
            };
            node = &mut members[*index].1;
            if let Some(element) = element {
                let J::List(items) = node else {
                    unreachable!("list steps go through lists")
                };
                node = &mut items[*element];
            }
        }
        let J::Object(members) = node else {
            unreachable!("paths end in objects")
        };
        (members, last.0)
    }

    /// A copy with the member at `path` changed by `edit`.
    pub fn edited(
        &self,
        path: &[(usize, Option<usize>)],
        edit: impl FnOnce(&mut Vec<(String, J)>, usize),
    ) -> J {
        let mut copy = self.clone();
        let (members, index) = copy.parent_mut(path);
        edit(members, index);
        copy
    }

    /// The member at `path`.
    pub fn member(&self, path: &[(usize, Option<usize>)]) -> (String, J) {
        let mut copy = self.clone();
        let (members, index) = copy.parent_mut(path);
        members[index].clone()
    }
}
