#!/usr/bin/env python3
"""Writes algorithms.json: test vectors for the four AK/SK signing algorithms, computed by the
official Python SDK runtime.

The vectors are checked in; this script is not run by CI. To produce them again:

    python3 -m venv /tmp/sdkvenv
    /tmp/sdkvenv/bin/pip install huaweicloudsdkcore==3.1.219
    /tmp/sdkvenv/bin/python crates/dataarts-signing/tests/vectors/generate.py

(needs a Python whose hashlib offers SM3, as CPython built against OpenSSL 1.1.1 or 3.x does.)
The elliptic-curve signatures take a random nonce, so each run writes other signatures for
SDK-ECDSA-P256-SHA256 and SDK-SM2-SM3; everything else is the same on every run.

What the file holds:

* ``requests``: the requests, as the signer receives them. ``headers`` already holds ``Host``
  and ``X-Sdk-Date`` (so the signer adds neither); for a ``Content-Type`` that is neither JSON
  nor BSON the signer adds the algorithm's payload-hash header (``X-Sdk-Content-Sha256`` or
  ``X-Sdk-Content-Sm3``) with the value ``UNSIGNED-PAYLOAD``, as the official SDK does.
  ``body`` is ``null`` (none), ``{"utf8": text}`` or ``{"hex": bytes}``.
* ``signatures``: for every request and algorithm, the official signer's canonical request,
  string to sign and signed headers; for the HMAC algorithms its ``authorization`` header (the
  same every time); for the elliptic-curve ones three ``official_authorizations`` (each with a
  fresh nonce, each checked here with the SDK's own verify) and the derived ``public_key``.
* ``derived_keys``: the private and public keys the SDK derives from some AK/SK pairs.

Request A6 uses an AK whose SM2 public key has a coordinate starting with a zero byte (the SDK
then writes that coordinate in fewer than 32 bytes when it hashes ZA, unlike the standard).
"""

import json
import os
import types

from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import (
    P256SHA256Signer,
    SM2SM3Signer,
    SM3Signer,
    Signer,
)

SIGNERS = {
    "SDK-HMAC-SHA256": Signer,
    "SDK-HMAC-SM3": SM3Signer,
    "SDK-ECDSA-P256-SHA256": P256SHA256Signer,
    "SDK-SM2-SM3": SM2SM3Signer,
}

AK = "TESTAK0123456789ABCD"
SK = "TestSecretKey0123456789abcdefghijklmnopq"
DATE = "20240102T030405Z"
HOST = "dayu.cn-north-4.myhuaweicloud.com"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

