//! Small secret files (id tokens, authorization tokens): read whole, bounded, refusing
//! anything that is not a regular file so a device or a FIFO cannot block or flood us.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use secrecy::SecretString;

use super::super::{CredentialProblem, CredentialSource};
use super::answer::fail;
use crate::error::Error;

/// The most we read of a token file.
pub(crate) const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// Why a small file could not be used.
#[derive(Debug)]
pub(crate) enum FileProblem {
    /// It does not exist, or could not be opened or read.
    Io(std::io::Error),
    /// It is a symbolic link to this path, which does not exist.
    Dangling(PathBuf),
    /// It is a directory, a device, a FIFO or a socket.
    NotRegular(&'static str),
    /// It is larger than the cap.
    TooLarge(u64),
    /// It is not UTF-8 text.
    NotText,
    /// It holds only white space.
    Empty,
    /// Its content (trimmed) contains a control character.
    ControlCharacters,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                f.write_str("does not exist")
            }
            Self::Io(e) => write!(f, "cannot be read ({e})"),
            Self::Dangling(target) => write!(
                f,
                "is a symbolic link to {}, which does not exist",
                target.display()
            ),
            Self::NotRegular(what) => write!(f, "is {what}, not a regular file"),
            Self::TooLarge(cap) => write!(f, "is larger than {} KiB", cap / 1024),
            Self::NotText => f.write_str("is not UTF-8 text"),
            Self::Empty => f.write_str("is empty"),
            Self::ControlCharacters => {
                f.write_str("contains control characters (line breaks, NUL...) inside the token")
            }
        }
    }
}

/// Reads a small text file: at most `cap` bytes, regular files only, trimmed, not empty,
/// no control characters inside.
pub(crate) fn read_small_file(path: &Path, cap: u64) -> Result<String, FileProblem> {
    let text = read_bounded(path, cap)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(FileProblem::Empty);
    }
    if dataarts_signing::has_control_chars(text) {
        return Err(FileProblem::ControlCharacters);
    }
    Ok(text.to_string())
}

/// Reads a UTF-8 text file of at most `cap` bytes; regular files only. A byte-order mark
/// at the very start (as some Windows editors write) is dropped.
pub(crate) fn read_bounded(path: &Path, cap: u64) -> Result<String, FileProblem> {
    // Look before opening: opening a FIFO for reading blocks until a writer appears.
    let meta = std::fs::metadata(path).map_err(|e| match dangling_target(path) {
        Some(target) => FileProblem::Dangling(target),
        None => FileProblem::Io(e),
    })?;
    if !meta.is_file() {
        return Err(FileProblem::NotRegular(kind(&meta)));
    }
    let file = std::fs::File::open(path).map_err(FileProblem::Io)?;
    // Look again at what was opened, in case the path changed in between.
    let meta = file.metadata().map_err(FileProblem::Io)?;
    if !meta.is_file() {
        return Err(FileProblem::NotRegular(kind(&meta)));
    }
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(FileProblem::Io)?;
    if bytes.len() as u64 > cap {
        return Err(FileProblem::TooLarge(cap));
    }
    let text = String::from_utf8(bytes).map_err(|_| FileProblem::NotText)?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Where `path` points when it is a symbolic link whose target does not exist.
pub(crate) fn dangling_target(path: &Path) -> Option<PathBuf> {
    let link = std::fs::symlink_metadata(path).ok()?;
    if !link.file_type().is_symlink() || path.exists() {
        return None;
    }
    std::fs::read_link(path).ok()
}

fn kind(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// A file holding a token a source sends, read again at every fetch, and the setting that
/// named it (for messages).
#[derive(Debug, Clone)]
pub(crate) struct TokenFile {
    pub(crate) path: PathBuf,
    /// The variable, profile key or API that named the file.
    pub(crate) setting: String,
}

impl TokenFile {
    pub(crate) fn new(path: PathBuf, setting: impl Into<String>) -> Self {
        Self {
            path,
            setting: setting.into(),
        }
    }

    /// The token, or an [`CredentialProblem::Unreadable`] error naming the file and the
    /// setting; `what` says what the token is ("the OIDC id token").
    pub(crate) fn read(
        &self,
        provider: CredentialSource,
        what: &str,
    ) -> Result<SecretString, Error> {
        read_small_file(&self.path, MAX_TOKEN_FILE)
            .map(SecretString::from)
            .map_err(|problem| {
                fail(
                    provider,
                    CredentialProblem::Unreadable,
                    format!(
                        "the file {} ({}) {problem}; it must hold {what}: fix the file or {}",
                        self.path.display(),
                        self.setting,
                        fix_hint(&problem),
                    ),
                )
            })
    }
}

fn fix_hint(problem: &FileProblem) -> &'static str {
    match problem {
        FileProblem::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "point the setting at the file the CI system writes"
        }
        FileProblem::Dangling(_) => "fix the link or point the setting at the file itself",
        FileProblem::Io(_) => "check its permissions",
        _ => "point the setting at the right file",
    }
}

