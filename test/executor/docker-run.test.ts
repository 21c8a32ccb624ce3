// The docker executor against a real dockerd: the job's shape, mounts, limits and failures.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { createDockerExecutor, type DockerExecutor } from "../../src/executor/docker/index.ts";
import type { DockerApi } from "../../src/executor/docker/engine.ts";
import { assertNothingLeft, dockerRequest, IMAGE, requireDocker, tempDir } from "./docker-fixtures.ts";
import type { Cleanup } from "./helpers.ts";

async function setup(t: Cleanup, allowListedLocalPaths: string[] = []): Promise<{ docker: DockerApi; executor: DockerExecutor }> {
  const docker = await requireDocker();
  const executor = createDockerExecutor({ pullImages: false, allowListedLocalPaths });
  t.after(() => executor.close());
  return { docker, executor };
}

test("docker hello: stdout and stderr apart, env, container removed", async (t) => {
  const { docker, executor } = await setup(t);
  const run = dockerRequest(t, {
    script: 'echo "hello $WHO from $BACALHAU_JOB_ID"; echo "to stderr" >&2; echo "engine=$ENGINE_VAR task=$TASK_VAR"',
    envVars: ["ENGINE_VAR=from-params", "TASK_VAR=overridden"],
    env: { WHO: "docker", TASK_VAR: "from-task", BACALHAU_JOB_ID: "j-hello" },
  });
  const result = await executor.run(run.req);
  assert.deepEqual(result, { exitCode: 0 });
  assert.equal(run.stdout(), "hello docker from j-hello\nengine=from-params task=from-task\n");
  assert.equal(run.stderr(), "to stderr\n");
  await assertNothingLeft(docker, run.req.executionID);
});

test("inputs, outputs and working directory", async (t) => {
  const data = tempDir(t);
  writeFileSync(join(data, "in.txt"), "input data\n");
  const scratch = tempDir(t);
  const single = join(tempDir(t), "one.txt");
  writeFileSync(single, "a single file\n");
  const { docker, executor } = await setup(t, [data, dirname(single), `${scratch}:rw`]);
  const run = dockerRequest(t, {
    workingDirectory: "/inputs",
    script: [
      "pwd",
      "cat in.txt",
      "cat /single.txt",
      "echo nope > /inputs/new.txt 2>/dev/null && echo wrote-input || echo input-read-only",
      "echo scratch > /scratch/made.txt && echo wrote-scratch",
      "echo result > /outputs/out.txt",
    ].join("; "),
    inputs: [
      { target: "/inputs", hostPath: data, readOnly: true },
      { target: "single.txt", hostPath: single, readOnly: true },
      { target: "/scratch", hostPath: scratch, readOnly: false },
    ],
    outputs: [{ Name: "outputs", Path: "/outputs" }],
  });
  mkdirSync(join(run.req.resultsDir, "outputs"));
  const result = await executor.run(run.req);
  assert.equal(result.errorMsg ?? "", "", run.stderr());
  assert.equal(run.stdout(), "/inputs\ninput data\na single file\ninput-read-only\nwrote-scratch\n");
  assert.equal(existsSync(join(data, "new.txt")), false);
  assert.equal(readFileSync(join(scratch, "made.txt"), "utf8"), "scratch\n");
  assert.equal(readFileSync(join(run.req.resultsDir, "outputs", "out.txt"), "utf8"), "result\n");
  await assertNothingLeft(docker, run.req.executionID);
});

test("an entrypoint replaces the image's and Parameters become its arguments", async (t) => {
  const { executor } = await setup(t);
  const run = dockerRequest(t, { entrypoint: ["/bin/echo", "-n"], cmd: ["from", "entrypoint"] });
  assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
  assert.equal(run.stdout(), "from entrypoint");
});

test("a non-zero exit is data; an OOM kill fails the execution", async (t) => {
  const { docker, executor } = await setup(t);
  const exit = dockerRequest(t, { script: "echo before; exit 3" });
  assert.deepEqual(await executor.run(exit.req), { exitCode: 3 });
  assert.equal(exit.stdout(), "before\n");

  // dd holds one 64 MiB block in memory: far over a 16 MiB limit.
  const oom = dockerRequest(t, { script: "dd if=/dev/zero of=/dev/null bs=64M count=1", memory: 16 * 1024 * 1024 });
  const result = await executor.run(oom.req);
  assert.equal(result.exitCode, 137);
  assert.match(result.errorMsg ?? "", /memory limit exceeded/);
  await assertNothingLeft(docker, oom.req.executionID);
});

test("a CPU limit is applied", async (t) => {
  const { executor } = await setup(t);
  const run = dockerRequest(t, { script: "cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us", cpu: 0.5 });
  assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
  assert.match(run.stdout(), /^50000( 100000)?\n$/);
});

test("stopping a running container kills and removes it", async (t) => {
  const { docker, executor } = await setup(t);
  const ctrl = new AbortController();
  const run = dockerRequest(t, { script: "echo up; exec sleep 600", signal: ctrl.signal });
  const running = executor.run(run.req);
  await run.firstStdout;
  const filters = JSON.stringify({ label: [`bacalhau-executionID=${run.req.executionID}`, `bacalhau-jobID=${run.req.jobID}`] });
  const listed = await docker.listContainers({ all: true, filters });
  assert.equal(listed.length, 1, "the running container carries the execution's labels");
  ctrl.abort(new Error("Execution timed out after 1s"));
  assert.deepEqual(await running, { exitCode: -1, errorMsg: "Execution timed out after 1s" });
  await assertNothingLeft(docker, run.req.executionID);
});

test("a missing image fails (and is refused at bid time) when pulls are off", async (t) => {
  const { executor } = await setup(t);
  const image = "local/does-not-exist:0";
  const run = dockerRequest(t, { image, cmd: ["true"] });
  const result = await executor.run(run.req);
  assert.equal(result.exitCode, -1);
  assert.match(result.errorMsg ?? "", /image local\/does-not-exist:0 not found locally/);
  assert.match((await executor.checkBid({ Type: "docker", Params: { Image: image } })) ?? "", /not found locally/);
  assert.equal(await executor.checkBid({ Type: "docker", Params: { Image: IMAGE } }), undefined);
  assert.match((await executor.checkBid({ Type: "docker", Params: {} })) ?? "", /image is required/);
});

test("a start failure fails the execution and says why", async (t) => {
  const { docker, executor } = await setup(t);
  const run = dockerRequest(t, { cmd: ["/no/such/binary"] });
  const result = await executor.run(run.req);
  assert.equal(result.exitCode, -1);
  assert.match(result.errorMsg ?? "", /failed to start container: .*no such file or directory/);
  await assertNothingLeft(docker, run.req.executionID);
});

test("isInstalled is false when no engine answers", async () => {
  const dir = "/nonexistent-docker-dir";
  const executor = createDockerExecutor({ dockerHost: `unix://${dir}/docker.sock` });
  assert.equal(await executor.isInstalled(), false);
  await executor.close();
});
