/**
 * The checks every Publisher passes, written once against the interface. A test file calls
 * `runPublisherSuite` with a factory; when it also gives `retrieve`, the suite fetches what was
 * published and compares it with the results folder, file by file.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { SpecConfig } from "../../src/models/types.ts";
import type { Publisher, PublishRequest } from "../../src/publisher/publisher.ts";

export interface PublisherSuiteEnv {
  tmpDir: string;
  onCleanup(fn: () => unknown): void;
}

/** Fetches a published result into `destDir` (e.g. download and extract). */
export type Retrieve = (published: SpecConfig, destDir: string, env: PublisherSuiteEnv) => Promise<void>;

async function files(root: string, rel = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, await files(root, r));
    else out[r] = Buffer.from(await readFile(join(root, r))).toString("hex");
  }
  return out;
}

/** A results folder shaped like the runner's: stdout, stderr, exitCode, one folder per ResultPath. */
export async function makeResultsDir(parent: string, tag: string): Promise<string> {
  const dir = join(parent, `results-${tag}`);
  await mkdir(join(dir, "outputs/nested"), { recursive: true });
  await writeFile(join(dir, "stdout"), `hello from ${tag}\n`);
  await writeFile(join(dir, "stderr"), "");
  await writeFile(join(dir, "exitCode"), "0");
  await writeFile(join(dir, "outputs/nested/data.bin"), new Uint8Array([1, 2, 3, 0, 255]));
  return dir;
}

export function runPublisherSuite(
  name: string,
  makePublisher: (env: PublisherSuiteEnv) => Publisher | Promise<Publisher>,
  spec: SpecConfig,
  retrieve?: Retrieve,
): void {
  test(`${name}: publisher conformance`, async (t) => {
    const tmp = await mkdtemp(join(tmpdir(), "bxp-suite-"));
    const cleanups: Array<() => unknown> = [];
    t.after(async () => {
      for (const fn of cleanups.reverse()) await fn();
      await rm(tmp, { recursive: true, force: true });
    });
    const env: PublisherSuiteEnv = { tmpDir: tmp, onCleanup: (fn) => cleanups.push(fn) };
    const publisher = await makePublisher(env);
    cleanups.push(() => publisher.close());
    const request = (resultsDir: string, executionID: string, signal = new AbortController().signal): PublishRequest => ({
      jobID: "j-00000000-0000-4000-8000-000000000000",
      executionID,
      resultsDir,
      publisher: spec,
      signal,
    });

    await t.test("is installed, has a type name and accepts its spec", async () => {
      assert.equal(await publisher.isInstalled(), true);
      assert.ok(publisher.type.length > 0);
      assert.equal(publisher.validate(spec), undefined);
    });

    await t.test("start is idempotent", async () => {
      await publisher.start?.();
      await publisher.start?.();
    });

    await t.test("publishes each execution, and what it published is the results folder", async () => {
      const published: SpecConfig[] = [];
      for (const tag of ["e-aaaaaaaa-0000-4000-8000-000000000001", "e-bbbbbbbb-0000-4000-8000-000000000002"]) {
        const results = await makeResultsDir(tmp, tag);
        const out = await publisher.publish(request(results, tag));
        assert.equal(typeof out.Type, "string");
        published.push(out);
        if (!retrieve) continue;
        const dest = join(tmp, `retrieved-${tag}`);
        await retrieve(out, dest, env);
        assert.deepEqual(await files(dest), await files(results));
      }
      if (retrieve) assert.notDeepEqual(published[0], published[1]);
    });

    await t.test("an aborted publish rejects", async () => {
      const results = await makeResultsDir(tmp, "aborted");
      const controller = new AbortController();
      controller.abort(new Error("execution cancelled"));
      await assert.rejects(publisher.publish(request(results, "e-aborted", controller.signal)), /execution cancelled/);
    });

    await t.test("close can be called twice", async () => {
      await publisher.close();
      await publisher.close();
    });
  });
}
