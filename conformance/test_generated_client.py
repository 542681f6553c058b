"""The spec is usable from other languages: a Python client generated from openapi/deploy.yaml
by a standard generator (openapi-python-client) releases a package on the emulator.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SPEC

CONFIG = ROOT / "conformance" / "openapi-python-client.yaml"
PACKAGE = "deploy_client"  # package_name_override in the config


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Generates the client into a temporary directory and imports it."""
    out = tmp_path_factory.mktemp("generated") / "client"
    generator = Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(
        [str(generator), "generate", "--path", str(SPEC), "--output-path", str(out), "--config", str(CONFIG)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"openapi-python-client failed:\n{result.stdout}\n{result.stderr}"
    # Anything the generator had to skip is reported as a warning; the spec should need none.
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(out))
    try:
        yield SimpleModules(
            client=importlib.import_module(f"{PACKAGE}.client"),
            deploy=importlib.import_module(f"{PACKAGE}.api.release_packages.deploy_factory_packages"),
            show=importlib.import_module(f"{PACKAGE}.api.release_packages.show_factory_package_detail"),
            models=importlib.import_module(f"{PACKAGE}.models"),
        )
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


class SimpleModules:
    def __init__(self, **modules):
        self.__dict__.update(modules)


def authenticated_client(generated, emulator):
    return generated.client.AuthenticatedClient(
        base_url=emulator.url,
        token=emulator.token,
        prefix="",
        auth_header_name="X-Auth-Token",
        raise_on_unexpected_status=True,
    )


def test_generated_client_releases_package_12(generated, emulator):
    models = generated.models
    body = models.DeployBody(package_ids=["12"], startup_mode=models.DeployBodyStartupMode.VALUE_0)
    with authenticated_client(generated, emulator) as client:
        response = generated.deploy.sync_detailed(emulator.project_id, client=client, body=body)
        assert response.status_code == 200, (response.status_code, response.content)
        parsed = response.parsed
        assert isinstance(parsed, models.DeployResponse), parsed
        assert len(parsed.deploy_package_details) == 1
        detail = parsed.deploy_package_details[0]
        assert detail.package_id == 12
        assert detail.asy_subtask_num >= 1
        assert len(detail.asy_task_id) == 32

        shown = generated.show.sync_detailed(emulator.project_id, "12", client=client)
        assert shown.status_code == 200, (shown.status_code, shown.content)
        assert shown.parsed.release_package.package_id == "12"
        assert shown.parsed.release_package.deploy_status in (5, 2)  # being released, or done


def test_generated_client_parses_the_error_body(generated, emulator):
    models = generated.models
    body = models.DeployBody(package_ids=["987654321"], startup_mode=models.DeployBodyStartupMode.VALUE_0)
    with authenticated_client(generated, emulator) as client:
        response = generated.deploy.sync_detailed(emulator.project_id, client=client, body=body)
        assert response.status_code == 400, (response.status_code, response.content)
        assert isinstance(response.parsed, models.ErrorBody), response.parsed
        assert response.parsed.error_code == "DLF.0810"
