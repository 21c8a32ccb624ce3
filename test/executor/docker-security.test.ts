// The docker executor's least privilege, against a real dockerd: no job field mounts a host path,
// containers run without capabilities, without privilege gain and under a pids limit, and the
// operator's user and read-only root are applied.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { DockerApi } from "../../src/executor/docker/engine.ts";
import { createDockerExecutor, type DockerExecutorOptions } from "../../src/executor/docker/index.ts";
import type { PreparedVolume } from "../../src/executor/executor.ts";
import type { ResultPath } from "../../src/models/types.ts";
import { assertNothingLeft, dockerRequest, type DockerRun, IMAGE, requireDocker, tempDir } from "./docker-fixtures.ts";
import type { Cleanup } from "./helpers.ts";

async function setup(t: Cleanup, opts: DockerExecutorOptions = {}) {
  const docker = await requireDocker();
  const executor = createDockerExecutor({ pullImages: false, ...opts });
  t.after(() => executor.close());
  return { docker, executor };
}

/** A host folder a job must never reach, and whether anything was written into it. */
function victim(t: Cleanup): { dir: string; touched(): boolean } {
  const dir = tempDir(t, "docker-victim-");
  writeFileSync(join(dir, "secret"), "host secret\n");
  return { dir, touched: () => readdirSync(dir).some((f) => f !== "secret") };
}

/** A job that writes into every folder it was given; it must never start. */
const writeEverywhere = (paths: string[]) => paths.map((p) => `echo pwned > ${p}/pwned`).join("; ");

async function assertRefused(
  docker: DockerApi,
  executor: ReturnType<typeof createDockerExecutor>,
  run: DockerRun,
  why: RegExp,
): Promise<void> {
  const result = await executor.run(run.req);
  assert.equal(result.exitCode, -1, `the job ran: ${run.stdout()}${run.stderr()}`);
  assert.match(result.errorMsg ?? "", why);
  assert.equal(run.stdout(), "");
  await assertNothingLeft(docker, run.req.executionID);
}

test("a ResultPath Name cannot lead a mount out of the results folder", async (t) => {
  const { docker, executor } = await setup(t);
  const host = victim(t);
  const cases: Array<{ outputs: ResultPath[]; prepare?: (run: DockerRun) => void; why: RegExp }> = [
    { outputs: [{ Name: "../../x", Path: "/outputs" }], why: /ResultPaths\[0\]\.Name "\.\.\/\.\.\/x" must be a plain folder name/ },
    { outputs: [{ Name: "..", Path: "/outputs" }], why: /ResultPaths\[0\]\.Name "\.\." must be a plain folder name/ },
    { outputs: [{ Name: host.dir, Path: "/outputs" }], why: /ResultPaths\[0\]\.Name .* must be a plain folder name/ },
    {
      // A folder under results that is a link to the host folder.
      outputs: [{ Name: "outputs", Path: "/outputs" }],
      prepare: (run) => symlinkSync(host.dir, join(run.req.resultsDir, "outputs")),
      why: /ResultPaths\[0\]\.Name "outputs" leads outside the execution's results folder/,
    },
  ];
  for (const c of cases) {
    const run = dockerRequest(t, { script: writeEverywhere(["/outputs"]), outputs: c.outputs });
    for (const o of c.outputs) if (!o.Name.includes("/") && o.Name !== ".." && !c.prepare) mkdirSync(join(run.req.resultsDir, o.Name));
    c.prepare?.(run);
    await assertRefused(docker, executor, run, c.why);
  }
  assert.equal(host.touched(), false, "the host folder was written to");
});

