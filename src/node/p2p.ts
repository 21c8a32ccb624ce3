/**
 * The node's place on the private libp2p network: its host (identity, listeners, swarm key) and the
 * requester addresses a compute node dials, resolved from `--peer` values.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { NodeConfig } from "../config/config.ts";
import { BacalhauError } from "../models/errors.ts";
import { createP2PHost, createSwarmKey, peerIdFromRequesterAPI, readSwarmKey, writeSwarmKey, type P2PHost } from "../p2p/index.ts";

export interface NodeP2P {
  host: P2PHost;
  /** Where the swarm key lives, to tell the next node (never the key itself). */
  swarmKeyFile: string;
}

export async function startP2P(cfg: NodeConfig, isRequester: boolean): Promise<NodeP2P> {
  const swarmKeyFile = cfg.P2P.SwarmKeyFile || join(cfg.DataDir, "swarm.key");
  if (!existsSync(swarmKeyFile)) {
    if (!isRequester) {
      throw BacalhauError.badRequest(`a compute node needs its requester's swarm key; ${swarmKeyFile} does not exist`, {
        component: "P2P",
        hint: "copy swarm.key from the requester's data dir and pass it with --swarm-key FILE",
      });
    }
    // The network's first node makes the key, also where the operator asked for it (a unit's
    // environment file names the path before the key exists).
    await writeSwarmKey(swarmKeyFile, createSwarmKey());
  }
  const swarmKey = await readSwarmKey(swarmKeyFile);
  const host = await createP2PHost({
    swarmPort: cfg.P2P.SwarmPort,
    webSocketPort: cfg.P2P.WebSocketPort >= 0 ? cfg.P2P.WebSocketPort : undefined,
    listenHost: cfg.P2P.ListenHost,
    keyDir: cfg.P2P.KeyDir || cfg.DataDir,
    swarmKey,
  });
  return { host, swarmKeyFile };
}

/** `--peer` values → multiaddrs ending in /p2p/<PeerID>. API addresses are asked for their identity. */
export async function resolvePeers(peers: string[], signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  for (const raw of peers.flatMap((p) => p.split(",")).map((p) => p.trim()).filter(Boolean)) {
    if (raw === "none") continue;
    const httpAddr = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)\/https?$/.exec(raw);
    const api = /^https?:\/\//.test(raw) ? raw : httpAddr
      ? `${raw.endsWith("/https") ? "https" : "http"}://${httpAddr[1] === "ip6" ? `[${httpAddr[2]}]` : httpAddr[2]}:${httpAddr[3]}`
      : undefined;
    if (api) {
      const info = await peerIdFromRequesterAPI(api, signal);
      out.push(...info.Addrs);
      continue;
    }
    if (!raw.includes("/p2p/")) {
      throw BacalhauError.badRequest(`peer address ${raw} does not name a peer`, {
        component: "P2P",
        hint: "use the multiaddr printed by the requester (…/p2p/<PeerID>) or its API address, e.g. http://host:1234",
      });
    }
    out.push(raw);
  }
  return out;
}
