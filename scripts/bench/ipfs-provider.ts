/**
 * The far side of the IPFS benchmark, run as its own process so that sender and receiver each have
 * an event loop (as two nodes would): it holds the test file and offers it three ways, on
 * 127.0.0.1 only: a plain TCP socket, a raw libp2p stream over the private swarm, and IPFS.
 *
 * Usage: ipfs-provider.ts DATA_DIR FILE SWARM_KEY_HEX ("-" for no swarm key). Prints one JSON line when ready
 * ({peer, addrs, cid, addMs, tcpPort}); then each stdin line "small" adds a fresh 1 KiB file and
 * prints {cid}, each line "cpu" prints {cpuMs} (CPU time used so far); stdin closing stops everything.
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { createIpfsNode } from "../../src/ipfs/index.ts";
import { createP2PHost } from "../../src/p2p/index.ts";
import { BLAST_PROTOCOL, blast } from "./ipfs-blast.ts";

async function main(): Promise<void> {
  const [dataDir, file, keyHex] = process.argv.slice(2);
  if (!dataDir || !file || !keyHex) throw new Error("usage: ipfs-provider.ts DATA_DIR FILE SWARM_KEY_HEX");
  const host = await createP2PHost({ swarmPort: 0, listenHost: "127.0.0.1", keyDir: dataDir, swarmKey: keyHex === "-" ? undefined : Buffer.from(keyHex, "hex") });
  const ipfs = await createIpfsNode({ libp2p: host.libp2p, dataDir });
  await host.libp2p.handle(BLAST_PROTOCOL, (stream) => void blast(stream, file).catch(() => stream.abort(new Error("blast failed"))));
  const tcp = createServer((socket) => createReadStream(file).pipe(socket));
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));

  const t0 = performance.now();
  const cid = await ipfs.add(file);
  const addMs = performance.now() - t0;
  const address = tcp.address();
  const tcpPort = typeof address === "object" && address ? address.port : 0;
  const say = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
  say({ peer: host.peerId, addrs: host.addresses().map(String), cid, addMs, tcpPort });

  let n = 0;
  for await (const line of createInterface({ input: process.stdin })) {
    // CPU time lets a benchmark on a busy machine tell work from waiting.
    if (line.trim() === "cpu") {
      const { user, system } = process.cpuUsage();
      say({ cpuMs: (user + system) / 1000 });
      continue;
    }
    if (line.trim() !== "small") continue;
    const path = join(dataDir, `small-${n++}.bin`);
    await writeFile(path, randomBytes(1024));
    say({ cid: await ipfs.add(path) });
  }
  await new Promise<void>((resolve) => tcp.close(() => resolve()));
  await ipfs.stop();
  await host.stop();
}

main().then(
  // A libp2p host that has listened keeps Deno alive after stop: leave explicitly.
  () => process.exit(0),
  (err) => {
    console.error(`ipfs-provider: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
