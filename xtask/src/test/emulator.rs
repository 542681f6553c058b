//! A fresh emulator for one step: random credentials, its URL read from its first stdout line,
//! its output kept in a log file, and stopped when the step ends (also on error).

use std::collections::hash_map::RandomState;
use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// The ids `--demo` seeds (see the emulator's fixtures).
pub(super) const PROJECT_ID: &str = "b384b9e9ab9b4ee8994c8633aabc9505";
/// The workspace `--demo` seeds.
pub(super) const WORKSPACE_ID: &str = "d1cd7861478748a6925bc02f47c69279";
/// How long the emulator may take to announce its URL.
pub(super) const START_TIMEOUT: Duration = Duration::from_secs(30);
/// The emulator's log filter unless the caller set `RUST_LOG`.
const EMULATOR_LOG_FILTER: &str = "warn,dataarts_emulator=debug";
/// Lines of the emulator's log shown when a step fails.
pub(super) const LOG_TAIL_LINES: usize = 50;

const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The credentials one emulator accepts; made up per step.
#[derive(Clone)]
pub(super) struct Credentials {
    pub(super) ak: String,
    pub(super) sk: String,
    pub(super) token: String,
}

impl Credentials {
    pub(super) fn random() -> Credentials {
        let mut bytes = random_bytes();
        Credentials {
            ak: random_string(UPPER_DIGITS, 20, &mut bytes),
            sk: random_string(ALNUM, 40, &mut bytes),
            token: format!("xtask-{}", random_string(ALNUM, 48, &mut bytes)),
        }
    }

    /// The emulator's arguments for these credentials.
    pub(super) fn args(&self) -> Vec<String> {
        [
            "--demo",
            "--port",
            "0",
            "--ak",
            &self.ak,
            "--sk",
            &self.sk,
            "--token",
            &self.token,
            "--no-rate-limit",
            "--task-duration",
            "50ms",
        ]
        .map(String::from)
        .to_vec()
    }

    /// Replaces the secrets in `text` (shown output never carries them).
    pub(super) fn redact(&self, text: &str) -> String {
        text.replace(&self.sk, "<SK>")
            .replace(&self.token, "<TOKEN>")
    }
}

/// An endless source of random bytes: the OS's (`/dev/urandom`) where there is one, else std's
/// randomly keyed hasher, which is seeded from the OS too.
fn random_bytes() -> impl Iterator<Item = u8> {
    let mut urandom = File::open("/dev/urandom").ok();
    let mut counter = 0u64;
    std::iter::repeat_with(move || {
        let mut block = [0u8; 64];
        if urandom
            .as_mut()
            .is_some_and(|f| f.read_exact(&mut block).is_ok())
        {
            return block.to_vec();
        }
        counter += 1;
        let mut h = RandomState::new().build_hasher();
        h.write_u64(counter);
        h.finish().to_le_bytes().to_vec()
    })
    .flatten()
}

/// `len` characters from `alphabet`, uniformly (bytes that would favour the first characters are
/// skipped).
fn random_string(alphabet: &[u8], len: usize, bytes: &mut dyn Iterator<Item = u8>) -> String {
    let limit = 256 - 256 % alphabet.len();
    bytes
        .filter(|&b| usize::from(b) < limit)
        .take(len)
        .map(|b| char::from(alphabet[usize::from(b) % alphabet.len()]))
        .collect()
}

/// The URL in the emulator's `dataarts-emulator listening on http://127.0.0.1:PORT` line.
pub(super) fn listening_url(output: &str) -> Option<&str> {
    output.lines().find_map(|line| {
        let url = line.split("listening on ").nth(1)?.trim();
        let port = url.strip_prefix("http://127.0.0.1:")?;
        (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())).then_some(url)
    })
}

/// The last `n` lines of `text`.
pub(super) fn tail(text: &str, n: usize) -> &str {
    let body = text.trim_end_matches('\n');
    match body.rmatch_indices('\n').nth(n.saturating_sub(1)) {
        Some((i, _)) if n > 0 => &text[i + 1..],
        _ => text,
    }
}

/// A running process whose output goes to a log file; killed and reaped when dropped.
pub(super) struct Guarded {
    child: Child,
    log: PathBuf,
}

