/**
 * The published package as an edge operator gets it: `npm pack` (which builds dist/), a production
 * install of the tarball into an empty project with no registry access, then a node and a job run
 * through what was installed: the `bacalhau` bin on Node, `deno run -A` of the packed entries on Deno.
 * The Docker client is inside the bundle too: the node is pointed (DOCKER_HOST) at an endpoint that
 * records the Docker API calls the bundled client makes.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { tempDir } from "../helpers/node.ts";
import { ROOT } from "../helpers/spawn.ts";
import { diskUsage, dockerEndpoint, INSPECTED_IMAGE, jobId, mustRun, run, serve, stop, type Program } from "./run.ts";

const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
const MAX_INSTALL_BYTES = 150e6;

test("npm pack, an offline production install, and a job through the installed package", async (t) => {
  const dir = tempDir(t, "bacalhau-pack-");
  await mustRun("npm", ["pack", "--pack-destination", dir], ROOT);
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  assert.ok(tarball, "npm pack wrote a tarball");

  const app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "edge-host", private: true, type: "module" }));
  const started = performance.now();
  // --offline: a package whose dependencies are all inside its bundle needs no registry at all.
  await mustRun("npm", ["install", "--omit=dev", "--offline", "--no-audit", "--no-fund", join(dir, tarball)], app);
  const modules = join(app, "node_modules");
  assert.deepEqual(readdirSync(modules).filter((n) => !n.startsWith(".")), ["bacalhau-edge"]);
  const installBytes = diskUsage(modules);
  assert.ok(installBytes <= MAX_INSTALL_BYTES, `install is ${installBytes} bytes`);
  const pkg = join(modules, "bacalhau-edge");
  assert.ok(!existsSync(join(pkg, "src")), "the package ships built JavaScript, not its sources");
  assert.ok(existsSync(join(pkg, "dist", "types", "client", "client.d.ts")), "with type declarations");

  const env: Record<string, string | undefined> = { ...process.env, HOME: dir };
  delete env.NODE_TEST_CONTEXT;
  for (const k of Object.keys(env)) if (k.startsWith("BACALHAU_")) delete env[k];
  // Deno: the node from the bundle's own entry, the client through the packed bin script.
  const server: Program = deno
    ? { cmd: deno.execPath(), args: ["run", "-A", join(pkg, "dist", "bacalhau.js")], cwd: app, env }
    : { cmd: join(modules, ".bin", "bacalhau"), args: [], cwd: app, env };
  const client: Program = deno
    ? { ...server, args: ["run", "-A", join(pkg, "bin", "bacalhau.mjs")] }
    : server;

  const engine = await dockerEndpoint(t);
  const node = await serve({ ...server, env: { ...env, DOCKER_HOST: engine.host } }, join(dir, "data"));
  t.after(() => stop(node));
  const api = { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(node.port) };
  const wasm = join(pkg, "wasm", "hello.wasm");
  const ran = await run(client, ["wasm", "run", wasm, "-p", "local", "--wait", "--", "Edge"], api);
  assert.equal(ran.code, 0, ran.stderr);
  const firstJobMs = performance.now() - started;
  const id = jobId(ran.stdout);

  const out = join(dir, "got");
  const got = await run(client, ["job", "get", id, "--output-dir", out], api);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(readFileSync(join(out, "stdout"), "utf8"), "Hello, Edge!\n");

  // The dashboard ships too: its page, its modules and the YAML reader it loads on demand.
  const page = await fetch(`http://127.0.0.1:${node.port}/`, { headers: { accept: "text/html" } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<html/i);
  for (const file of ["/ui/app.js", "/ui/vendor/yaml/index.js"]) {
    const res = await fetch(`http://127.0.0.1:${node.port}${file}`);
    assert.equal(res.status, 200, file);
    await res.body?.cancel();
  }

  assert.match(node.output(), /Engines: .*\bdocker\b/);
  const docker = await run(client, ["docker", "run", "local/busybox:1", "--", "echo", "hi"], api);
  assert.equal(docker.code, 1, docker.stdout);
  assert.ok(engine.calls.some((c) => INSPECTED_IMAGE.test(c)), `${engine.calls.join("\n")}\n${docker.stdout}${docker.stderr}`);

  // The library entry and its declarations, as a program that depends on the package uses them.
  writeFileSync(join(app, "use.ts"), [
    'import process from "node:process";',
    'import { BacalhauClient, type GetJobResponse } from "bacalhau-edge";',
    "const got: GetJobResponse = await new BacalhauClient({ baseUrl: process.argv[2] }).getJob(process.argv[3]!);",
    "console.log(got.Job.State.StateType);",
  ].join("\n"));
  const baseUrl = `http://127.0.0.1:${node.port}`;
  const used = await run({ ...client, args: deno ? ["run", "-A", "use.ts"] : ["use.ts"], cmd: deno ? deno.execPath() : process.execPath },
    [baseUrl, id]);
  assert.equal(used.stdout, "Completed\n", used.stderr);
  await mustRun(deno ? "node" : process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "--strict",
    "--target", "es2022", "--module", "nodenext", "--noEmit", "--types", "node", "--typeRoots", join(ROOT, "node_modules", "@types"),
    "use.ts"], app);

  const bad = await run(client, ["wasm", "run", wasm, "--memory", "lots"], api);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^\nError: .*Memory/m);
  await stop(node);

  t.diagnostic(`tarball ${(statSync(join(dir, tarball)).size / 1e6).toFixed(1)} MB, ` +
    `installed ${(installBytes / 1e6).toFixed(1)} MB on disk, ` +
    `first job completed ${(firstJobMs / 1000).toFixed(1)} s after the install began (${deno ? "Deno" : "Node"})`);
});
