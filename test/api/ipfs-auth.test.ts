// `POST /api/v1/ipfs/add` through the full API: adding content is a write (write:job), and an upload
// larger than the node's bound (IPFS.MaxAddBytes) is refused without being stored.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { compileUsers } from "../../src/api/auth/users.ts";
import { packPathToTarGz } from "../../src/codec/tar/index.ts";
import { cleanups, swarm, tempDir } from "../ipfs/helpers.ts";
import { apiError, startHarness } from "./harness.ts";

test("ipfs add needs write rights and is bounded in size", async (t) => {
  const onCleanup = cleanups(t);
  const [peer] = await swarm(onCleanup, 1);
  const dir = await tempDir(onCleanup);
  const h = await startHarness(t, {
    ipfs: peer!.ipfs,
    tmpDir: join(dir, "staging"),
    maxIpfsAddBytes: 4096,
    auth: {
      users: compileUsers([
        { APIKey: "writer-key-0123456789abcdef", Capabilities: [{ Actions: ["write:job"] }] },
        { APIKey: "reader-key-0123456789abcdef", Capabilities: [{ Actions: ["read:*"] }] },
      ]),
      allowAnonymous: false,
      anonymousLoopback: false,
    },
  });
  await mkdir(join(dir, "small"));
  await writeFile(join(dir, "small/a.txt"), "small enough\n");
  await mkdir(join(dir, "big"));
  await writeFile(join(dir, "big/b.bin"), new Uint8Array(64 * 1024));
  const add = async (folder: string, key?: string) =>
    fetch(`${h.url}/api/v1/ipfs/add?kind=dir`, {
      method: "POST",
      headers: { "content-type": "application/gzip", ...(key ? { Authorization: `Bearer ${key}` } : {}) },
      body: new Uint8Array(await packPathToTarGz(join(dir, folder))),
    });

  await apiError(await add("small"), 401);
  await apiError(await add("small", "reader-key-0123456789abcdef"), 403);
  const tooBig = await apiError(await add("big", "writer-key-0123456789abcdef"), 429);
  assert.match(String(tooBig.Message), /4096-byte limit/);
  const ok = await add("small", "writer-key-0123456789abcdef");
  assert.equal(ok.status, 200);
  const { CID } = await ok.json() as { CID: string };
  assert.equal(await peer!.ipfs.isPinned(CID), true);
  assert.deepEqual(await readdir(join(dir, "staging")), []);
});
