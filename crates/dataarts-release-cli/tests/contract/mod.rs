//! What the JSON contract tests share: the schemas as the binary prints them
//! (`dataarts-release schema <COMMAND>`), and checks that a command's stdout is the document
//! its schema describes, or the error document, and that its exit code agrees.

use std::collections::BTreeMap;
use std::process::Output;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{cli, code, json, stderr, stdout};

/// The compiled schema of every entry of the index, by name.
fn validators() -> &'static BTreeMap<String, jsonschema::Validator> {
    static V: OnceLock<BTreeMap<String, jsonschema::Validator>> = OnceLock::new();
    V.get_or_init(|| {
        let index = json(&cli(&["--output", "json", "schema"]).run());
        index["commands"]
            .as_array()
            .expect("the index lists commands")
            .iter()
            .map(|c| {
                let name = c["command"].as_str().expect("command").to_string();
                let mut args = vec!["schema"];
                args.extend(name.split(' '));
                let schema = json(&cli(&args).run());
                let v = jsonschema::validator_for(&schema)
                    .unwrap_or_else(|e| panic!("schema {name} does not compile: {e}"));
                (name, v)
            })
            .collect()
    })
}

fn validator(name: &str) -> &'static jsonschema::Validator {
    validators()
        .get(name)
        .unwrap_or_else(|| panic!("`schema` lists no `{name}`"))
}

/// Validates stdout against the command's schema; returns it.
fn valid(command: &str, o: &Output) -> Value {
    let v = json(o);
    let errors: Vec<String> = validator(command)
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "`{command}` printed a document its schema rejects:\n{}\n--- stdout\n{}--- stderr\n{}",
        errors.join("\n"),
        stdout(o),
        stderr(o)
    );
    v
}

/// The command printed its own document (not the error document); returns it.
pub fn document(command: &str, o: &Output) -> Value {
    let v = valid(command, o);
    assert!(
        !validator("error").is_valid(&v),
        "`{command}` printed the error document (exit {}): {}",
        code(o),
        stdout(o)
    );
    v
}

/// The command printed the error document, naming itself, with the exit code it ended
/// with; returns it.
pub fn failure(command: &str, o: &Output, exit: i32) -> Value {
    let v = valid(command, o);
    assert!(
        validator("error").is_valid(&v),
        "`{command}` did not print the error document: {}",
        stdout(o)
    );
    assert_eq!(v["command"], command);
    assert_eq!(code(o), exit, "{}", stderr(o));
    assert_eq!(v["error"]["exit_code"], exit);
    v
}