REQUESTS = [
    {
        "id": "A1",
        "description": "GET with a query that needs encoding, a workspace header and a project id",
        "method": "GET",
        "host": HOST,
        "path": f"/v2/{PROJECT}/factory/pending-items",
        "query": [["limit", "10"], ["offset", "0"], ["item_name", "daily etl"]],
        "headers": [
            ["workspace", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"],
            ["X-Project-Id", PROJECT],
            ["Host", HOST],
            ["X-Sdk-Date", DATE],
        ],
        "body": None,
    },
    {
        "id": "A2",
        "description": "POST with a JSON body (the DataArts deploy call)",
        "method": "POST",
        "host": HOST,
        "path": f"/v2/{PROJECT}/factory/release-packages/deploy",
        "query": [],
        "headers": [
            ["Content-Type", "application/json;charset=utf-8"],
            ["User-Agent", "huaweicloud-usdk-python/3.0"],
            ["X-Project-Id", PROJECT],
            ["Host", HOST],
            ["X-Sdk-Date", DATE],
        ],
        "body": {"utf8": '{"package_ids": ["1001", "1002"], "startup_mode": 1}'},
    },
    {
        "id": "A3",
        "description": "PUT of an octet stream: the signer adds the payload-hash header with "
        "UNSIGNED-PAYLOAD, so the body is not hashed",
        "method": "PUT",
        "host": HOST,
        "path": "/v1/objects/release.zip",
        "query": [],
        "headers": [
            ["Content-Type", "application/octet-stream"],
            ["Host", HOST],
            ["X-Sdk-Date", DATE],
        ],
        "body": {"hex": "504b0304ff00"},
    },
    {
        "id": "A4",
        "description": "temporary credentials: X-Security-Token is signed; a header with '_' "
        "is not; a percent-encoded path; a non-default port",
        "method": "DELETE",
        "host": "127.0.0.1:8443",
        "path": "/v1/a%20b/%E4%B8%AD/",
        "query": [["force", "true"], ["a", "2"], ["a", "1"]],
        "headers": [
            ["X-Security-Token", "TEMPORARYSECURITYTOKEN+/="],
            ["X_Not_Signed", "x"],
            ["Host", "127.0.0.1:8443"],
            ["X-Sdk-Date", DATE],
        ],
        "body": None,
    },
    {
        "id": "A5",
        "description": "POST with a JSON body holding non-ASCII text and another AK/SK",
        "method": "POST",
        "host": HOST,
        "path": "/v1/jobs",
        "query": [],
        "headers": [
            ["Content-Type", "application/json"],
            ["Host", HOST],
            ["X-Sdk-Date", "20261202T010203Z"],
        ],
        "body": {"utf8": '{"name": "每日作业", "note": "été"}'},
        "ak": "HPUAXXXXXXXXXXXXXXXX",
        "sk": "Another/Secret+Key=With-Symbols0123456789",
    },
]


def body_bytes(body):
    if body is None:
        return None
    if "utf8" in body:
        return body["utf8"].encode("utf-8")
    return bytes.fromhex(body["hex"])


def sdk_request(req):
    return SdkRequest(
        method=req["method"],
        schema="https",
        host=req["host"],
        resource_path=req["path"],
        query_params=[tuple(p) for p in req["query"]],
        header_params={k: v for k, v in req["headers"]},
        body=body_bytes(req["body"]),
    )


def signer_for(algorithm, ak, sk):
    return SIGNERS[algorithm](types.SimpleNamespace(ak=ak, sk=sk))


def intermediate(signer, req):
    """The canonical request and string to sign, by the signer's own steps (as sign() runs
    them), then the Authorization header of one real sign() call."""
    r = sdk_request(req)
    signer._process_content_header(r)
    t = signer._process_header_time(r)
    signer._process_header_host(r)
    names = signer._process_signed_headers(r)
    canonical = signer._process_canonical_request(r, names)
    string_to_sign = signer._process_string_to_sign(canonical, t)
    signed = signer.sign(sdk_request(req))
    return canonical, string_to_sign, ";".join(names), signed.header_params["Authorization"]


def signature_of(authorization):
    return authorization.rsplit("Signature=", 1)[1]


def public_key_hex(key):
    x, y = key._public_key
    return "04" + x.to_bytes(32, "big").hex() + y.to_bytes(32, "big").hex()


def zero_coordinate_ak():
    """The first AK (of a fixed series) whose SM2 public key, with SK, has an x or y
    coordinate that starts with a zero byte: ZA then differs from the standard's fixed-width
    encoding, and signatures must still verify both ways."""
    for i in range(10000):
        ak = f"ZEROCOORD{i:05d}"
        x, y = signer_for("SDK-SM2-SM3", ak, SK).get_signing_key()._public_key
        if x < 1 << 248 or y < 1 << 248:
            return ak
    raise SystemExit("no AK found")


def main():
    REQUESTS.append({
        "id": "A6",
        "description": "an AK whose SM2 public key has a coordinate starting with a zero byte",
        "method": "GET",
        "host": HOST,
        "path": "/v1/jobs",
        "query": [],
        "headers": [["Host", HOST], ["X-Sdk-Date", DATE]],
        "body": None,
        "ak": zero_coordinate_ak(),
    })
    signatures = []
    for req in REQUESTS:
        ak, sk = req.get("ak", AK), req.get("sk", SK)
        req["ak"], req["sk"] = ak, sk
        for algorithm, cls in SIGNERS.items():
            signer = signer_for(algorithm, ak, sk)
            canonical, sts, names, authorization = intermediate(signer, req)
            entry = {
                "request": req["id"],
                "algorithm": algorithm,
                "canonical_request": canonical,
                "string_to_sign": sts,
                "signed_headers": names,
            }
            if algorithm.startswith("SDK-HMAC"):
                entry["authorization"] = authorization
            else:
                key = signer.get_signing_key()
                auths = [authorization] + [intermediate(signer, req)[3] for _ in range(2)]
                for a in auths:
                    assert key.verify(bytes.fromhex(signature_of(a)), sts.encode("utf-8"))
                assert len(set(auths)) == 3, "the nonce is random"
                entry["official_authorizations"] = auths
                entry["public_key"] = public_key_hex(key)
            signatures.append(entry)

    derived = []
    pairs = [(AK, SK), ("AK", "SK"), ("HPUAXXXXXXXXXXXXXXXX", "Another/Secret+Key=With-Symbols0123456789")]
    for algorithm in ("SDK-ECDSA-P256-SHA256", "SDK-SM2-SM3"):
        for ak, sk in pairs:
            signer = signer_for(algorithm, ak, sk)
            key = signer.get_signing_key()
            derived.append({
                "algorithm": algorithm,
                "ak": ak,
                "sk": sk,
                "private_key": signer._derive_key().to_bytes(32, "big").hex(),
                "public_key": public_key_hex(key),
            })
    out = {
        "about": "AK/SK request signatures by the official Python SDK (huaweicloudsdkcore "
        "3.1.219) for SDK-HMAC-SHA256, SDK-HMAC-SM3, SDK-ECDSA-P256-SHA256 and SDK-SM2-SM3. "
        "Written by generate.py beside this file, whose docstring says how to read it.",
        "requests": REQUESTS,
        "signatures": signatures,
        "derived_keys": derived,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "algorithms.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path}: {len(signatures)} signatures, {len(derived)} derived keys")


if __name__ == "__main__":
    main()
