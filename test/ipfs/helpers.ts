/** Real IPFS peers for the tests: each on its own libp2p host on 127.0.0.1, with a shared swarm key. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIpfsNode } from "../../src/ipfs/index.ts";
import type { IpfsNode } from "../../src/ipfs/index.ts";
import { createP2PHost, createSwarmKey, parseSwarmKey } from "../../src/p2p/index.ts";
import type { P2PHost } from "../../src/p2p/index.ts";

export interface AfterCapable {
  after(fn: () => unknown): void;
}

export interface Peer {
  host: P2PHost;
  ipfs: IpfsNode;
  dataDir: string;
  /** Stops IPFS then the host (each at most once). */
  stop(): Promise<void>;
}

/** Runs cleanups in reverse order when the test ends, pass or fail. */
export function cleanups(t: AfterCapable): (fn: () => unknown) => void {
  const fns: Array<() => unknown> = [];
  t.after(async () => {
    for (const fn of fns.reverse()) await fn();
  });
  return (fn) => fns.push(fn);
}

export async function tempDir(onCleanup: (fn: () => unknown) => void, prefix = "bxi-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export const testSwarmKey = (): Uint8Array => parseSwarmKey(createSwarmKey());

/** A peer whose identity key and blocks live in `dataDir` (so it can be restarted on the same dir). */
export async function startPeer(onCleanup: (fn: () => unknown) => void, dataDir: string, swarmKey: Uint8Array): Promise<Peer> {
  const host = await createP2PHost({ swarmPort: 0, listenHost: "127.0.0.1", keyDir: dataDir, swarmKey });
  let ipfs: IpfsNode;
  try {
    ipfs = await createIpfsNode({ libp2p: host.libp2p, dataDir });
  } catch (err) {
    await host.stop();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await ipfs.stop();
      await host.stop();
    })());
  onCleanup(stop);
  return { host, ipfs, dataDir, stop };
}

/** `n` peers on one swarm, all connected to each other. */
export async function swarm(onCleanup: (fn: () => unknown) => void, n: number): Promise<Peer[]> {
  const key = testSwarmKey();
  const peers: Peer[] = [];
  for (let i = 0; i < n; i++) peers.push(await startPeer(onCleanup, await tempDir(onCleanup, `bxi-peer${i}-`), key));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) await peers[i]!.host.libp2p.dial(peers[j]!.host.addresses());
  }
  return peers;
}
