/**
 * `deno task` from a checkout: with the project's own Deno (node_modules/.bin, as the README says)
 * and with a Deno installed elsewhere on PATH. Inside a task, a bare `deno` resolved to the npm
 * package's ELF binary was run as JavaScript; every task now starts Deno through scripts/deno.sh.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { tempDir } from "../helpers/node.ts";
import { completion, ROOT, type CliResult } from "../helpers/spawn.ts";

const PROJECT_DENO = join(ROOT, "node_modules", "deno", "deno");

function denoTask(denoPath: string, args: string[], path: string): Promise<CliResult> {
  return completion(spawn(denoPath, ["task", ...args], {
    cwd: ROOT,
    env: { ...process.env, PATH: path, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  }));
}

test("deno task bacalhau runs with the project's own Deno", async () => {
  const bin = join(ROOT, "node_modules", ".bin");
  const r = await denoTask(join(bin, "deno"), ["bacalhau", "version", "--client"], `${bin}:/usr/bin:/bin`);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /CLIENT/);
  assert.doesNotMatch(r.stderr, /SyntaxError/);
});

test("deno task bacalhau runs with a Deno installed outside the project", async (t) => {
  const bin = join(tempDir(t), "bin");
  mkdirSync(bin);
  symlinkSync(PROJECT_DENO, join(bin, "deno"));
  const r = await denoTask(join(bin, "deno"), ["bacalhau", "version", "--client"], `${bin}:/usr/bin:/bin`);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /CLIENT/);
});
