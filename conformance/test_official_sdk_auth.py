"""Huawei's official Python SDK authenticating against the emulator's IAM, STS, ECS metadata and
CCE pod-identity routes, and signing with each of its four algorithms.

The SDK (`huaweicloudsdkcore` 3.1.219) is the ground truth for how a client authenticates; if
these pass, the emulator answers the SDK's own credential providers in shapes the SDK decodes,
and its gateway verifies every signature the SDK can make:

- `BasicCredentials(ak, sk)` with no project id and a region: the SDK looks the project id up
  (`GET /v3/projects?name=<region>` at `HUAWEICLOUD_SDK_IAM_ENDPOINT`), with each algorithm,
  caches it per AK and region, and releases a package in it; no project and a wrong SK fail;
- IdP federation through the SDK's `EnvCredentialProvider` (`HUAWEICLOUD_SDK_IDP_ID`,
  `HUAWEICLOUD_SDK_ID_TOKEN_FILE`) and its profile provider: an unscoped token from the id token,
  temporary AK/SK from that, the lookup and a release signed with them; renewal before every call
  when credentials live less than the SDK's 40-minute margin (re-reading a rotated token file);
  expired credentials refused; an unknown IdP and a refused id token fail;
- OIDC to STS through `OidcStsCredentialProvider` (`HUAWEICLOUD_OIDC_*`,
  `HUAWEICLOUD_SDK_STS_ENDPOINT`), ECS metadata through `MetadataCredentialProvider` and CCE pod
  identity through `PodIdentityCredentialProvider`, and the SDK's chain between them;
- the SDK's HMAC-SHA256, HMAC-SM3, ECDSA-P256-SHA256 and SM2-SM3 signers get 200, and 401
  `APIGW.0301` with a wrong SK.

Every test starts from an environment without the SDK's variables and with the SDK's process-wide
project-id cache emptied. The emulator (one per module, see conftest.py) journals every call, so
the tests check which identity calls the SDK made, in which order, and what was released.
"""

from __future__ import annotations

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.auth import internal
from huaweicloudsdkcore.auth.internal import MetadataAccessor
from huaweicloudsdkcore.auth.provider import (
    CredentialProviderChain,
    EnvCredentialProvider,
    MetadataCredentialProvider,
    OidcStsCredentialProvider,
    PodIdentityCredentialProvider,
    ProfileCredentialProvider,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, SdkException
from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm
from huaweicloudsdkdataartsstudio.v1 import (
    ListFactoryReleasePackagesRequest,
    ListReleasePackagesRequestBody,
)

from conftest import CLOSED_METADATA_ENDPOINT, PROJECT_ID, journal, refused_auth
from sdk_auth import (
    ALGORITHMS,
    ASSUME_WITH_OIDC,
    HEADER_NAMES,
    ID_TOKEN,
    ID_TOKEN_TOKENS,
    IDP_ID,
    METADATA_SECURITY_KEY,
    METADATA_TOKEN,
    OIDC_AGENCY_URN,
    OIDC_PROVIDER_URN,
    POD_CREDENTIALS,
    PROJECTS,
    REGION,
    REGION_WITHOUT_PROJECT,
    SECURITY_TOKENS,
    Recorder,
    admin,
    assert_released,
    calls,
    clean_sdk_state,
    client,
    deploy,
    deploys,
    idp_environment,
    last_seq,
    pod_environment,
    show,
    wrong,
    write_token,
)


@pytest.fixture(autouse=True)
def clean_state(monkeypatch, tmp_path):
    clean_sdk_state(monkeypatch, tmp_path)


# ---------------------------------------------------------------------------------------------
# Project-id discovery with permanent AK/SK


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda a: HEADER_NAMES[a])
def test_project_id_is_discovered_from_iam(emulator, monkeypatch, algorithm):
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.url)
    credentials = BasicCredentials(emulator.ak, emulator.sk)
    recorder = Recorder()
    before = last_seq(emulator)

    studio = client(emulator, credentials, algorithm=algorithm, recorder=recorder)

    assert credentials.project_id == PROJECT_ID
    assert calls(emulator, before) == [("GET", PROJECTS, 200)]
    method, url, authorization = recorder.requests[0]
    assert (method, url) == ("GET", f"{emulator.url}{PROJECTS}?name={REGION}")
    assert authorization.startswith(HEADER_NAMES[algorithm] + " "), authorization
    # The found id goes into the API's paths.
    assert show(studio, "13").release_package.package_id == "13"
    assert f"/{PROJECT_ID}/" in journal(emulator, before)[-1]["path"]


