#!/usr/bin/env python3
"""Writes the hand-made seed files (`seed-*`) of every fuzz target's corpus.

Sources: the documented examples of openapi/deploy.yaml, the error-body shapes Huawei's
services use, and the SDK-HMAC-SHA256 vectors of
crates/dataarts-signing/tests/data/signing_vectors.json. Rerun it after changing
those; it only (re)writes `seed-*` files and leaves the fuzzer-found files alone.

    python3 fuzz/make_seeds.py [--vectors PATH]

The input formats are described in tests/fuzz_logic.rs: fields split on NUL, list fields
with records split on \\x1e and name/value on \\x1f.
"""

import argparse
import json
import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
DEFAULT_VECTORS = ROOT / "crates" / "dataarts-signing" / "tests" / "data" / "signing_vectors.json"

SEP, REC, UNIT = b"\x00", "\x1e", "\x1f"


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / f"seed-{name}").write_bytes(data)


def fields(*parts):
    return SEP.join(p.encode() if isinstance(p, str) else p for p in parts)


def pairs(items):
    return REC.join(f"{k}{UNIT}{v}" for k, v in items)


# --- (a) decoding ---------------------------------------------------------------------------


def response_examples():
    spec = yaml.safe_load((ROOT / "openapi" / "deploy.yaml").read_text())
    out, errors = {}, {}
    for path_item in spec["paths"].values():
        for method, op in path_item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for status, resp in op["responses"].items():
                for media in (resp.get("content") or {}).values():
                    if "example" in media:
                        target = out if status == "200" else errors
                        target[f"{op['operationId']}-{status}"] = media["example"]
    for name, resp in spec["components"]["responses"].items():
        for media in (resp.get("content") or {}).values():
            if "example" in media:
                errors[f"component-{name}"] = media["example"]
    return out, errors


