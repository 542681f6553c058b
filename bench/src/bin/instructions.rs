//! Client overhead counted in instructions instead of time: the wall-clock ratio of the
//! `overhead` harness swings by ±0.1 from run to run on a shared VM, an instruction count
//! does not.
//!
//! ```text
//! cargo build --release -p dataarts-bench -p dataarts-emulator
//! target/release/instructions [--n1 200] [--n2 1200] [--reps 3]
//!                             [--profile-dir DIR] [--emulator PATH]
//! ```
//!
//! The driver starts `dataarts-emulator` (the binary next to this one, or `--emulator PATH`)
//! in its own process on 127.0.0.1 with an ephemeral port, the bench AK/SK, rate limits and
//! faults off, manual task timing and `--n2` seeded packages. Then, for each repetition and
//! each size (`--n1`, `--n2`), it runs this binary in client mode under
//! `valgrind --tool=callgrind`, once the minimal way and once through the wrapper
//! (interleaved), each run on a freshly reset emulator. A client run performs N sequential
//! deploys of one package each, so its count is `start-up + N × per-deploy`; the per-deploy
//! figure is `(count(n2) - count(n1)) / (n2 - n1)`, which cancels start-up, the first
//! connection and the client's construction. Per-deploy figures and the wrapper / minimal
//! ratio are reported as medians over repetitions.
//!
//! After every run the emulator's journal must show exactly N deploy requests, each answered
//! 200, each applied, each naming a distinct expected package, and its release counts must be
//! 1 for every one of the N packages: every call released its package exactly once.
//!
//! Client mode (what valgrind runs; usable alone against any emulator):
//!
//! ```text
//! instructions client --way wrapper|minimal --url URL --n N [--first ID]
//! ```
//!
//! - `minimal`: [`HandClient`], a hand-written `reqwest` call with the same headers and body,
//!   signed with `dataarts-signing`, answer decoded with serde;
//! - `wrapper`: `dataarts_release::Client` with AK/SK, client limiter off, default retry
//!   policy, `deploy([id]).start_jobs(false).send()`.
//!
//! Both run on a current-thread runtime, so the count covers one client thread plus whatever
//! threads the client library starts itself.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use anyhow::{anyhow, ensure, Context};
use dataarts_bench::{median, wrapper_client, HandClient, AK, FIRST_SEEDED_ID, SK};
use dataarts_release_raw::Operation;

/// The value after `name` on the command line, if any.
fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn num(args: &[String], name: &str, default: usize) -> anyhow::Result<usize> {
    arg(args, name).map_or(Ok(default), |v| {
        v.parse()
            .with_context(|| format!("{name} wants a number, got {v:?}"))
    })
}

/// The two clients compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Minimal,
    Wrapper,
}

impl Way {
    /// Run order within a repetition and a size: minimal first, then the wrapper.
    const ALL: [Way; 2] = [Way::Minimal, Way::Wrapper];

    fn name(self) -> &'static str {
        match self {
            Way::Minimal => "minimal",
            Way::Wrapper => "wrapper",
        }
    }

    fn parse(s: &str) -> anyhow::Result<Self> {
        Self::ALL
            .into_iter()
            .find(|w| w.name() == s)
            .ok_or_else(|| anyhow!("--way is wrapper or minimal, not {s:?}"))
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("client") {
        client(&args)
    } else {
        driver(&args)
    }
}

// ---------------------------------------------------------------------------------------
// Client mode: the measured process.

