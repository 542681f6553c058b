//! `dataarts-release schema`: the index, one pinned snapshot per schema, and the schemas are
//! valid JSON Schema 2020-12 that reject what the commands never print.

mod common;

use common::*;
use serde_json::json;

/// Every schema the index must list, in its order.
const NAMES: [&str; 11] = [
    "deploy",
    "packages list",
    "packages show",
    "packages cancel",
    "pending list",
    "pending package",
    "tasks show",
    "tasks wait",
    "auth",
    "error",
    "schema",
];

fn schema(name: &str) -> Value {
    let mut args = vec!["schema"];
    args.extend(name.split(' '));
    let o = cli(&args).run();
    assert_eq!(code(&o), 0, "schema {name}: {}", stderr(&o));
    assert_eq!(stderr(&o), "", "schema {name} prints nothing on stderr");
    json(&o)
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::validator_for(schema).expect("a usable schema")
}

#[test]
fn index_lists_every_schema() {
    let o = cli(&["schema"]).run();
    assert_eq!(code(&o), 0);
    snap("schema_index", &o);

    let o = cli(&["--output", "json", "schema"]).run();
    assert_eq!(code(&o), 0);
    let v = json(&o);
    let names: Vec<&str> = v["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .map(|c| c["command"].as_str().expect("command"))
        .collect();
    assert_eq!(names, NAMES);
    // The index is a document like any other: it matches its own schema.
    let errors: Vec<String> = validator(&schema("schema"))
        .iter_errors(&v)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn every_schema_is_pinned_and_valid_json_schema_2020_12() {
    let index = json(&cli(&["--output", "json", "schema"]).run());
    for entry in index["commands"].as_array().expect("commands") {
        let name = entry["command"].as_str().expect("command");
        let mut args = vec!["schema"];
        args.extend(name.split(' '));
        let o = cli(&args).run();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        snap(&format!("schema_{}", name.replace(' ', "_")), &o);

        let s = json(&o);
        if let Err(e) = jsonschema::meta::validate(&s) {
            panic!("schema {name} is not valid JSON Schema: {e}");
        }
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(s["$id"], entry["schema_id"], "{name}");
        assert_eq!(s["x-schema-version"], index["schema_version"], "{name}");
        assert!(s["title"].as_str().is_some_and(|t| t.contains(name)));
        validator(&s);
    }
}

#[test]
fn names_may_be_hyphenated() {
    for (typed, canonical) in [
        ("packages-list", "packages list"),
        ("pending-package", "pending package"),
        ("tasks-wait", "tasks wait"),
    ] {
        let a = cli(&["schema", typed]).run();
        let b = cli(&["schema", canonical]).run();
        assert_eq!(code(&a), 0, "{}", stderr(&a));
        assert_eq!(stdout(&a), stdout(&b), "{typed}");
    }
}

#[test]
fn an_unknown_name_exits_2_and_lists_the_valid_ones() {
    let o = cli(&["schema", "packages", "lst"]).run();
    assert_eq!(code(&o), 2);
    assert_eq!(stdout(&o), "");
    snap("schema_unknown", &o);

    let o = cli(&["--output", "json", "schema", "emulator"]).run();
    assert_eq!(code(&o), 2);
    let v = json(&o);
    assert_eq!(v["command"], "schema");
    let message = v["error"]["message"].as_str().expect("message");
    for name in NAMES {
        assert!(message.contains(name), "{message}");
    }
    assert!(validator(&schema("error")).is_valid(&v));
    assert!(validator(&schema("schema")).is_valid(&v));
}

#[test]
fn schemas_reject_what_no_command_prints() {
    let cancel = validator(&schema("packages cancel"));
    let good = json!({ "schema_version": 1, "cancelled": ["23"] });
    assert!(cancel.is_valid(&good));
    for bad in [
        json!({ "schema_version": 1, "cancelled": ["23"], "extra": true }),
        json!({ "schema_version": 2, "cancelled": ["23"] }),
        json!({ "schema_version": 1 }),
        json!({ "schema_version": 1, "cancelled": [23] }),
    ] {
        assert!(!cancel.is_valid(&bad), "accepted {bad}");
    }

    let failure = |command: &str| {
        json!({
            "schema_version": 1,
            "command": command,
            "error": {
                "code": null, "message": "m", "request_id": null, "hint": null, "exit_code": 2
            }
        })
    };
    // A command's schema takes the error document of that command only.
    assert!(cancel.is_valid(&failure("packages cancel")));
    assert!(!cancel.is_valid(&failure("packages show")));
    let error = validator(&schema("error"));
    assert!(error.is_valid(&failure("packages show")));
    assert!(!error.is_valid(&good));

    let show = validator(&schema("packages show"));
    let package = |status: &str| {
        json!({
            "schema_version": 1,
            "package": {
                "id": "12", "name": null, "status": status, "status_code": 1, "revoked": false,
                "applicant_id": null, "applicant_name": null, "applied_at": null,
                "deployer_id": null, "deployer_name": null, "deployed_at": null,
                "approvers": [], "workspace_id": null
            },
            "items": []
        })
    };
    assert!(show.is_valid(&package("awaiting_review")));
    assert!(!show.is_valid(&package("pending")), "status is enumerated");
}
