"""Our CLI authenticates the way Huawei's official Python SDK does, given the same environment.

For each credential source, one fresh emulator, and the same variables for both:

1. the SDK's own provider (its default chain, `CredentialProviderChain.get_basic()`, where the
   chain reaches the source) builds a client for region `cn-north-4` with no project id, so it
   fetches credentials and looks the project id up;
2. `dataarts-release --output json auth` does the same.

Then the identity calls each made (IAM, STS, the ECS metadata service, pod identity: method,
path and status, in order, from the emulator's journal) must be the same, both must land on the
same project id, `auth` must name the source and show no secret, and `dataarts-release packages
show 13` must get through the gateway with what it fetched.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from typing import Callable

import pytest
from huaweicloudsdkcore.auth.internal import MetadataAccessor
from huaweicloudsdkcore.auth.provider import CredentialProviderChain, PodIdentityCredentialProvider
from huaweicloudsdkcore.exceptions.exceptions import SdkException
from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm

from conftest import CLOSED_METADATA_ENDPOINT, PROJECT_ID, cli_binary
from sdk_auth import (
    HEADER_NAMES,
    ID_TOKEN,
    IDP_ID,
    OIDC_AGENCY_URN,
    OIDC_PROVIDER_URN,
    POD_CREDENTIALS,
    POD_TOKEN,
    PROJECTS,
    REGION,
    calls,
    clean_sdk_state,
    client,
    last_seq,
    write_token,
)

RUN_TIMEOUT_S = 60


@dataclass
class Scenario:
    """One credential source: the variables both clients get, and what `auth` must report."""

    name: str
    source: str
    variables: Callable[[object, object], dict[str, str]]  # (emulator, tmp_path) -> variables
    # The SDK side: its default chain, unless the chain cannot reach the source (pod identity).
    sdk_credentials: Callable[[], object] = (
        lambda: CredentialProviderChain.get_basic().get_credentials()
    )
    metadata_on_emulator: bool = False
    algorithm: SigningAlgorithm = SigningAlgorithm.HMAC_SHA256
    secrets: Callable[[object], list[str]] = field(default=lambda emulator: [])


def pod_identity_credentials():
    # The SDK's chain asks the ECS metadata service first and gives up when it cannot connect
    # (see test_official_sdk_auth.py); ours goes on to pod identity. Compare the source itself.
    return PodIdentityCredentialProvider.get_basic().get_credentials()


SCENARIOS = [
    Scenario(
        "aksk",
        "aksk",
        lambda emu, tmp: {"HUAWEICLOUD_SDK_AK": emu.ak, "HUAWEICLOUD_SDK_SK": emu.sk},
        secrets=lambda emu: [emu.sk, emu.ak],
    ),
    Scenario(
        "aksk-sm2-sm3",
        "aksk",
        lambda emu, tmp: {
            "HUAWEICLOUD_SDK_AK": emu.ak,
            "HUAWEICLOUD_SDK_SK": emu.sk,
            "DATAARTS_SIGNING_ALGORITHM": "SDK-SM2-SM3",
        },
        algorithm=SigningAlgorithm.SM2_SM3,
        secrets=lambda emu: [emu.sk, emu.ak],
    ),
    Scenario(
        "idp-federation",
        "idp_federation",
        lambda emu, tmp: {
            "HUAWEICLOUD_SDK_IDP_ID": IDP_ID,
            "HUAWEICLOUD_SDK_ID_TOKEN_FILE": write_token(tmp, "id-token", ID_TOKEN),
        },
        secrets=lambda emu: [ID_TOKEN],
    ),
    Scenario(
        "oidc-federation",
        "oidc_federation",
        lambda emu, tmp: {
            "HUAWEICLOUD_OIDC_PROVIDER_URN": OIDC_PROVIDER_URN,
            "HUAWEICLOUD_OIDC_AGENCY_URN": OIDC_AGENCY_URN,
            "HUAWEICLOUD_OIDC_TOKEN_FILE": write_token(tmp, "oidc-token", ID_TOKEN),
            "HUAWEICLOUD_SDK_STS_ENDPOINT": emu.url,
        },
        secrets=lambda emu: [ID_TOKEN],
    ),
    Scenario(
        "ecs-metadata",
        "ecs_metadata",
        lambda emu, tmp: {"DATAARTS_METADATA_ENDPOINT": emu.url},
        metadata_on_emulator=True,
    ),
    Scenario(
        "pod-identity",
        "pod_identity",
        lambda emu, tmp: {
            "HC_CONTAINER_CREDENTIALS_FULL_URI": emu.url + POD_CREDENTIALS,
            "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE": write_token(tmp, "pod-token", POD_TOKEN),
        },
        sdk_credentials=pod_identity_credentials,
        secrets=lambda emu: [POD_TOKEN],
    ),
]


@pytest.fixture(autouse=True)
def clean_state(monkeypatch, tmp_path):
    clean_sdk_state(monkeypatch, tmp_path)
    # Both sides look for a profile file under the home directory: an empty one.
    monkeypatch.delenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE")
    monkeypatch.setenv("HOME", str(tmp_path))


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(cli_binary()), "--output", "json", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )


def same_environment(monkeypatch, emulator, tmp_path, scenario: Scenario) -> dict[str, str]:
    """Sets the scenario's variables for the SDK (this process) and returns the CLI's whole
    environment: the same variables and nothing else from the caller."""
    variables = {
        "HUAWEICLOUD_SDK_IAM_ENDPOINT": emulator.url,
        "DATAARTS_METADATA_ENDPOINT": CLOSED_METADATA_ENDPOINT,
        **scenario.variables(emulator, tmp_path),
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    metadata = emulator.url if scenario.metadata_on_emulator else CLOSED_METADATA_ENDPOINT
    monkeypatch.setattr(MetadataAccessor, "_METADATA_ENDPOINT", metadata)
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "NO_PROXY": "127.0.0.1,localhost",
        "DATAARTS_REGION": REGION,
        "DATAARTS_ENDPOINT": emulator.url,
        **variables,
    }


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_cli_makes_the_sdks_identity_calls(scenario, emulators, monkeypatch, tmp_path):
    emulator = emulators()
    env = same_environment(monkeypatch, emulator, tmp_path, scenario)

    credentials = scenario.sdk_credentials()
    client(emulator, credentials, algorithm=scenario.algorithm)
    sdk_calls = calls(emulator, 0)
    assert sdk_calls[-1] == ("GET", PROJECTS, 200), sdk_calls  # fetched, then looked up

    before = last_seq(emulator)
    auth = run_cli(env, "auth")
    assert auth.returncode == 0, auth.stderr
    our_calls = calls(emulator, before)

    assert our_calls == sdk_calls, f"SDK: {sdk_calls}\nours: {our_calls}"
    assert all(status < 300 for _, _, status in our_calls), our_calls
    report = json.loads(auth.stdout)
    assert report["credentials"]["source"] == scenario.source, report
    assert credentials.project_id == PROJECT_ID
    project = report["project"]
    assert (project["id"], project["found_by"]) == (credentials.project_id, "discovered"), report
    assert report["signing_algorithm"] == HEADER_NAMES[scenario.algorithm], report
    for secret in scenario.secrets(emulator) + [credentials.sk, credentials.security_token or ""]:
        if secret:
            assert secret not in auth.stdout + auth.stderr, f"a secret in `auth`'s output: {auth}"

    shown = run_cli(env, "packages", "show", "13")
    assert shown.returncode == 0, shown.stderr
    assert calls(emulator, before)[-1][2] == 200


REFUSED = [
    Scenario(
        "refused-id-token",
        "idp_federation",
        lambda emu, tmp: {
            "HUAWEICLOUD_SDK_IDP_ID": IDP_ID,
            "HUAWEICLOUD_SDK_ID_TOKEN_FILE": write_token(tmp, "id-token", "not-the-demo-id-token"),
        },
        secrets=lambda emu: ["not-the-demo-id-token"],
    ),
    Scenario(
        "unknown-idp",
        "idp_federation",
        lambda emu, tmp: {
            "HUAWEICLOUD_SDK_IDP_ID": "no-such-idp",
            "HUAWEICLOUD_SDK_ID_TOKEN_FILE": write_token(tmp, "id-token", ID_TOKEN),
        },
        secrets=lambda emu: [ID_TOKEN],
    ),
    Scenario(
        "untrusted-agency",
        "oidc_federation",
        lambda emu, tmp: {
            "HUAWEICLOUD_OIDC_PROVIDER_URN": OIDC_PROVIDER_URN,
            "HUAWEICLOUD_OIDC_AGENCY_URN": OIDC_AGENCY_URN + "-unknown",
            "HUAWEICLOUD_OIDC_ID_TOKEN": ID_TOKEN,
            "HUAWEICLOUD_SDK_STS_ENDPOINT": emu.url,
        },
        secrets=lambda emu: [ID_TOKEN],
    ),
]


@pytest.mark.parametrize("scenario", REFUSED, ids=lambda s: s.name)
def test_cli_fails_where_the_sdk_fails(scenario, emulators, monkeypatch, tmp_path):
    """A refused federation: the SDK raises, our CLI exits 3 (authentication), after the same
    single identity call, and neither releases or reads anything."""
    emulator = emulators()
    env = same_environment(monkeypatch, emulator, tmp_path, scenario)

    with pytest.raises(SdkException):
        client(emulator, scenario.sdk_credentials(), algorithm=scenario.algorithm)
    sdk_calls = calls(emulator, 0)
    assert len(sdk_calls) == 1 and 400 <= sdk_calls[0][2] < 500, sdk_calls

    before = last_seq(emulator)
    shown = run_cli(env, "packages", "show", "13")
    assert shown.returncode == 3, (shown.returncode, shown.stderr)
    assert calls(emulator, before) == sdk_calls
    for secret in scenario.secrets(emulator):
        assert secret not in shown.stdout + shown.stderr, f"a secret in the CLI's output: {shown}"
