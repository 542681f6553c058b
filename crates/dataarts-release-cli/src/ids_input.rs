//! Collects package ids from arguments and from `--ids-from FILE|-`.

use std::io::Read;
use std::path::Path;

/// The largest ids file we read; anything bigger is almost certainly the wrong file.
pub const MAX_IDS_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why the ids could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IdsInputError {
    /// The file could not be opened or read.
    #[error("--ids-from {path}: cannot read ids from it ({source})")]
    Read {
        /// The file, or `-` for stdin.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The path is a directory, a device, a named FIFO or a socket (checked before opening
    /// it: opening a FIFO blocks until something writes to it). The anonymous pipe of a
    /// shell's `<(command)` is read like a file.
    #[error("--ids-from {path}: it is {what}, not a regular file; pass a file with one package id per line, or pipe the ids into --ids-from -")]
    NotRegular {
        /// The file.
        path: String,
        /// What it is instead ("a FIFO", "a device"...).
        what: &'static str,
    },
    /// The file is larger than [`MAX_IDS_FILE_BYTES`].
    #[error("--ids-from {path}: it is larger than {MAX_IDS_FILE_BYTES} bytes; pass a file with one package id per line")]
    TooLarge {
        /// The file.
        path: String,
    },
    /// The file is not UTF-8 text.
    #[error("--ids-from {path}: it is not UTF-8 text; pass a file with one package id per line")]
    NotText {
        /// The file.
        path: String,
    },
    /// Neither arguments nor a file gave any id.
    #[error("no package ids given: pass ids as arguments or with --ids-from FILE (one per line, '-' for stdin)")]
    Empty,
}

/// The ids from the command line followed by those in `file` (one per line; blank lines
/// and lines starting with `#` are skipped; surrounding whitespace is trimmed; a byte-order
/// mark at the very start of the file, as Windows editors write, is dropped).
pub fn collect_ids(args: &[String], file: Option<&Path>) -> Result<Vec<String>, IdsInputError> {
    let mut ids = args.to_vec();
    if let Some(path) = file {
        let text = read_limited(path)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
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
        // Look before opening: opening a FIFO blocks until a writer appears, and a device
        // such as /dev/zero never ends.
        let meta = std::fs::metadata(path).map_err(read_err)?;
        let pipe = is_anonymous_pipe(path, &meta);
        if !meta.is_file() && !pipe {
            return Err(not_regular(name, &meta));
        }
        let file = std::fs::File::open(path).map_err(read_err)?;
        let meta = file.metadata().map_err(read_err)?;
        if !meta.is_file() && !pipe {
            return Err(not_regular(name, &meta));
        }
        file.take(MAX_IDS_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
    }
    if bytes.len() as u64 > MAX_IDS_FILE_BYTES {
        return Err(IdsInputError::TooLarge { path: name });
    }
    String::from_utf8(bytes).map_err(|_| IdsInputError::NotText { path: name })
}

/// True for an anonymous pipe reached through `/dev/fd/N` (the shell's `<(command)`): its
/// writer already exists, and opening a pipe never waits for one, unlike a named FIFO.
#[cfg(target_os = "linux")]
fn is_anonymous_pipe(path: &Path, meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_fifo()
        && std::fs::read_link(path)
            .is_ok_and(|target| target.as_os_str().as_encoded_bytes().starts_with(b"pipe:["))
}

#[cfg(not(target_os = "linux"))]
fn is_anonymous_pipe(_: &Path, _: &std::fs::Metadata) -> bool {
    false
}

fn not_regular(path: String, meta: &std::fs::Metadata) -> IdsInputError {
    let what = if meta.is_dir() {
        "a directory"
    } else {
        special_kind(meta)
    };
    IdsInputError::NotRegular { path, what }
}

#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::Metadata) -> &'static str {
    "not a regular file"
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
    fn a_byte_order_mark_at_the_very_start_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ids.txt");
        std::fs::write(&path, "\u{feff}12\r\n13\r\n").unwrap();
        assert_eq!(collect_ids(&[], Some(&path)).unwrap(), ["12", "13"]);
        std::fs::write(&path, "12\n\u{feff}13\n").unwrap();
        assert_eq!(collect_ids(&[], Some(&path)).unwrap(), ["12", "\u{feff}13"]);
    }

    #[cfg(unix)]
    #[test]
    fn devices_directories_and_fifos_are_refused_before_opening() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        for (path, what) in [
            (Path::new("/dev/zero"), "a device"),
            (dir.path(), "a directory"),
            (fifo.as_path(), "a FIFO"),
        ] {
            let err = collect_ids(&[], Some(path)).unwrap_err();
            assert!(
                matches!(&err, IdsInputError::NotRegular { what: w, .. } if *w == what),
                "{err}"
            );
            assert!(err.to_string().starts_with("--ids-from "), "{err}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_anonymous_pipe_as_from_process_substitution_is_read_like_a_file() {
        use std::io::Write;
        use std::os::fd::AsRawFd;
        let (reader, mut writer) = std::io::pipe().unwrap();
        writer.write_all(b"23\n13\n").unwrap();
        drop(writer);
        let path = format!("/proc/self/fd/{}", reader.as_raw_fd());
        let ids = collect_ids(&[], Some(Path::new(&path))).unwrap();
        assert_eq!(ids, ["23", "13"]);
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
