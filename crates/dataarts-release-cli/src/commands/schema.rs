//! `schema [COMMAND]`: the index of the JSON documents, or one command's JSON Schema.

use clap::Args;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::exit::CliError;
use crate::output::schema::{find, index, schema, ENTRIES};
use crate::output::{write_json, Table};

/// `schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The command whose document to describe, as typed (`packages list`, or `packages-list`),
    /// or `error` for the error document; none lists them.
    #[arg(value_name = "COMMAND", num_args = 0..)]
    pub command: Vec<String>,
}

/// Runs `schema`: needs no credentials and sends nothing.
pub fn run(global: &GlobalArgs, args: &SchemaArgs) -> Result<(), CliError> {
    if args.command.is_empty() {
        return print_index(global);
    }
    let Some(entry) = find(&args.command) else {
        return Err(unknown(&args.command.join(" ")));
    };
    let mut out = Vec::new();
    write_json(&mut out, &schema(entry))
        .map_err(|e| CliError::Local(format!("cannot encode the schema: {e}")))?;
    super::write_stdout(&out)
}

fn print_index(global: &GlobalArgs) -> Result<(), CliError> {
    match global.output {
        OutputFormat::Json => {
            let mut out = Vec::new();
            write_json(&mut out, &index())
                .map_err(|e| CliError::Local(format!("cannot encode the index: {e}")))?;
            super::write_stdout(&out)
        }
        OutputFormat::Table if global.quiet => Ok(()),
        OutputFormat::Table => {
            let mut t = Table::new(&["COMMAND", "DOCUMENT"]);
            for e in ENTRIES {
                t.row(vec![e.name.to_string(), e.about.to_string()]);
            }
            let mut s = t.render();
            s.push_str(
                "\n`dataarts-release schema <COMMAND>` prints the JSON Schema (draft 2020-12) of \
                 what `<COMMAND> --output json` prints.\n",
            );
            super::write_stdout(s.as_bytes())
        }
    }
}

fn unknown(given: &str) -> CliError {
    let names: Vec<&str> = ENTRIES.iter().map(|e| e.name).collect();
    CliError::Input {
        message: format!(
            "there is no schema for `{given}`; schemas exist for: {}",
            names.join(", ")
        ),
        hint: Some(
            "name the command as you type it (`dataarts-release schema packages list`), or \
             run `dataarts-release schema` for the list"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Exit;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn names_are_found_as_typed_or_hyphenated() {
        for (typed, name) in [
            ("deploy", "deploy"),
            ("packages list", "packages list"),
            ("packages-list", "packages list"),
            ("Tasks Wait", "tasks wait"),
            ("error", "error"),
        ] {
            assert_eq!(find(&words(typed)).map(|e| e.name), Some(name), "{typed}");
        }
        assert_eq!(find(&["pending".into(), "".into()]).map(|e| e.name), None);
        assert!(find(&words("packages")).is_none());
        assert!(find(&words("emulator")).is_none());
    }

    // A command added later without a schema would print JSON that nothing describes.
    #[test]
    fn every_command_that_prints_json_has_a_schema() {
        use clap::CommandFactory;
        // They print a script, or serve; nothing for a script to parse.
        const NO_DOCUMENT: [&str; 2] = ["emulator", "completions"];
        fn leaves(c: &clap::Command, prefix: &str, out: &mut Vec<String>) {
            for sub in c.get_subcommands().filter(|s| s.get_name() != "help") {
                let name = format!("{prefix}{}", sub.get_name());
                if sub.has_subcommands() {
                    leaves(sub, &format!("{name} "), out);
                } else {
                    out.push(name);
                }
            }
        }
        let mut names = Vec::new();
        leaves(&crate::cli::Cli::command(), "", &mut names);
        assert!(names.len() >= 10, "{names:?}");
        for name in names {
            let has_schema = find(&words(&name)).is_some();
            assert_eq!(
                has_schema,
                !NO_DOCUMENT.contains(&name.as_str()),
                "`{name}`: a schema entry (or an exemption) is missing"
            );
        }
    }

    #[test]
    fn an_unknown_name_is_a_usage_error_listing_the_valid_ones() {
        let e = unknown("packages lst");
        assert_eq!(e.exit(), Exit::Usage);
        let r = e.render();
        assert!(r.message.contains("`packages lst`"), "{}", r.message);
        for entry in ENTRIES {
            assert!(r.message.contains(entry.name), "{}", r.message);
        }
    }
}
