"""Our signatures, checked by the official SDK's own signers and verifiers.

For every request of `crates/dataarts-signing/tests/vectors/algorithms.json` and each of the
four algorithms, the example binary `sign_vectors` (our Rust signer) signs; then:

* the SDK, given the same request, computes the same canonical request and string to sign;
* SDK-HMAC-SHA256 and SDK-HMAC-SM3: the SDK's `sign()` puts the same Authorization header;
* SDK-ECDSA-P256-SHA256 and SDK-SM2-SM3: the SDK derives the same public key from the AK/SK,
  and its signing key's `verify` accepts our DER signature over *its* string to sign (and
  refuses it over a changed one).

The binary's path comes from `DATAARTS_SIGN_VECTORS_BIN`, which `cargo xtask test` sets after
`cargo build -p dataarts-signing --example sign_vectors`.
"""

from __future__ import annotations

import json
import os
import subprocess
import types
from pathlib import Path

import pytest
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import P256SHA256Signer, SM2SM3Signer, SM3Signer, Signer

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "crates" / "dataarts-signing" / "tests" / "vectors" / "algorithms.json"

SIGNERS = {
    "SDK-HMAC-SHA256": Signer,
    "SDK-HMAC-SM3": SM3Signer,
    "SDK-ECDSA-P256-SHA256": P256SHA256Signer,
    "SDK-SM2-SM3": SM2SM3Signer,
}


def _binary() -> Path:
    configured = os.environ.get("DATAARTS_SIGN_VECTORS_BIN")
    if not configured:
        pytest.fail(
            "DATAARTS_SIGN_VECTORS_BIN is not set: build the signer with "
            "`cargo build -p dataarts-signing --example sign_vectors` and set it to "
            "target/debug/examples/sign_vectors, or run `cargo xtask test --only conformance`"
        )
    path = Path(configured)
    if not path.is_file():
        pytest.fail(
            f"DATAARTS_SIGN_VECTORS_BIN={configured} is not a file: build it with "
            "`cargo build -p dataarts-signing --example sign_vectors`"
        )
    return path


@pytest.fixture(scope="module")
def vectors() -> dict:
    return json.loads(VECTORS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ours(vectors) -> list[dict]:
    done = subprocess.run(
        [str(_binary())],
        input=json.dumps({"requests": vectors["requests"]}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["signatures"]


def _sdk_request(req: dict) -> SdkRequest:
    body = req["body"]
    if body is not None:
        body = body["utf8"].encode("utf-8") if "utf8" in body else bytes.fromhex(body["hex"])
    return SdkRequest(
        method=req["method"],
        schema="https",
        host=req["host"],
        resource_path=req["path"],
        query_params=[tuple(p) for p in req["query"]],
        header_params={k: v for k, v in req["headers"]},
        body=body,
    )


def _sdk_strings(signer, req: dict) -> tuple[str, str, str]:
    """The SDK's canonical request, string to sign and signed headers, by its own steps in the
    order its sign() runs them."""
    r = _sdk_request(req)
    signer._process_content_header(r)
    t = signer._process_header_time(r)
    signer._process_header_host(r)
    names = signer._process_signed_headers(r)
    canonical = signer._process_canonical_request(r, names)
    return canonical, signer._process_string_to_sign(canonical, t), ";".join(names)


def _public_key_hex(key) -> str:
    x, y = key._public_key
    return "04" + x.to_bytes(32, "big").hex() + y.to_bytes(32, "big").hex()


def test_every_request_and_algorithm_is_signed(vectors, ours):
    expected = {(r["id"], a) for r in vectors["requests"] for a in SIGNERS}
    assert {(s["request"], s["algorithm"]) for s in ours} == expected
    assert len(ours) == 4 * len(vectors["requests"]) >= 24


@pytest.mark.parametrize("algorithm", list(SIGNERS))
def test_the_official_sdk_accepts_our_signatures(vectors, ours, algorithm):
    requests = {r["id"]: r for r in vectors["requests"]}
    mine = [s for s in ours if s["algorithm"] == algorithm]
    assert mine
    for sig in mine:
        req = requests[sig["request"]]
        what = f'{sig["request"]} {algorithm}'
        signer = SIGNERS[algorithm](types.SimpleNamespace(ak=req["ak"], sk=req["sk"]))
        canonical, string_to_sign, names = _sdk_strings(signer, req)
        assert sig["canonical_request"] == canonical, what
        assert sig["string_to_sign"] == string_to_sign, what
        assert sig["signed_headers"] == names, what
        prefix = f'{algorithm} Access={req["ak"]}, SignedHeaders={names}, Signature='
        assert sig["authorization"].startswith(prefix), what
        signature = sig["authorization"][len(prefix):]
        if algorithm.startswith("SDK-HMAC"):
            assert sig["public_key"] is None
            theirs = signer.sign(_sdk_request(req)).header_params["Authorization"]
            assert sig["authorization"] == theirs, what
        else:
            key = signer.get_signing_key()
            assert sig["public_key"] == _public_key_hex(key), f"{what}: derived public key"
            der = bytes.fromhex(signature)
            assert key.verify(der, string_to_sign.encode("utf-8")), f"{what}: SDK verify"
            changed = string_to_sign.replace("2024", "2025", 1) + "0"
            assert not key.verify(der, changed.encode("utf-8")), f"{what}: changed"


def test_elliptic_curve_signatures_use_a_fresh_nonce(vectors):
    # Two runs of the binary sign the same requests differently, and both verify.
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [str(_binary())],
            input=json.dumps(
                {"requests": vectors["requests"][:1], "algorithms": ["SDK-SM2-SM3", "SDK-ECDSA-P256-SHA256"]}
            ),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        runs.append(json.loads(done.stdout)["signatures"])
    for first, second in zip(*runs):
        assert first["algorithm"] == second["algorithm"]
        assert first["string_to_sign"] == second["string_to_sign"]
        assert first["authorization"] != second["authorization"]
