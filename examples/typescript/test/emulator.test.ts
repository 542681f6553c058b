// The generated client, the signing middleware and the example program against the emulator
// (`dataarts-emulator --demo`), whose address and credentials come from the environment.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { before, describe, test } from "node:test";
import createClient, { type Middleware } from "openapi-fetch";
import { load } from "js-yaml";
import type { paths } from "../src/schema.js";
import { akskSigner, iamToken } from "../src/sign.js";

const EXAMPLE_DIR = fileURLToPath(new URL("../../", import.meta.url));
const VARIABLES = [
  "DATAARTS_EMULATOR_URL",
  "DATAARTS_EMULATOR_AK",
  "DATAARTS_EMULATOR_SK",
  "DATAARTS_EMULATOR_TOKEN",
  "DATAARTS_EMULATOR_PROJECT_ID",
  "DATAARTS_EMULATOR_WORKSPACE_ID",
] as const;
const missing = VARIABLES.filter((name) => !process.env[name]);

if (missing.length > 0) {
  test("the emulator is configured", () => {
    assert.fail(
      `${missing.join(", ")} not set: run \`cargo xtask test --only typescript\` from the repository root, ` +
        "or start `dataarts-emulator --demo --port 0 --ak AK --sk SK --token TOKEN --no-rate-limit --task-duration 50ms` " +
        "and set DATAARTS_EMULATOR_URL (http://127.0.0.1:PORT), _AK, _SK, _TOKEN, _PROJECT_ID and _WORKSPACE_ID",
    );
  });
} else {
  emulatorTests();
}