/// A FIFO nobody writes to, named `fifo` in `dir` (for the tests that check it is refused
/// without blocking).
#[cfg(all(test, unix))]
pub(crate) fn make_fifo(dir: &Path) -> PathBuf {
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo failed");
    fifo
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::io::Write;

    #[test]
    fn regular_files_are_read_trimmed() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"  the-token \n").unwrap();
        assert_eq!(read_small_file(f.path(), 64).unwrap(), "the-token");
        let t = TokenFile::new(f.path().into(), "X_FILE");
        let v = t.read(CredentialSource::PodIdentity, "the token").unwrap();
        assert_eq!(v.expose_secret(), "the-token");
    }

    #[test]
    fn bad_files_are_named_problems() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        assert!(matches!(
            read_small_file(&missing, 64),
            Err(FileProblem::Io(_))
        ));
        assert!(matches!(
            read_small_file(dir.path(), 64),
            Err(FileProblem::NotRegular("a directory"))
        ));
        let p = dir.path().join("blank");
        std::fs::write(&p, " \n\t").unwrap();
        assert!(matches!(read_small_file(&p, 64), Err(FileProblem::Empty)));
        std::fs::write(&p, "x".repeat(65)).unwrap();
        assert!(matches!(
            read_small_file(&p, 64),
            Err(FileProblem::TooLarge(64))
        ));
        std::fs::write(&p, b"\xff\xfe").unwrap();
        assert!(matches!(read_small_file(&p, 64), Err(FileProblem::NotText)));
        std::fs::write(&p, "two\nlines").unwrap();
        assert!(matches!(
            read_small_file(&p, 64),
            Err(FileProblem::ControlCharacters)
        ));
        #[cfg(unix)]
        assert!(matches!(
            read_small_file(Path::new("/dev/zero"), 64),
            Err(FileProblem::NotRegular("a device"))
        ));
    }

    #[test]
    fn a_byte_order_mark_at_the_start_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t");
        std::fs::write(&p, "\u{feff}the-token\n").unwrap();
        assert_eq!(read_small_file(&p, 64).unwrap(), "the-token");
        std::fs::write(&p, "a\u{feff}b").unwrap();
        assert_eq!(read_bounded(&p, 64).unwrap(), "a\u{feff}b");
    }

    #[cfg(unix)]
    #[test]
    fn dangling_links_and_fifos_are_named_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("gone"), &link).unwrap();
        let e = read_small_file(&link, 64).unwrap_err();
        assert!(
            matches!(&e, FileProblem::Dangling(t) if t.ends_with("gone")),
            "{e}"
        );
        assert!(e.to_string().contains("symbolic link"), "{e}");
        let fifo = make_fifo(dir.path());
        assert!(matches!(
            read_small_file(&fifo, 64),
            Err(FileProblem::NotRegular("a FIFO"))
        ));
    }

    #[test]
    fn errors_name_file_and_setting() {
        let t = TokenFile::new("/nonexistent/token".into(), "HUAWEICLOUD_SDK_ID_TOKEN_FILE");
        let e = t
            .read(CredentialSource::IdpFederation, "the id token")
            .unwrap_err();
        let text = e.to_string();
        assert!(text.contains("/nonexistent/token"), "{text}");
        assert!(text.contains("HUAWEICLOUD_SDK_ID_TOKEN_FILE"), "{text}");
        assert!(text.contains("does not exist"), "{text}");
        assert!(matches!(
            e,
            Error::Credentials {
                problem: CredentialProblem::Unreadable,
                provider: CredentialSource::IdpFederation,
                ..
            }
        ));
    }
}
