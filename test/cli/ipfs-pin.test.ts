/** The pin protocol a short-lived CLI node uses to hand what it added to a node of the swarm. */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { PIN_PROTOCOL, requestPin, servePinRequests } from "../../src/ipfs/pin-protocol.ts";
import { cleanups, swarm, tempDir } from "../ipfs/helpers.ts";

test("pin protocol: the peer fetches and pins what the asker holds, and says why when it cannot", async (t) => {
  const onCleanup = cleanups(t);
  const [keeper, asker] = await swarm(onCleanup, 2);
  onCleanup(await servePinRequests(keeper!.host.libp2p, keeper!.ipfs, { tmpDir: await tempDir(onCleanup) }));
  const dir = await tempDir(onCleanup);
  await mkdir(join(dir, "folder/sub"), { recursive: true });
  for (let i = 0; i < 50; i++) await writeFile(join(dir, "folder/sub", `f${i}.txt`), `file ${i}`);
  await writeFile(join(dir, "one.txt"), "a single file");
  const keeperId = keeper!.host.libp2p.peerId;

  await t.test("a folder and a file end up pinned, whole, on the peer", async () => {
    for (const path of [join(dir, "folder"), join(dir, "one.txt")]) {
      const cid = await asker!.ipfs.add(path, { pin: false });
      assert.equal(await keeper!.ipfs.has(cid), false);
      await requestPin(asker!.host.libp2p, keeperId, cid);
      assert.equal(await keeper!.ipfs.isPinned(cid), true);
      assert.equal(await keeper!.ipfs.has(cid), true);
      // Asking again is fine: already pinned.
      await requestPin(asker!.host.libp2p, keeperId, cid);
    }
  });

  await t.test("a malformed CID is refused with the reason", async () => {
    await assert.rejects(requestPin(asker!.host.libp2p, keeperId, "not-a-cid"), /could not pin not-a-cid: .*not a valid CID/);
  });

  await t.test("a peer that does not serve the protocol: the error names the fix", async () => {
    await assert.rejects(requestPin(keeper!.host.libp2p, asker!.host.libp2p.peerId, "bafybeid2niko3tosc3f4gmvjmgnlnodaq5p6akhnld74zg3fbgzmdscw3e"), (err: Error) => {
      assert.match(err.message, new RegExp(`cannot ask .* to pin`));
      assert.match((err as { hint?: string }).hint ?? "", /--private-internal-ipfs/);
      return true;
    });
    assert.equal(PIN_PROTOCOL, "/bacalhau-edge/ipfs/pin/1.0.0");
  });
});
