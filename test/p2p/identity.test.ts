import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createP2PHost } from "../../src/p2p/host.ts";
import { decodePeerKey, loadOrCreatePeerKey, peerKeyPath } from "../../src/p2p/identity.ts";

test("the RSA key file is created 0600 as base64 plus a newline, and reused (same PeerID)", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "bxp-id-"));
  t.after(() => rm(dir, { recursive: true, force: true }));

  const first = await createP2PHost({ keyDir: dir, swarmPort: 0, listenHost: "127.0.0.1" });
  const firstID = first.peerId;
  await first.stop();

  const path = peerKeyPath(dir, 0);
  assert.equal(path, join(dir, "private_key.0"));
  const info = await stat(path);
  if (process.platform !== "win32") assert.equal(info.mode & 0o777, 0o600);
  const text = await readFile(path, "utf8");
  assert.match(text, /^[A-Za-z0-9+/]+=*\n$/);
  assert.equal(decodePeerKey(text).type, "RSA");
  // RSA PeerIDs are sha256 multihashes in base58: "Qm…".
  assert.match(firstID, /^Qm[1-9A-HJ-NP-Za-km-z]{44}$/);

  const second = await createP2PHost({ keyDir: dir, swarmPort: 0, listenHost: "127.0.0.1" });
  t.after(() => second.stop());
  assert.equal(second.peerId, firstID);
  assert.equal(await readFile(path, "utf8"), text, "the key file is not rewritten");
});

test("each swarm port has its own identity file", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "bxp-id-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const a = await loadOrCreatePeerKey(join(dir, "nested"), 1235);
  const b = await loadOrCreatePeerKey(join(dir, "nested"), 1236);
  const again = await loadOrCreatePeerKey(join(dir, "nested"), 1235);
  assert.ok(a.equals(again));
  assert.ok(!a.equals(b));
  await stat(join(dir, "nested", "private_key.1235"));
  await stat(join(dir, "nested", "private_key.1236"));
});

test("a corrupt key file is an error with a hint, not a silent new identity", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "bxp-id-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { writeFile } = await import("node:fs/promises");
  await writeFile(peerKeyPath(dir, 7), "bm90IGEga2V5\n");
  await assert.rejects(loadOrCreatePeerKey(dir, 7), (err: unknown) => {
    assert.match((err as Error).message, /private_key\.7/);
    return true;
  });
});
