import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

interface DenoLike {
  execPath(): string;
}

/** Runs the CLI as a real child process of whichever runtime runs the tests. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  const [cmd, pre] = deno ? [deno.execPath(), ["run", "-A", MAIN]] : [process.execPath, [MAIN]];
  return new Promise((resolve) => {
    execFile(cmd, [...pre, ...args], { env: { ...process.env, NO_COLOR: "1", ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test("cli process: an unreachable API prints Error and Hint on stderr and exits 1", async () => {
  const r = await runCli(["job", "list"], { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: "1" });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^\nError: the API at http:\/\/127\.0\.0\.1:1 is unreachable/);
  assert.match(r.stderr, /\nHint: start a node with `bacalhau serve`/);
});

test("cli process: usage errors exit 1; --help exits 0", async () => {
  const bad = await runCli(["job", "list", "--bogus"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Error: unknown flag: --bogus/);
  const unknown = await runCli(["job", "frobnicate"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown command "frobnicate" for "bacalhau job"/);
  const help = await runCli(["job", "run", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /bacalhau job run FILE/);
  assert.match(help.stdout, /exit with status 1/);
});

test("cli process: wasm run --dry-run prints the job as YAML without a server", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "cli-dry-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const mod = join(dir, "hello.wasm");
  await writeFile(mod, new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  const r = await runCli([
    "wasm", "run", mod, "--dry-run", "--memory", "64Mb", "-i", "ipfs://QmData:/data", "-p", "local", "--", "-v", "x",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const job = parse(r.stdout);
  assert.equal(job.Type, "batch");
  const task = job.Tasks[0];
  assert.deepEqual(task.Engine, {
    Type: "wasm",
    Params: { EntryModule: "main.wasm", Entrypoint: "_start", Parameters: ["-v", "x"], ImportModules: [] },
  });
  assert.equal(task.InputSources[0].Source.Type, "inline");
  assert.equal(task.InputSources[0].Target, "main.wasm");
  assert.deepEqual(task.InputSources[1], { Source: { Type: "ipfs", Params: { CID: "QmData" } }, Alias: "ipfs://QmData", Target: "/data" });
  assert.deepEqual(task.Resources, { Memory: "64Mb" });
  assert.deepEqual(task.Publisher, { Type: "local", Params: {} });
});
