/**
 * The CLI's result and IPFS fetchers and the `--peer http://…` look-up against python's
 * http.server: its HTTP/1.0 bodies end when the connection closes, which made Node's global fetch
 * abort the whole process when the reader was applying backpressure.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import { downloadResults } from "../../src/cli/results/download.ts";
import { apiIpfsFetcher } from "../../src/cli/results/ipfs-fetchers.ts";
import { peerIdFromRequesterAPI } from "../../src/p2p/peer-info.ts";
import { startPythonServer } from "../helpers/http-servers.ts";
import { buildTarGz, tempDir } from "../storage/helpers.ts";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function site(t: { after(fn: () => unknown): void }) {
  const root = await tempDir(t);
  const big = randomBytes(4 * 1024 * 1024);
  const archive = buildTarGz([{ name: "stdout", content: "Hello, IPFS" }, { name: "outputs/big.bin", content: big }]);
  writeFileSync(join(root, "e-1.tar.gz"), archive);
  mkdirSync(join(root, "api/v1/ipfs/get"), { recursive: true });
  writeFileSync(join(root, "api/v1/ipfs/get/bafyresult"), archive);
  writeFileSync(join(root, "api/v1/peer"), JSON.stringify({ ID: "12D3KooWPeer", Addrs: ["/ip4/10.0.0.5/tcp/1235"] }));
  // Not a requester: a large answer, read in full by global fetch (and able to kill the process doing so).
  mkdirSync(join(root, "huge/api/v1"), { recursive: true });
  writeFileSync(join(root, "huge/api/v1/peer"), JSON.stringify({ ID: "x", Addrs: [], pad: randomBytes(24 * 1024 * 1024).toString("base64") }));
  return { root, big, archive, url: await startPythonServer(t, root) };
}

test("job get: a urlDownload result from python's http.server, extracted and raw", async (t) => {
  const s = await site(t);
  const out = await tempDir(t);
  const warn = (msg: string) => assert.fail(msg);
  const result = { Type: "urlDownload", Params: { URL: `${s.url}/e-1.tar.gz` } };
  assert.equal(await downloadResults([result], { outputDir: out, raw: false, timeoutSecs: 60, warn }), 1);
  assert.equal(readFileSync(join(out, "stdout"), "utf8"), "Hello, IPFS");
  assert.equal(sha(readFileSync(join(out, "outputs/big.bin"))), sha(s.big));
  const raw = await tempDir(t);
  assert.equal(await downloadResults([result], { outputDir: raw, raw: true, timeoutSecs: 60, warn }), 1);
  assert.equal(sha(readFileSync(join(raw, "e-1.tar.gz"))), sha(s.archive));
});

test("ipfs get through an API served close-delimited (the same client as job get)", async (t) => {
  const s = await site(t);
  const dest = join(await tempDir(t), "bafyresult");
  await apiIpfsFetcher({ baseUrl: s.url }).fetch("bafyresult", dest, AbortSignal.timeout(60_000));
  assert.equal(readFileSync(join(dest, "stdout"), "utf8"), "Hello, IPFS");
  assert.equal(sha(readFileSync(join(dest, "outputs/big.bin"))), sha(s.big));
});

test("--peer http://…: the PeerID look-up reads a close-delimited answer and refuses a huge one", async (t) => {
  const s = await site(t);
  assert.deepEqual(await peerIdFromRequesterAPI(s.url), {
    ID: "12D3KooWPeer",
    Addrs: ["/ip4/10.0.0.5/tcp/1235/p2p/12D3KooWPeer"],
  });
  await assert.rejects(peerIdFromRequesterAPI(`${s.url}/huge`), (err: unknown) => {
    assert.ok(err instanceof BacalhauError);
    assert.equal(err.code, "ServiceUnavailable");
    assert.match(err.message, /did not answer with a peer identity \(HTTP 200, answer of \d+ bytes is over the 1048576 bytes expected at most\)/);
    return true;
  });
});
