"""Helpers for the tests that run Huawei's official Python SDK's credential providers against the
emulator (`test_official_sdk_auth.py`, `test_auth_like_the_sdk.py`): the emulator's demo identity
data and routes, a clean SDK state, SDK clients, and reading the emulator's journal.
"""

from __future__ import annotations

import json
import urllib.request

from huaweicloudsdkcore.auth.credentials import Credentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm
from huaweicloudsdkdataartsstudio.v1 import (
    DataArtsStudioClient,
    DeployFactoryPackagesRequest,
    DeployFactoryPackagesRequestBody,
    ShowFactoryPackageDetailRequest,
)

from conftest import PROJECT_ID, journal

# The emulator's demo identity data (crates/dataarts-emulator: DEMO_REGION, DEMO_IDP_ID, ...).
REGION = "cn-north-4"
REGION_WITHOUT_PROJECT = "ap-southeast-1"
IDP_ID = "demo-idp"
ID_TOKEN = "demo-id-token"
OIDC_PROVIDER_URN = "iam::e4a1f0c9d8b74c6a9f3e2d1c0b9a8f7e:identityprovider:demo-oidc"
OIDC_AGENCY_URN = "iam::e4a1f0c9d8b74c6a9f3e2d1c0b9a8f7e:agency:demo-agency"
POD_TOKEN = "demo-pod-token"

# The emulator's identity routes (the preamble of issue 10's contract).
ID_TOKEN_TOKENS = "/v3.0/OS-AUTH/id-token/tokens"
SECURITY_TOKENS = "/v3.0/OS-CREDENTIAL/securitytokens"
PROJECTS = "/v3/projects"
ASSUME_WITH_OIDC = "/v5/agencies/assume-with-oidc"
METADATA_TOKEN = "/meta-data/latest/api/token"
METADATA_SECURITY_KEY = "/openstack/latest/securitykey"
POD_CREDENTIALS = "/pod-identity/v1/credentials"

# Every variable the SDK's providers read: none may leak in from the developer's shell.
SDK_VARIABLES = (
    "HUAWEICLOUD_SDK_AK",
    "HUAWEICLOUD_SDK_SK",
    "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    "HUAWEICLOUD_SDK_PROJECT_ID",
    "HUAWEICLOUD_SDK_DOMAIN_ID",
    "HUAWEICLOUD_SDK_IDP_ID",
    "HUAWEICLOUD_SDK_ID_TOKEN_FILE",
    "HUAWEICLOUD_SDK_IAM_ENDPOINT",
    "HUAWEICLOUD_SDK_STS_ENDPOINT",
    "HUAWEICLOUD_OIDC_PROVIDER_URN",
    "HUAWEICLOUD_OIDC_AGENCY_URN",
    "HUAWEICLOUD_OIDC_ID_TOKEN",
    "HUAWEICLOUD_OIDC_TOKEN_FILE",
    "HUAWEICLOUD_OIDC_SESSION_NAME",
    "HUAWEICLOUD_OIDC_DURATION_SECONDS",
    "HUAWEICLOUD_OIDC_POLICY",
    "HUAWEICLOUD_OIDC_POLICY_IDS",
    "HC_CONTAINER_CREDENTIALS_FULL_URI",
    "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
)

ALGORITHMS = [
    SigningAlgorithm.HMAC_SHA256,
    SigningAlgorithm.HMAC_SM3,
    SigningAlgorithm.ECDSA_P256_SHA256,
    SigningAlgorithm.SM2_SM3,
]
# How each algorithm is spelled in the Authorization header the SDK sends.
HEADER_NAMES = {
    SigningAlgorithm.HMAC_SHA256: "SDK-HMAC-SHA256",
    SigningAlgorithm.HMAC_SM3: "SDK-HMAC-SM3",
    SigningAlgorithm.ECDSA_P256_SHA256: "SDK-ECDSA-P256-SHA256",
    SigningAlgorithm.SM2_SM3: "SDK-SM2-SM3",
}


def clean_sdk_state(monkeypatch, tmp_path) -> None:
    """No SDK variable from the caller, no profile file, an empty project-id cache: call it from
    an autouse fixture of each module that runs the SDK."""
    for name in SDK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # The profile provider would read ~/.huaweicloud/credentials; point it at nothing.
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(tmp_path / "no-credentials-file"))
    # The SDK caches discovered project ids per AK (or IdP) and region, for the whole process.
    monkeypatch.setattr(Credentials, "_CACHE", {})