def test_discovered_project_id_releases_a_package(emulator, monkeypatch):
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.url)
    before = last_seq(emulator)
    studio = client(emulator, BasicCredentials(emulator.ak, emulator.sk))

    response = deploy(studio, "23")

    assert_released(emulator, before, response, "23")
    assert calls(emulator, before)[0] == ("GET", PROJECTS, 200)


def test_discovery_is_cached_per_ak_and_region(emulator, monkeypatch):
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.url)
    before = last_seq(emulator)
    client(emulator, BasicCredentials(emulator.ak, emulator.sk))
    second = BasicCredentials(emulator.ak, emulator.sk)
    client(emulator, second)
    assert second.project_id == PROJECT_ID
    assert calls(emulator, before) == [("GET", PROJECTS, 200)]


def test_region_without_a_project_fails_with_the_sdks_advice(emulator, monkeypatch):
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.url)
    before = last_seq(emulator)
    with pytest.raises(SdkException) as raised:
        client(emulator, BasicCredentials(emulator.ak, emulator.sk), region=REGION_WITHOUT_PROJECT)
    message = str(raised.value)
    assert f"Failed to get project id of region '{REGION_WITHOUT_PROJECT}'" in message, message
    assert "BasicCredentials(ak, sk, project_id)" in message, message
    # IAM answered (an empty list), nothing else was called.
    assert calls(emulator, before) == [("GET", PROJECTS, 200)]


def test_discovery_with_a_wrong_sk_is_refused(emulator, monkeypatch):
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.url)
    before = last_seq(emulator)
    with pytest.raises(SdkException) as raised:
        client(emulator, BasicCredentials(emulator.ak, wrong(emulator.sk)))
    assert "Failed to get project id of region 'cn-north-4'" in str(raised.value), raised.value
    assert calls(emulator, before) == [("GET", PROJECTS, 401)]


# ---------------------------------------------------------------------------------------------
# IAM identity-provider federation (EnvCredentialProvider)


def test_idp_federation_from_the_environment_releases_a_package(emulator, monkeypatch, tmp_path):
    idp_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.url)
    credentials = EnvCredentialProvider.get_basic().get_credentials()
    recorder = Recorder()
    before = last_seq(emulator)

    studio = client(emulator, credentials, recorder=recorder)

    # Building the client federates (id token -> unscoped token -> temporary AK/SK) and looks the
    # project up, signed with the temporary credentials.
    assert calls(emulator, before) == [
        ("POST", ID_TOKEN_TOKENS, 201),
        ("POST", SECURITY_TOKENS, 201),
        ("GET", PROJECTS, 200),
    ]
    assert credentials.project_id == PROJECT_ID
    assert credentials.ak and credentials.ak != emulator.ak
    assert credentials.security_token
    lookup = recorder.requests[-1]
    assert lookup[2].startswith(f"SDK-HMAC-SHA256 Access={credentials.ak},"), lookup

    released_after = last_seq(emulator)
    response = deploy(studio, "12")
    assert_released(emulator, released_after, response, "12")
    # The credentials are still fresh: the release reused them, no second federation.
    assert len(journal(emulator, released_after)) == 1


def test_idp_federation_signs_with_sm2_sm3(emulator, monkeypatch, tmp_path):
    idp_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.url)
    credentials = EnvCredentialProvider.get_basic().get_credentials()
    recorder = Recorder()
    studio = client(
        emulator, credentials, region=None, algorithm=SigningAlgorithm.SM2_SM3, recorder=recorder
    )
    before = last_seq(emulator)

    # The project id is given, so the first API call federates (the SDK fetches lazily).
    assert show(studio, "13").release_package.package_id == "13"
    assert [c[2] for c in calls(emulator, before)] == [201, 201, 200]
    authorization = recorder.requests[-1][2]
    assert authorization.startswith(f"SDK-SM2-SM3 Access={credentials.ak}, "), authorization


