/**
 * Docker jobs end to end: a real `bacalhau serve` hybrid node with the docker engine, driven by
 * the real CLI (`docker run`, `job logs`, `job get`, `job stop`) against the real dockerd. Image
 * pulls are off (SKIP_IMAGE_PULL), as on a machine without a registry.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cliAt, executionsOf, getJob, IMAGE, jobContainers, jobIDOf, jobNetworks, requireDocker, startOrigin } from "../helpers/docker.ts";
import { kill, until } from "../helpers/network.ts";
import { tempDir } from "../helpers/node.ts";
import { startServe } from "../helpers/spawn.ts";

test("docker jobs through a hybrid serve node and the CLI", async (suite) => {
  const docker = await requireDocker();
  const dataDir = tempDir(suite, "bacalhau-docker-node-");
  const shared = tempDir(suite, "bacalhau-docker-shared-");
  const node = await startServe([
    "--node-type", "requester,compute", "--host", "127.0.0.1", "--api-port", "0", "--no-p2p",
    "--local-publisher-port", "0", "--data-dir", dataDir, "--allow-listed-local-paths", shared,
  ], { SKIP_IMAGE_PULL: "1" });
  suite.after(() => kill(node, "SIGTERM"));
  const api = `http://127.0.0.1:${node.port}`;
  const cli = cliAt(node.port);
  assert.match(node.output(), /Engines: [^\n]*\bdocker\b/);

  await suite.test("echo hello: progress, then logs, executions and results", async (t) => {
    const run = await cli("docker", "run", "-p", "local", IMAGE, "echo", "hello");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Job successfully submitted\. Job ID: j-/);
    assert.match(run.stdout, /Running Execution/);
    assert.match(run.stdout, /Completed successfully/);
    assert.match(run.stdout, /To download the results, execute:\n\tbacalhau job get j-/);
    const id = jobIDOf(run);
    assert.equal((await getJob(api, id)).State.StateType, "Completed");
    const [exec] = await executionsOf(api, id);
    assert.equal(exec.RunOutput?.Stdout, "hello\n");
    assert.equal(exec.RunOutput?.ExitCode, 0);

    const logs = await cli("job", "logs", id);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, "hello\n");

    const out = join(tempDir(t, "bacalhau-docker-get-"), "results");
    const get = await cli("job", "get", id, "--output-dir", out);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(readFileSync(join(out, "stdout"), "utf8"), "hello\n");
    assert.deepEqual(await jobContainers(docker, id), [], "the container was removed");
  });

  await suite.test("inputs (local folder, URL), outputs, working dir, env and a memory limit", async (t) => {
    const origin = await startOrigin(t);
    const folder = join(shared, "in");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "a.txt"), "from a local folder\n");
    const script = [
      "pwd",
      "echo \"greeting=$GREETING\"",
      "cat a.txt",
      "cat /web/b.txt",
      "echo \"limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)\"",
      "(touch /data/new 2>/dev/null && echo data=writable) || echo data=readonly",
      "echo result > /outputs/r.txt",
    ].join("; ");
    const run = await cli(
      "docker", "run", "-p", "local",
      "-i", `file://${folder}:/data`,
      "-i", `http://127.0.0.1:${origin.port}/data/b.txt:/web`,
      "-o", "outputs:/outputs", "-w", "/data", "-e", "GREETING=hi", "--memory", "64Mb",
      IMAGE, "--", "sh", "-c", script,
    );
    assert.equal(run.code, 0, run.stderr);
    const id = jobIDOf(run);
    const [exec] = await executionsOf(api, id);
    const lines = (exec.RunOutput?.Stdout ?? "").split("\n");
    assert.deepEqual(lines.slice(0, 4), ["/data", "greeting=hi", "from a local folder", "url input /data/b.txt"], exec.RunOutput?.stderr);
    const limit = Number(lines.find((l) => l.startsWith("limit="))?.slice(6));
    assert.ok(Math.abs(limit - 64_000_000) < 8192, `memory limit ${limit}`);
    assert.ok(lines.includes("data=readonly"), "a local input without :rw is mounted read-only");

    const out = join(tempDir(t, "bacalhau-docker-get-"), "results");
    const get = await cli("job", "get", id, "--output-dir", out);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(readFileSync(join(out, "outputs", "r.txt"), "utf8"), "result\n");
  });

  await suite.test("a non-zero exit completes with its code; an OOM kill fails saying out of memory", async () => {
    const exit3 = await cli("docker", "run", IMAGE, "sh", "-c", "echo before; exit 3");
    assert.equal(exit3.code, 0, exit3.stderr);
    const id3 = jobIDOf(exit3);
    assert.equal((await getJob(api, id3)).State.StateType, "Completed");
    const [e3] = await executionsOf(api, id3);
    assert.equal(e3.RunOutput?.ExitCode, 3);
    assert.equal(e3.RunOutput?.Stdout, "before\n");

    const oom = await cli("docker", "run", "--memory", "16Mb", IMAGE, "--", "sh", "-c", "x=a; while true; do x=$x$x; done");
    assert.equal(oom.code, 1, oom.stdout);
    assert.match(oom.stderr, /Error: job failed: .*out of memory/);
    const job = await getJob(api, jobIDOf(oom));
    assert.equal(job.State.StateType, "Failed");
    const execs = await executionsOf(api, job.ID);
    assert.ok(execs.every((e) => e.RunOutput?.ExitCode === 137 && /out of memory/.test(e.RunOutput.ErrorMsg ?? "")));
  });

  await suite.test("job stop kills the running container and removes it", async () => {
    const run = await cli("docker", "run", "--wait=false", IMAGE, "sleep", "600");
    assert.equal(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    await until("the container running", () => docker.listContainers({
      filters: JSON.stringify({ label: [`bacalhau-jobID=${id}`], status: ["running"] }),
    }), (list) => list.length === 1);

    const stop = await cli("job", "stop", id);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /Job stop successfully submitted with evaluation ID: /);
    await until("the job stopped", () => getJob(api, id), (j) => j.State.StateType === "Stopped");
    await until("the container removed", () => jobContainers(docker, id), (list) => list.length === 0);
    assert.deepEqual(await jobNetworks(docker, id), []);
  });

  await suite.test("a missing image fails the job with a message naming the image", async () => {
    const run = await cli("docker", "run", "local/not-here:1", "echo", "x");
    // This node does not pull, so it refuses the bid; the reason shows among the progress rows.
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, /Error: job failed: /);
    assert.match(run.stdout, /Node rejected the job: image local\/not-here:1 not found locally and this node does not pull images/);
    assert.equal((await getJob(api, jobIDOf(run))).State.StateType, "Failed");
  });

  await suite.test("--dry-run prints the docker job Bacalhau would submit", async () => {
    const run = await cli(
      "docker", "run", "--dry-run", "-w", "/work", "--entrypoint", "/bin/sh", "--network", "http",
      "--domain", "example.org", "--cpu", "250m", IMAGE, "--", "-c", "echo hi",
    );
    assert.equal(run.code, 0, run.stderr);
    for (const line of [/Type: docker/, /Image: local\/busybox:1/, /WorkingDirectory: \/work/, /- \/bin\/sh/, /Type: HTTP/, /- example\.org/, /CPU: 250m/]) {
      assert.match(run.stdout, line);
    }
  });
});
