"""Sequential deploys with Huawei's official Python SDK (huaweicloudsdkdataartsstudio) against
a running dataarts-emulator: the Python driver of bench/vs_official_sdks.py.

    python vs_official_sdk.py --endpoint URL --ak AK --sk SK --project-id P --first ID --calls N
                              [--warmup W] [--workspace WS]

Releases ids first .. first+warmup-1 untimed, then first+warmup .. first+warmup+calls-1 timed,
one package per call (AK/SK, retries off, one client), checking that each answer has exactly one
detail; prints PYTHON_SDK calls=N seconds=S calls_per_s=R. With --calls 1 --warmup 0 it is the
one-deploy program whose cold start the benchmark measures.
"""

from __future__ import annotations

import argparse
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkdataartsstudio.v1 import (
    DataArtsStudioClient,
    DeployFactoryPackagesRequest,
    DeployFactoryPackagesRequestBody,
)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--ak", required=True)
    p.add_argument("--sk", required=True)
    p.add_argument("--project-id", required=True)
    p.add_argument("--first", type=int, default=1000)
    p.add_argument("--calls", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--workspace")
    a = p.parse_args()
    if a.calls < 1 or a.warmup < 0:
        p.error("--calls must be at least 1 and --warmup at least 0")

    config = HttpConfig.get_default_config()
    config.timeout = (5, 30)
    config.retry_times = 0
    client = (
        DataArtsStudioClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(a.ak, a.sk, a.project_id))
        .with_endpoints([a.endpoint])
        .build()
    )

    def deploy(package_id: int) -> None:
        body = DeployFactoryPackagesRequestBody(package_ids=[str(package_id)], startup_mode=0)
        r = client.deploy_factory_packages(DeployFactoryPackagesRequest(workspace=a.workspace, body=body))
        if len(r.deploy_package_details or []) != 1:
            raise SystemExit(f"package {package_id}: expected exactly one deploy_package_details entry: {r}")

    for k in range(a.first, a.first + a.warmup):
        deploy(k)
    start = time.perf_counter()
    for k in range(a.first + a.warmup, a.first + a.warmup + a.calls):
        deploy(k)
    secs = time.perf_counter() - start
    print(f"PYTHON_SDK calls={a.calls} seconds={secs:.3f} calls_per_s={a.calls / secs:.1f}")


if __name__ == "__main__":
    main()
