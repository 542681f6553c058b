// AK/SK request signing (SDK-HMAC-SHA256, the Huawei Cloud API Gateway scheme) as an
// openapi-fetch middleware, computed exactly as Huawei's official SDK signer does.
//
//   CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
//                      SignedHeaders \n hex(SHA-256(body))
//   StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(SHA-256(CanonicalRequest))
//   Authorization    = "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<hex>"

import { createHash, createHmac } from "node:crypto";
import type { Middleware } from "openapi-fetch";

export const ALGORITHM = "SDK-HMAC-SHA256";
/** Hex SHA-256 of nothing: the payload hash of a request without a body. */
export const EMPTY_PAYLOAD_HASH = sha256Hex(new Uint8Array());
const CONTENT_HASH_HEADER = "X-Sdk-Content-Sha256";
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
const SDK_DATE = /^\d{8}T\d{6}Z$/;

/** A request as the signer sees it. */
export interface SigningRequest {
  method: string;
  /** Absolute URL; the path may hold raw characters and percent-escapes. */
  url: string | URL;
  /** Every header present before signing, in any case. */
  headers: ReadonlyArray<readonly [string, string]>;
  body: Uint8Array | null;
}

export interface SigningOptions {
  ak: string;
  sk: string;
  /** The `X-Sdk-Date` to add when the request has none (`YYYYMMDDTHHMMSSZ`, UTC). */
  date: string;
  /** Sign only these (lower-case) names instead of every header without `_`. */
  signedHeaderNames?: readonly string[];
  /** Add `Host` when absent (default true; the official Go signer does not). */
  addHost?: boolean;
}

export interface Signed {
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  signature: string;
  authorization: string;
  /** The canonical query: send exactly this as the URL's query. */
  canonicalQuery: string;
  /** The headers to send: the input ones plus those the signer added, `Authorization` last. */
  headers: Array<[string, string]>;
}