def decode_seeds():
    examples, error_examples = response_examples()
    for name, ex in examples.items():
        text = json.dumps(ex, ensure_ascii=False)
        write("decode_responses", f"{name}.json", text)
        write("decode_responses", f"{name}-pretty.json", json.dumps(ex, indent=2))
        write("decode_responses", f"{name}-truncated.json", text[: len(text) // 2])
    task = examples["list_system_tasks-200"]
    sdk_task = dict(task)
    sdk_task["subTasks"] = sdk_task.pop("subtasks")
    write("decode_responses", "system-task-subTasks.json", json.dumps(sdk_task))
    string_times = {k: (str(v) if k.endswith(("Time", "Update")) else v) for k, v in task.items()}
    write("decode_responses", "system-task-string-times.json", json.dumps(string_times))
    write(
        "decode_responses",
        "system-task-running.json",
        '{"id":"t1","status":"RUNNING","startTime":1.544777081e12,"endTime":null,'
        '"subtasks":[],"subTasks":[{"id":"s","startTime":" 1544777081000 "}],"extra":{"x":[1,2]}}',
    )
    write("decode_responses", "deploy-package-id-string.json", '{"deploy_package_details":[{"package_id":"23"}]}')
    write("decode_responses", "deploy-empty.json", '{"deploy_package_details":[]}')
    write("decode_responses", "empty-object.json", "{}")
    write("decode_responses", "array-form.json", '[[[1,"ff8080818c81c8ab018c8b43f85d0008",23]]]')
    write("decode_responses", "release-package-no-approvers.json", '{"total":1,"data":[{"package_id":"23"}]}')
    write(
        "decode_responses",
        "pending-item-unicode.json",
        '{"total":2147483647,"data":[{"item_name":"\\u4f5c\\u4e1a \\ud83d\\ude00","submit_timestamp":"-1"}]}',
    )
    write("decode_responses", "lone-surrogate.json", '{"package_name":"\\ud800"}')
    write("decode_responses", "duplicate-key.json", '{"package_name":"a","package_name":"b"}')
    write("decode_responses", "int-overflow.json", '{"total":2147483648,"data":[]}')
    write("decode_responses", "deep-nesting.json", "[" * 200 + "]" * 200)
    write("decode_responses", "html.txt", "<html><body>502 Bad Gateway</body></html>")
    write("decode_responses", "empty.txt", "")
    for name, text in [
        ("millis", "1544777083000"),
        ("millis-string", '"1544777083000"'),
        ("millis-float", "1544777083000.0"),
        ("millis-fraction", "1.5"),
        ("millis-u64-max", "18446744073709551615"),
        ("millis-i64-min", "-9223372036854775808"),
        ("millis-big-float", "9.0e15"),
        ("millis-exp", "1e400"),
    ]:
        write("decode_responses", f"{name}.json", text)

    shapes = {
        "dlf": {"error_code": "DLF.0810", "error_msg": "Task does not exist."},
        "apigw": {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information", "request_id": "c0e9a8f2"},
        "throttled": {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached", "request_id": "r"},
        "camel": {"errorCode": "DLF.3051", "errorMsg": "The request parameter is invalid."},
        "code-message": {"code": "DLF.6201", "message": "Workspace not found"},
        "code-number": {"code": 401, "message": "The token expired"},
        "nested": {"error": {"code": "APIGW.0101", "message": "The API does not exist or has not been published"}},
        "nested-deep": {"a": {"b": {"error_code": "X.1", "error_msg": "deep"}}},
        "error-code-only": {"error_code": "only"},
        "nulls": {"error_code": None, "error_msg": None, "request_id": None},
        "wrong-types": {"error_code": 810, "error_msg": ["x"], "request_id": {}},
        "mixed": {"error_code": "DLF.1", "error_msg": "m", "errorCode": "E", "errorMsg": "n", "code": "c", "message": "x"},
    }
    for name, value in {**shapes, **error_examples}.items():
        text = json.dumps(value, ensure_ascii=False)
        write("decode_error_body", f"{name}.json", text)
    write("decode_error_body", "truncated.json", '{"error_code":"DLF.0810","error_msg":"Task does')
    write("decode_error_body", "duplicate-key.json", '{"error_code":"a","error_code":"b"}')
    write("decode_error_body", "html.txt", "<html><head><title>502 Bad Gateway</title></head></html>")
    write("decode_error_body", "plain.txt", "upstream connect error or disconnect/reset before headers")
    write("decode_error_body", "empty.txt", "")
    write("decode_error_body", "array.json", '[{"error_code":"x","error_msg":"y"}]')
    # serde also decodes a struct from an array of its fields in declaration order.
    write("decode_error_body", "array-form.json", '["DLF.0810","Task does not exist.","req-1"]')
    write("decode_error_body", "array-form-nulls.json", "[null,null,null]")
    write("decode_error_body", "string.json", '"Service Unavailable"')
    write("decode_error_body", "whitespace-object.json", ' \r\n\t{ "error_msg" : "\\u00e9\\n" } ')


# --- (b) signing ----------------------------------------------------------------------------


def raw_query(vector):
    """The vector's query as raw (key, value) text pairs (how_to_read: inputs.query)."""

    def text(v):
        if v is True:
            return "true"
        if v is False:
            return "false"
        return str(v)

    out = []
    for k, v in vector["inputs"]["query"]:
        if isinstance(v, list):
            out.extend((k, text(x)) for x in sorted(v))
        else:
            out.append((k, text(v)))
    return out


def body_bytes(vector):
    body = vector["inputs"]["body"]
    if body is None:
        return b""
    if isinstance(body, dict):
        return bytes.fromhex(body["hex"])
    return body.encode()


def signing_headers(vector):
    """The headers present when the signature is computed (Authorization left out)."""
    inputs, expected = vector["inputs"], vector["expected"]
    after = expected.get("headers_after_signing")
    if after:
        return [(k, v) for k, v in after.items() if k.lower() != "authorization"]
    headers = dict(inputs["headers"])
    if not any(k.lower() == "x-sdk-date" for k in headers):
        headers["X-Sdk-Date"] = inputs["date"]
    if inputs.get("signer_adds_host", True) and inputs.get("host"):
        headers.setdefault("Host", inputs["host"])
    return list(headers.items())


def path_of(vector):
    inputs = vector["inputs"]
    if "path" in inputs:
        return inputs["path"]
    url = inputs["url"]
    return "/" + url.split("://", 1)[1].split("/", 1)[1] if url.count("/") > 2 else "/"


def canonical_query_line(vector):
    return vector["expected"]["canonical_request"].split("\n")[2]


def signing_seeds(vectors_path):
    data = json.loads(pathlib.Path(vectors_path).read_text())
    vectors = [
        v
        for v in data["vectors"] + data["sdk_unit_test_vectors"] + data["cross_sdk_vectors"]
        if v.get("algorithm") == "SDK-HMAC-SHA256"
    ]
    for v in vectors:
        i, e, vid = v["inputs"], v["expected"], v["id"]
        q = raw_query(v)
        wire_q = canonical_query_line(v)
        write(
            "signing_canonical",
            vid,
            fields(path_of(v), pairs(q), wire_q, i.get("url", ""), bytes([3, 1, 2, 0])),
        )
        write(
            "signing_roundtrip",
            vid,
            fields(i["method"], path_of(v), pairs(q), pairs(signing_headers(v)), i["ak"], i["sk"], body_bytes(v)),
        )
        write(
            "signing_parse",
            vid,
            fields(
                e["authorization"],
                i["date"],
                i["method"],
                path_of(v),
                wire_q,
                pairs(signing_headers(v)),
                i["sk"],
                "1704164645",
                body_bytes(v),
            ),
        )

    # Canonicalization edge cases.
    for name, path, q, raw, free in [
        ("empty", "", [], "", ""),
        ("slashes", "//", [("", "")], "&&=&", "/"),
        ("bad-escapes", "/%zz%4", [("a", "1"), ("a", "0")], "%zz=%E6&%", "%"),
        ("invalid-utf8-escape", "/%FF/%C3", [("é", "2"), ("z", "1"), ("a/", "4"), ("a-", "3"), ("B", "")], "a=1+2&b&c=x%20y%3Dz=w", "~-_.!*'()"),
        ("plus-and-encoded-slash", "/a+b/x%2F", [("tag", "zeta"), ("tag", "alpha")], "job_name=daily+etl&tag=a%2Bb", "a=b&c/d?e#f+g"),
        ("control-chars", "/a\tb\r\n", [("k\x7f", "v\x01")], "k=\x00v", "a\r\nX-Injected: 1"),
        ("unicode", "/s/a b%2Fc~d(e)é%41/测试", [("job_name", "my job 测试"), ("filter", "a=b&c/d?e#f+g")], "x=%E6%B5%8B%E8%AF%95", "my job 测试 \u2028\U0001F600"),
    ]:
        write("signing_canonical", name, fields(path, pairs(q), raw, free, bytes([7, 0, 1])))

    date = "20240102T030405Z"
    base = [("Host", "127.0.0.1:8443"), ("X-Sdk-Date", date)]
    for name, method, path, q, headers, ak, sk, body in [
        ("no-date", "GET", "/", [], [("Host", "h")], "AK", "SK", ""),
        ("bad-date", "GET", "/", [], [("X-Sdk-Date", "20230229T000000Z")], "AK", "SK", ""),
        ("duplicate-header", "GET", "/", [], base + [("host", "other")], "AK", "SK", ""),
        ("already-signed", "GET", "/", [], base + [("Authorization", "x")], "AK", "SK", ""),
        ("unsigned-payload", "PUT", "/upload", [], base + [("Content-Type", "application/octet-stream"), ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")], "AK", "SK", "\x00\x01binary"),
        ("underscore-and-padding", "POST", "/a b", [("k", "v")], base + [("X_Underscore", "v"), ("workspace", "  ws  "), ("X-Security-Token", "TESTSECURITYTOKEN+/=abc")], "AK", "SK", "{}"),
        ("unicode-header-name", "GET", "/", [], base + [("X-Ä", "ü"), ("X-SD\u212a-Info", "kelvin")], "AK, bad", "", ""),
        ("long-key", "GET", "/", [], base, "A" * 100, "S" * 200, ""),
    ]:
        write("signing_roundtrip", name, fields(method, path, pairs(q), pairs(headers), ak, sk, body))

    for name, auth, dt in [
        ("auth-empty", "", ""),
        ("auth-algorithm-only", "SDK-HMAC-SHA256", "2024-01-02T03:04:05Z"),
        ("auth-spacing", "  SDK-HMAC-SHA256 Signature=ab,SignedHeaders=x-sdk-date ,  Access=AK \t", "20230229T000000Z"),
        ("auth-duplicate-field", "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab, Access=AK", "20240229T235959Z"),
        ("auth-empty-name", "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x, Signature=ab", "00000101T000000Z"),
        ("auth-other-algorithm", "V11-HMAC-SHA256 Credential=AK/20240102/r/s, SignedHeaders=host, Signature=ab", "99991231T235959Z"),
        ("auth-unknown-field", "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=ab, Extra=1", "00010101T000000Z"),
        ("auth-unicode", "SDK-HMAC-SHA256 Access=é=, SignedHeaders=x-sdk-date;Ä, Signature=测", "2024010２T03040Z"),
    ]:
        write(
            "signing_parse",
            name,
            fields(auth, dt, "GET", "/", "a=1", pairs(base), "SK", "-62135596801.5", ""),
        )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vectors", default=str(DEFAULT_VECTORS))
    args = ap.parse_args()
    decode_seeds()
    signing_seeds(args.vectors)
    for d in sorted(CORPUS.iterdir()):
        print(f"{d.name}: {sum(1 for f in d.iterdir() if f.name.startswith('seed-'))} seeds, {sum(1 for _ in d.iterdir())} files")


if __name__ == "__main__":
    main()
