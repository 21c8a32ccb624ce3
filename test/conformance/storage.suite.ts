/**
 * The checks every StorageSource passes, written once against the interface. A test file calls
 * `runStorageSourceSuite` with a factory for its source and inputs; the suite registers one test
 * with a subtest per check.
 */
import assert from "node:assert/strict";
import { lstat, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import type { InputSource } from "../../src/models/types.ts";
import type { PrepareContext, StorageSource } from "../../src/storage/source.ts";

export interface SuiteEnv {
  /** A temp folder for the factories' own files; removed after the suite. */
  tmpDir: string;
  /** Registers something to stop or remove after the suite, even when it fails. */
  onCleanup(fn: () => unknown): void;
}

/** An input and what its prepared volume must hold. */
export interface StorageCase {
  input: InputSource;
  /** A file volume's bytes, or a folder volume's files (relative path → bytes), exactly. */
  expect: { file: Uint8Array | string } | { dir: Record<string, Uint8Array | string> };
}

const bytes = (v: Uint8Array | string) => (typeof v === "string" ? new TextEncoder().encode(v) : v);

async function listFiles(root: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(root, r)));
    else out.push(r);
  }
  return out.sort();
}

function lowerCaseKeys(input: InputSource): InputSource {
  const params = Object.fromEntries(Object.entries(input.Source.Params ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { ...input, Source: { ...input.Source, Params: params } };
}

export function runStorageSourceSuite(
  name: string,
  makeSource: (env: SuiteEnv) => StorageSource | Promise<StorageSource>,
  makeValidInput: (env: SuiteEnv) => StorageCase | Promise<StorageCase>,
  makeInvalidInput: (env: SuiteEnv) => InputSource[] | Promise<InputSource[]>,
): void {
  test(`${name}: storage source conformance`, async (t) => {
    const tmp = await mkdtemp(join(tmpdir(), "bxs-suite-"));
    const cleanups: Array<() => unknown> = [];
    t.after(async () => {
      for (const fn of cleanups.reverse()) await fn();
      await rm(tmp, { recursive: true, force: true });
    });
    const env: SuiteEnv = { tmpDir: tmp, onCleanup: (fn) => cleanups.push(fn) };
    const source = await makeSource(env);
    let n = 0;
    const ctx = async (signal = new AbortController().signal): Promise<PrepareContext> => ({
      jobID: "j-00000000-0000-4000-8000-000000000000",
      executionID: "e-00000000-0000-4000-8000-000000000000",
      workDir: await mkdtemp(join(tmp, `work-${n++}-`)),
      signal,
    });

    await t.test("is installed and has a type name", async () => {
      assert.equal(await source.isInstalled(), true);
      assert.ok(source.type.length > 0);
    });

    await t.test("validate accepts a good input, with Params keys in any case", async () => {
      const { input } = await makeValidInput(env);
      assert.equal(source.validate(input), undefined);
      assert.equal(source.validate(lowerCaseKeys(input)), undefined);
    });

    await t.test("validate explains what is wrong with a bad input", async () => {
      const bad = await makeInvalidInput(env);
      assert.ok(bad.length > 0, "give at least one invalid input");
      for (const input of bad) {
        const reason = source.validate(input);
        assert.equal(typeof reason, "string", `accepted ${JSON.stringify(input)}`);
        assert.ok(reason!.length > 10, `reason too terse: ${reason}`);
      }
    });

    await t.test("prepare puts exactly what the input names at hostPath", async () => {
      const { input, expect } = await makeValidInput(env);
      const vol = await source.prepare(input, await ctx());
      assert.equal(vol.target, input.Target);
      assert.equal(typeof vol.readOnly, "boolean");
      const info = await lstat(vol.hostPath);
      if ("file" in expect) {
        assert.ok(info.isFile(), `${vol.hostPath} should be a file`);
        assert.deepEqual(new Uint8Array(await readFile(vol.hostPath)), bytes(expect.file));
      } else {
        assert.ok(info.isDirectory(), `${vol.hostPath} should be a folder`);
        assert.deepEqual(await listFiles(vol.hostPath), Object.keys(expect.dir).sort());
        for (const [rel, content] of Object.entries(expect.dir)) {
          assert.deepEqual(new Uint8Array(await readFile(join(vol.hostPath, rel))), bytes(content), rel);
        }
      }
    });

    await t.test("prepare refuses a bad input with a BacalhauError", async () => {
      const [input] = await makeInvalidInput(env);
      await assert.rejects(source.prepare(input!, await ctx()), BacalhauError);
    });

    await t.test("prepare honours an aborted signal", async () => {
      const { input } = await makeValidInput(env);
      const controller = new AbortController();
      controller.abort(new Error("execution cancelled"));
      await assert.rejects(source.prepare(input, await ctx(controller.signal)), /execution cancelled/);
    });
  });
}
