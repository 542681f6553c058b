//! The JSON Schema (draft 2020-12) of every command's `--output json` document, generated
//! with schemars from the output types, so the schema cannot drift from what is printed.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{
    AuthJson, CancelJson, CreatedJson, DeployJson, FailureJson, PackageListJson, PackageShowJson,
    PendingListJson, TaskShowJson, SCHEMA_VERSION,
};

/// The name under which the error document is listed.
pub const ERROR: &str = "error";
/// The name under which the index itself is listed.
pub const INDEX: &str = "schema";

/// One schema `schema` can print.
#[derive(Debug)]
pub struct Entry {
    /// The command as the user types it (`packages list`), or `error`.
    pub name: &'static str,
    /// What the document is, in one line.
    pub about: &'static str,
    generate: fn(&mut SchemaGenerator) -> Schema,
}

fn gen<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// Every schema, in the order `schema` lists them.
pub const ENTRIES: &[Entry] = &[
    Entry {
        name: "deploy",
        about: "every id's result (or --dry-run plan), with counts; also on refusal, failure, \
                timeout and interruption",
        generate: gen::<DeployJson>,
    },
    Entry {
        name: "packages list",
        about: "a page (or with --all every page) of release packages",
        generate: gen::<PackageListJson>,
    },
    Entry {
        name: "packages show",
        about: "one release package and the tasks it holds",
        generate: gen::<PackageShowJson>,
    },
    Entry {
        name: "packages cancel",
        about: "the package ids revoked",
        generate: gen::<CancelJson>,
    },
    Entry {
        name: "pending list",
        about: "a page (or with --all every page) of items waiting to be packaged",
        generate: gen::<PendingListJson>,
    },
    Entry {
        name: "pending package",
        about: "the release package just created",
        generate: gen::<CreatedJson>,
    },
    Entry {
        name: "tasks show",
        about: "a system task and its subtasks",
        generate: gen::<TaskShowJson>,
    },
    Entry {
        name: "tasks wait",
        about: "a system task and its subtasks, once it has ended",
        generate: gen::<TaskShowJson>,
    },
    Entry {
        name: "auth",
        about: "where the credentials and the project id come from, the endpoints and the \
                signing algorithm (never a secret)",
        generate: gen::<AuthJson>,
    },
    Entry {
        name: ERROR,
        about: "what any command prints when it fails before it has a document of its own",
        generate: gen::<FailureJson>,
    },
    Entry {
        name: INDEX,
        about: "this list (`schema --output json`)",
        generate: gen::<SchemaIndexJson>,
    },
];

/// The entry a user named: words as typed (`packages list`), or joined by a hyphen
/// (`packages-list`); case does not matter.
pub fn find(words: &[String]) -> Option<&'static Entry> {
    let wanted = normalise(&words.join(" "));
    ENTRIES.iter().find(|e| e.name == wanted)
}

