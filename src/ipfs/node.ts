/**
 * The embedded IPFS node: Helia on the node's own libp2p host, so IPFS shares its identity, its
 * listeners and its private swarm key. It is built light on purpose: bitswap is the only way blocks
 * move, there is no DHT, no delegated HTTP routing, no HTTP gateway and no discovery of its own. It
 * trades blocks with the peers the host is connected to and, when none has a block, with the IPFS
 * peers those peers are connected to (peer-exchange.ts): all members of the private swarm.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { withBitswap } from "@helia/bitswap";
import { unixfs } from "@helia/unixfs";
import type { UnixFS } from "@helia/unixfs";
import type { Libp2p, ServiceMap } from "@libp2p/interface";
import { FsDatastore } from "datastore-fs";
import { createHeliaLight } from "helia";
import type { CID } from "multiformats/cid";
import { BacalhauError } from "../models/errors.ts";
import { ArrivingBlocks } from "./arriving-blocks.ts";
import { DedupFsBlockstore } from "./blockstore.ts";
import { parseCid } from "./cid.ts";
import { fetchDag, serveDags } from "./dag-transfer.ts";
import { exportCid, type ExportedKind } from "./export-fs.ts";
import { importPath } from "./import-fs.ts";
import { hasWholeDag, IDENTITY_HASH } from "./local-dag.ts";
import { servePeerList, swarmPeersRouter } from "./peer-exchange.ts";

export interface IpfsNodeOptions {
  /** The node's started libp2p host. The IPFS node never stops it: its owner does. */
  libp2p: Libp2p<ServiceMap>;
  /** The node's data dir; blocks and pins live under `<dataDir>/ipfs/`. */
  dataDir: string;
}

export interface IpfsCallOptions {
  signal?: AbortSignal;
}

export interface IpfsAddOptions extends IpfsCallOptions {
  /** Keep the content through garbage collection. Default true, like `ipfs add`. */
  pin?: boolean;
}

export interface IpfsDescription {
  peerId: string;
  /** Where blocks and pins live. */
  repo: string;
  /** Helia's block brokers: only "bitswap". (A missing DAG is first asked for whole from connected
   *  swarm peers, see dag-transfer.ts; bitswap fetches whatever that did not bring.) */
  blockBrokers: string[];
  /** Content routers: only "swarm-peers" (asks connected swarm peers); never a DHT or delegated HTTP. */
  routers: string[];
}

export interface IpfsNode {
  /** The base58 PeerID (the host's). */
  readonly peerId: string;
  /** Adds a file or a folder (as UnixFS) and returns its CID. */
  add(path: string, opts?: IpfsAddOptions): Promise<string>;
  /** The bytes of a file CID, fetched from the swarm when not held locally. */
  cat(cid: string, opts?: IpfsCallOptions): AsyncIterable<Uint8Array>;
  /** Writes the file or folder behind `cid` at `dest` (which must not exist yet). */
  get(cid: string, dest: string, opts?: IpfsCallOptions): Promise<ExportedKind>;
  /** Fetches every block of `cid` if needed and keeps them through garbage collection. */
  pin(cid: string, opts?: IpfsCallOptions): Promise<void>;
  unpin(cid: string, opts?: IpfsCallOptions): Promise<void>;
  isPinned(cid: string, opts?: IpfsCallOptions): Promise<boolean>;
  /** The CIDs pinned on this node (the dashboard's pin list). */
  listPins(opts?: IpfsCallOptions): Promise<string[]>;
  /** True when every block of `cid` is on this node's disk. Never asks the network. */
  has(cid: string, opts?: IpfsCallOptions): Promise<boolean>;
  /** The UnixFS type and size of a CID (fetches its root block when needed). */
  stat(cid: string, opts?: IpfsCallOptions): Promise<{ type: "file" | "directory" | "raw"; size: bigint }>;
  /** How this node reaches others, for `agent config`-style reports and the no-public-dial test. */
  describe(): IpfsDescription;
  /** Stops IPFS (bitswap, stores). The libp2p host keeps running. Idempotent. */
  stop(): Promise<void>;
}

const COMPONENT = "IPFS";

/** Rethrows: the caller's abort reason when it aborted, else a BacalhauError saying what failed. */
function fail(err: unknown, what: string, signal?: AbortSignal): never {
  signal?.throwIfAborted();
  if (err instanceof BacalhauError) throw err;
  throw new BacalhauError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { component: COMPONENT, cause: err });
}