class Recorder:
    """An SDK request hook that keeps the method, URL and Authorization header of each request."""

    def __init__(self):
        self.requests: list[tuple[str, str, str]] = []

    def __call__(self, **kwargs):
        request = kwargs["request"]
        self.requests.append(
            (request.method, request.url, request.header_params.get("Authorization", ""))
        )

    def handler(self) -> HttpHandler:
        return HttpHandler().add_request_handler(self)


def http_config(algorithm: SigningAlgorithm = SigningAlgorithm.HMAC_SHA256) -> HttpConfig:
    config = HttpConfig.get_default_config()
    config.timeout = (5, 30)
    config.retry_times = 0
    config.signing_algorithm = algorithm
    return config


def client(
    emulator,
    credentials,
    *,
    region: str | None = REGION,
    algorithm: SigningAlgorithm = SigningAlgorithm.HMAC_SHA256,
    recorder: Recorder | None = None,
) -> DataArtsStudioClient:
    """A DataArts Studio client for `credentials`: with a region (whose endpoint is the emulator),
    building it looks the project id up when the credentials have none; without one, it only has
    the emulator as its endpoint."""
    builder = (
        DataArtsStudioClient.new_builder()
        .with_http_config(http_config(algorithm))
        .with_credentials(credentials)
    )
    if recorder is not None:
        builder = builder.with_http_handler(recorder.handler())
    if region is None:
        builder = builder.with_endpoints([emulator.url])
    else:
        builder = builder.with_region(Region(region, emulator.url))
    return builder.build()


def last_seq(emulator) -> int:
    entries = journal(emulator)
    return entries[-1]["seq"] if entries else 0


def calls(emulator, after: int) -> list[tuple[str, str, int]]:
    """(method, path, status) of each journalled call after `after`."""
    return [(e["method"], e["path"], e["status"]) for e in journal(emulator, after)]


def deploys(emulator, after: int) -> list[dict]:
    return [e for e in journal(emulator, after) if e.get("operation") == "deploy_factory_packages"]


def show(studio, package_id: str):
    return studio.show_factory_package_detail(ShowFactoryPackageDetailRequest(package_id=package_id))


def deploy(studio, package_id: str):
    return studio.deploy_factory_packages(
        DeployFactoryPackagesRequest(
            body=DeployFactoryPackagesRequestBody(package_ids=[package_id], startup_mode=0)
        )
    )


def assert_released(emulator, after: int, response, package_id: str) -> None:
    """The SDK's deploy answer names the package, and the journal shows exactly one applied
    release of it, in the demo project."""
    details = response.deploy_package_details
    assert details and [d.package_id for d in details] == [int(package_id)], response
    released = deploys(emulator, after)
    assert len(released) == 1, released
    assert released[0]["status"] == 200 and released[0]["applied"], released
    assert released[0]["package_ids"] == [package_id], released
    assert f"/{PROJECT_ID}/" in released[0]["path"], released


def admin(emulator, method: str, path: str, body: dict) -> dict:
    """Calls the emulator's admin API (`/_emulator/...`, unauthenticated, not journalled)."""
    request = urllib.request.Request(
        f"{emulator.url}/_emulator/{path}",
        data=json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def wrong(secret: str) -> str:
    return secret[:-1] + ("x" if secret[-1] != "x" else "y")


def write_token(tmp_path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content + "\n")  # CI systems end the file with a newline; the SDK strips it
    return str(path)


def idp_environment(monkeypatch, tmp_path, idp_id: str = IDP_ID, id_token: str = ID_TOKEN) -> None:
    """`EnvCredentialProvider`'s IdP federation: the IdP and a file holding the id token."""
    monkeypatch.setenv("HUAWEICLOUD_SDK_IDP_ID", idp_id)
    monkeypatch.setenv("HUAWEICLOUD_SDK_ID_TOKEN_FILE", write_token(tmp_path, "id-token", id_token))


def pod_environment(monkeypatch, tmp_path, emulator, token: str = POD_TOKEN) -> None:
    """`PodIdentityCredentialProvider`'s variables: the emulator's URI and a token file."""
    monkeypatch.setenv("HC_CONTAINER_CREDENTIALS_FULL_URI", emulator.url + POD_CREDENTIALS)
    monkeypatch.setenv("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", write_token(tmp_path, "pod-token", token))
