// Typed clients for the two DataArts endpoints, configured from the environment with the
// same variable names as the dataarts-release CLI and Huawei's SDKs.

import { readFileSync } from "node:fs";
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";
import { akskSigner, iamToken } from "./sign.js";

export type ErrorBody = components["schemas"]["ErrorBody"];
export type SystemTask = components["schemas"]["SystemTask"];

export type Auth =
  | { kind: "aksk"; ak: string; sk: string; securityToken?: string }
  | { kind: "token"; token: string };

export interface Config {
  /** Base URL of the V2 API (`DATAARTS_ENDPOINT`). */
  endpoint: string;
  /** Base URL of the V1 system-task API (`DATAARTS_V1_ENDPOINT`, default: `endpoint`). */
  v1Endpoint: string;
  projectId: string;
  workspace?: string;
  auth: Auth;
}

/** A configuration problem; the message names the variable and what to do. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function baseUrl(env: Env, name: string): string | undefined {
  const value = nonEmpty(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name}=${value} is not a URL: write it with its scheme, e.g. https://dayu.cn-north-4.myhuaweicloud.com`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`${name} must start with https:// (or http:// for a local emulator), got ${value}`);
  }
  return value.replace(/\/+$/, "");
}

/**
 * Reads the configuration: `DATAARTS_ENDPOINT`, `DATAARTS_V1_ENDPOINT`, `HUAWEICLOUD_SDK_PROJECT_ID`,
 * `DATAARTS_WORKSPACE`, and either `HUAWEICLOUD_SDK_AK` + `HUAWEICLOUD_SDK_SK`
 * (+ `HUAWEICLOUD_SDK_SECURITY_TOKEN`) or `DATAARTS_AUTH_TOKEN` / `DATAARTS_AUTH_TOKEN_FILE`.
 */
export function configFromEnv(env: Env = process.env): Config {
  const endpoint = baseUrl(env, "DATAARTS_ENDPOINT");
  if (endpoint === undefined) {
    throw new ConfigError("DATAARTS_ENDPOINT is not set: give the DataArts Studio endpoint, e.g. https://dayu.cn-north-4.myhuaweicloud.com, or the emulator's http://127.0.0.1:PORT");
  }
  const projectId = nonEmpty(env, "HUAWEICLOUD_SDK_PROJECT_ID");
  if (projectId === undefined) {
    throw new ConfigError("HUAWEICLOUD_SDK_PROJECT_ID is not set: give the IAM project id of the region (32 hexadecimal characters)");
  }
  const ak = nonEmpty(env, "HUAWEICLOUD_SDK_AK");
  const sk = nonEmpty(env, "HUAWEICLOUD_SDK_SK");
  const tokenVar = nonEmpty(env, "DATAARTS_AUTH_TOKEN");
  const tokenFile = nonEmpty(env, "DATAARTS_AUTH_TOKEN_FILE");
  if ((ak === undefined) !== (sk === undefined)) {
    throw new ConfigError(`${ak === undefined ? "HUAWEICLOUD_SDK_AK" : "HUAWEICLOUD_SDK_SK"} is not set: access keys need both HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK`);
  }
  const hasToken = tokenVar !== undefined || tokenFile !== undefined;
  if (ak !== undefined && hasToken) {
    throw new ConfigError("both access keys (HUAWEICLOUD_SDK_AK/SK) and an IAM token (DATAARTS_AUTH_TOKEN or DATAARTS_AUTH_TOKEN_FILE) are set: unset one of them");
  }
  let auth: Auth;
  if (ak !== undefined && sk !== undefined) {
    const securityToken = nonEmpty(env, "HUAWEICLOUD_SDK_SECURITY_TOKEN");
    auth = securityToken === undefined ? { kind: "aksk", ak, sk } : { kind: "aksk", ak, sk, securityToken };
  } else if (hasToken) {
    auth = { kind: "token", token: tokenVar ?? readToken(tokenFile!) };
  } else {
    throw new ConfigError("no credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (access keys), or DATAARTS_AUTH_TOKEN / DATAARTS_AUTH_TOKEN_FILE (an IAM token)");
  }
  const workspace = nonEmpty(env, "DATAARTS_WORKSPACE");
  return {
    endpoint,
    v1Endpoint: baseUrl(env, "DATAARTS_V1_ENDPOINT") ?? endpoint,
    projectId,
    ...(workspace === undefined ? {} : { workspace }),
    auth,
  };
}

function readToken(path: string): string {
  let token: string;
  try {
    token = readFileSync(path, "utf8").trim();
  } catch (e) {
    throw new ConfigError(`cannot read DATAARTS_AUTH_TOKEN_FILE ${path}: ${(e as Error).message}`);
  }
  if (token === "") throw new ConfigError(`DATAARTS_AUTH_TOKEN_FILE ${path} is empty`);
  return token;
}

export interface Clients {
  /** The V2 release-package operations. */
  v2: Client<paths>;
  /** The V1 system-task operation. */
  v1: Client<paths>;
}

/** One authenticated client per endpoint. */
export function createClients(config: Config): Clients {
  const make = (baseUrl: string) => {
    const client = createClient<paths>({ baseUrl });
    client.use(
      config.auth.kind === "aksk"
        ? akskSigner({ ...config.auth, projectId: config.projectId })
        : iamToken(config.auth.token),
    );
    return client;
  };
  const v2 = make(config.endpoint);
  return { v2, v1: config.v1Endpoint === config.endpoint ? v2 : make(config.v1Endpoint) };
}

/** `HTTP 401 APIGW.0301: <message>` for an error answer; never any credential. */
export function describeError(response: Response, body: unknown): string {
  let text = `HTTP ${response.status}`;
  if (typeof body === "object" && body !== null) {
    const { error_code, error_msg } = body as ErrorBody;
    if (error_code) text += ` ${error_code}`;
    if (error_msg) text += `: ${error_msg}`;
  } else if (typeof body === "string" && body !== "") {
    text += `: ${body}`;
  }
  const requestId = response.headers.get("X-Request-Id");
  return requestId ? `${text} (request id ${requestId})` : text;
}