/** Creates and starts the IPFS node. Call `stop()` before stopping the libp2p host. */
export async function createIpfsNode(opts: IpfsNodeOptions): Promise<IpfsNode> {
  const root = join(opts.dataDir, "ipfs");
  await mkdir(root, { recursive: true });
  const blockstore = new DedupFsBlockstore(join(root, "blocks"));
  const datastore = new FsDatastore(join(root, "datastore"));
  await blockstore.open();
  await datastore.open();

  // One router, which only asks connected swarm peers for their IPFS peers; no DHT, no delegated
  // routing, no gateways, no other block brokers.
  const light = createHeliaLight({ blockstore, datastore, routers: [swarmPeersRouter(opts.libp2p)], blockBrokers: [] });
  const helia = withBitswap(Object.assign(light, { libp2p: opts.libp2p }), { sendWantlistDebounce: 1, sendBlocksDebounce: 1 });
  const stopServing: Array<() => Promise<void>> = [];
  try {
    await helia.start();
    stopServing.push(await servePeerList(opts.libp2p));
    stopServing.push(await serveDags(opts.libp2p, blockstore, helia.getCodec));
  } catch (err) {
    await helia.stop().catch(() => undefined);
    await Promise.allSettled([blockstore.close(), datastore.close()]);
    fail(err, "cannot start IPFS");
  }
  const fs: UnixFS = unixfs(helia);
  let stopped: Promise<void> | undefined;

  const ensureRunning = () => {
    if (stopped) throw new BacalhauError("the IPFS node is stopped", { code: "ServiceUnavailable", component: COMPONENT });
  };

  /**
   * A DAG whose root is not here is first asked for whole from a swarm peer (dag-transfer.ts);
   * the walk that follows finds those blocks on disk and fetches anything still missing by bitswap.
   */
  /** Whether the root block needs no fetching: inline in its CID, or on disk. */
  async function rootIsHere(cid: CID, signal?: AbortSignal): Promise<boolean> {
    return cid.multihash.code === IDENTITY_HASH || (await blockstore.has(cid, { signal }));
  }

  async function prefetch(cid: CID, signal?: AbortSignal): Promise<void> {
    if (await rootIsHere(cid, signal)) return;
    try {
      await fetchDag(opts.libp2p, blockstore, helia.getCodec, cid, { signal });
    } catch {
      // Nothing lost but time: bitswap fetches whatever did not arrive.
      signal?.throwIfAborted();
    }
  }

  /**
   * What to export `cid` with. When its root is not here, the DAG is asked for whole from a swarm
   * peer and the export reads each block as it lands; `done` settles when that stream is over.
   */
  async function exportSource(cid: CID, signal: AbortSignal): Promise<{ fs: UnixFS; done: Promise<void> }> {
    if (await rootIsHere(cid, signal)) return { fs, done: Promise.resolve() };
    const arriving = new ArrivingBlocks();
    const done = fetchDag(opts.libp2p, blockstore, helia.getCodec, cid, { signal, onStored: (c, bytes) => arriving.stored(c, bytes) })
      .then(() => undefined, () => undefined)
      .finally(() => arriving.ended());
    return { fs: unixfs({ blockstore: arriving.view(helia.blockstore) }), done };
  }

  async function pin(cid: CID, signal?: AbortSignal): Promise<void> {
    if (await helia.pins.isPinned(cid, { signal })) return;
    await prefetch(cid, signal);
    // Pinning walks the DAG, fetching whatever is missing, then records the pin.
    for await (const _ of helia.pins.add(cid, { signal })) void _;
  }

  return {
    peerId: opts.libp2p.peerId.toString(),

    async add(path, o = {}) {
      ensureRunning();
      try {
        const cid = await importPath(fs, path, o);
        if (o.pin ?? true) await pin(cid, o.signal);
        return cid.toString();
      } catch (err) {
        fail(err, `cannot add ${path}`, o.signal);
      }
    },

    cat(cid, o = {}) {
      ensureRunning();
      return fs.cat(parseCid(cid, COMPONENT), { signal: o.signal });
    },

    async get(cid, dest, o = {}) {
      ensureRunning();
      const parsed = parseCid(cid, COMPONENT);
      // One failed file stops the others too.
      const controller = new AbortController();
      const signal = o.signal ? AbortSignal.any([o.signal, controller.signal]) : controller.signal;
      try {
        const source = await exportSource(parsed, signal);
        const kind = await exportCid(source.fs, parsed, dest, { signal });
        await source.done;
        return kind;
      } catch (err) {
        controller.abort(err);
        fail(err, `cannot get ${cid}`, o.signal);
      }
    },

    async pin(cid, o = {}) {
      ensureRunning();
      try {
        await pin(parseCid(cid, COMPONENT), o.signal);
      } catch (err) {
        fail(err, `cannot pin ${cid}`, o.signal);
      }
    },

    async unpin(cid, o = {}) {
      ensureRunning();
      const parsed = parseCid(cid, COMPONENT);
      if (!(await helia.pins.isPinned(parsed, o))) return;
      for await (const _ of helia.pins.rm(parsed, o)) void _;
    },

    async isPinned(cid, o = {}) {
      ensureRunning();
      return helia.pins.isPinned(parseCid(cid, COMPONENT), o);
    },

    async listPins(o = {}) {
      ensureRunning();
      const cids: string[] = [];
      for await (const p of helia.pins.ls({ signal: o.signal })) cids.push(p.cid.toString());
      return cids;
    },

    async has(cid, o = {}) {
      ensureRunning();
      return hasWholeDag(blockstore, helia.getCodec, parseCid(cid, COMPONENT), o.signal);
    },

    async stat(cid, o = {}) {
      ensureRunning();
      const s = await fs.stat(parseCid(cid, COMPONENT), { signal: o.signal });
      return { type: s.type, size: s.size };
    },

    describe() {
      // Helia keeps both lists private; read them so a test notices if a router ever appears.
      type Named = Array<{ name?: string }>;
      const routers = (light.routing as unknown as { routers?: Named }).routers;
      const brokers = (light as unknown as { blockBrokers?: Named }).blockBrokers;
      const names = (list: Named | undefined) => (list === undefined ? ["<unknown>"] : list.map((x) => x.name ?? "<unnamed>"));
      return {
        peerId: opts.libp2p.peerId.toString(),
        repo: root,
        blockBrokers: names(brokers),
        routers: names(routers),
      };
    },

    stop() {
      stopped ??= (async () => {
        for (const stop of stopServing) await stop();
        await helia.stop();
        await Promise.allSettled([blockstore.close(), datastore.close()]);
      })();
      return stopped;
    },
  };
}
