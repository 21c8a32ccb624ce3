import assert from "node:assert/strict";
import { lstat, mkdir, realpath, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import type { InputSource } from "../../src/models/types.ts";
import { createLocalSource } from "../../src/storage/local/index.ts";
import { runStorageSourceSuite } from "../conformance/storage.suite.ts";
import { tempDir } from "./helpers.ts";

const local = (params: Record<string, unknown>, target = "/inputs"): InputSource => ({
  Source: { Type: "local", Params: params },
  Target: target,
});

/** <root>/data (read-only allowed), <root>/scratch (rw allowed), <root>/secret (not allowed). */
async function layout(root: string): Promise<void> {
  await mkdir(join(root, "data/set/sub"), { recursive: true });
  await mkdir(join(root, "scratch"), { recursive: true });
  await mkdir(join(root, "secret"), { recursive: true });
  await mkdir(join(root, "database"), { recursive: true });
  await writeFile(join(root, "data/set/one.txt"), "1");
  await writeFile(join(root, "data/set/sub/two.txt"), "2");
  await writeFile(join(root, "secret/key"), "k");
}
const allowList = (root: string) => [join(root, "data"), join(root, "scratch") + ":rw"];

runStorageSourceSuite(
  "local",
  async (env) => {
    await layout(env.tmpDir);
    return createLocalSource({ allowListedLocalPaths: allowList(env.tmpDir) });
  },
  (env) => ({
    input: local({ SourcePath: join(env.tmpDir, "data/set") }),
    expect: { dir: { "one.txt": "1", "sub/two.txt": "2" } },
  }),
  (env) => [
    local({ SourcePath: join(env.tmpDir, "secret") }),
    local({}),
    local({ SourcePath: "relative/path" }),
    local({ SourcePath: join(env.tmpDir, "data/set"), ReadWrite: true }),
    local({ SourcePath: join(env.tmpDir, "data/set"), ReadWrite: "yes" }),
    local({ SourcePath: join(env.tmpDir, "data/set"), CreateAs: "folder" }),
    local({ SourcePath: join(env.tmpDir, "data/../secret") }),
    local({ SourcePath: join(env.tmpDir, "database") }),
  ],
);

async function setup(t: { after(fn: () => unknown): void }, list?: (root: string) => string[]) {
  const root = await realpath(await tempDir(t));
  await layout(root);
  const source = createLocalSource({ allowListedLocalPaths: (list ?? allowList)(root) });
  const workDir = join(root, "work");
  await mkdir(workDir);
  const prepare = (params: Record<string, unknown>) =>
    source.prepare(local(params), { jobID: "j", executionID: "e", workDir, signal: new AbortController().signal });
  return { root, source, prepare };
}

const refusedWith = (pattern: RegExp) => (err: unknown) =>
  err instanceof BacalhauError && pattern.test(err.message);

test("local: a path outside the allow-list is refused, naming the list and the fix", async (t) => {
  const { root, source, prepare } = await setup(t);
  const reason = source.validate(local({ SourcePath: join(root, "secret/key") }));
  assert.match(reason!, /not inside any allow-listed path/);
  assert.match(reason!, /AllowListedLocalPaths/);
  await assert.rejects(prepare({ SourcePath: join(root, "secret/key") }), refusedWith(/not inside/));
});

test("local: a symlink inside an allowed folder that points outside is refused", async (t) => {
  const { root, source, prepare } = await setup(t);
  await symlink(join(root, "secret"), join(root, "data/escape"));
  const input = { SourcePath: join(root, "data/escape") };
  assert.equal(source.validate(local(input)), undefined, "lexically it looks allowed");
  await assert.rejects(prepare(input), refusedWith(/resolves to .*secret.*not allowed/));
  // A link that stays inside is fine, and the volume points at the real folder.
  await symlink(join(root, "data/set"), join(root, "data/alias"));
  const vol = await prepare({ SourcePath: join(root, "data/alias") });
  assert.equal(vol.hostPath, join(root, "data/set"));
});

test("local: ReadWrite needs an allow-list entry with :rw", async (t) => {
  const { root, source, prepare } = await setup(t);
  assert.match(source.validate(local({ SourcePath: join(root, "data/set"), ReadWrite: true }))!, /':rw'/);
  await assert.rejects(prepare({ SourcePath: join(root, "data/set"), ReadWrite: "true" }), refusedWith(/read-only/));
  const rw = await prepare({ SourcePath: join(root, "scratch"), ReadWrite: "true" });
  assert.equal(rw.readOnly, false);
  const ro = await prepare({ sourcepath: join(root, "scratch"), readwrite: false });
  assert.equal(ro.readOnly, true);
});

test("local: CreateAs makes a missing dir or file, only where writing is allowed", async (t) => {
  const { root, prepare } = await setup(t);
  const dir = await prepare({ SourcePath: join(root, "scratch/new/dir"), CreateAs: "dir", ReadWrite: true });
  assert.ok((await lstat(dir.hostPath)).isDirectory());
  const file = await prepare({ SourcePath: join(root, "scratch/out.txt"), CreateAs: "file", ReadWrite: true });
  assert.ok((await lstat(file.hostPath)).isFile());
  await assert.rejects(prepare({ SourcePath: join(root, "data/missing"), CreateAs: "dir" }), refusedWith(/cannot create/));
  await assert.rejects(prepare({ SourcePath: join(root, "data/missing") }), refusedWith(/does not exist/));
  assert.equal(await lstat(join(root, "data/missing")).catch(() => undefined), undefined);
});

test("local: glob entries allow what they match and everything inside it", async (t) => {
  const { root, source } = await setup(t, (r) => [join(r, "data/*")]);
  assert.equal(source.validate(local({ SourcePath: join(root, "data/set/sub/two.txt") })), undefined);
  assert.match(source.validate(local({ SourcePath: join(root, "data") }))!, /not inside/);
});

test("local: with an empty allow-list the source is not installed and says how to enable it", async () => {
  const source = createLocalSource({ allowListedLocalPaths: [] });
  assert.equal(await source.isInstalled(), false);
  assert.match(source.validate(local({ SourcePath: "/data" }))!, /Compute\.AllowListedLocalPaths/);
});

test("local: hasLocalCopy and size", async (t) => {
  const { root, source } = await setup(t);
  assert.equal(await source.hasLocalCopy!(local({ SourcePath: join(root, "data/set") })), true);
  assert.equal(await source.hasLocalCopy!(local({ SourcePath: join(root, "data/nope") })), false);
  assert.equal(await source.hasLocalCopy!(local({ SourcePath: join(root, "secret") })), false);
  assert.equal(await source.size!(local({ SourcePath: join(root, "data/set") })), 0);
});