def test_sdk_renews_short_lived_credentials_before_every_call(emulators, monkeypatch, tmp_path):
    """The SDK renews temporary credentials when less than 40 minutes are left: with the emulator
    issuing 30-second credentials it federates again before each call, and the gateway accepts
    every new set. It reads the id-token file again at each renewal (CI systems rotate it)."""
    emulator = emulators("--credential-lifetime", "30s")
    idp_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID)
    credentials = EnvCredentialProvider.get_basic().get_credentials()
    studio = client(emulator, credentials, region=None)

    keys = []
    for _ in range(2):
        assert show(studio, "13").release_package.package_id == "13"
        keys.append(credentials.ak)

    federation = [("POST", ID_TOKEN_TOKENS, 201), ("POST", SECURITY_TOKENS, 201)]
    shows = [c for c in calls(emulator, 0) if c[1].startswith("/v2/")]
    assert calls(emulator, 0) == federation + shows[:1] + federation + shows[1:]
    assert [status for _, _, status in shows] == [200, 200]
    assert keys[0] != keys[1], "the second call did not use new credentials"

    # A rotated token file is read at the next renewal (here: a token IAM refuses).
    idp_environment(monkeypatch, tmp_path, id_token="rotated-id-token")
    before = last_seq(emulator)
    with pytest.raises(ClientRequestException) as raised:
        show(studio, "13")
    assert raised.value.status_code == 401, raised.value
    assert calls(emulator, before) == [("POST", ID_TOKEN_TOKENS, 401)]


def test_expired_federated_credentials_are_401_apigw_0301(emulators, monkeypatch, tmp_path):
    """Credentials the SDK federated are refused once the emulator's clock passes their expiry
    (the SDK judges freshness by its own clock, so it still sends them)."""
    emulator = emulators()
    idp_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID)
    studio = client(emulator, EnvCredentialProvider.get_basic().get_credentials(), region=None)
    assert show(studio, "13").release_package.package_id == "13"

    admin(emulator, "POST", "clock/advance", {"by": "2h"})
    before = last_seq(emulator)
    with pytest.raises(ClientRequestException) as raised:
        deploy(studio, "13")

    assert raised.value.status_code == 401, raised.value
    assert raised.value.error_code == "APIGW.0301", raised.value
    assert "the security token has expired" in raised.value.error_msg, raised.value
    assert not any(e["applied"] for e in journal(emulator, before))


def test_profile_idp_federation_uses_the_profiles_iam_endpoint(emulator, tmp_path, monkeypatch):
    """`[basic]` with `idp_id`, `id_token_file` and `iam_endpoint` (no variable names the IAM
    endpoint): federation and the project lookup both go to the profile's endpoint."""
    token = write_token(tmp_path, "id-token", ID_TOKEN)
    profile = tmp_path / "credentials"
    profile.write_text(
        f"[basic]\nidp_id = {IDP_ID}\nid_token_file = {token}\niam_endpoint = {emulator.url}\n"
    )
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(profile))
    credentials = ProfileCredentialProvider.get_basic().get_credentials()
    before = last_seq(emulator)

    studio = client(emulator, credentials)

    assert calls(emulator, before) == [
        ("POST", ID_TOKEN_TOKENS, 201),
        ("POST", SECURITY_TOKENS, 201),
        ("GET", PROJECTS, 200),
    ]
    assert credentials.project_id == PROJECT_ID
    assert show(studio, "13").release_package.package_id == "13"


@pytest.mark.parametrize(
    ("idp_id", "id_token", "status"),
    [(IDP_ID, "not-the-demo-id-token", 401), ("no-such-idp", ID_TOKEN, 404)],
    ids=["refused-id-token", "unknown-idp"],
)
def test_refused_federation_fails_with_the_sdks_error_and_releases_nothing(
    emulator, monkeypatch, tmp_path, idp_id, id_token, status
):
    idp_environment(monkeypatch, tmp_path, idp_id, id_token)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID)
    studio = client(emulator, EnvCredentialProvider.get_basic().get_credentials(), region=None)
    before = last_seq(emulator)

    with pytest.raises(ClientRequestException) as raised:
        deploy(studio, "13")

    e = raised.value
    assert e.status_code == status, e
    # IAM's error shape {"error": {"code", "message", "title"}}, decoded by the SDK.
    assert str(e.error_code) == str(status), e
    assert e.error_msg, e
    assert id_token not in str(e), "the id token appears in the SDK's error"
    assert calls(emulator, before) == [("POST", ID_TOKEN_TOKENS, status)]
    assert deploys(emulator, before) == []