test("a ResultPath Path or input Target must be a clean absolute path away from the kernel and the engine", async (t) => {
  const { docker, executor } = await setup(t);
  const targets: Array<[string, RegExp]> = [
    ["/outputs/../proc", /must be a normalised absolute container path/],
    ["../../etc", /must be a normalised absolute container path/],
    ["/a//b", /must be a normalised absolute container path/],
    ["/", /cannot be the container's root folder/],
    ["/proc/sys", /is inside \/proc/],
    ["/sys", /is inside \/sys/],
    ["/dev/sda", /is inside \/dev/],
    ["/var/run/docker.sock", /is inside \/var\/run\/docker\.sock/],
  ];
  for (const [target, why] of targets) {
    const out = dockerRequest(t, { script: "true", outputs: [{ Name: "outputs", Path: target }] });
    mkdirSync(join(out.req.resultsDir, "outputs"));
    await assertRefused(docker, executor, out, new RegExp(`ResultPaths\\[0\\]\\.Path .*${why.source}`));

    const input = dockerRequest(t, { script: "true" });
    const staged = join(input.executionDir, "input-0");
    mkdirSync(staged);
    input.req.inputs = [{ target, hostPath: staged, readOnly: true }];
    await assertRefused(docker, executor, input, new RegExp(`InputSources\\[0\\]\\.Target .*${why.source}`));
  }
  // A trailing "/" names the same folder, and a relative target is taken from the container's root.
  const ok = dockerRequest(t, { script: "echo r > /outputs/r; cat /in/x", outputs: [{ Name: "outputs", Path: "/outputs/" }] });
  mkdirSync(join(ok.req.resultsDir, "outputs"));
  mkdirSync(join(ok.executionDir, "input-0"));
  writeFileSync(join(ok.executionDir, "input-0", "x"), "staged input\n");
  ok.req.inputs = [{ target: "in", hostPath: join(ok.executionDir, "input-0"), readOnly: true }];
  assert.deepEqual(await executor.run(ok.req), { exitCode: 0 }, ok.stderr());
  assert.equal(ok.stdout(), "staged input\n");
  assert.equal(readFileSync(join(ok.req.resultsDir, "outputs", "r"), "utf8"), "r\n");
});

test("an input's host path must resolve inside the execution's folder or the allow-list", async (t) => {
  const host = victim(t);
  const allowed = tempDir(t, "docker-allowed-");
  writeFileSync(join(allowed, "data.txt"), "allowed data\n");
  symlinkSync(host.dir, join(allowed, "link-out"));
  const { docker, executor } = await setup(t, { allowListedLocalPaths: [allowed] });
  const cases: Array<{ input: (run: DockerRun) => PreparedVolume; why: RegExp }> = [
    { input: () => ({ target: "/in", hostPath: host.dir, readOnly: false }), why: /is not inside any allow-listed path/ },
    { input: () => ({ target: "/in", hostPath: "/var/run", readOnly: true }), why: /is not inside any allow-listed path/ },
    { input: () => ({ target: "/in", hostPath: "/", readOnly: true }), why: /is not inside any allow-listed path/ },
    // Staged inside the execution's folder, but a link to the host folder.
    {
      input: (run) => {
        symlinkSync(host.dir, join(run.executionDir, "input-0"));
        return { target: "/in", hostPath: join(run.executionDir, "input-0"), readOnly: false };
      },
      why: /is not inside any allow-listed path/,
    },
    { input: (run) => ({ target: "/in", hostPath: join(run.req.resultsDir, "..", ".."), readOnly: false }), why: /is not inside any allow-listed path/ },
    { input: (run) => ({ target: "/in", hostPath: run.executionDir, readOnly: false }), why: /the execution's own folder cannot be mounted/ },
    // Inside an allowed folder, through a link that leads out of it.
    { input: () => ({ target: "/in", hostPath: join(allowed, "link-out"), readOnly: true }), why: /is not inside any allow-listed path/ },
    // The allow-list entry is read-only.
    { input: () => ({ target: "/in", hostPath: allowed, readOnly: false }), why: /is allow-listed read-only/ },
  ];
  for (const c of cases) {
    const run = dockerRequest(t, { script: writeEverywhere(["/in"]) });
    run.req.inputs = [c.input(run)];
    await assertRefused(docker, executor, run, new RegExp(`InputSources\\[0\\]: .*${c.why.source}`));
  }
  assert.equal(host.touched(), false, "the host folder was written to");

  // What is allowed still mounts, at the folder's real path.
  const ok = dockerRequest(t, { script: "cat /in/data.txt" });
  ok.req.inputs = [{ target: "/in", hostPath: allowed, readOnly: true }];
  assert.deepEqual(await executor.run(ok.req), { exitCode: 0 });
  assert.equal(ok.stdout(), "allowed data\n");
});

test("engine params that would widen the container are refused, at bid time and at run time", async (t) => {
  const { docker, executor } = await setup(t);
  for (const extra of [
    { Privileged: true },
    { HostConfig: { Binds: ["/:/host"] } },
    { Mounts: [{ Type: "bind", Source: "/", Target: "/host" }] },
    { Devices: ["/dev/sda"] },
    { NetworkMode: "host" },
    { PidMode: "host" },
    { IpcMode: "host" },
    { SecurityOpt: ["seccomp=unconfined"] },
    { CapAdd: ["SYS_ADMIN"] },
  ]) {
    const key = Object.keys(extra)[0]!;
    const why = new RegExp(`invalid docker engine params: ${key} is not allowed`);
    const engine = { Type: "docker", Params: { Image: IMAGE, Parameters: ["true"], ...extra } };
    assert.match((await executor.checkBid(engine)) ?? "", why);
    const run = dockerRequest(t, { script: "true" });
    run.req.engine = engine;
    await assertRefused(docker, executor, run, why);
  }
});

/** Runs `script` (which ends by printing `checked`), inspects its container while it waits, then stops it. */
async function inspectRunning(t: Cleanup, docker: DockerApi, executor: ReturnType<typeof createDockerExecutor>, script: string, outputs: ResultPath[] = []) {
  const ctrl = new AbortController();
  const run = dockerRequest(t, { script: `${script}; echo checked; exec sleep 600`, outputs, signal: ctrl.signal });
  for (const o of outputs) mkdirSync(join(run.req.resultsDir, o.Name));
  const { promise: checked, resolve } = Promise.withResolvers<void>();
  const sink = run.req.logs.stdout;
  run.req.logs.stdout = (c) => {
    sink(c);
    if (run.stdout().includes("checked\n")) resolve();
  };
  const running = executor.run(run.req);
  await Promise.race([checked, running.then((r) => assert.fail(`ended early: ${JSON.stringify(r)} ${run.stderr()}`))]);
  const filters = JSON.stringify({ label: [`bacalhau-executionID=${run.req.executionID}`] });
  const [listed] = await docker.listContainers({ all: true, filters });
  const info = await docker.getContainer(listed!.Id).inspect();
  ctrl.abort(new Error("inspected"));
  assert.deepEqual(await running, { exitCode: -1, errorMsg: "inspected" });
  await assertNothingLeft(docker, run.req.executionID);
  return { info, run };
}

test("every container drops all capabilities, cannot gain privileges and has a pids limit", async (t) => {
  const { docker, executor } = await setup(t);
  const { info, run } = await inspectRunning(t, docker, executor, "grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status; id -u");
  assert.deepEqual(info.HostConfig?.CapDrop, ["ALL"]);
  assert.deepEqual(info.HostConfig?.SecurityOpt, ["no-new-privileges"]);
  assert.equal(info.HostConfig?.PidsLimit, 1024);
  assert.equal(info.HostConfig?.Privileged, false);
  assert.equal(info.HostConfig?.ReadonlyRootfs, false);
  assert.equal(info.Config?.User, "");
  // What the job itself sees: root without a single capability, and no way to gain one.
  assert.match(run.stdout(), /^CapEff:\s+0000000000000000$/m);
  assert.match(run.stdout(), /^CapBnd:\s+0000000000000000$/m);
  assert.match(run.stdout(), /^NoNewPrivs:\s+1$/m);
});

test("a configured user and read-only root file system are applied, with a writable /tmp and outputs", async (t) => {
  const { docker, executor } = await setup(t, { user: "65534:65534", readOnlyRootfs: true, pidsLimit: 77 });
  const { info, run } = await inspectRunning(t, docker, executor, [
    "id -u; id -g",
    "(echo x > /rootfile) 2>/dev/null && echo root-writable || echo root-read-only",
    "echo t > /tmp/t && echo tmp-writable",
    "echo result > /outputs/out.txt && echo outputs-writable",
  ].join("; "), [{ Name: "outputs", Path: "/outputs" }]);
  assert.equal(info.Config?.User, "65534:65534");
  assert.equal(info.HostConfig?.ReadonlyRootfs, true);
  assert.deepEqual(Object.keys(info.HostConfig?.Tmpfs ?? {}), ["/tmp"]);
  assert.equal(info.HostConfig?.PidsLimit, 77);
  assert.deepEqual(info.HostConfig?.CapDrop, ["ALL"]);
  assert.equal(run.stdout(), "65534\n65534\nroot-read-only\ntmp-writable\noutputs-writable\nchecked\n");
  assert.equal(readFileSync(join(run.req.resultsDir, "outputs", "out.txt"), "utf8"), "result\n");
});

test("a fork bomb under the pids limit fails only its own job", async (t) => {
  const { docker, executor } = await setup(t, { pidsLimit: 32 });
  // Tries to hold 200 processes at once; the shell dies when a fork is refused.
  const bomb = dockerRequest(t, {
    script: "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; " +
      "i=0; while [ $i -lt 200 ]; do sleep 600 & i=$((i+1)); done; echo spawned $i",
  });
  const other = dockerRequest(t, { script: "echo still fine" });
  const [bombed, fine] = await Promise.all([executor.run(bomb.req), executor.run(other.req)]);
  assert.notEqual(bombed.exitCode, 0, bomb.stdout());
  assert.equal(bomb.stdout(), "32\n", "the job was not held at its limit");
  assert.match(bomb.stderr(), /can't fork|Resource temporarily unavailable/);
  assert.deepEqual(fine, { exitCode: 0 });
  assert.equal(other.stdout(), "still fine\n");
  await assertNothingLeft(docker, bomb.req.executionID);
  // The executor goes on running jobs.
  const after = dockerRequest(t, { script: "echo after" });
  assert.deepEqual(await executor.run(after.req), { exitCode: 0 });
  assert.equal(after.stdout(), "after\n");
});

test("image pull policy: never refuses a missing image, missing uses the local one; bad values are refused", async (t) => {
  const never = (await setup(t, { pullPolicy: "never" })).executor;
  assert.match((await never.checkBid({ Type: "docker", Params: { Image: "local/absent:0" } })) ?? "", /not found locally and this node does not pull images/);
  const missing = (await setup(t, { pullPolicy: "missing" })).executor;
  assert.equal(await missing.checkBid({ Type: "docker", Params: { Image: IMAGE } }), undefined);
  const run = dockerRequest(t, { script: "echo local image" });
  assert.deepEqual(await missing.run(run.req), { exitCode: 0 });
  assert.throws(() => createDockerExecutor({ pullPolicy: "sometimes" as "never" }), /unknown docker image pull policy "sometimes": use never, missing, always/);
  assert.throws(() => createDockerExecutor({ pidsLimit: 0 }), /pids limit must be a whole number of at least 1/);
  assert.throws(() => createDockerExecutor({ user: "root --privileged" }), /docker user must be uid\[:gid\]/);
});

test("image pull policy always pulls even a local image, and a failed pull fails the job", async (t) => {
  const { docker, executor } = await setup(t, { pullPolicy: "always" });
  // A local tag under a registry name that never resolves (.invalid), so no pull can reach anything.
  const image = "registry.bacalhau-test.invalid/busybox:1";
  type Taggable = { tag(o: { repo: string; tag: string }): Promise<unknown>; remove(): Promise<unknown> };
  await (docker.getImage(IMAGE) as unknown as Taggable).tag({ repo: "registry.bacalhau-test.invalid/busybox", tag: "1" });
  t.after(() => (docker.getImage(image) as unknown as Taggable).remove());
  assert.equal(await executor.checkBid({ Type: "docker", Params: { Image: image } }), undefined);
  const run = dockerRequest(t, { image, script: "echo ran" });
  const result = await executor.run(run.req);
  assert.equal(result.exitCode, -1);
  assert.match(result.errorMsg ?? "", /^pulling image registry\.bacalhau-test\.invalid\/busybox:1 failed \(the node's pull policy is always\): /);
  assert.equal(run.stdout(), "");
});
