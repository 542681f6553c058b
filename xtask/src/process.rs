//! Running the tools a task needs: inherited output, and a time limit that stops the command
//! together with every process it started.

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// How long one command (a download, `go test`, `mvn verify`, pytest, ...) may run when the
/// caller does not choose: ten times what the slowest one took on an empty 2-core machine.
pub const DEFAULT_COMMAND_LIMIT: Duration = Duration::from_secs(600);

/// How often a running command is checked against its limit.
const POLL: Duration = Duration::from_millis(50);

/// Runs a command with inherited stdio and fails with `what` when it exits non-zero, or when it
/// outlives `limit` (`None`: no limit).
pub fn run_inherited(cmd: &mut Command, what: &str, limit: Option<Duration>) -> anyhow::Result<()> {
    let status = run_within(cmd, what, limit)?;
    if !status.success() {
        bail!("{what} exited with {status}");
    }
    Ok(())
}

/// Runs a command with inherited stdio and returns how it exited. One that outlives `limit` is
/// stopped, with everything it started, and reported as an error naming the limit.
pub fn run_within(
    cmd: &mut Command,
    what: &str,
    limit: Option<Duration>,
) -> anyhow::Result<ExitStatus> {
    let mut child = cmd
        .spawn()
        .with_context(|| format!("could not start {what} ({cmd:?})"))?;
    let Some(limit) = limit else {
        return child
            .wait()
            .with_context(|| format!("could not wait for {what}"));
    };
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child
            .try_wait()
            .with_context(|| format!("could not wait for {what}"))?
        {
            return Ok(status);
        }
        if Instant::now() >= deadline {
            stop_tree(&mut child);
            bail!(
                "{what} did not finish within {limit:?}, so it was stopped with the processes it \
                 started. If it was only slow (empty caches, a slow network or machine), allow \
                 more with `cargo xtask test --command-timeout SECS`"
            );
        }
        std::thread::sleep(POLL);
    }
}

/// Runs a command and captures stdout+stderr; `Ok(None)` when it could not be started.
pub fn capture(cmd: &mut Command) -> Option<std::process::Output> {
    cmd.stdin(Stdio::null()).output().ok()
}

/// Stops `child` and its descendants. They are frozen first, so none can start a process the
/// kill would miss, or be handed to init before it is found; where `/proc` is missing only the
/// child itself is stopped.
fn stop_tree(child: &mut Child) {
    let root = child.id();
    let mut tree = vec![root];
    signal("STOP", &tree);
    // A process forked between two listings is caught by the next one.
    for _ in 0..5 {
        let found = descendants(Path::new("/proc"), root);
        let new: Vec<u32> = found.into_iter().filter(|p| !tree.contains(p)).collect();
        if new.is_empty() {
            break;
        }
        signal("STOP", &new);
        tree.extend(new);
    }
    signal("KILL", &tree);
    let _ = child.kill();
    let _ = child.wait();
}

/// Sends `signal` to `pids` with the shell's `kill` (xtask links no libc bindings); failures
/// (a process already gone) do not matter here.
fn signal(signal: &str, pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -{signal} \"$@\" 2>/dev/null"))
        .arg("sh")
        .args(pids.iter().map(u32::to_string))
        .stdin(Stdio::null())
        .status();
}

/// Every process below `root`, read from a procfs at `proc`; empty when it cannot be read.
fn descendants(proc: &Path, root: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir(proc) else {
        return Vec::new();
    };
    let parents: Vec<(u32, u32)> = entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            Some((pid, parent_pid(&stat)?))
        })
        .collect();
    let mut found = vec![root];
    let mut next = 0;
    while let Some(&parent) = found.get(next) {
        for &(pid, ppid) in &parents {
            if ppid == parent && !found.contains(&pid) {
                found.push(pid);
            }
        }
        next += 1;
    }
    found.remove(0);
    found
}

/// The fields of a `/proc/PID/stat` line after the command name (state, parent pid, ...): the
/// name is in parentheses and may itself hold spaces and parentheses.
fn fields_after_name(stat: &str) -> Option<std::str::SplitWhitespace<'_>> {
    Some(stat[stat.rfind(')')? + 1..].split_whitespace())
}

/// The parent pid in a `/proc/PID/stat` line.
fn parent_pid(stat: &str) -> Option<u32> {
    fields_after_name(stat)?.nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_pid_reads_past_a_command_name_with_parentheses() {
        assert_eq!(parent_pid("42 (sh) S 7 42 42 0 -1"), Some(7));
        assert_eq!(parent_pid("43 (a) b (c)) R 9 43 43"), Some(9));
        assert_eq!(parent_pid("garbage"), None);
        assert_eq!(parent_pid("44 (x) S notanumber"), None);
    }

    #[test]
    fn descendants_are_found_at_any_depth_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("xtask-proc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // 10 -> 11 -> 12, 10 -> 13, 20 unrelated, and an entry that is no process.
        for (pid, ppid) in [(10, 1), (11, 10), (12, 11), (13, 10), (20, 1)] {
            let p = dir.join(pid.to_string());
            std::fs::create_dir_all(&p).unwrap();
            std::fs::write(p.join("stat"), format!("{pid} (cmd x) S {ppid} 0 0")).unwrap();
        }
        std::fs::create_dir_all(dir.join("self-not-a-pid")).unwrap();
        let mut found = descendants(&dir, 10);
        found.sort_unstable();
        assert_eq!(found, vec![11, 12, 13]);
        assert!(descendants(&dir, 12).is_empty());
        assert!(descendants(&dir.join("missing"), 10).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_command_within_its_limit_reports_how_it_exited() {
        let ok = run_within(
            Command::new("sh").args(["-c", "exit 0"]),
            "`sh`",
            Some(Duration::from_secs(30)),
        )
        .unwrap();
        assert!(ok.success());
        let failed = run_inherited(Command::new("sh").args(["-c", "exit 3"]), "`sh`", None);
        let e = format!("{:#}", failed.unwrap_err());
        assert!(e.contains("`sh` exited with") && e.contains('3'), "{e}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_command_past_its_limit_is_stopped_with_what_it_started() {
        let dir = std::env::temp_dir().join(format!("xtask-limit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pid_file = dir.join("grandchild.pid");
        // The shell starts a grandchild that would outlive it, then waits on it.
        let script = format!("sleep 60 & echo $! > '{}'; wait", pid_file.display());
        let started = Instant::now();
        let err = run_inherited(
            Command::new("sh").args(["-c", &script]),
            "`the sleeper`",
            Some(Duration::from_millis(500)),
        )
        .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(30));
        let e = format!("{err:#}");
        assert!(
            e.contains("`the sleeper` did not finish within 500ms"),
            "{e}"
        );
        assert!(e.contains("--command-timeout SECS"), "{e}");
        let grandchild: u32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // Gone, or a zombie waiting for init to reap it; never still sleeping.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let state = std::fs::read_to_string(format!("/proc/{grandchild}/stat"))
                .ok()
                .and_then(|s| fields_after_name(&s)?.next().map(str::to_string));
            match state.as_deref() {
                None | Some("Z") | Some("X") => break,
                Some(other) => assert!(
                    Instant::now() < deadline,
                    "the grandchild {grandchild} is still in state {other}"
                ),
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
