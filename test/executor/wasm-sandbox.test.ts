// Least privilege of wasm runners: no inherited secrets, the runtime's permission model scoped to
// the runner's code and job folders, no root, and no reuse of a runner whose job trapped.
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { WasmExecutor } from "../../src/executor/wasm/executor.ts";
import { grantMounts } from "../../src/executor/wasm/runner/grant.ts";
import { RunnerProcess } from "../../src/executor/wasm/runner/process.ts";
import { NOBODY, nodeSandbox, parseRunnerUser, runnerEnv } from "../../src/executor/wasm/runner/sandbox.ts";
import { wasmJob } from "../helpers/jobs.ts";
import { startTestNode } from "../helpers/node.ts";
import { moduleFile, tempDir, wasmRequest } from "./helpers.ts";

const SECRET = "BACALHAU_TEST_API_TOKEN";

/** NUL-separated `KEY=value` entries of a live process. */
function environOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
}

function statusField(pid: number, field: string): string {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(`${field}:`));
  return line?.slice(field.length + 1).trim() ?? "";
}

/** The wasm runner processes this process started (found by their command line). */
function runnerPids(): number[] {
  return readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number).filter((pid) => {
    try {
      const ppid = Number(statusField(pid, "PPid"));
      return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("runner/main.ts");
    } catch {
      return false; // gone meanwhile
    }
  });
}

/** A node-like layout: a data dir holding a secret file and the executions folder runners may use. */
function nodeLayout(t: { after(fn: () => unknown): void }) {
  const dataDir = tempDir(t, "wasm-sandbox-data-");
  const executions = join(dataDir, "executions");
  const exec = join(executions, "e-1");
  mkdirSync(join(exec, "input-0"), { recursive: true });
  mkdirSync(join(exec, "results", "outputs"), { recursive: true });
  writeFileSync(join(dataDir, "secret.key"), "private key material\n");
  copyFileSync(moduleFile("cat"), join(exec, "input-0", "cat.wasm"));
  writeFileSync(join(exec, "input-0", "data.txt"), "input for the job\n");
  return { dataDir, executions, exec };
}

test("runner sandbox settings: the runner user, a node's folders, the environment allow-list", () => {
  assert.equal(parseRunnerUser(""), undefined);
  assert.equal(parseRunnerUser("node"), null);
  assert.deepEqual(parseRunnerUser("1500"), { uid: 1500, gid: 1500 });
  assert.deepEqual(parseRunnerUser(" 1500:20 "), { uid: 1500, gid: 20 });
  assert.throws(() => parseRunnerUser("www-data"), /Compute\.WasmRunnerUser: "www-data" is not a user/);
  const box = nodeSandbox("/srv/bacalhau", "/srv/bacalhau/compute/executions", ["/data", "/scratch:rw"], { uid: 7, gid: 8 });
  assert.deepEqual(box, {
    folders: ["/srv/bacalhau/compute/executions", "/scratch"],
    readOnlyFolders: ["/data", "/scratch"],
    user: { uid: 7, gid: 8 },
    owned: ["/srv/bacalhau", "/srv/bacalhau/compute/executions"],
  });
  assert.equal(nodeSandbox("/d", "/d/e", [], null).user, undefined);
  const asRoot = process.getuid?.() === 0;
  assert.deepEqual(nodeSandbox("/d", "/d/e", []).user, asRoot ? NOBODY : undefined);
  assert.deepEqual(runnerEnv({ PATH: "/bin", AWS_SECRET_ACCESS_KEY: "x", TZ: "UTC" }, { NODE_COMPILE_CACHE: "/c" }),
    { PATH: "/bin", TZ: "UTC", NODE_COMPILE_CACHE: "/c" });
});

test("the default runner user falls back to the node's own when it cannot reach the data dir", (t) => {
  const root = process.getuid?.() === 0;
  const closed = tempDir(t, "wasm-sandbox-closed-");
  const dataDir = join(closed, "data");
  mkdirSync(dataDir);
  chmodSync(closed, 0o700); // like /root: its owner only
  const said: string[] = [];
  const box = nodeSandbox(dataDir, join(dataDir, "compute", "executions"), [], undefined, (m) => said.push(m));
  if (root) {
    assert.equal(box.user, undefined, "nobody cannot pass the closed folder, so runners keep the node's user");
    assert.match(said.join("\n"), new RegExp(`"${closed}" is not searchable`));
  } else {
    assert.equal(box.user, undefined);
  }
  // An explicit choice is kept: the operator said who runners are.
  assert.deepEqual(nodeSandbox(dataDir, join(dataDir, "e"), [], { uid: 7, gid: 7 }).user, { uid: 7, gid: 7 });
  chmodSync(closed, 0o755);
  assert.deepEqual(nodeSandbox(dataDir, join(dataDir, "e"), [], undefined).user, root ? NOBODY : undefined);
});

