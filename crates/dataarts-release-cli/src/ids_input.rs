//! Collects package ids from arguments and from `--ids-from FILE|-`.

use std::io::Read;
use std::path::Path;

/// The largest ids file we read; anything bigger is almost certainly the wrong file.
pub const MAX_IDS_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why the ids could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IdsInputError {
    /// The file could not be opened or read.
    #[error("cannot read ids from {path}: {source}")]
    Read {
        /// The file, or `-` for stdin.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_IDS_FILE_BYTES`].
    #[error("{path} is larger than {MAX_IDS_FILE_BYTES} bytes: pass a file with one package id per line")]
    TooLarge {
        /// The file.
        path: String,
    },
    /// The file is not UTF-8 text.
    #[error("{path} is not UTF-8 text: pass a file with one package id per line")]
    NotText {
        /// The file.
        path: String,
    },
    /// Neither arguments nor a file gave any id.
    #[error("no package ids given: pass ids as arguments or with --ids-from FILE (one per line, '-' for stdin)")]
    Empty,
}

/// The ids from the command line followed by those in `file` (one per line; blank lines
/// and lines starting with `#` are skipped; surrounding whitespace is trimmed).
pub fn collect_ids(args: &[String], file: Option<&Path>) -> Result<Vec<String>, IdsInputError> {
    let mut ids = args.to_vec();
    if let Some(path) = file {
        let text = read_limited(path)?;
        ids.extend(
            text.lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .map(str::to_owned),
        );
    }
    if ids.is_empty() {
        return Err(IdsInputError::Empty);
    }
    Ok(ids)
}

fn read_limited(path: &Path) -> Result<String, IdsInputError> {
    let name = path.display().to_string();
    let read_err = |source| IdsInputError::Read {
        path: name.clone(),
        source,
    };
    let mut bytes = Vec::new();
    if name == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_IDS_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
    } else {
        std::fs::File::open(path)
            .map_err(read_err)?
            .take(MAX_IDS_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
    }
    if bytes.len() as u64 > MAX_IDS_FILE_BYTES {
        return Err(IdsInputError::TooLarge { path: name });
    }
    String::from_utf8(bytes).map_err(|_| IdsInputError::NotText { path: name })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_arguments_then_file_lines_skipping_blanks_and_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ids.txt");
        std::fs::write(&path, "# release train 42\n 12 \n\n13\r\n").unwrap();
        let ids = collect_ids(&["23".into()], Some(&path)).unwrap();
        assert_eq!(ids, ["23", "12", "13"]);
    }

    #[test]
    fn no_ids_at_all_is_an_error_that_says_what_to_pass() {
        let err = collect_ids(&[], None).unwrap_err();
        assert!(err.to_string().contains("--ids-from"), "{err}");
    }

    #[test]
    fn missing_binary_and_huge_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.txt");
        assert!(matches!(
            collect_ids(&[], Some(&missing)),
            Err(IdsInputError::Read { .. })
        ));
        let binary = dir.path().join("bin");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        assert!(matches!(
            collect_ids(&[], Some(&binary)),
            Err(IdsInputError::NotText { .. })
        ));
        let huge = dir.path().join("huge");
        let file = std::fs::File::create(&huge).unwrap();
        file.set_len(MAX_IDS_FILE_BYTES + 1).unwrap();
        assert!(matches!(
            collect_ids(&[], Some(&huge)),
            Err(IdsInputError::TooLarge { .. })
        ));
    }
}
