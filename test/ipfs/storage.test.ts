import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import type { InputSource } from "../../src/models/types.ts";
import { createIpfsSource } from "../../src/storage/ipfs/index.ts";
import { runStorageSourceSuite } from "../conformance/storage.suite.ts";
import { cleanups, swarm, tempDir } from "./helpers.ts";
import type { Peer } from "./helpers.ts";

const ipfsInput = (params: Record<string, unknown>, target = "/inputs"): InputSource => ({
  Source: { Type: "ipfs", Params: params },
  Target: target,
});

/** Node A holds a folder; the source under test runs on node B and must fetch it from A. */
let peers: Promise<Peer[]> | undefined;
let folderCid: Promise<string> | undefined;

runStorageSourceSuite(
  "ipfs",
  async (env) => {
    peers = swarm(env.onCleanup, 2);
    const [a, b] = await peers;
    folderCid = (async () => {
      const dir = join(env.tmpDir, "data");
      await mkdir(join(dir, "sub"), { recursive: true });
      await writeFile(join(dir, "one.txt"), "1");
      await writeFile(join(dir, "sub/two.txt"), "2");
      return a!.ipfs.add(dir);
    })();
    return createIpfsSource({ ipfs: b!.ipfs });
  },
  async () => ({ input: ipfsInput({ CID: await folderCid! }), expect: { dir: { "one.txt": "1", "sub/two.txt": "2" } } }),
  () => [
    ipfsInput({ CID: "not-a-cid" }),
    ipfsInput({}),
    ipfsInput({ CID: 42 }),
    ipfsInput({ CID: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy/inner/path" }),
  ],
);

test("ipfs source: a file CID becomes a file volume; data locality follows the blocks", async (t) => {
  const onCleanup = cleanups(t);
  const [a, b] = await swarm(onCleanup, 2);
  const dir = await tempDir(onCleanup);
  await writeFile(join(dir, "model.bin"), new Uint8Array([1, 2, 3, 4]));
  const cid = await a!.ipfs.add(join(dir, "model.bin"));
  const onA = createIpfsSource({ ipfs: a!.ipfs });
  const onB = createIpfsSource({ ipfs: b!.ipfs });
  const input = ipfsInput({ cid: `ipfs://${cid}` }, "/model.bin");

  assert.equal(onB.validate(input), undefined);
  assert.equal(await onA.hasLocalCopy!(input), true);
  assert.equal(await onB.hasLocalCopy!(input), false);
  assert.equal(await onA.size!(input), 4);
  assert.equal(await onB.size!(input), undefined);

  const workDir = join(dir, "work");
  await mkdir(workDir);
  const vol = await onB.prepare(input, { jobID: "j", executionID: "e", workDir, signal: AbortSignal.timeout(30_000) });
  assert.equal(vol.readOnly, true);
  assert.equal(vol.target, "/model.bin");
  assert.deepEqual(new Uint8Array(await readFile(vol.hostPath)), new Uint8Array([1, 2, 3, 4]));
  assert.equal(await onB.hasLocalCopy!(input), true);
});

test("ipfs source: a CID no peer holds ends with a timeout error that says what to do", async (t) => {
  const onCleanup = cleanups(t);
  const [a] = await swarm(onCleanup, 1);
  const source = createIpfsSource({ ipfs: a!.ipfs, fetchTimeoutMs: 500 });
  const workDir = await tempDir(onCleanup);
  const input = ipfsInput({ CID: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy" });
  await assert.rejects(
    source.prepare(input, { jobID: "j", executionID: "e", workDir, signal: new AbortController().signal }),
    (err: unknown) => err instanceof BacalhauError && err.code === "TimeOutError" && err.failsExecution && /no peer/.test(err.message),
  );
});
