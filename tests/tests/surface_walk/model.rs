//! What the walk collects: operations, their builders, and the rendered lines.

use std::collections::BTreeMap;

#[derive(Debug)]
pub(crate) struct Operation {
    pub(crate) http_method: String,
    pub(crate) path: String,
    pub(crate) builder: String,
    pub(crate) docs: Vec<String>,
    /// parameter name -> doc text, from the "Arguments:" list of the method doc
    pub(crate) param_docs: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub(crate) struct Setter {
    /// the `T` of `TryInto<T>`, or the rendered bound
    pub(crate) target: String,
    /// `required`, `optional` or `has default`
    pub(crate) kind: String,
}

#[derive(Debug, Default)]
pub(crate) struct OpBuilder {
    pub(crate) setters: BTreeMap<String, Setter>,
    pub(crate) send: Option<String>,
    pub(crate) operation_id: Option<String>,
    pub(crate) headers: Vec<String>,
    pub(crate) query: Vec<String>,
    pub(crate) dispatch: Vec<String>,
    pub(crate) body: Option<String>,
}

pub(crate) struct Surface {
    pub(crate) lines: Vec<String>,
    pub(crate) operations: BTreeMap<String, Operation>,
    pub(crate) builders: BTreeMap<String, OpBuilder>,
    /// `Type.field` -> rendered field type and serde suffix
    pub(crate) fields: BTreeMap<String, String>,
}
