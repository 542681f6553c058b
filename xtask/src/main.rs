//! `cargo xtask <command>`: see `cargo xtask help`.

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  codegen           regenerate the raw client and the operation table from openapi/deploy.yaml
  codegen --check   fail with a diff when a checked-in generated file is stale
  docs              refresh the vendored Swagger UI files of the emulator from tools/node and
                    write the HTML API reference to target/api-reference/ (works from disk)
  docs --check      fail when the vendored Swagger UI files or the spec copies are stale
  test              run every test: Rust, the Python conformance suite, the official Go and
                    Java SDKs, the generated TypeScript/Go/Java clients, spec lint and the
                    API reference in headless Chromium (see `cargo xtask test --help`)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => xtask::codegen::write().map(|changed| {
            if changed.is_empty() {
                println!("the generated files are already up to date");
            }
            for path in changed {
                println!("wrote {path}");
            }
        }),
        ["codegen", "--check"] => xtask::codegen::check(),
        ["docs", rest @ ..] => xtask::docs::run(rest),
        ["test", rest @ ..] => xtask::test::run(rest),
        ["help"] | ["--help"] | ["-h"] | [] => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("unknown command: {}\n\n{USAGE}", args.join(" "));
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
