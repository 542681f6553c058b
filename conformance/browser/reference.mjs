#!/usr/bin/env node
// Loads the API reference page in headless Chromium and checks that it shows the whole API
// description: every operation (id, summary, method, path) and every example, with no request
// to any other origin and no console error. Takes a full-page screenshot.
//
//   DATAARTS_EMULATOR_URL=http://127.0.0.1:PORT node conformance/browser/reference.mjs
//   DATAARTS_REFERENCE_DIR=target/api-reference node conformance/browser/reference.mjs
//
// What is expected is read from the served openapi.json (or the directory's), never written
// here. Exit code 0 when every check passed, 1 with one line per failure, 2 for bad setup.

import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const RENDER_TIMEOUT_MS = 30_000;

function setupError(message) {
  console.error(`reference: ${message}`);
  process.exit(2);
}

function loadPlaywright() {
  const require = createRequire(resolve(ROOT, "tools/node/package.json"));
  try {
    return require("playwright-core");
  } catch (e) {
    setupError(`cannot load playwright-core from tools/node (${e.message}): run \`npm ci --ignore-scripts --no-audit --no-fund\` in tools/node`);
  }
}

function fromRoot(path) {
  return isAbsolute(path) ? path : resolve(ROOT, path);
}

// --- what the description says the page must show ---------------------------------------------

function deref(spec, node) {
  for (let seen = 0; node && typeof node === "object" && typeof node.$ref === "string"; seen++) {
    if (seen > 20 || !node.$ref.startsWith("#/")) throw new Error(`cannot follow $ref ${node.$ref}`);
    node = node.$ref
      .slice(2)
      .split("/")
      .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce((n, key) => n?.[key], spec);
  }
  return node;
}

// Examples of one media-type object (`example` and every `examples[*].value`).
function mediaExamples(spec, content, where) {
  const out = [];
  for (const [type, media] of Object.entries(content ?? {})) {
    if (media.example !== undefined) out.push({ where: `${where} ${type}`, value: media.example });
    for (const [name, ex] of Object.entries(media.examples ?? {})) {
      const value = deref(spec, ex)?.value;
      if (value !== undefined) out.push({ where: `${where} ${type} example ${name}`, value });
    }
  }
  return out;
}

// Leaf values an example shows as text: strings and numbers, at any depth.
function leaves(value, out = []) {
  if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (value !== null && typeof value === "object") Object.values(value).forEach((v) => leaves(v, out));
  else if (typeof value === "string" || typeof value === "number") out.push(String(value));
  return out;
}

function expectedOperations(spec) {
  const operations = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const where = `${op.operationId ?? `${method.toUpperCase()} ${path}`}`;
      const examples = [];
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => deref(spec, p));
      for (const p of params) {
        if (p?.example !== undefined) examples.push({ where: `${where} parameter ${p.name}`, value: p.example, parameter: true });
      }
      if (op.requestBody) examples.push(...mediaExamples(spec, deref(spec, op.requestBody)?.content, `${where} request`));
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        examples.push(...mediaExamples(spec, deref(spec, response)?.content, `${where} response ${status}`));
      }
      operations.push({ operationId: op.operationId, summary: op.summary, method: method.toUpperCase(), path, examples });
    }
  }
  return operations;
}

// --- the page -----------------------------------------------------------------------------------

// Every rendered operation block and every code block, as text.
async function renderedPage(page) {
  return page.evaluate(() => {
    const text = (el) => (el ? el.textContent.replace(/\u200b/g, "").trim() : "");
    const blocks = [...document.querySelectorAll(".opblock")].map((b) => ({
      method: text(b.querySelector(".opblock-summary-method")).toUpperCase(),
      path: b.querySelector(".opblock-summary-path")?.getAttribute("data-path") ?? text(b.querySelector(".opblock-summary-path")),
      operationId: text(b.querySelector(".opblock-summary-operation-id")),
      summary: text(b.querySelector(".opblock-summary-description")),
      text: b.innerText,
      code: [...b.querySelectorAll("pre, code")].map((c) => c.textContent),
    }));
    return { blocks, bodyText: document.body.innerText };
  });
}