function emulatorTests() {
  const env = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]!])) as Record<(typeof VARIABLES)[number], string>;
  const url = env.DATAARTS_EMULATOR_URL.replace(/\/+$/, "");
  const projectId = env.DATAARTS_EMULATOR_PROJECT_ID;
  const workspace = env.DATAARTS_EMULATOR_WORKSPACE_ID;
  const params = { path: { project_id: projectId }, header: { workspace } };
  const DEPLOY = "/v2/{project_id}/factory/release-packages/deploy";
  const SHOW = "/v2/{project_id}/factory/release-packages/{package_id}";
  const TASK = "/v1/{project_id}/system-tasks/{task_id}";

  const signedClient = (sk = env.DATAARTS_EMULATOR_SK, ...more: Middleware[]) => {
    const client = createClient<paths>({ baseUrl: url });
    client.use(akskSigner({ ak: env.DATAARTS_EMULATOR_AK, sk, projectId }), ...more);
    return client;
  };
  const client = signedClient();

  const spec = load(readFileSync(`${EXAMPLE_DIR}../../openapi/deploy.yaml`, "utf8")) as any;
  const deployExample = spec.paths["/v2/{project_id}/factory/release-packages/deploy"].post;

  async function deployStatus(id: string): Promise<number | undefined> {
    const { data, error, response } = await client.GET(SHOW, { params: { ...params, path: { project_id: projectId, package_id: id } } });
    assert.ok(data, `show_factory_package_detail ${id}: ${response.status} ${JSON.stringify(error)}`);
    return data.release_package.deploy_status;
  }

  // The emulator's admin endpoints need a bearer token only when it was started with one.
  const adminHeaders = (): Record<string, string> =>
    process.env.DATAARTS_EMULATOR_ADMIN_TOKEN ? { Authorization: `Bearer ${process.env.DATAARTS_EMULATOR_ADMIN_TOKEN}` } : {};

  before(async () => {
    const reset = await fetch(`${url}/_emulator/reset`, { method: "POST", headers: adminHeaders() });
    assert.equal(reset.status, 200, `POST ${url}/_emulator/reset answered ${reset.status}: ${await reset.text()}`);
  });

  describe("against the emulator", () => {
    let taskId = "";
    let subtaskNum = 0;

    test("deploying package 23 answers the spec's example byte for byte", async () => {
      const requestExample = deployExample.requestBody.content["application/json;charset=UTF-8"].example;
      const body = { package_ids: ["23"], startup_mode: 0 as const };
      assert.deepEqual(requestExample, body, "the spec's request example changed");
      const { data, response } = await client.POST(DEPLOY, { params, body, parseAs: "text" });
      assert.equal(response.status, 200, `deploy answered ${response.status}: ${data}`);
      const expected = JSON.stringify(deployExample.responses["200"].content["application/json;charset=UTF-8"].example);
      assert.equal(data, expected);
      const detail = JSON.parse(data!).deploy_package_details[0];
      taskId = detail.asy_task_id;
      subtaskNum = detail.asy_subtask_num;
    });

    test("the release's system task is polled to SUCCESSFUL with its subtasks", async () => {
      assert.ok(taskId, "the deploy test did not run first");
      const seen: string[] = [];
      const deadline = Date.now() + 20_000;
      for (;;) {
        const { data, error, response } = await client.GET(TASK, { params: { ...params, path: { project_id: projectId, task_id: taskId } } });
        assert.ok(data, `list_system_tasks answered ${response.status}: ${JSON.stringify(error)}`);
        assert.equal(data.id, taskId);
        seen.push(data.status);
        if (data.status === "SUCCESSFUL" || data.status === "FAILED") {
          assert.equal(data.status, "SUCCESSFUL", JSON.stringify(data));
          const subtasks = data.subtasks ?? [];
          assert.equal(subtasks.length, subtaskNum, `expected asy_subtask_num=${subtaskNum} subtasks: ${JSON.stringify(data)}`);
          for (const s of subtasks) {
            assert.equal(s.status, "SUCCESSFUL", JSON.stringify(s));
            assert.match(s.id ?? "", /\S/, "every subtask has an id");
          }
          break;
        }
        assert.equal(data.status, "RUNNING");
        assert.ok(Date.now() < deadline, `task still ${data.status} after 20 s (seen ${seen.join(" ")})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(await deployStatus("23"), 2, "package 23 is released (deploy_status 2)");
    });

    test("lists the packages still waiting for review", async () => {
      const { data, error, response } = await client.POST("/v2/{project_id}/factory/release-packages", {
        params,
        body: { deploy_status_filter: [1], limit: 100, offset: 0 },
      });
      assert.ok(data, `list answered ${response.status}: ${JSON.stringify(error)}`);
      const ids = (data.data ?? []).map((p) => p.package_id);
      assert.ok(ids.includes("12") && ids.includes("13"), `12 and 13 are waiting: ${ids.join(",")}`);
      assert.ok(!ids.includes("23"), "23 was released and is no longer waiting");
      assert.equal(data.total, ids.length);
      for (const p of data.data ?? []) assert.equal(p.deploy_status, 1);
    });

    test("a wrong secret key gets 401 APIGW.0301 and releases nothing", async () => {
      const { data, error, response } = await signedClient("WrongSecretKey0123456789abcdefghijklmnop").POST(DEPLOY, {
        params,
        body: { package_ids: ["13"], startup_mode: 0 },
      });
      assert.equal(data, undefined);
      assert.equal(response.status, 401);
      assert.equal((error as { error_code?: string }).error_code, "APIGW.0301");
      assert.equal(await deployStatus("13"), 1);
    });

    test("a body changed after signing gets 401 and releases nothing", async () => {
      const tamper: Middleware = {
        async onRequest({ request }) {
          const body = (await request.text()).replace('"13"', '"12"');
          return new Request(request.url, { method: request.method, headers: request.headers, body });
        },
      };
      const { error, response } = await signedClient(env.DATAARTS_EMULATOR_SK, tamper).POST(DEPLOY, {
        params,
        body: { package_ids: ["13"], startup_mode: 0 },
      });
      assert.equal(response.status, 401);
      assert.equal((error as { error_code?: string }).error_code, "APIGW.0301");
      assert.equal(await deployStatus("12"), 1);
      assert.equal(await deployStatus("13"), 1);
    });

    test("an IAM token works instead of access keys", async () => {
      const tokenClient = createClient<paths>({ baseUrl: url });
      tokenClient.use(iamToken(env.DATAARTS_EMULATOR_TOKEN));
      const { data, response } = await tokenClient.GET(SHOW, { params: { ...params, path: { project_id: projectId, package_id: "23" } } });
      assert.equal(response.status, 200);
      assert.equal(data?.release_package.package_id, "23");
    });

    const programEnv = (overrides: Record<string, string> = {}) => ({
      PATH: process.env.PATH ?? "",
      DATAARTS_ENDPOINT: url,
      HUAWEICLOUD_SDK_AK: env.DATAARTS_EMULATOR_AK,
      HUAWEICLOUD_SDK_SK: env.DATAARTS_EMULATOR_SK,
      HUAWEICLOUD_SDK_PROJECT_ID: projectId,
      DATAARTS_WORKSPACE: workspace,
      ...overrides,
    });

    test("the example program releases package 12 and reports its task", async () => {
      const run = await runProgram(["12"], programEnv());
      assert.equal(run.code, 0, `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
      const done = run.stdout.match(/^package 12: SUCCESSFUL \(task ([0-9a-f]{32}), (\d+)\/(\d+) subtasks successful\)$/m);
      assert.ok(done, `unexpected output:\n${run.stdout}`);
      assert.equal(done[2], done[3]);
      assert.ok(Number(done[2]) >= 1);
      assert.equal(await deployStatus("12"), 2);
    });

    test("the example program reports a refused release with status, error code and message", async () => {
      const again = await runProgram(["12"], programEnv());
      assert.equal(again.code, 1);
      assert.match(again.stderr, /^error: deploy_factory_packages: HTTP 400 [A-Z]+\.\d+: .*12.*/m);

      const sk = "WrongSecretKey0123456789abcdefghijklmnop";
      const denied = await runProgram(["13"], programEnv({ HUAWEICLOUD_SDK_SK: sk }));
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /^error: deploy_factory_packages: HTTP 401 APIGW\.0301: .+/m);
      assert.ok(!`${denied.stdout}${denied.stderr}`.includes(sk), "the secret key must never be printed");

      const unset = await runProgram(["13"], programEnv({ HUAWEICLOUD_SDK_PROJECT_ID: "" }));
      assert.equal(unset.code, 2);
      assert.match(unset.stderr, /HUAWEICLOUD_SDK_PROJECT_ID is not set/);
    });

    test("the example program reports a release that fails", async () => {
      const fail = await fetch(`${url}/_emulator/packages/13/fail`, { method: "POST", headers: adminHeaders() });
      assert.equal(fail.status, 200, `POST /_emulator/packages/13/fail answered ${fail.status}`);
      const run = await runProgram(["13"], programEnv());
      assert.equal(run.code, 1, `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
      assert.match(run.stdout, /^package 13: FAILED \(task [0-9a-f]{32}, \d+\/\d+ subtasks successful\)$/m);
      assert.match(run.stdout, /^  subtask \S+ .*: FAILED$/m);
      assert.equal(await deployStatus("13"), 3, "package 13's release failed (deploy_status 3)");
    });
  });
}

function runProgram(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["dist/src/deploy.js", ...args], { cwd: EXAMPLE_DIR, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