test("wasm runner sandbox", async (t) => {
  await t.test("a runner's environment holds nothing of the node's beyond an allow-list", async (t) => {
    process.env[SECRET] = "s3cr3t-value";
    t.after(() => delete process.env[SECRET]);
    const runner = new RunnerProcess();
    t.after(() => runner.stop());
    await runner.ready;
    const env = environOf(runner.pid!);
    assert.ok(env.length > 0, "the runner's environment is readable");
    assert.equal(env.find((e) => e.startsWith(`${SECRET}=`)), undefined);
    assert.ok(!env.some((e) => e.includes("s3cr3t-value")));
    assert.equal(env.find((e) => e.startsWith("NODE_TEST_CONTEXT=")), undefined);
  });

  await t.test("a runner cannot read outside its folders, even when told to by the host", async (t) => {
    const { dataDir, executions, exec } = nodeLayout(t);
    const sandbox = nodeSandbox(dataDir, executions, []);
    const input = { target: "/in", hostPath: join(exec, "input-0"), readOnly: true };
    // As the executor does before each job; as root this makes the data dir searchable for the runner.
    await grantMounts(sandbox, [input]);
    const runner = new RunnerProcess({ sandbox });
    t.after(() => runner.stop());
    await runner.ready;
    const cmdline = readFileSync(`/proc/${runner.pid}/cmdline`, "utf8").split("\0");
    assert.ok(!cmdline.includes("-A") && !cmdline.includes("--allow-all"), cmdline.join(" "));
    assert.ok(cmdline.includes("--permission") || cmdline.some((a) => a.startsWith("--allow-read=")));
    const job = {
      entryModule: "/in/cat.wasm", entrypoint: "_start", importModules: [], env: [],
      outputLimit: 1 << 20, network: "None", domains: [], rejectNetworkedJobs: true,
    };
    const out: Uint8Array[] = [];
    const logs = { stdout: (c: Uint8Array) => void out.push(c), stderr: () => {} };
    // A mount the executor would never make: it stands for a host bug handing the runner the data dir.
    const leak = await runner.run({
      ...job, parameters: ["/leak/secret.key"],
      mounts: [input, { target: "/leak/secret.key", hostPath: join(dataDir, "secret.key"), readOnly: true }],
    }, logs);
    assert.equal(leak.exitCode, -1);
    // The file is world-readable and its folder searchable: only the runtime's permission model stops this.
    assert.match(leak.errorMsg ?? "", /cannot mount "\/leak\/secret\.key": .*(restricted|allow-fs-read|Requires read access|NotCapable)/i);
    assert.equal(Buffer.concat(out).toString(), "");
    // The same runner still serves a job inside its folders.
    const ok = await runner.run({ ...job, parameters: ["/in/data.txt"],
      mounts: [input] }, logs);
    assert.deepEqual(ok, { exitCode: 0 });
    assert.equal(Buffer.concat(out).toString(), "input for the job\n");
  });

  await t.test("runners of a root node run unprivileged and still read inputs and write outputs", async (t) => {
    const { dataDir, executions, exec } = nodeLayout(t);
    const executor = new WasmExecutor({ maxRunners: 1, spareRunners: 0, sandbox: nodeSandbox(dataDir, executions, []) });
    t.after(() => executor.close());
    copyFileSync(moduleFile("outputs"), join(exec, "input-0", "outputs.wasm"));
    const run = wasmRequest(t, {
      params: { EntryModule: "/in/outputs.wasm", Entrypoint: "_start", Parameters: ["from", "nobody"] },
      inputs: [{ target: "/in", hostPath: join(exec, "input-0"), readOnly: true }],
      outputs: [{ Name: "outputs", Path: "/outputs" }],
      resultsDir: join(exec, "results"),
    });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.equal(readFileSync(join(exec, "results", "outputs", "result.txt"), "utf8"), "from nobody\n");
    const [pid] = runnerPids();
    assert.ok(pid, "the runner is still alive and ours");
    const uids = statusField(pid, "Uid").split(/\s+/).map(Number);
    assert.equal(uids.length, 4);
    assert.ok(uids.every((u) => u !== 0), `runner uids ${uids.join(" ")}`);
    if (process.getuid?.() === 0) assert.ok(uids.every((u) => u === 65534));
    if (process.getuid?.() === 0) {
      // Inputs got the runner's group with read access only; outputs became the runner user's.
      const input = statSync(join(exec, "input-0", "data.txt"));
      assert.deepEqual([input.uid, input.gid, input.mode & 0o022], [0, 65534, 0]);
      assert.equal(statSync(join(exec, "results", "outputs", "result.txt")).uid, 65534);
    }
  });

  await t.test("a runner whose job trapped is discarded, never reused", async (t) => {
    const executor = new WasmExecutor({ maxRunners: 1, spareRunners: 0 });
    t.after(() => executor.close());
    // One memory class for all: a job of another class would get another runner anyway.
    const memory = 8 * 1024 * 1024;
    const first = wasmRequest(t, { module: moduleFile("hello"), memory });
    assert.deepEqual(await executor.run(first.req), { exitCode: 0 });
    const [warm] = runnerPids();
    assert.ok(warm);
    const again = wasmRequest(t, { module: moduleFile("hello"), memory });
    assert.deepEqual(await executor.run(again.req), { exitCode: 0 });
    assert.deepEqual(runnerPids(), [warm], "a clean job's runner is kept");
    const bomb = wasmRequest(t, { module: moduleFile("membomb"), memory });
    const trapped = await executor.run(bomb.req);
    assert.equal(trapped.exitCode, 1);
    const after = wasmRequest(t, { module: moduleFile("hello"), memory });
    assert.deepEqual(await executor.run(after.req), { exitCode: 0 });
    assert.ok(!runnerPids().includes(warm), "the trapped job's runner is gone");
  });

  await t.test("a node's wasm job runs in its sandboxed runner from staged inputs to published outputs", async (t) => {
    const node = await startTestNode(t);
    const res = await fetch(`${node.apiURL}/api/v1/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Job: wasmJob("outputs", { args: ["in", "the", "sandbox"], task: {
        Publisher: { Type: "local" }, ResultPaths: [{ Name: "outputs", Path: "/outputs" }] } }) }),
    });
    const body = await res.json() as { State: string; Stdout?: string; Message?: string };
    assert.equal(body.State, "Completed", JSON.stringify(body));
    assert.match(body.Stdout ?? "", /wrote \/outputs\/result\.txt/);
    const runners = runnerPids();
    assert.ok(runners.length > 0);
    for (const pid of runners) assert.notEqual(statusField(pid, "Uid").split(/\s+/)[0], "0");
  });
});