fn client(args: &[String]) -> anyhow::Result<()> {
    let way = Way::parse(&arg(args, "--way").context("--way wrapper|minimal")?)?;
    let url = arg(args, "--url").context("--url URL")?;
    let n = num(args, "--n", 0)?;
    let first = num(args, "--first", FIRST_SEEDED_ID)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        match way {
            Way::Minimal => {
                let hand = HandClient::new(&url);
                for k in first..first + n {
                    hand.deploy(&k.to_string()).await?;
                }
            }
            Way::Wrapper => {
                let wrapper = wrapper_client(&url, None)?;
                for k in first..first + n {
                    let d = wrapper
                        .deploy([k.to_string()])
                        .start_jobs(false)
                        .send()
                        .await
                        .map_err(|e| anyhow!("wrapper deploy of {k}: {e}"))?;
                    ensure!(d.packages.len() == 1, "wrapper deploy of {k}");
                }
            }
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Driver mode.

/// The emulator in its own process, started through `sh`, which stops it (SIGTERM, a
/// graceful shutdown) as soon as our end of its stdin closes: when this value is dropped, and
/// also when the driver dies without unwinding, since the kernel closes the pipe then too.
struct EmulatorProcess {
    child: Child,
    url: String,
    // Held open so the emulator never writes into a closed pipe.
    stdout: BufReader<ChildStdout>,
}

/// Runs `"$0" "$@"` in the background, waits for stdin to close, then stops it.
const SUPERVISOR: &str =
    r#""$0" "$@" </dev/null & pid=$!; cat >/dev/null; kill "$pid" 2>/dev/null; wait "$pid""#;

impl EmulatorProcess {
    fn start(bin: &Path, packages: usize) -> anyhow::Result<Self> {
        let packages = packages.to_string();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(SUPERVISOR)
            .arg(bin)
            .args(["--port", "0", "--demo", "--ak", AK, "--sk", SK])
            .args(["--no-rate-limit", "--manual-tasks"])
            .args(["--seed-packages", &packages])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot run sh")?;
        let stdout = child.stdout.take().context("the emulator's stdout")?;
        // Built before the first `?` below, so a failed start still closes the pipe on drop.
        let mut emu = Self {
            child,
            url: String::new(),
            stdout: BufReader::new(stdout),
        };
        let mut line = String::new();
        emu.stdout.read_line(&mut line)?;
        emu.url = line
            .trim()
            .rsplit_once(" listening on ")
            .map(|(_, url)| url.trim_end_matches('/').to_string())
            .with_context(|| format!("{} did not start (said {line:?})", bin.display()))?;
        Ok(emu)
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// The journal fields the exactly-once check reads.
#[derive(serde::Deserialize)]
struct Entry {
    operation: String,
    status: u16,
    applied: bool,
    package_ids: Vec<String>,
}

/// Admin calls to the emulator (unauthenticated, never journaled).
struct Admin {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    url: String,
}

impl Admin {
    fn new(url: &str) -> anyhow::Result<Self> {
        Ok(Self {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
            http: reqwest::Client::new(),
            url: url.to_string(),
        })
    }

    fn call(&self, post: bool, what: &str) -> anyhow::Result<Vec<u8>> {
        let url = format!("{}/_emulator/{what}", self.url);
        self.rt.block_on(async {
            let req = if post {
                self.http.post(&url)
            } else {
                self.http.get(&url)
            };
            let resp = req.send().await?;
            let status = resp.status();
            let body = resp.bytes().await?;
            ensure!(status.is_success(), "{url}: HTTP {status}");
            Ok(body.to_vec())
        })
    }

    /// Every seeded package awaits review again; the journal is empty.
    fn reset(&self) -> anyhow::Result<()> {
        self.call(true, "reset").map(drop)
    }

    /// Checks that the run since the last reset released packages `first..first + n`, each
    /// exactly once, with exactly `n` deploy requests and nothing else.
    fn check_released_once(&self, first: usize, n: usize) -> anyhow::Result<()> {
        let journal: Vec<Entry> = serde_json::from_slice(&self.call(false, "journal")?)?;
        ensure!(
            journal.len() == n,
            "{} requests journaled for {n} deploys",
            journal.len()
        );
        let mut named = BTreeSet::new();
        for e in &journal {
            ensure!(
                Operation::from_id(&e.operation) == Some(Operation::DeployFactoryPackages),
                "unexpected request {:?} in the journal",
                e.operation
            );
            ensure!(
                e.status == 200 && e.applied,
                "a deploy answered {}",
                e.status
            );
            ensure!(
                e.package_ids.len() == 1,
                "a deploy named {:?}",
                e.package_ids
            );
            named.extend(e.package_ids.iter().cloned());
        }
        let expected: BTreeSet<String> = (first..first + n).map(|k| k.to_string()).collect();
        ensure!(named == expected, "the deploys did not name ids {first}..");
        let releases: BTreeMap<String, usize> =
            serde_json::from_slice(&self.call(false, "releases")?)?;
        ensure!(
            releases.len() == n && releases.values().all(|&c| c == 1),
            "not every package released exactly once: {} released, counts {:?}",
            releases.len(),
            releases.values().collect::<BTreeSet<_>>()
        );
        Ok(())
    }
}

/// What callgrind counted for one client process.
#[derive(Debug, Clone, Copy, Default)]
struct Counted {
    /// Every instruction the client process executed.
    total: u64,
    /// Of which inside SHA-256's block function (see [`SHA_BLOCK_FN`]).
    sha: u64,
}

/// SHA-256's block function. Valgrind hides the CPU's SHA extensions, so under callgrind
/// every 64-byte block costs the portable code's ~3,500 instructions; natively (SHA-NI) it is
/// a small fraction of that. The figures without it show the client code alone.
const SHA_BLOCK_FN: &str = "sha2::sha256::compress256";

/// Runs one client process under callgrind and returns what it counted; its profile goes to
/// `out` (kept only when `keep`).
fn count(
    exe: &Path,
    url: &str,
    way: Way,
    n: usize,
    out: &Path,
    keep: bool,
) -> anyhow::Result<Counted> {
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg("--dump-instr=no")
        .arg(exe)
        .args(["client", "--way", way.name(), "--url", url])
        .args([
            "--n",
            &n.to_string(),
            "--first",
            &FIRST_SEEDED_ID.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .output()
        .context("cannot run valgrind")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    ensure!(
        output.status.success(),
        "the {} client (n = {n}) failed: {}\n{stderr}",
        way.name(),
        output.status
    );
    let total =
        collected(&stderr).with_context(|| format!("no `Collected :` line in:\n{stderr}"))?;
    let profile =
        std::fs::read_to_string(out).with_context(|| format!("cannot read {}", out.display()))?;
    if !keep {
        std::fs::remove_file(out)?;
    }
    Ok(Counted {
        total,
        sha: self_cost(&profile, SHA_BLOCK_FN),
    })
}

/// The `==PID== Collected : N` figure callgrind prints at exit.
fn collected(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|l| {
        let (_, rest) = l.split_once("Collected :")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Instructions spent in the functions whose name contains `needle`, not counting their
/// callees, from a callgrind profile with one event (`Ir`). Names may be compressed: the first
/// `fn=`/`cfn=` line naming a function says `(id) name`, later ones only `(id)`.
fn self_cost(profile: &str, needle: &str) -> u64 {
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    let mut inside = false;
    let mut after_calls = false;
    let mut sum = 0;
    for line in profile.lines() {
        let callee = line.strip_prefix("cfn=");
        if let Some(spec) = line.strip_prefix("fn=").or(callee) {
            let name = match spec.strip_prefix('(').and_then(|r| r.split_once(')')) {
                Some((id, rest)) if !rest.trim().is_empty() => {
                    names.insert(id, rest.trim());
                    rest.trim()
                }
                Some((id, _)) => names.get(id).copied().unwrap_or_default(),
                None => spec.trim(),
            };
            if callee.is_none() {
                inside = name.contains(needle);
            }
        } else if line.starts_with("calls=") {
            // The next cost line is the call's inclusive cost, not the caller's own.
            after_calls = true;
            continue;
        } else if inside
            && !after_calls
            && line.starts_with(|c: char| c.is_ascii_digit() || "+-*".contains(c))
        {
            sum += line
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
        after_calls = false;
    }
    sum
}

fn driver(args: &[String]) -> anyhow::Result<()> {
    let n1 = num(args, "--n1", 200)?;
    let n2 = num(args, "--n2", 1200)?;
    let reps = num(args, "--reps", 3)?;
    ensure!(n1 < n2 && reps > 0, "wants --n1 < --n2 and --reps > 0");
    let exe = std::env::current_exe()?;
    let emulator = match arg(args, "--emulator") {
        Some(p) => PathBuf::from(p),
        None => exe.with_file_name("dataarts-emulator"),
    };
    ensure!(
        emulator.is_file(),
        "{} not found: build it (cargo build --release -p dataarts-emulator) or pass --emulator",
        emulator.display()
    );
    let keep = arg(args, "--profile-dir").map(PathBuf::from);
    let dir = keep.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&dir)?;
    let version = Command::new("valgrind")
        .arg("--version")
        .output()
        .context("valgrind is needed (apt-get install valgrind)")?;
    let emu = EmulatorProcess::start(&emulator, n2)?;
    let admin = Admin::new(&emu.url)?;
    println!(
        "emulator {}, {}, n1 = {n1}, n2 = {n2}, {reps} repetitions",
        emu.url,
        String::from_utf8_lossy(&version.stdout).trim()
    );
    println!(
        "{:<4} {:>6} {:<8} {:>14} {:>12}",
        "rep", "n", "way", "instructions", "of which SHA"
    );
    // counted[rep][size][way]
    let mut counted = vec![[[Counted::default(); 2]; 2]; reps];
    for (rep, per_rep) in counted.iter_mut().enumerate() {
        for (s, n) in [n1, n2].into_iter().enumerate() {
            for (w, way) in Way::ALL.into_iter().enumerate() {
                admin.reset()?;
                let out = dir.join(format!(
                    "callgrind.{}.{n}.{rep}.{}.out",
                    way.name(),
                    std::process::id()
                ));
                let c = count(&exe, &emu.url, way, n, &out, keep.is_some())?;
                admin
                    .check_released_once(FIRST_SEEDED_ID, n)
                    .with_context(|| format!("{} run, n = {n}, rep {rep}", way.name()))?;
                per_rep[s][w] = c;
                println!(
                    "{rep:<4} {n:>6} {:<8} {:>14} {:>12}",
                    way.name(),
                    c.total,
                    c.sha
                );
            }
        }
    }
    // Per deploy, by repetition and way: the slope between the two sizes.
    let slope = |small: u64, large: u64| -> anyhow::Result<f64> {
        ensure!(large > small, "the larger run counted fewer instructions");
        Ok((large - small) as f64 / (n2 - n1) as f64)
    };
    // per[way][k], ratios[k]: one figure per repetition; k = 0 all, 1 without SHA.
    let mut per: [[Vec<f64>; 2]; 2] = Default::default();
    let mut ratios: [Vec<f64>; 2] = Default::default();
    for c in &counted {
        for (k, ratio) in ratios.iter_mut().enumerate() {
            let own = |x: Counted| if k == 0 { x.total } else { x.total - x.sha };
            let minimal = slope(own(c[0][0]), own(c[1][0]))?;
            let wrapper = slope(own(c[0][1]), own(c[1][1]))?;
            per[0][k].push(minimal);
            per[1][k].push(wrapper);
            ratio.push(wrapper / minimal);
        }
    }
    let list = |v: &[f64], digits: usize| -> String {
        let items: Vec<String> = v.iter().map(|x| format!("{x:.digits$}")).collect();
        items.join(", ")
    };
    println!();
    println!(
        "instructions per deploy = (count(n2) - count(n1)) / (n2 - n1); medians over repetitions"
    );
    println!(
        "{:<8} {:>10} {:>14}   repetitions",
        "way", "all", "without SHA"
    );
    let mut med = [[0.0; 2]; 2];
    for (w, way) in Way::ALL.into_iter().enumerate() {
        for k in 0..2 {
            med[w][k] = median(&mut per[w][k].clone());
        }
        println!(
            "{:<8} {:>10.0} {:>14.0}   {} / {}",
            way.name(),
            med[w][0],
            med[w][1],
            list(&per[w][0], 0),
            list(&per[w][1], 0)
        );
    }
    let r_all = median(&mut ratios[0].clone());
    let r_code = median(&mut ratios[1].clone());
    println!(
        "ratio wrapper / minimal: {r_all:.3} (repetitions {}); without SHA: {r_code:.3} ({})",
        list(&ratios[0], 3),
        list(&ratios[1], 3)
    );
    println!(
        "RESULT per_deploy_minimal={:.0} per_deploy_wrapper={:.0} ratio={r_all:.3} \
         extra={:.0} ratio_without_sha={r_code:.3} target=1.10",
        med[0][0],
        med[1][0],
        med[1][0] - med[0][0]
    );
    drop(admin);
    drop(emu);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_callgrinds_total() {
        let stderr = "==42== Events    : Ir\n==42== Collected : 123456789\n\
                      ==42==\n==42== I   refs:      123,456,789\n";
        assert_eq!(collected(stderr), Some(123_456_789));
        assert_eq!(collected("==42== nothing"), None);
    }

    /// Own cost only (not the inclusive cost after `calls=`), names defined by `cfn=` too.
    #[test]
    fn self_cost_of_a_function() {
        let profile = "events: Ir\n\
            fn=(1) main\n10 5\ncfn=(2) sha2::sha256::compress256\ncalls=1 20\n* 100\n+1 3\n\
            fn=(2)\n20 40\n+1 60\n\
            fn=(3) other\ncfn=(2)\ncalls=2 20\n* 200\n\
            fn=(2)\n-1 7\n";
        assert_eq!(self_cost(profile, SHA_BLOCK_FN), 107);
        assert_eq!(self_cost(profile, "main"), 8);
        assert_eq!(self_cost("fn=plain\n1 9\n", "plain"), 9);
    }

    #[test]
    fn ways_parse_by_name() {
        for way in Way::ALL {
            assert_eq!(Way::parse(way.name()).unwrap(), way);
        }
        assert!(Way::parse("raw").is_err());
    }
}
