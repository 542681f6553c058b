"""schemathesis: property-based tests of openapi/deploy.yaml against the running emulator.

Runs the schemathesis CLI (every default check, every phase) with a fixed seed and a bounded
number of examples per operation. Configuration: schemathesis.toml beside this file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SPEC

CONFIG = ROOT / "conformance" / "schemathesis.toml"
MAX_EXAMPLES = 25


def test_schemathesis_finds_no_failures(emulator, tmp_path):
    schemathesis = Path(sys.executable).parent / "schemathesis"
    command = [
        str(schemathesis),
        "--config-file", str(CONFIG),
        "--no-color",
        "run", str(SPEC),
        "--url", emulator.url,
        "--header", f"X-Auth-Token: {emulator.token}",
        "--max-examples", str(MAX_EXAMPLES),
        "--request-timeout", "10",
        "--report", "junit",
        "--report-dir", str(tmp_path),
    ]
    env = dict(
        os.environ,
        DATAARTS_PROJECT_ID=emulator.project_id,
        DATAARTS_WORKSPACE_ID=emulator.workspace_id,
    )
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    print(result.stdout)
    print(result.stderr, file=sys.stderr)
    assert result.returncode == 0, (
        f"schemathesis reported failures (exit {result.returncode}); its report is in the captured "
        "stdout above, with a curl command per failure. To reproduce by hand: run "
        "`target/debug/dataarts-emulator --demo --port 8080 --token T --no-rate-limit`, then "
        f"`DATAARTS_PROJECT_ID={emulator.project_id} DATAARTS_WORKSPACE_ID={emulator.workspace_id} "
        f".venv/bin/schemathesis --config-file conformance/schemathesis.toml run openapi/deploy.yaml "
        f"--url http://127.0.0.1:8080 --header 'X-Auth-Token: T' --max-examples {MAX_EXAMPLES}`. "
        f"Emulator stderr: {emulator.log_path}"
    )
