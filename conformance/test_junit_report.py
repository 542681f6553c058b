"""`dataarts-release deploy --junit FILE` writes JUnit XML that a published schema accepts.

The real CLI binary (`DATAARTS_RELEASE_BIN`, set by `cargo xtask test`, else
`<root>/target/debug/dataarts-release`) runs against a fresh emulator per test; every report
it writes is validated with `xmlschema` against `junit-10.xsd` (the Jenkins/Surefire JUnit
schema that pytest validates its own reports against), then read back to check that it says
what happened to each package. `--summary FILE` is written by the same runs and checked too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from conftest import cli_binary, journal

XSD = Path(__file__).resolve().parent / "junit-10.xsd"
RUN_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def cli_env(emu, home: Path) -> dict[str, str]:
    """Only what the run needs: no credentials, summary file or settings from the caller."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "NO_PROXY": "127.0.0.1,localhost",
        "HUAWEICLOUD_SDK_AK": emu.ak,
        "HUAWEICLOUD_SDK_SK": emu.sk,
        "HUAWEICLOUD_SDK_PROJECT_ID": emu.project_id,
        "DATAARTS_ENDPOINT": emu.url,
        # Never the real metadata service (see conftest.py).
        "DATAARTS_METADATA_ENDPOINT": os.environ["DATAARTS_METADATA_ENDPOINT"],
    }


def run_cli(emu, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(cli_binary()), *args],
        env=cli_env(emu, tmp_path),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )


def released_ids(emu) -> list[str]:
    """Every package id a deploy request released (applied), in order, repeats kept."""
    return [
        pid
        for e in journal(emu)
        if e.get("operation") == "deploy_factory_packages" and e.get("applied")
        for pid in e.get("package_ids", [])
    ]


def read_report(schema: xmlschema.XMLSchema, path: Path) -> ET.Element:
    """Validates the file against the XSD (raising with the reason) and parses it."""
    assert path.is_file(), f"no JUnit report at {path}"
    schema.validate(str(path))
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("name") == "dataarts-release deploy"
    cases = suite.findall("testcase")
    assert suite.get("tests") == str(len(cases))
    assert suite.get("failures") == str(sum(1 for c in cases if c.find("failure") is not None))
    assert suite.get("skipped") == str(sum(1 for c in cases if c.find("skipped") is not None))
    assert suite.get("errors") == "0"
    assert root.get("tests") == suite.get("tests")
    return suite


def cases(suite: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name"): c for c in suite.findall("testcase")}


def props(suite: ET.Element) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in suite.iter("property")}


def test_all_released(emulators, schema, tmp_path):
    emu = emulators()
    junit, summary = tmp_path / "reports" / "deploy.xml", tmp_path / "summary.md"
    summary.write_text("an earlier step\n")
    r = run_cli(emu, tmp_path, "deploy", "12", "23", "--wait", "--junit", str(junit), f"--summary={summary}")
    assert r.returncode == 0, r.stderr
    suite = read_report(schema, junit)
    by_name = cases(suite)
    assert set(by_name) == {"package 12", "package 23"}
    for case in by_name.values():
        assert case.get("classname") == "dataarts-release.deploy"
        assert list(case) == [], ET.tostring(case)
        assert float(case.get("time")) >= 0
    assert props(suite)["dry_run"] == "false"
    text = summary.read_text()
    assert text.startswith("an earlier step\n"), "the summary is appended, never truncating"
    assert "**OK**: 2 packages (2 released)" in text
    assert "| 12 | released |" in text and "| 23 | released |" in text
    assert sorted(released_ids(emu)) == ["12", "23"]


def test_a_refused_id(emulators, schema, tmp_path):
    emu = emulators()
    junit, summary = tmp_path / "deploy.xml", tmp_path / "summary.md"
    r = run_cli(emu, tmp_path, "deploy", "12", "999", "--wait", "--junit", str(junit), "--summary", str(summary))
    assert r.returncode == 1, r.stderr
    suite = read_report(schema, junit)
    by_name = cases(suite)
    assert list(by_name["package 12"]) == [], "12 is released although 999 does not exist"
    failure = by_name["package 999"].find("failure")
    assert failure is not None
    assert failure.get("type") == "refused"
    assert "not_found" in failure.get("message"), failure.get("message")
    assert "not_found" in failure.text
    assert "**FAILED**: 1 of 2 packages did not reach the goal" in summary.read_text()
    assert released_ids(emu) == ["12"]


def test_a_dry_run(emulators, schema, tmp_path):
    emu = emulators()
    junit = tmp_path / "deploy.xml"
    r = run_cli(emu, tmp_path, "deploy", "12", "13", "--dry-run", "--junit", str(junit))
    assert r.returncode == 0, r.stderr
    suite = read_report(schema, junit)
    assert props(suite)["dry_run"] == "true"
    for case in cases(suite).values():
        skipped = case.find("skipped")
        assert skipped is not None, ET.tostring(case)
        assert skipped.get("message").startswith("dry run: "), skipped.get("message")
    assert released_ids(emu) == [], "a dry run releases nothing"


def test_a_timed_out_wait(emulators, schema, tmp_path):
    emu = emulators(task_duration="1h")
    junit = tmp_path / "deploy.xml"
    r = run_cli(emu, tmp_path, "deploy", "23", "--wait", "--timeout", "1s", "--junit", str(junit))
    assert r.returncode == 4, r.stderr
    suite = read_report(schema, junit)
    assert props(suite)["timed_out"] == "true"
    assert cases(suite)["package 23"].find("failure") is not None
    assert "timed out" in suite.find("system-err").text
    assert released_ids(emu) == ["23"]


def test_an_interrupted_wait(emulators, schema, tmp_path):
    emu = emulators(task_duration="1h")
    junit, summary = tmp_path / "deploy.xml", tmp_path / "summary.md"
    process = subprocess.Popen(
        [str(cli_binary()), "deploy", "12", "23", "--wait", "--junit", str(junit), "--summary", str(summary)],
        env=cli_env(emu, tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Interrupt once the releases were accepted and the CLI is waiting for them.
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while sorted(released_ids(emu)) != ["12", "23"]:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the deploy request never arrived"
            time.sleep(0.05)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    suite = read_report(schema, junit)
    assert props(suite)["interrupted"] == "SIGINT"
    assert set(cases(suite)) == {"package 12", "package 23"}
    assert "interrupted by SIGINT" in suite.find("system-err").text
    assert "**INTERRUPTED** (SIGINT)" in summary.read_text()
    assert sorted(released_ids(emu)) == ["12", "23"], "nothing is sent twice"