# ---------------------------------------------------------------------------------------------
# OIDC to STS (OidcStsCredentialProvider)


def oidc_environment(monkeypatch, emulator, agency_urn: str = OIDC_AGENCY_URN) -> None:
    monkeypatch.setenv("HUAWEICLOUD_OIDC_PROVIDER_URN", OIDC_PROVIDER_URN)
    monkeypatch.setenv("HUAWEICLOUD_OIDC_AGENCY_URN", agency_urn)
    monkeypatch.setenv("HUAWEICLOUD_OIDC_ID_TOKEN", ID_TOKEN)
    monkeypatch.setenv("HUAWEICLOUD_SDK_STS_ENDPOINT", emulator.url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.url)


def test_oidc_federation_releases_a_package(emulator, monkeypatch):
    oidc_environment(monkeypatch, emulator)
    # The SDK's chain puts OIDC first: it wins over AK/SK in the environment.
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", emulator.ak)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", emulator.sk)
    credentials = CredentialProviderChain.get_basic().get_credentials()
    before = last_seq(emulator)

    studio = client(emulator, credentials)

    assert calls(emulator, before) == [("POST", ASSUME_WITH_OIDC, 200), ("GET", PROJECTS, 200)]
    assert credentials.project_id == PROJECT_ID
    assert credentials.ak != emulator.ak and credentials.security_token
    released_after = last_seq(emulator)
    assert_released(emulator, released_after, deploy(studio, "13"), "13")


def test_oidc_id_token_from_a_file(emulator, monkeypatch, tmp_path):
    oidc_environment(monkeypatch, emulator)
    monkeypatch.delenv("HUAWEICLOUD_OIDC_ID_TOKEN")
    monkeypatch.setenv("HUAWEICLOUD_OIDC_TOKEN_FILE", write_token(tmp_path, "oidc-token", ID_TOKEN))
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID)
    studio = client(emulator, OidcStsCredentialProvider.get_basic().get_credentials(), region=None)
    before = last_seq(emulator)

    assert show(studio, "13").release_package.package_id == "13"
    assert [c[1:] for c in calls(emulator, before)][:1] == [(ASSUME_WITH_OIDC, 200)]


def test_oidc_refused_agency_fails_and_releases_nothing(emulator, monkeypatch):
    oidc_environment(monkeypatch, emulator, agency_urn=OIDC_AGENCY_URN + "-unknown")
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT_ID)
    studio = client(emulator, OidcStsCredentialProvider.get_basic().get_credentials(), region=None)
    before = last_seq(emulator)

    with pytest.raises(SdkException) as raised:
        deploy(studio, "13")

    assert "failed to get credential from oidc sts" in str(raised.value), raised.value
    assert ID_TOKEN not in str(raised.value)
    [(method, path, status)] = calls(emulator, before)
    assert (method, path) == ("POST", ASSUME_WITH_OIDC) and 400 <= status < 500, status
    assert deploys(emulator, before) == []


# ---------------------------------------------------------------------------------------------
# ECS metadata and CCE pod identity


def test_ecs_metadata_credentials_reach_the_api(emulator, monkeypatch):
    # The SDK has no variable for the metadata address; point its class attribute at the emulator.
    monkeypatch.setattr(MetadataAccessor, "_METADATA_ENDPOINT", emulator.url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.url)
    before = last_seq(emulator)

    credentials = MetadataCredentialProvider.get_basic().get_credentials()
    studio = client(emulator, credentials)

    assert calls(emulator, before) == [
        ("PUT", METADATA_TOKEN, 200),
        ("GET", METADATA_SECURITY_KEY, 200),
        ("GET", PROJECTS, 200),
    ]
    assert credentials.ak != emulator.ak and credentials.security_token
    assert show(studio, "13").release_package.package_id == "13"


def test_pod_identity_credentials_reach_the_api(emulator, monkeypatch, tmp_path):
    pod_environment(monkeypatch, tmp_path, emulator)
    before = last_seq(emulator)

    # The pod-identity provider fetches at once, and reads no project id from the environment.
    credentials = PodIdentityCredentialProvider.get_basic().get_credentials()
    credentials.with_project_id(PROJECT_ID)
    studio = client(emulator, credentials, region=None)

    assert calls(emulator, before) == [("POST", POD_CREDENTIALS, 200)]
    assert credentials.ak != emulator.ak and credentials.security_token
    assert show(studio, "13").release_package.package_id == "13"


