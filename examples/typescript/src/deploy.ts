// Releases the release packages named on the command line and waits for their system tasks.
//
//   node dist/src/deploy.js [--start-jobs] PACKAGE_ID...
//
// Exit codes: 0 every package released, 1 a release failed or the service refused a call,
// 2 bad usage or configuration.

import { ConfigError, configFromEnv, createClients, describeError, type Clients, type Config, type SystemTask } from "./client.js";

const POLL_FIRST_MS = 250;
const POLL_MAX_MS = 2000;
const WAIT_LIMIT_MS = 15 * 60 * 1000;

class Failure extends Error {}

function usage(message: string): never {
  throw new ConfigError(`${message}\nusage: deploy [--start-jobs] PACKAGE_ID... (1 to 100 release package ids)`);
}

function parseArgs(argv: string[]): { ids: string[]; startJobs: boolean } {
  let startJobs = false;
  const ids: string[] = [];
  for (const arg of argv) {
    if (arg === "--start-jobs") startJobs = true;
    else if (arg.startsWith("-")) usage(`unknown option ${arg}`);
    else if (!/^[0-9A-Za-z_-]+$/.test(arg)) usage(`${JSON.stringify(arg)} is not a release package id`);
    else if (ids.includes(arg)) usage(`package ${arg} is given twice`);
    else ids.push(arg);
  }
  if (ids.length === 0 || ids.length > 100) usage(`give 1 to 100 package ids, got ${ids.length}`);
  return { ids, startJobs };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function subtasksOf(task: SystemTask) {
  return task.subtasks ?? task.subTasks ?? [];
}

async function waitForTask(clients: Clients, config: Config, taskId: string): Promise<SystemTask> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (let delay = POLL_FIRST_MS; ; delay = Math.min(delay * 2, POLL_MAX_MS)) {
    const { data, error, response } = await clients.v1.GET("/v1/{project_id}/system-tasks/{task_id}", {
      params: { path: { project_id: config.projectId, task_id: taskId }, header: { workspace: config.workspace } },
    });
    if (data === undefined) throw new Failure(`list_system_tasks ${taskId}: ${describeError(response, error)}`);
    if (data.status === "SUCCESSFUL" || data.status === "FAILED") return data;
    if (Date.now() + delay > deadline) {
      throw new Failure(`task ${taskId} is still ${data.status} after ${WAIT_LIMIT_MS / 60000} minutes; poll it again later`);
    }
    await sleep(delay);
  }
}

async function main(argv: string[]): Promise<number> {
  const { ids, startJobs } = parseArgs(argv);
  const config = configFromEnv();
  const clients = createClients(config);

  const { data, error, response } = await clients.v2.POST("/v2/{project_id}/factory/release-packages/deploy", {
    params: { path: { project_id: config.projectId }, header: { workspace: config.workspace } },
    body: { package_ids: ids, startup_mode: startJobs ? 1 : 0 },
  });
  if (data === undefined) throw new Failure(`deploy_factory_packages: ${describeError(response, error)}`);
  const details = data.deploy_package_details ?? [];
  console.log(`release started: ${details.map((d) => `package ${d.package_id} -> task ${d.asy_task_id}`).join(", ")}`);

  const tasks = new Map<string, SystemTask>();
  let failed = 0;
  for (const detail of details) {
    const taskId = detail.asy_task_id;
    if (taskId === undefined) {
      console.log(`package ${detail.package_id}: no system task in the answer`);
      failed++;
      continue;
    }
    if (!tasks.has(taskId)) tasks.set(taskId, await waitForTask(clients, config, taskId));
    const task = tasks.get(taskId)!;
    const subtasks = subtasksOf(task);
    const ok = subtasks.filter((s) => s.status === "SUCCESSFUL").length;
    console.log(`package ${detail.package_id}: ${task.status} (task ${taskId}, ${ok}/${subtasks.length} subtasks successful)`);
    for (const sub of subtasks.filter((s) => s.status !== "SUCCESSFUL")) {
      console.log(`  subtask ${sub.id} ${sub.name ?? ""}: ${sub.status}`);
    }
    if (task.status !== "SUCCESSFUL") failed++;
  }
  const missing = ids.filter((id) => !details.some((d) => String(d.package_id) === id));
  for (const id of missing) console.log(`package ${id}: not in the answer`);
  return failed === 0 && missing.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof ConfigError) {
      console.error(`error: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    const cause = e instanceof Failure ? e.message : `cannot reach the service: ${(e as Error).message}${(e as Error).cause ? ` (${String((e as Error).cause)})` : ""}`;
    console.error(`error: ${cause}`);
    process.exitCode = 1;
  },
);
