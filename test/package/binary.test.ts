/**
 * The single executable (`npm run build:binary`) on a host with neither Node nor Deno: copied alone
 * into an empty directory and run with PATH=/bin (only a shell, for the runners' guards), it serves,
 * runs a wasm job in runner processes that are the executable itself, and fetches the results.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { tempDir } from "../helpers/node.ts";
import { ROOT } from "../helpers/spawn.ts";
import { dockerEndpoint, INSPECTED_IMAGE, jobId, mustRun, run, serve, stop, type Program } from "./run.ts";

const MAX_BINARY_BYTES = 120e6;
// The executable is made from a Node binary, so it is built with Node whichever runtime runs the test.
const NODE = "Deno" in globalThis ? "node" : process.execPath;

/** Processes started by `pid` (Linux /proc), with the executable each one runs. */
function children(pid: number): Array<{ pid: number; exe: string; args: string[] }> {
  const out = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean)) {
      try {
        out.push({ pid: Number(child), exe: readlinkSync(`/proc/${child}/exe`),
          args: readFileSync(`/proc/${child}/cmdline`, "utf8").split("\0") });
      } catch {
        // it ended meanwhile
      }
    }
  }
  return out;
}

test("the single executable serves, runs a wasm job in its own runners and gets the results, with PATH=/bin", async (t) => {
  await mustRun(NODE, [join(ROOT, "scripts", "build-binary.ts")], ROOT);
  const built = join(ROOT, "dist-sea", "bacalhau");
  const size = statSync(built).size;
  assert.ok(size <= MAX_BINARY_BYTES, `the executable is ${size} bytes`);

  const dir = tempDir(t, "bacalhau-binary-");
  const exe = join(dir, "bacalhau");
  copyFileSync(built, exe);
  for (const m of ["hello", "http_get"]) copyFileSync(join(ROOT, "wasm", `${m}.wasm`), join(dir, `${m}.wasm`));
  const host: Program = { cmd: exe, args: [], cwd: dir, env: { PATH: "/bin", HOME: dir } };

  const version = await run(host, ["version", "--client"]);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /CLIENT/);

  const engine = await dockerEndpoint(t);
  const node = await serve({ ...host, env: { ...host.env, DOCKER_HOST: engine.host } }, join(dir, "data"),
    // Jobs may not reach loopback unless the operator lists it: the origin below sits on 127.0.0.2.
    ["--job-selection-accept-networked", "-c", "JobNetworking.AllowedCIDRs=127.0.0.2/32"]);
  t.after(() => stop(node));
  const api = { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(node.port) };
  const ran = await run(host, ["wasm", "run", "hello.wasm", "-p", "local", "--wait", "--", "Device"], api);
  assert.equal(ran.code, 0, ran.stderr);
  const id = jobId(ran.stdout);

  // The job ran in a runner: a child of the node that is this same executable in runner mode.
  const runners = children(node.child.pid!).filter((c) => c.args.includes("--bacalhau-edge-runner"));
  assert.ok(runners.length > 0, JSON.stringify(children(node.child.pid!)));
  for (const r of runners) assert.equal(r.exe, exe);

  const got = await run(host, ["job", "get", id, "--output-dir", "got"], api);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(readFileSync(join(dir, "got", "stdout"), "utf8"), "Hello, Device!\n");
  const described = await run(host, ["job", "describe", id, "--output", "json"], api);
  assert.equal(JSON.parse(described.stdout).Job.State.StateType, "Completed");

  // A module's HTTP calls go through a worker thread, whose source the executable carries as an asset.
  const origin = createServer((_req, res) => res.end("from the origin\n"));
  await new Promise<void>((resolve) => origin.listen(0, "127.0.0.2", resolve));
  t.after(() => new Promise<void>((resolve) => origin.close(() => resolve())));
  const url = `http://127.0.0.2:${(origin.address() as { port: number }).port}/`;
  const http = await run(host, ["wasm", "run", "http_get.wasm", "--network", "full", "-e", `HTTP_URL=${url}`, "--wait"], api);
  assert.equal(http.code, 0, http.stderr);
  const logs = await run(host, ["job", "logs", jobId(http.stdout)], api);
  assert.match(logs.stdout, /Status Code: 200\n[\s\S]*Body:\nfrom the origin\n/);

  // The Docker client is in the executable too (DOCKER_HOST: an endpoint recording its API calls).
  assert.match(node.output(), /Engines: .*\bdocker\b/);
  const docker = await run(host, ["docker", "run", "local/busybox:1", "--", "echo", "hi"], api);
  assert.equal(docker.code, 1, docker.stdout);
  assert.ok(engine.calls.some((c) => INSPECTED_IMAGE.test(c)), `${engine.calls.join("\n")}\n${docker.stdout}${docker.stderr}`);

  const bad = await run(host, ["job", "get", "j-nope"], api);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^\nError: /m);
  await stop(node);
  assert.ok(!existsSync(join(dir, "data", "bacalhau.run")), "the node stopped cleanly");
  t.diagnostic(`single executable: ${(size / 1e6).toFixed(1)} MB`);
});
