import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { SpecConfig } from "../../src/models/types.ts";
import { createIpfsPublisher } from "../../src/publisher/ipfs/index.ts";
import { createIpfsSource } from "../../src/storage/ipfs/index.ts";
import { makeResultsDir, runPublisherSuite } from "../conformance/publisher.suite.ts";
import { cleanups, swarm, tempDir } from "./helpers.ts";
import type { Peer } from "./helpers.ts";

/** The publisher runs on node A; results are retrieved on node B, as another peer of the swarm would. */
let peers: Peer[] = [];

async function retrieve(published: SpecConfig, destDir: string): Promise<void> {
  assert.equal(published.Type, "ipfs");
  assert.equal(typeof published.Params?.CID, "string");
  await peers[1]!.ipfs.get(String(published.Params!.CID), destDir, { signal: AbortSignal.timeout(30_000) });
}

runPublisherSuite(
  "ipfs",
  async (env) => {
    peers = await swarm(env.onCleanup, 2);
    return createIpfsPublisher({ ipfs: peers[0]!.ipfs });
  },
  { Type: "ipfs" },
  retrieve,
);

test("ipfs publisher: results are pinned on the publishing node and read back as an ipfs input elsewhere", async (t) => {
  const onCleanup = cleanups(t);
  const [a, b] = await swarm(onCleanup, 2);
  const dir = await tempDir(onCleanup);
  const results = await makeResultsDir(dir, "e-1");
  const publisher = createIpfsPublisher({ ipfs: a!.ipfs });
  const out = await publisher.publish({
    jobID: "j-1",
    executionID: "e-1",
    resultsDir: results,
    publisher: { Type: "ipfs" },
    signal: new AbortController().signal,
  });
  const cid = String(out.Params?.CID);
  assert.equal(await a!.ipfs.isPinned(cid), true);
  await publisher.close();
  // Closing the publisher leaves the node's IPFS running.
  assert.equal(await a!.ipfs.has(cid), true);

  // The published spec is usable as an input spec as it is.
  const vol = await createIpfsSource({ ipfs: b!.ipfs }).prepare(
    { Source: out, Target: "/previous" },
    { jobID: "j-2", executionID: "e-2", workDir: dir, signal: AbortSignal.timeout(30_000) },
  );
  assert.equal(await readFile(join(vol.hostPath, "stdout"), "utf8"), "hello from e-1\n");
  assert.equal(createIpfsPublisher({ ipfs: a!.ipfs }).validate({ Type: "s3" })?.includes("s3"), true);
});
