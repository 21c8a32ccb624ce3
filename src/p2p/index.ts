/**
 * The node's libp2p host and everything around it: the RSA identity file (`private_key.<port>`), the
 * private swarm key (`swarm.key`), the connection protector that enforces it, the address a node
 * prints for others, and the GET /api/v1/peer lookup of a requester known only by its API address.
 *
 * @example
 * ```ts
 * const swarmKey = parseSwarmKey(createSwarmKey());
 * const host = await createP2PHost({ keyDir: repoDir, swarmPort: 1235, swarmKey });
 * console.log(`--peer ${host.printableAddress()}`);
 * await host.stop();
 * ```
 */
export { createP2PHost, DEFAULT_LISTEN_HOST, DEFAULT_SWARM_PORT } from "./host.ts";
export type { P2PHost, P2PHostOptions, P2PServices } from "./host.ts";
export { decodePeerKey, encodePeerKey, loadOrCreatePeerKey, peerKeyPath } from "./identity.ts";
export { createSwarmKey, parseSwarmKey, readSwarmKey, writeSwarmKey } from "./swarm-key.ts";
export { privateSwarm } from "./protector.ts";
export { isWebSocketAddress, pickAddress } from "./address.ts";
export { PEER_INFO_PATH, peerIdFromRequesterAPI, peerInfoResponse } from "./peer-info.ts";
export type { PeerInfoResponse } from "./peer-info.ts";