def test_pod_identity_with_a_wrong_token_is_refused(emulator, monkeypatch, tmp_path):
    pod_environment(monkeypatch, tmp_path, emulator, token="wrong")
    before = last_seq(emulator)
    with pytest.raises(SdkException) as raised:
        PodIdentityCredentialProvider.get_basic().get_credentials()
    assert "failed to get credential from pod identity" in str(raised.value), raised.value
    assert calls(emulator, before) == [("POST", POD_CREDENTIALS, 401)]


def test_sdk_chain_moves_from_a_failing_metadata_service_to_pod_identity(
    emulator, monkeypatch, tmp_path
):
    """The SDK's chain order: ECS metadata, then pod identity. A metadata service that answers
    500 (the emulator's `metadata_error` fault) is skipped; pod identity supplies the credentials."""
    monkeypatch.setattr(MetadataAccessor, "_METADATA_ENDPOINT", emulator.url)
    pod_environment(monkeypatch, tmp_path, emulator)
    before = last_seq(emulator)
    admin(emulator, "PUT", "faults", {"metadata_error": 1.0})
    try:
        credentials = CredentialProviderChain.get_basic().get_credentials()
    finally:
        admin(emulator, "PUT", "faults", {})

    assert calls(emulator, before) == [("PUT", METADATA_TOKEN, 500), ("POST", POD_CREDENTIALS, 200)]
    assert credentials.ak and credentials.security_token
    studio = client(emulator, credentials.with_project_id(PROJECT_ID), region=None)
    assert show(studio, "13").release_package.package_id == "13"


def test_sdk_chain_stops_at_an_unreachable_metadata_service(emulator, monkeypatch, tmp_path):
    """The SDK's chain tries ECS metadata before pod identity and only moves on when the metadata
    service answers with an HTTP error: a connection failure escapes the chain (it is a
    `requests` exception, not one of the SDK's), so pod identity is never asked."""
    pod_environment(monkeypatch, tmp_path, emulator)
    monkeypatch.setattr(MetadataAccessor, "_METADATA_ENDPOINT", CLOSED_METADATA_ENDPOINT)
    before = last_seq(emulator)
    # The exception class of the HTTP library the SDK's metadata source calls directly.
    with pytest.raises(internal.requests.exceptions.ConnectionError):
        CredentialProviderChain.get_basic().get_credentials()
    assert calls(emulator, before) == []


# ---------------------------------------------------------------------------------------------
# The four signers, against the gateway


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda a: HEADER_NAMES[a])
def test_signer_gets_through_the_gateway(emulator, algorithm):
    recorder = Recorder()
    studio = client(
        emulator,
        BasicCredentials(emulator.ak, emulator.sk, PROJECT_ID),
        region=None,
        algorithm=algorithm,
        recorder=recorder,
    )
    before = last_seq(emulator)

    assert show(studio, "13").release_package.package_id == "13"  # GET, no body
    listed = studio.list_factory_release_packages(  # POST with a JSON body
        ListFactoryReleasePackagesRequest(body=ListReleasePackagesRequestBody(limit=100, offset=0))
    )
    assert listed.total is not None and listed.total >= 3, listed

    assert [status for _, _, status in calls(emulator, before)] == [200, 200]
    assert len(recorder.requests) == 2
    expected = f"{HEADER_NAMES[algorithm]} Access={emulator.ak}, "
    for _, _, authorization in recorder.requests:
        assert authorization.startswith(expected), authorization


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda a: HEADER_NAMES[a])
def test_signer_with_a_wrong_sk_is_401_apigw_0301(emulator, algorithm):
    studio = client(
        emulator,
        BasicCredentials(emulator.ak, wrong(emulator.sk), PROJECT_ID),
        region=None,
        algorithm=algorithm,
    )
    before = last_seq(emulator)
    refused_before = refused_auth(emulator, "APIGW.0301")
    with pytest.raises(ClientRequestException) as raised:
        deploy(studio, "13")
    assert raised.value.status_code == 401, raised.value
    assert raised.value.error_code == "APIGW.0301", raised.value
    # Refused requests are counted, not journalled: exactly one refusal, nothing else sent.
    assert refused_auth(emulator, "APIGW.0301") == refused_before + 1
    assert journal(emulator, before) == []
