"""Shared fixtures: the emulator binary as a subprocess, with credentials made up per run.

The binary comes from `DATAARTS_EMULATOR_BIN` (set by `cargo xtask test`), else
`<root>/target/debug/dataarts-emulator`. Each test module gets its own emulator, so the demo
state (packages 12, 13, 23 awaiting review, pending item 26) is fresh in every module: the SDK
module revokes 12 and 13, the SDK-authentication module releases 23, 12 and 13, the
generated-client module releases 12. Tests that need their own emulator (other flags, a moved
clock) start it with the `emulators` fixture.
"""

from __future__ import annotations

import json
import os
import queue
import re
import secrets
import signal
import string
import subprocess
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "deploy.yaml"

# The documented example ids, seeded by `--demo` (see crates/dataarts-emulator/src/fixtures.rs).
PROJECT_ID = "b384b9e9ab9b4ee8994c8633aabc9505"
WORKSPACE_ID = "d1cd7861478748a6925bc02f47c69279"

LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))")
START_TIMEOUT_S = 30

# Loopback only: never send the emulator's traffic through a proxy from the environment.
for _var in ("NO_PROXY", "no_proxy"):
    _hosts = [h for h in os.environ.get(_var, "").split(",") if h]
    os.environ[_var] = ",".join(_hosts + ["127.0.0.1", "localhost"])

# No test may reach the real ECS metadata address (http://169.254.169.254). `cargo xtask test`
# already points our own metadata variable at a closed loopback port; set it here too for direct
# pytest runs (the CLI and anything else started from a test inherits it). The official SDK has no
# variable for it, so its class attribute is pinned in `_sdk_metadata_on_loopback` below.
CLOSED_METADATA_ENDPOINT = "http://127.0.0.1:9"
os.environ.setdefault("DATAARTS_METADATA_ENDPOINT", CLOSED_METADATA_ENDPOINT)


def _random(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def emulator_binary() -> Path:
    configured = os.environ.get("DATAARTS_EMULATOR_BIN")
    path = Path(configured) if configured else ROOT / "target" / "debug" / "dataarts-emulator"
    if not path.is_file():
        pytest.fail(
            f"emulator binary not found at {path}: build it with "
            "`cargo build -p dataarts-emulator --bin dataarts-emulator`, or run the suite with "
            "`cargo xtask test --only conformance`",
            pytrace=False,
        )
    return path


def cli_binary() -> Path:
    """Our CLI: `DATAARTS_RELEASE_BIN` (set by `cargo xtask test`), else
    `<root>/target/debug/dataarts-release`."""
    configured = os.environ.get("DATAARTS_RELEASE_BIN")
    path = Path(configured) if configured else ROOT / "target" / "debug" / "dataarts-release"
    if not path.is_file():
        pytest.fail(
            f"CLI binary not found at {path}: build it with "
            "`cargo build -p dataarts-release-cli --bin dataarts-release`, or run the suite with "
            "`cargo xtask test --only conformance`",
            pytrace=False,
        )
    return path


@dataclass
class Emulator:
    """A running emulator and the credentials it accepts."""

    url: str
    port: int
    ak: str
    sk: str
    token: str
    project_id: str
    workspace_id: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def start_emulator(tmp_dir: Path, *extra_args: str, task_duration: str = "50ms") -> Emulator:
    ak = _random(string.ascii_uppercase + string.digits, 20)
    sk = _random(string.ascii_letters + string.digits, 40)
    token = "conformance-" + secrets.token_hex(24)
    args = [
        str(emulator_binary()),
        "--demo",
        "--port", "0",
        "--ak", ak,
        "--sk", sk,
        "--token", token,
        "--no-rate-limit",
        "--task-duration", task_duration,
        *extra_args,
    ]
    log_path = tmp_dir / "emulator.stderr.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1
    )
    log.close()

    # Read the first stdout line with a timeout, then keep draining stdout so the pipe never fills.
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        first = lines.get(timeout=START_TIMEOUT_S)
    except queue.Empty:
        first = None
    match = LISTENING.search(first or "")
    if match is None:
        process.kill()
        process.wait()
        stderr = log_path.read_text(errors="replace")
        pytest.fail(
            f"the emulator did not announce its URL (first stdout line: {first!r}, exit code "
            f"{process.returncode}).\ncommand: {' '.join(args)}\nstderr:\n{stderr}",
            pytrace=False,
        )
    return Emulator(
        url=match.group(1),
        port=int(match.group(2)),
        ak=ak,
        sk=sk,
        token=token,
        project_id=PROJECT_ID,
        workspace_id=WORKSPACE_ID,
        process=process,
        log_path=log_path,
    )


def stop_emulator(emulator: Emulator) -> None:
    process = emulator.process
    if process.poll() is not None:
        # It died during the tests: show why (pytest prints this with the failures).
        print(f"the emulator exited early with code {process.returncode}; its stderr:\n{emulator.log()}")
        return
    process.send_signal(signal.SIGINT)  # the binary stops cleanly on Ctrl-C
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def journal(emu: Emulator, after: int = 0) -> list[dict]:
    """The emulator's request journal (`GET /_emulator/journal?after=SEQ`): one entry per API
    request, with `seq`, `operation`, `method`, `path`, `status`, `error_code`, `applied`,
    `package_ids`."""
    with urllib.request.urlopen(f"{emu.url}/_emulator/journal?after={after}", timeout=10) as answer:
        data = json.load(answer)
    return data if isinstance(data, list) else data.get("entries", [])


def refused_auth(emu: Emulator, error_code: str) -> int:
    """How many API requests the emulator's gateway refused with `error_code` (`APIGW.0301`...)
    since it started. Such requests are counted, not journalled (`GET /_emulator/journal/stats`)."""
    with urllib.request.urlopen(f"{emu.url}/_emulator/journal/stats", timeout=10) as answer:
        stats = json.load(answer)
    return int(stats["refused_auth"]["by_error_code"].get(error_code, 0))


@pytest.fixture(autouse=True, scope="session")
def _sdk_metadata_on_loopback():
    """The official SDK's metadata source has its address hard-coded (`MetadataAccessor.
    _METADATA_ENDPOINT = "http://169.254.169.254"`, no variable): point it at the same closed
    loopback port for the whole run, so a credential chain that falls through to it fails fast and
    stays on this machine. Tests that want the emulator's metadata service patch it themselves."""
    from huaweicloudsdkcore.auth.internal import MetadataAccessor

    saved = MetadataAccessor._METADATA_ENDPOINT
    MetadataAccessor._METADATA_ENDPOINT = os.environ["DATAARTS_METADATA_ENDPOINT"]
    try:
        yield
    finally:
        MetadataAccessor._METADATA_ENDPOINT = saved


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    """A fresh emulator with the demo data, for one test module (its stderr is kept in pytest's
    temporary directory, e.g. /tmp/pytest-of-$USER/pytest-current/emulator0/)."""
    emu = start_emulator(tmp_path_factory.mktemp("emulator"))
    try:
        yield emu
    finally:
        stop_emulator(emu)


@pytest.fixture
def emulators(tmp_path):
    """Starts emulators for one test (with extra flags, e.g. `emulators("--credential-lifetime",
    "30s")`) and stops them afterwards."""
    started = []

    def start(*extra: str, **options):
        emu = start_emulator(tmp_path, *extra, **options)
        started.append(emu)
        return emu

    yield start
    for emu in started:
        stop_emulator(emu)
