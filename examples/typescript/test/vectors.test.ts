// sign.ts against the repository's signing vectors, computed by Huawei's official SDK signers.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { encode, sign, signFetchRequest, type SigningRequest } from "../src/sign.js";

// Tests run from dist/test/; the vectors live in the repository's signing crate.
const EXAMPLE_DIR = fileURLToPath(new URL("../../", import.meta.url));
const VECTORS = `${EXAMPLE_DIR}../../crates/dataarts-signing/tests/data/signing_vectors.json`;
const ALGORITHMS = `${EXAMPLE_DIR}../../crates/dataarts-signing/tests/vectors/algorithms.json`;

function readJson(path: string): any {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read the signing vectors ${path} (${(e as Error).message}): run the tests from examples/typescript inside the dataarts-release repository`);
  }
  return JSON.parse(text);
}

type Body = null | string | { hex: string } | { utf8: string };

function bodyBytes(body: Body): Uint8Array | null {
  if (body === null) return null;
  if (typeof body === "string") return new TextEncoder().encode(body);
  if ("hex" in body) return Uint8Array.from(Buffer.from(body.hex, "hex"));
  return new TextEncoder().encode(body.utf8);
}

// Query pairs as the vectors give them (JSON scalars, or a list meaning one pair per element), on the URL.
function withQuery(url: string, query: Array<[string, unknown]>): string {
  const pairs = query.flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, String(x)]) : [[k, String(v)]]));
  return pairs.length === 0 ? url : `${url}?${pairs.map(([k, v]) => `${encode(k!)}=${encode(v!)}`).join("&")}`;
}

interface Expected {
  canonical_request: string;
  string_to_sign: string;
  signed_headers: string;
  authorization: string;
  signature?: string;
  headers_after_signing?: Record<string, string>;
  url_after_signing?: string;
}

function check(request: SigningRequest, options: Parameters<typeof sign>[1], expected: Expected) {
  const signed = sign(request, options);
  assert.equal(signed.canonicalRequest, expected.canonical_request, "canonical request");
  assert.equal(signed.stringToSign, expected.string_to_sign, "string to sign");
  assert.equal(signed.signedHeaders, expected.signed_headers, "signed headers");
  if (expected.signature) assert.equal(signed.signature, expected.signature, "signature");
  assert.equal(signed.authorization, expected.authorization, "Authorization");
  if (expected.headers_after_signing) {
    const lower = (h: Iterable<[string, string]>) => Object.fromEntries([...h].map(([k, v]) => [k.toLowerCase(), v.trim()]));
    assert.deepEqual(lower(signed.headers), lower(Object.entries(expected.headers_after_signing)), "headers after signing");
  }
  if (expected.url_after_signing) {
    const query = expected.url_after_signing.includes("?") ? expected.url_after_signing.split("?")[1] : "";
    assert.equal(signed.canonicalQuery, query, "query on the wire");
  }
}

const vectors = readJson(VECTORS);
const algorithms = readJson(ALGORITHMS);
const HMAC = "SDK-HMAC-SHA256";

describe("signing_vectors.json", () => {
  const groups: Array<[string, any[]]> = [
    ["vectors", vectors.vectors],
    ["sdk_unit_test_vectors", vectors.sdk_unit_test_vectors],
    ["cross_sdk_vectors", vectors.cross_sdk_vectors],
  ];
  const all = groups.flatMap(([, list]) => list.filter((v) => v.algorithm === HMAC));
  test("holds SDK-HMAC-SHA256 vectors in every group", () => {
    for (const [name, list] of groups) assert.ok(list.some((v) => v.algorithm === HMAC), `no ${HMAC} vector in ${name}`);
    assert.ok(all.length >= 15, `only ${all.length} ${HMAC} vectors`);
  });
  for (const v of all) {
    test(`${v.id} ${v.name ?? v.source}`, () => {
      const i = v.inputs;
      check(
        { method: i.method, url: withQuery(i.url, i.query), headers: Object.entries(i.headers as Record<string, string>), body: bodyBytes(i.body) },
        { ak: i.ak, sk: i.sk, date: i.date, ...(i.signed_header_names ? { signedHeaderNames: i.signed_header_names, addHost: i.signer_adds_host } : {}) },
        v.expected,
      );
    });
  }
});

describe("algorithms.json", () => {
  const entries = algorithms.signatures.filter((s: any) => s.algorithm === HMAC);
  test("holds an SDK-HMAC-SHA256 signature for every request", () => {
    assert.equal(entries.length, algorithms.requests.length);
    assert.ok(entries.length >= 6);
  });
  for (const entry of entries) {
    const r = algorithms.requests.find((x: any) => x.id === entry.request);
    test(`${entry.request} ${r?.description}`, () => {
      assert.ok(r, `request ${entry.request} is missing`);
      check(
        { method: r.method, url: withQuery(`https://${r.host}${r.path}`, r.query), headers: r.headers, body: bodyBytes(r.body) },
        // These requests carry their own X-Sdk-Date; a different default proves the header wins.
        { ak: r.ak, sk: r.sk, date: "19700101T000000Z" },
        entry,
      );
    });
  }
});

describe("the fetch middleware", () => {
  const fixed = vectors.fixed_inputs;
  const v1 = vectors.vectors.find((v: any) => v.id === "V1");
  const v8 = vectors.vectors.find((v: any) => v.id === "V8");
  const now = () => new Date("2024-01-02T03:04:05Z");

  test("signs the deploy call like the official SDK (V1), adding X-Project-Id", async () => {
    const headers = { ...v1.inputs.headers };
    delete headers["X-Project-Id"];
    const request = new Request(v1.inputs.url, { method: "POST", headers, body: v1.inputs.body });
    const signed = await signFetchRequest(request, { ak: fixed.ak, sk: fixed.sk, projectId: fixed.project_id, now });
    assert.equal(signed.headers.get("Authorization"), v1.expected.authorization);
    assert.equal(signed.headers.get("X-Sdk-Date"), "20240102T030405Z");
    assert.equal(signed.headers.get("X-Project-Id"), fixed.project_id);
    assert.equal(await signed.text(), v1.inputs.body, "the body is sent unchanged");
  });

  test("adds and signs X-Security-Token for temporary credentials (V8)", async () => {
    const request = new Request(v8.inputs.url, { method: "DELETE", headers: { "Content-Type": "application/json" } });
    const signed = await signFetchRequest(request, { ak: fixed.ak, sk: fixed.sk, projectId: fixed.project_id, securityToken: fixed.security_token, now });
    assert.equal(signed.headers.get("Authorization"), v8.expected.authorization);
    assert.equal(signed.headers.get("X-Security-Token"), fixed.security_token);
  });

  test("puts the canonical query on the wire (V4)", async () => {
    const v4 = vectors.vectors.find((v: any) => v.id === "V4");
    const query = (v4.inputs.query as Array<[string, unknown]>).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
    const headers = { ...v4.inputs.headers };
    delete headers["X-Project-Id"];
    const signed = await signFetchRequest(new Request(`${v4.inputs.url}?${query}`, { headers }), { ak: fixed.ak, sk: fixed.sk, projectId: fixed.project_id, now });
    assert.equal(signed.url, v4.expected.url_after_signing);
    assert.equal(signed.headers.get("Authorization"), v4.expected.authorization);
  });

  test("refuses to sign a request twice", () => {
    assert.throws(
      () => sign({ method: "GET", url: "https://example.com/", headers: [["Authorization", "x"]], body: null }, { ak: "a", sk: "s", date: "20240102T030405Z" }),
      /already has an Authorization header/,
    );
  });
});