fn normalise(s: &str) -> String {
    s.to_lowercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `$id` of an entry's schema: a URN that names the tool, the schema version and the
/// document, and points nowhere (the schema is printed by the binary itself).
pub fn id(e: &Entry) -> String {
    format!(
        "urn:dataarts-release:schema:v{SCHEMA_VERSION}:{}",
        e.name.replace(' ', "-")
    )
}

/// The full schema of an entry. A command's schema accepts its own document or the error
/// document (with `command` set to that command): the two things it can print.
pub fn schema(e: &Entry) -> Value {
    let mut g = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let doc = Value::from((e.generate)(&mut g));
    let (title, description, root) = if e.name == ERROR {
        (
            "dataarts-release error document (--output json)".to_string(),
            "What any command prints on stdout with `--output json` when it fails before it \
             has a document of its own; the exit code is `error.exit_code`."
                .to_string(),
            doc,
        )
    } else {
        let failure = Value::from(g.subschema_for::<FailureJson>());
        let mut failure_for_this = failure.as_object().cloned().unwrap_or_default();
        failure_for_this.insert(
            "properties".into(),
            json!({ "command": { "const": e.name } }),
        );
        (
            format!("dataarts-release {} --output json", e.name),
            format!(
                "What `dataarts-release {} --output json` prints on stdout: {}; or, when it \
                 fails before it has that document, the error document.",
                e.name, e.about
            ),
            json!({ "oneOf": [doc, Value::Object(failure_for_this)] }),
        )
    };
    let mut out = Map::new();
    out.insert(
        "$schema".into(),
        "https://json-schema.org/draft/2020-12/schema".into(),
    );
    out.insert("$id".into(), id(e).into());
    out.insert("title".into(), title.into());
    out.insert("description".into(), description.into());
    out.insert("x-schema-version".into(), SCHEMA_VERSION.into());
    if let Value::Object(root) = root {
        out.extend(root);
    }
    out.insert("$defs".into(), Value::Object(g.take_definitions(true)));
    let mut v = Value::Object(out);
    tighten(&mut v);
    v
}

/// Every object we emit has exactly the properties its type declares
/// (`additionalProperties: false`), `schema_version` is pinned to the current version, and
/// descriptions lose the line breaks of the doc comments they come from.
fn tighten(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(d)) = m.get_mut("description") {
                *d = unwrap_lines(d);
            }
            if m.get("type").and_then(Value::as_str) == Some("object")
                && m.contains_key("properties")
            {
                m.entry("additionalProperties")
                    .or_insert(Value::Bool(false));
                if let Some(Value::Object(p)) = m
                    .get_mut("properties")
                    .and_then(|p| p.get_mut("schema_version"))
                {
                    p.insert("const".into(), SCHEMA_VERSION.into());
                }
            }
            m.values_mut().for_each(tighten);
        }
        Value::Array(a) => a.iter_mut().for_each(tighten),
        _ => {}
    }
}

/// Joins the lines of each paragraph with spaces; paragraphs stay apart.
fn unwrap_lines(s: &str) -> String {
    s.split("\n\n")
        .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// One line of the index.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "SchemaIndexEntry")]
pub struct SchemaIndexEntryJson {
    /// The command as typed after `dataarts-release` (or `error` for the error document).
    pub command: &'static str,
    /// What its document holds.
    pub documents: &'static str,
    /// The `$id` of its schema.
    pub schema_id: String,
    /// The command line that prints its schema.
    pub usage: String,
}

/// What `schema --output json` prints: the schemas there are.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "SchemaIndex")]
pub struct SchemaIndexJson {
    /// Version of this document's schema, and of every schema listed (bumped on
    /// incompatible changes only).
    pub schema_version: u32,
    /// One entry per schema.
    pub commands: Vec<SchemaIndexEntryJson>,
}

/// The index of every schema.
pub fn index() -> SchemaIndexJson {
    SchemaIndexJson {
        schema_version: SCHEMA_VERSION,
        commands: ENTRIES
            .iter()
            .map(|e| SchemaIndexEntryJson {
                command: e.name,
                documents: e.about,
                schema_id: id(e),
                usage: format!("dataarts-release schema {}", e.name),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_closed_and_the_version_pinned() {
        let mut v = json!({
            "type": "object",
            "description": "one\nline\n\nnext paragraph",
            "properties": {
                "schema_version": { "type": "integer" },
                "map": { "type": "object", "additionalProperties": { "type": "string" } },
                "inner": { "type": "object", "properties": { "a": { "type": "string" } } }
            }
        });
        tighten(&mut v);
        assert_eq!(v["additionalProperties"], false);
        assert_eq!(v["description"], "one line\n\nnext paragraph");
        assert_eq!(v["properties"]["schema_version"]["const"], SCHEMA_VERSION);
        assert_eq!(v["properties"]["inner"]["additionalProperties"], false);
        // A map keeps the value schema it declares.
        assert_eq!(
            v["properties"]["map"]["additionalProperties"],
            json!({ "type": "string" })
        );
    }

    #[test]
    fn every_entry_has_a_distinct_id_and_a_schema_of_its_own() {
        let mut ids: Vec<String> = ENTRIES.iter().map(id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ENTRIES.len());
        for e in ENTRIES {
            let s = schema(e);
            assert_eq!(s["$id"], id(e));
            assert!(s["$defs"].as_object().is_some_and(|d| !d.is_empty()));
        }
    }
}
