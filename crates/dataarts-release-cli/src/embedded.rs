//! The embedded emulator (`--emulator` and the `emulator` subcommand) exists only with the
//! default `emulator` feature; without it, both say which feature is missing.

use crate::exit::CliError;

/// Why `--emulator` or `emulator` cannot run in a build without the `emulator` feature.
pub const MISSING_MESSAGE: &str = "this dataarts-release was built without the `emulator` feature";

/// What to do instead.
pub const MISSING_HINT: &str =
    "rebuild with `cargo install dataarts-release-cli` (default features) or use --endpoint URL";

/// The usage error (exit 2) for `--emulator` or `emulator` in a build without the feature.
#[cfg_attr(feature = "emulator", allow(dead_code))]
pub fn missing() -> CliError {
    CliError::Input {
        message: MISSING_MESSAGE.into(),
        hint: Some(MISSING_HINT.into()),
    }
}

/// Stands in for the emulator's own arguments when it is not built in, so that
/// `dataarts-release emulator ...` still parses and can say what is missing.
#[cfg(not(feature = "emulator"))]
#[derive(Debug, clap::Args)]
pub struct EmulatorArgs {
    /// The emulator's arguments (ignored: the emulator is not built in).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

#[cfg(feature = "emulator")]
pub use dataarts_emulator::EmulatorArgs;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Exit;

    #[test]
    fn missing_feature_is_a_usage_error_that_names_the_feature() {
        let e = missing();
        assert_eq!(e.exit(), Exit::Usage);
        let text = e.render().lines();
        assert_eq!(
            text,
            "error: this dataarts-release was built without the `emulator` feature\n\
             hint: rebuild with `cargo install dataarts-release-cli` (default features) or use \
             --endpoint URL\n"
        );
    }
}