function parsesTo(code, value) {
  try {
    return JSON.stringify(JSON.parse(code)) === JSON.stringify(value);
  } catch {
    return false;
  }
}

async function main() {
  const dir = process.env.DATAARTS_REFERENCE_DIR;
  const base = process.env.DATAARTS_EMULATOR_URL?.replace(/\/+$/, "");
  if (!base && !dir) {
    setupError("set DATAARTS_EMULATOR_URL (e.g. http://127.0.0.1:PORT of `dataarts-emulator --demo`; `cargo xtask test` does this) or DATAARTS_REFERENCE_DIR (the `cargo xtask docs` output)");
  }
  const chromiumPath = process.env.DATAARTS_CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(chromiumPath)) {
    setupError(`no Chromium at ${chromiumPath}: install it (Debian: \`apt-get install chromium\`) or set DATAARTS_CHROMIUM to its path`);
  }
  const screenshot = fromRoot(process.env.DATAARTS_SCREENSHOT || "target/test-artifacts/api-reference.png");
  const failures = [];
  const fail = (message) => failures.push(message);

  // The description and the page's address, over HTTP or from the directory.
  let spec;
  let pageUrl;
  let allowed; // (url) => whether the page may load it
  if (dir) {
    const root = fromRoot(dir);
    const json = resolve(root, "openapi.json");
    if (!existsSync(json)) setupError(`${json} is missing: run \`cargo xtask docs\` first`);
    spec = JSON.parse(readFileSync(json, "utf8"));
    const yaml = resolve(root, "openapi.yaml");
    if (existsSync(yaml) && !readFileSync(yaml).equals(readFileSync(resolve(ROOT, "openapi/deploy.yaml")))) {
      fail(`${yaml} differs from openapi/deploy.yaml: run \`cargo xtask docs\` again`);
    }
    pageUrl = pathToFileURL(resolve(root, "index.html")).href;
    const prefix = pathToFileURL(root).href.replace(/\/?$/, "/");
    allowed = (u) => u.startsWith(prefix);
  } else {
    let res;
    try {
      res = await fetch(`${base}/openapi.json`);
    } catch (e) {
      setupError(`cannot reach ${base}/openapi.json (${e.cause?.message ?? e.message}): is the emulator running?`);
    }
    if (res.status !== 200) setupError(`GET ${base}/openapi.json answered ${res.status}`);
    if (!(res.headers.get("content-type") ?? "").startsWith("application/json")) {
      fail(`/openapi.json has Content-Type ${res.headers.get("content-type")}, expected application/json`);
    }
    spec = await res.json();
    const bare = await fetch(`${base}/reference`, { redirect: "manual" });
    const location = bare.headers.get("location") ?? "";
    if (bare.status < 300 || bare.status > 399 || new URL(location, `${base}/`).href !== `${base}/reference/`) {
      fail(`/reference should redirect to /reference/, got ${bare.status} ${location}`);
    }
    pageUrl = `${base}/reference/`;
    const origin = new URL(base).origin;
    allowed = (u) => new URL(u).origin === origin;

    const yaml = await fetch(`${base}/openapi.yaml`);
    const served = Buffer.from(await yaml.arrayBuffer());
    const repo = readFileSync(resolve(ROOT, "openapi/deploy.yaml"));
    if (yaml.status !== 200) fail(`GET /openapi.yaml answered ${yaml.status}`);
    else if (!served.equals(repo)) fail(`/openapi.yaml (${served.length} bytes) differs from openapi/deploy.yaml (${repo.length} bytes): rebuild the emulator`);
    if (!(yaml.headers.get("content-type") ?? "").startsWith("application/yaml")) {
      fail(`/openapi.yaml has Content-Type ${yaml.headers.get("content-type")}, expected application/yaml`);
    }
  }
  const operations = expectedOperations(spec);
  if (operations.length === 0) fail("the description has no operations");

  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const requests = [];
  const outside = [];
  const consoleErrors = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    // Record everything; let nothing outside through, so the check never depends on the network.
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (allowed(url)) return route.continue();
      outside.push(url);
      return route.abort("blockedbyclient");
    });
    const page = await context.newPage();
    page.on("request", (r) => {
      if (!/^(data|blob|about):/.test(r.url())) requests.push(r.url());
    });
    page.on("requestfailed", (r) => {
      if (allowed(r.url())) consoleErrors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    });
    page.on("response", (r) => {
      if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(`console error: ${m.text()}`);
    });
    page.on("pageerror", (e) => consoleErrors.push(`page error: ${e.message}`));

    const started = Date.now();
    const response = await page.goto(pageUrl, { waitUntil: "load" });
    if (response && response.status() !== 200) fail(`${pageUrl} answered ${response.status()}`);
    try {
      // Swagger UI fetches the description, then renders every operation with its responses.
      await page.waitForSelector(".opblock", { timeout: RENDER_TIMEOUT_MS });
      await page.waitForLoadState("networkidle");
      await page.waitForFunction(
        () => [...document.querySelectorAll(".opblock")].every((b) => b.querySelector(".responses-wrapper")),
        undefined,
        { timeout: RENDER_TIMEOUT_MS },
      );
    } catch {
      fail(`the page did not render its operations within ${RENDER_TIMEOUT_MS / 1000} s`);
    }
    await page.waitForLoadState("networkidle");
    const rendered = await renderedPage(page);
    const renderMs = Date.now() - started;

    let valuesChecked = 0;
    let examplesChecked = 0;
    for (const op of operations) {
      const name = op.operationId ?? `${op.method} ${op.path}`;
      const block = rendered.blocks.find((b) => b.method === op.method && b.path === op.path);
      if (!block) {
        fail(`${name}: no rendered operation for ${op.method} ${op.path}`);
        continue;
      }
      if (!op.operationId) fail(`${op.method} ${op.path} has no operationId in the description`);
      else if (block.operationId !== op.operationId) fail(`${name}: the page shows operation id "${block.operationId}"`);
      if (op.summary && block.summary !== op.summary) fail(`${name}: the page shows summary "${block.summary}", expected "${op.summary}"`);
      for (const ex of op.examples) {
        examplesChecked++;
        if (!ex.parameter && typeof ex.value === "object" && ex.value !== null && !block.code.some((c) => parsesTo(c, ex.value))) {
          fail(`${ex.where}: no code block shows this example: ${JSON.stringify(ex.value)}`);
        }
        for (const value of new Set(leaves(ex.value))) {
          valuesChecked++;
          if (!block.text.includes(value)) fail(`${ex.where}: the value ${JSON.stringify(value)} is not on the page`);
        }
      }
    }
    const extra = rendered.blocks.length - operations.length;
    if (extra > 0) fail(`the page shows ${extra} operation(s) the description does not have`);

    for (const url of outside) fail(`the page requested ${url}, outside ${dir ? "the directory" : base}`);
    for (const e of consoleErrors) fail(e);

    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });

    console.log(`reference: ${pageUrl} rendered by Chromium ${browser.version()} in ${renderMs} ms`);
    console.log(`reference: ${operations.length} operations checked (operation id, summary, method and path), ${rendered.blocks.length} rendered`);
    console.log(`reference: ${examplesChecked} examples checked (${valuesChecked} values on the page)`);
    console.log(`reference: ${requests.length} requests, ${outside.length} outside ${dir ? "the directory" : base}; ${consoleErrors.length} console or page errors`);
    console.log(`reference: ${dir ? "openapi.yaml (when present)" : "/openapi.yaml"} compared byte for byte with openapi/deploy.yaml`);
    console.log(`reference: screenshot ${screenshot}`);
  } finally {
    await browser.close();
  }

  if (failures.length > 0) {
    for (const f of failures) console.error(`FAIL ${f}`);
    console.error(`reference: ${failures.length} check(s) failed`);
    process.exit(1);
  }
  console.log("reference: all checks passed");
}

main().catch((e) => {
  console.error(`reference: ${e.stack ?? e}`);
  process.exit(1);
});
