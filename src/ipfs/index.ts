/**
 * The embedded IPFS node (Helia) that a bacalhau-edge node runs on its own libp2p host when
 * `--private-internal-ipfs` is on. It joins only the private swarm: same identity, same swarm key,
 * blocks move by bitswap between connected peers, nothing is looked up or announced outside.
 * Blocks and pins persist under `<dataDir>/ipfs/`.
 *
 * @example
 * ```ts
 * const host = await createP2PHost({ keyDir: dataDir, swarmKey });
 * const ipfs = await createIpfsNode({ libp2p: host.libp2p, dataDir });
 * const cid = await ipfs.add("./results");     // pinned
 * await ipfs.get(cid, "/tmp/copy");             // file or folder, streamed to disk
 * await ipfs.stop();                            // before host.stop()
 * ```
 */
export { createIpfsNode } from "./node.ts";
export type { IpfsAddOptions, IpfsCallOptions, IpfsDescription, IpfsNode, IpfsNodeOptions } from "./node.ts";
export type { ExportedKind } from "./export-fs.ts";
export { parseCid, tryParseCid } from "./cid.ts";
