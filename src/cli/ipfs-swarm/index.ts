/**
 * The CLI on the private IPFS swarm without a node of its own: when swarm addresses are given
 * (`--ipfs-swarm-addrs` or BACALHAU_IPFS_SWARM_ADDRESSES), `job get`, `ipfs get` and `ipfs add` start
 * a short-lived libp2p host + Helia, dial those peers, move blocks by bitswap, and remove everything
 * when done. `ipfs add` waits until a peer has pinned what it added (PIN_PROTOCOL) before it exits.
 *
 * @example
 * ```ts
 * const settings = swarmSettings(ctx.flags, ctx.io.env, ctx.io.cwd);
 * if (settings) {
 *   const client = await startSwarmClient({ addresses: settings.addresses, swarmKey: await loadSwarmKey(settings) });
 *   try {
 *     const cid = await client.ipfs.add("./data", { pin: false });
 *     await client.pinRemotely(cid);
 *   } finally {
 *     await client.stop();
 *   }
 * }
 * ```
 */
export { IPFS_SWARM_FLAGS, loadSwarmKey, SWARM_ADDRESSES_ENV, SWARM_KEY_ENV, swarmSettings } from "./options.ts";
export type { SwarmSettings } from "./options.ts";
export { startSwarmClient } from "../../ipfs/swarm-client.ts";
export type { SwarmClient, SwarmClientOptions } from "../../ipfs/swarm-client.ts";
