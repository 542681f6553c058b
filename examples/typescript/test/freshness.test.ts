// src/schema.d.ts must be what openapi-typescript makes of the current openapi/deploy.yaml.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const EXAMPLE_DIR = fileURLToPath(new URL("../../", import.meta.url));

test("src/schema.d.ts is generated from the current openapi/deploy.yaml, without warnings", () => {
  const spec = join(EXAMPLE_DIR, "../../openapi/deploy.yaml");
  assert.doesNotThrow(() => readFileSync(spec), `the spec ${spec} is missing: run the tests inside the dataarts-release repository`);
  const dir = mkdtempSync(join(tmpdir(), "schema-"));
  try {
    const fresh = join(dir, "schema.d.ts");
    const cli = join(EXAMPLE_DIR, "node_modules/openapi-typescript/bin/cli.js");
    const run = spawnSync(process.execPath, [cli, "../../openapi/deploy.yaml", "-o", fresh], {
      cwd: EXAMPLE_DIR,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    assert.equal(run.status, 0, `openapi-typescript failed:\n${run.stdout}\n${run.stderr}`);
    const output = `${run.stdout}\n${run.stderr}`;
    assert.doesNotMatch(output, /warn|error/i, `openapi-typescript printed warnings:\n${output}`);
    const committed = readFileSync(join(EXAMPLE_DIR, "src/schema.d.ts"), "utf8");
    assert.ok(
      readFileSync(fresh, "utf8") === committed,
      "src/schema.d.ts is out of date with openapi/deploy.yaml: run `npm run generate` in examples/typescript and commit the result",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