/** Formats a time as an `X-Sdk-Date` value, e.g. `20240102T030405Z`. */
export function sdkDate(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

// Percent-encodes the UTF-8 bytes of `s` except A-Z a-z 0-9 - _ . ~ (and `/` in paths), upper-case hex.
function encodeWith(s: string, keepSlash: boolean): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    out += (byte < 0x80 && UNRESERVED.test(c)) || (keepSlash && c === "/")
      ? c
      : "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** Percent-encodes a query key or value the way the official signer does. */
export function encode(s: string): string {
  return encodeWith(s, false);
}

// Decodes %XX escapes (never `+`); invalid UTF-8 becomes U+FFFD, malformed escapes stay as they are.
function percentDecode(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) i++;
      bytes.push(...Buffer.from(String.fromCodePoint(cp), "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** The canonical URI: the decoded path re-encoded (keeping `/`), ending in `/`. */
export function canonicalUri(rawPath: string): string {
  const uri = encodeWith(percentDecode(rawPath), true);
  return uri.endsWith("/") ? uri : uri + "/";
}

// Unicode code point order, as Python compares strings (UTF-8 byte order is the same).
function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Splits a raw query (without `?`) into decoded pairs; `+` stays a plus. */
export function parseQuery(raw: string): Array<[string, string]> {
  return raw
    .split("&")
    .filter((piece) => piece !== "")
    .map((piece) => {
      const eq = piece.indexOf("=");
      return eq < 0 ? [percentDecode(piece), ""] : [percentDecode(piece.slice(0, eq)), percentDecode(piece.slice(eq + 1))];
    });
}

/** The canonical query: pairs sorted by raw key then raw value, `enc(k)=enc(v)` joined by `&`. */
export function canonicalQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return [...pairs]
    .sort(([ka, va], [kb, vb]) => compareCodePoints(ka, kb) || compareCodePoints(va, vb))
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .join("&");
}

function findHeader(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  return headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

// The path as it appears on the wire, without the URL parser's normalisation of raw characters.
function rawPathOf(url: string | URL): string {
  if (typeof url !== "string") return url.pathname;
  const afterScheme = url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, "");
  const path = afterScheme.split(/[?#]/, 1)[0] ?? "";
  return path === "" ? "/" : path;
}

/** Signs a request with SDK-HMAC-SHA256. Throws on a malformed `X-Sdk-Date`, a request that is already signed, or two signed headers whose names differ only in case. */
export function sign(request: SigningRequest, options: SigningOptions): Signed {
  const url = new URL(request.url);
  const headers: Array<[string, string]> = request.headers.map(([n, v]) => [n, v]);
  if (findHeader(headers, "Authorization") !== undefined) {
    throw new Error("the request already has an Authorization header: sign the unsigned request");
  }
  let date = findHeader(headers, "X-Sdk-Date");
  if (date === undefined) {
    date = options.date;
    headers.push(["X-Sdk-Date", date]);
  }
  if (!SDK_DATE.test(date.trim())) {
    throw new Error(`X-Sdk-Date must look like 20240102T030405Z (UTC), got ${JSON.stringify(date)}`);
  }
  if ((options.addHost ?? true) && findHeader(headers, "Host") === undefined) {
    headers.push(["Host", url.host]);
  }
  const contentType = findHeader(headers, "Content-Type");
  if (
    contentType !== undefined &&
    !contentType.startsWith("application/json") &&
    !contentType.startsWith("application/bson") &&
    findHeader(headers, CONTENT_HASH_HEADER) === undefined
  ) {
    headers.push([CONTENT_HASH_HEADER, UNSIGNED_PAYLOAD]);
  }

  const only = options.signedHeaderNames;
  const signed = new Map<string, string>();
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (only ? !only.includes(lower) : lower.includes("_")) continue;
    if (signed.has(lower)) throw new Error(`header ${name} is given twice (names differ only in case)`);
    signed.set(lower, value.trim());
  }
  const names = [...signed.keys()].sort(compareCodePoints);
  const signedHeaders = names.join(";");

  const body = request.body ?? new Uint8Array();
  const payloadHash =
    body.length === 0 ? EMPTY_PAYLOAD_HASH : (findHeader(headers, CONTENT_HASH_HEADER)?.trim() ?? sha256Hex(body));
  const query = canonicalQuery(parseQuery(url.search.replace(/^\?/, "")));
  const canonicalRequest = [
    request.method,
    canonicalUri(rawPathOf(request.url)),
    query,
    names.map((n) => `${n}:${signed.get(n)}\n`).join(""),
    signedHeaders,
    payloadHash,
  ].join("\n");
  const stringToSign = `${ALGORITHM}\n${date.trim()}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac("sha256", options.sk).update(stringToSign).digest("hex");
  const authorization = `${ALGORITHM} Access=${options.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  headers.push(["Authorization", authorization]);
  return { canonicalRequest, stringToSign, signedHeaders, signature, authorization, canonicalQuery: query, headers };
}

/** Access keys and what they add to every request. */
export interface AkSkCredentials {
  ak: string;
  sk: string;
  /** Sent as `X-Project-Id` (and signed). */
  projectId?: string;
  /** For temporary credentials: sent as `X-Security-Token` (and signed). */
  securityToken?: string;
  /** The clock (tests pass a fixed one). */
  now?: () => Date;
}

/** Signs a fetch `Request`; returns a new one with the signature headers and the canonical query. */
export async function signFetchRequest(request: Request, credentials: AkSkCredentials): Promise<Request> {
  const body = request.body === null ? null : new Uint8Array(await request.clone().arrayBuffer());
  const headers: Array<[string, string]> = [];
  request.headers.forEach((value, name) => headers.push([name, value]));
  if (credentials.projectId !== undefined && findHeader(headers, "X-Project-Id") === undefined) {
    headers.push(["X-Project-Id", credentials.projectId]);
  }
  if (credentials.securityToken !== undefined) headers.push(["X-Security-Token", credentials.securityToken]);
  const date = sdkDate((credentials.now ?? (() => new Date()))());
  const signed = sign({ method: request.method, url: request.url, headers, body }, { ak: credentials.ak, sk: credentials.sk, date });

  const url = new URL(request.url);
  url.search = signed.canonicalQuery;
  const out = new Headers();
  for (const [name, value] of signed.headers) {
    if (name.toLowerCase() !== "host") out.set(name, value.trim()); // fetch derives Host from the URL
  }
  return new Request(url, { method: request.method, headers: out, body, signal: request.signal, redirect: request.redirect });
}

/** openapi-fetch middleware that signs every request with the access keys. */
export function akskSigner(credentials: AkSkCredentials): Middleware {
  return { onRequest: ({ request }) => signFetchRequest(request, credentials) };
}

/** openapi-fetch middleware for an IAM token instead of access keys: sends `X-Auth-Token`, unsigned. */
export function iamToken(token: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set("X-Auth-Token", token);
      return request;
    },
  };
}