impl Guarded {
    /// Starts `cmd` with stdout and stderr appended to `log` (the file never fills like a pipe
    /// would), then waits up to `timeout` for the listening line.
    pub(super) fn start(
        mut cmd: Command,
        log: &Path,
        timeout: Duration,
    ) -> anyhow::Result<(Guarded, String)> {
        let file = File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let err = file
            .try_clone()
            .context("duplicating the log file handle")?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::from(file))
            .stderr(Stdio::from(err))
            .spawn()
            .with_context(|| format!("could not start {:?}", cmd.get_program()))?;
        let mut guard = Guarded {
            child,
            log: log.to_path_buf(),
        };
        let url = guard.wait_for_url(timeout)?;
        Ok((guard, url))
    }

    fn wait_for_url(&mut self, timeout: Duration) -> anyhow::Result<String> {
        let started = Instant::now();
        loop {
            let text = self.log_text();
            if let Some(url) = listening_url(&text) {
                return Ok(url.to_string());
            }
            if let Some(status) = self.child.try_wait().context("waiting for the emulator")? {
                bail!(
                    "the emulator exited with {status} before it announced its URL (log: {})",
                    self.log.display()
                );
            }
            if started.elapsed() >= timeout {
                bail!(
                    "the emulator did not print `listening on http://127.0.0.1:PORT` within {timeout:?} (log: {})",
                    self.log.display()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The whole log so far.
    pub(super) fn log_text(&self) -> String {
        std::fs::read(&self.log)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// The exit status if the process has ended.
    pub(super) fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One emulator for one step.
pub(super) struct RunningEmulator {
    process: Guarded,
    url: String,
    credentials: Credentials,
}

impl RunningEmulator {
    /// Starts `binary` with fresh credentials; its output goes to `log`.
    pub(super) fn start(binary: &Path, log: &Path) -> anyhow::Result<RunningEmulator> {
        let credentials = Credentials::random();
        let mut cmd = Command::new(binary);
        cmd.args(credentials.args());
        // The emulator's own debug lines (e.g. the canonical request of a refused signature) are
        // what explains a failed test; the caller's RUST_LOG wins.
        if std::env::var_os("RUST_LOG").is_none() {
            cmd.env("RUST_LOG", EMULATOR_LOG_FILTER);
        }
        println!(
            "$ dataarts-emulator --demo --port 0 --ak <AK> --sk <SK> --token <TOKEN> --no-rate-limit --task-duration 50ms   (log: {})",
            log.display()
        );
        let (process, url) = Guarded::start(cmd, log, START_TIMEOUT).inspect_err(|_| {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            let shown = credentials.redact(tail(&text, LOG_TAIL_LINES));
            eprintln!("--- the emulator's log ({}):\n{shown}---", log.display());
        })?;
        println!("  emulator: {url}");
        Ok(RunningEmulator {
            process,
            url,
            credentials,
        })
    }

    /// The variables the tests read (decision 1 of the plan).
    pub(super) fn env(&self) -> Vec<(&'static str, String)> {
        emulator_env(&self.url, &self.credentials)
    }

    /// Prints the end of the log (secrets masked), and says so when the emulator died.
    pub(super) fn report_failure(&mut self) {
        if let Some(status) = self.process.exited() {
            eprintln!("the emulator exited during the step with {status}");
        }
        let text = self.process.log_text();
        eprintln!(
            "--- last {LOG_TAIL_LINES} lines of the emulator's log ({}):\n{}---",
            self.process.log.display(),
            self.credentials.redact(tail(&text, LOG_TAIL_LINES))
        );
    }
}

/// The environment of a test process that talks to the emulator at `url`.
pub(super) fn emulator_env(url: &str, c: &Credentials) -> Vec<(&'static str, String)> {
    vec![
        (
            "DATAARTS_EMULATOR_URL",
            url.trim_end_matches('/').to_string(),
        ),
        ("DATAARTS_EMULATOR_AK", c.ak.clone()),
        ("DATAARTS_EMULATOR_SK", c.sk.clone()),
        ("DATAARTS_EMULATOR_TOKEN", c.token.clone()),
        ("DATAARTS_EMULATOR_PROJECT_ID", PROJECT_ID.to_string()),
        ("DATAARTS_EMULATOR_WORKSPACE_ID", WORKSPACE_ID.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_have_the_documented_shapes_and_differ_per_call() {
        let a = Credentials::random();
        let b = Credentials::random();
        assert_eq!(a.ak.len(), 20);
        assert!(
            a.ak.bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
            "{}",
            a.ak
        );
        assert_eq!(a.sk.len(), 40);
        assert!(a.sk.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert!(a.token.len() > 40 && a.token.starts_with("xtask-"));
        assert_ne!(a.ak, b.ak);
        assert_ne!(a.sk, b.sk);
        assert_ne!(a.token, b.token);
    }

    #[test]
    fn random_strings_use_only_the_alphabet_and_skip_biased_bytes() {
        // 36 characters: bytes 252..=255 would favour A..D and are dropped.
        let mut bytes = [255u8, 0, 252, 35, 36, 25].into_iter();
        assert_eq!(random_string(UPPER_DIGITS, 4, &mut bytes), "A9AZ");
    }

    #[test]
    fn the_url_is_read_from_the_listening_line() {
        assert_eq!(
            listening_url("dataarts-emulator listening on http://127.0.0.1:41234\n"),
            Some("http://127.0.0.1:41234")
        );
        assert_eq!(
            listening_url("warming up\ndataarts-emulator listening on http://127.0.0.1:8\nmore"),
            Some("http://127.0.0.1:8")
        );
        assert_eq!(
            listening_url("dataarts-emulator listening on http://127.0.0.1:"),
            None
        );
        assert_eq!(listening_url("listening on http://0.0.0.0:80"), None);
        assert_eq!(listening_url(""), None);
    }

    #[test]
    fn the_environment_names_every_variable_the_tests_read() {
        let c = Credentials {
            ak: "AK".into(),
            sk: "SK".into(),
            token: "T".into(),
        };
        let env = emulator_env("http://127.0.0.1:5/", &c);
        let get = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("DATAARTS_EMULATOR_URL"), Some("http://127.0.0.1:5"));
        assert_eq!(get("DATAARTS_EMULATOR_AK"), Some("AK"));
        assert_eq!(get("DATAARTS_EMULATOR_SK"), Some("SK"));
        assert_eq!(get("DATAARTS_EMULATOR_TOKEN"), Some("T"));
        assert_eq!(get("DATAARTS_EMULATOR_PROJECT_ID"), Some(PROJECT_ID));
        assert_eq!(get("DATAARTS_EMULATOR_WORKSPACE_ID"), Some(WORKSPACE_ID));
        assert_eq!(env.len(), 6);
    }

    #[test]
    fn secrets_are_masked_and_the_tail_is_the_last_lines() {
        let c = Credentials {
            ak: "AKAKAK".into(),
            sk: "secretsecret".into(),
            token: "tok-123".into(),
        };
        assert_eq!(
            c.redact("auth failed for AKAKAK with secretsecret / tok-123"),
            "auth failed for AKAKAK with <SK> / <TOKEN>"
        );
        assert_eq!(tail("a\nb\nc\nd\n", 2), "c\nd\n");
        assert_eq!(tail("a\nb", 5), "a\nb");
        assert_eq!(tail("", 3), "");
    }

    #[cfg(unix)]
    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        cmd
    }

    #[cfg(unix)]
    #[test]
    fn a_started_process_is_read_then_killed_when_dropped() {
        let dir = std::env::temp_dir().join(format!("xtask-emu-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("ok.log");
        let (mut guard, url) = Guarded::start(
            sh("echo starting >&2; echo 'dataarts-emulator listening on http://127.0.0.1:4321'; exec sleep 60"),
            &log,
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(url, "http://127.0.0.1:4321");
        assert!(guard.exited().is_none());
        assert!(guard.log_text().contains("starting"));
        let pid = guard.child.id();
        drop(guard);
        // Reaped: the pid is gone from /proc (Linux) once kill + wait ran.
        if Path::new("/proc/self").exists() {
            assert!(!Path::new(&format!("/proc/{pid}")).exists());
        }

        let e = Guarded::start(
            sh("echo boom >&2; exit 3"),
            &dir.join("early.log"),
            Duration::from_secs(10),
        )
        .err()
        .unwrap();
        assert!(format!("{e}").contains("exited with exit status: 3"), "{e}");

        let started = Instant::now();
        let e = Guarded::start(
            sh("exec sleep 60"),
            &dir.join("slow.log"),
            Duration::from_millis(300),
        )
        .err()
        .unwrap();
        assert!(format!("{e}").contains("within 300ms"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(10));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
