"""Huawei's own Python SDK, signing with AK/SK, against the emulator.

If these pass, the emulator verifies signatures the way Huawei's signer computes them and
answers in shapes Huawei's models decode. The six release-package operations use
`huaweicloudsdkdataartsstudio` (`DataArtsStudioClient`); `list_system_tasks` uses
`huaweicloudsdkdlf` (`DlfClient`).

The tests share one emulator (see conftest.py) and run in file order: the deploy of package
23 happens once (fixture `deployed`) and the system-task test polls its task.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkdataartsstudio.v1 import (
    CancelFactoryPackagesRequest,
    CancelFactoryPackagesRequestBody,
    CreateFactoryPendingItemsPackageBody,
    CreateFactoryPendingItemsPackageRequest,
    DataArtsStudioClient,
    DeployFactoryPackagesRequest,
    DeployFactoryPackagesRequestBody,
    ListFactoryPendingItemsRequest,
    ListFactoryReleasePackagesRequest,
    ListReleasePackagesRequestBody,
    ShowFactoryPackageDetailRequest,
)
from huaweicloudsdkdlf.v1 import DlfClient, ListSystemTasksRequest

HEX32 = re.compile(r"^[0-9a-f]{32}$")
TASK_STATUSES = {"RUNNING", "SUCCESSFUL", "FAILED"}


def http_config() -> HttpConfig:
    config = HttpConfig.get_default_config()
    config.timeout = (5, 30)
    config.retry_times = 0
    return config


def build(client_type, emulator, sk: str | None = None):
    credentials = BasicCredentials(emulator.ak, sk if sk is not None else emulator.sk, emulator.project_id)
    return (
        client_type.new_builder()
        .with_http_config(http_config())
        .with_credentials(credentials)
        .with_endpoints([emulator.url])
        .build()
    )


@pytest.fixture(scope="module")
def studio(emulator) -> DataArtsStudioClient:
    return build(DataArtsStudioClient, emulator)


@pytest.fixture(scope="module")
def dlf(emulator) -> DlfClient:
    return build(DlfClient, emulator)


def deploy_request(package_ids, startup_mode=0, workspace=None) -> DeployFactoryPackagesRequest:
    return DeployFactoryPackagesRequest(
        workspace=workspace,
        body=DeployFactoryPackagesRequestBody(package_ids=list(package_ids), startup_mode=startup_mode),
    )


def show(studio, package_id: str):
    return studio.show_factory_package_detail(ShowFactoryPackageDetailRequest(package_id=package_id))


@pytest.fixture(scope="module")
def deployed(studio):
    """The documented example, once: release package 23 with startup_mode 0."""
    return studio.deploy_factory_packages(deploy_request(["23"], startup_mode=0))


def test_deploy_documented_example(deployed):
    details = deployed.deploy_package_details
    assert details is not None and len(details) == 1, deployed
    detail = details[0]
    assert detail.package_id == 23  # a JSON number in the deploy response
    assert detail.asy_subtask_num == 1
    assert HEX32.match(detail.asy_task_id or ""), detail.asy_task_id


def test_deploy_with_wrong_sk_is_401_apigw_0301(emulator):
    client = build(DataArtsStudioClient, emulator, sk=emulator.sk[:-1] + ("x" if emulator.sk[-1] != "x" else "y"))
    with pytest.raises(ClientRequestException) as raised:
        client.deploy_factory_packages(deploy_request(["23"], startup_mode=0))
    e = raised.value
    assert e.status_code == 401, e
    assert e.error_code == "APIGW.0301", e
    assert e.request_id, f"no request id in the 401: {e}"


def test_deploy_with_unknown_ak_is_401(emulator):
    credentials = BasicCredentials("UNKNOWNAK00000000000", emulator.sk, emulator.project_id)
    client = (
        DataArtsStudioClient.new_builder()
        .with_http_config(http_config())
        .with_credentials(credentials)
        .with_endpoints([emulator.url])
        .build()
    )
    with pytest.raises(ClientRequestException) as raised:
        client.deploy_factory_packages(deploy_request(["13"]))
    assert raised.value.status_code == 401, raised.value
    assert raised.value.error_code == "APIGW.0301", raised.value


def test_deploy_signed_20_minutes_ago_is_401(emulator, studio, monkeypatch):
    # The SDK stamps X-Sdk-Date from datetime.utcnow(); shift its clock past the 15-minute window.
    import huaweicloudsdkcore.signer.signer as signer

    class Late(dt.datetime):
        @classmethod
        def utcnow(cls):
            return dt.datetime.utcnow() - dt.timedelta(minutes=20)

    monkeypatch.setattr(signer, "datetime", Late)
    with pytest.raises(ClientRequestException) as raised:
        studio.deploy_factory_packages(deploy_request(["13"]))
    assert raised.value.status_code == 401, raised.value
    assert raised.value.error_code == "APIGW.0301", raised.value


def test_list_release_packages(studio, deployed):
    response = studio.list_factory_release_packages(
        ListFactoryReleasePackagesRequest(body=ListReleasePackagesRequestBody(limit=100, offset=0))
    )
    ids = {p.package_id for p in response.data or []}
    assert {"12", "13", "23"} <= ids, ids
    assert response.total is not None and response.total >= 3
    for package in response.data:
        assert isinstance(package.package_approvers, list), package
    assert response.x_request_id, "no X-Request-Id header on the list response"


def test_list_release_packages_without_a_body(studio):
    # The SDK lets the whole body be omitted; the emulator accepts that, as the service does.
    response = studio.list_factory_release_packages(ListFactoryReleasePackagesRequest())
    assert response.total is not None and response.total >= 1, response


def test_list_release_packages_by_status(studio, deployed):
    response = studio.list_factory_release_packages(
        ListFactoryReleasePackagesRequest(
            body=ListReleasePackagesRequestBody(deploy_status_filter=[1], limit=100)
        )
    )
    assert all(p.deploy_status == 1 for p in response.data or []), response


def test_show_package(studio):
    response = show(studio, "13")
    package = response.release_package
    assert package.package_id == "13"
    assert package.workspace_id
    assert isinstance(package.package_approvers, list)
    assert isinstance(response.task_details, list)
    assert response.x_request_id


def test_show_unknown_package_is_400_dlf_0810(studio):
    with pytest.raises(ClientRequestException) as raised:
        show(studio, "987654321")
    assert raised.value.status_code == 400, raised.value
    assert raised.value.error_code == "DLF.0810", raised.value


def test_cancel_documented_example(studio):
    response = studio.cancel_factory_packages(
        CancelFactoryPackagesRequest(body=CancelFactoryPackagesRequestBody(package_ids=["12", "13"]))
    )
    assert response.status_code == 200
    for package_id in ("12", "13"):
        assert show(studio, package_id).release_package.delete_flag == 1


def test_list_pending_items(emulator, studio):
    response = studio.list_factory_pending_items(
        ListFactoryPendingItemsRequest(workspace=emulator.workspace_id, limit=100, offset=0)
    )
    ids = {item.pending_item_id for item in response.data or []}
    assert "26" in ids, ids
    assert response.total is not None and response.total >= 1


def test_list_pending_items_without_workspace_is_400(studio):
    with pytest.raises(ClientRequestException) as raised:
        studio.list_factory_pending_items(ListFactoryPendingItemsRequest())
    assert raised.value.status_code == 400, raised.value


def test_package_pending_item_26(emulator, studio):
    items = studio.list_factory_pending_items(
        ListFactoryPendingItemsRequest(workspace=emulator.workspace_id, limit=100)
    ).data
    item = next(i for i in items if i.pending_item_id == "26")
    approvers = show(studio, "23").release_package.package_approvers
    assert approvers, "package 23 has no approvers to reuse"
    response = studio.create_factory_pending_items_package(
        CreateFactoryPendingItemsPackageRequest(
            workspace=emulator.workspace_id,
            body=CreateFactoryPendingItemsPackageBody(
                apply_user_id=item.submit_user_id,
                package_name="conformance_sdk_package",
                pending_item_list=["26"],
                approver_ids=[approvers[0].user_id],
            ),
        )
    )
    assert response.package_name == "conformance_sdk_package"
    assert response.release_package_id and response.release_package_id.isdigit(), response
    created = show(studio, response.release_package_id)
    assert created.release_package.deploy_status == 1
    assert [d.pending_item_id for d in created.task_details] == ["26"]


def test_system_task_of_the_deploy(emulator, studio, dlf, deployed):
    detail = deployed.deploy_package_details[0]
    deadline = time.monotonic() + 10
    while True:
        task = dlf.list_system_tasks(ListSystemTasksRequest(task_id=detail.asy_task_id))
        assert task.id == detail.asy_task_id
        assert task.status in TASK_STATUSES, task
        # The SDK reads `subTasks`; the emulator sends it alongside the documented `subtasks`.
        assert task.sub_tasks is not None and len(task.sub_tasks) == detail.asy_subtask_num, task
        for sub in task.sub_tasks:
            assert sub.id and sub.status in TASK_STATUSES, sub
        if task.status != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert task.status == "SUCCESSFUL", task
    assert task.end_time, task  # a terminal task has an end time (ms, as a string in the SDK)
    assert int(task.start_time) <= int(task.end_time)
    assert show(studio, "23").release_package.deploy_status == 2


def test_system_task_unknown_id_is_400(dlf):
    with pytest.raises(ClientRequestException) as raised:
        dlf.list_system_tasks(ListSystemTasksRequest(task_id="0" * 32))
    assert raised.value.status_code == 400, raised.value
