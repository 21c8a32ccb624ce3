/**
 * A short-lived IPFS node for one command (the CLI's `ipfs add`, `ipfs get` and `job get`): a fresh
 * identity, a libp2p host listening on loopback only, Helia with its blocks in a temp folder,
 * connected to the given swarm peers. `stop()` shuts it down and removes the folder, so the command
 * leaves nothing behind.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair } from "@libp2p/crypto/keys";
import type { PeerId } from "@libp2p/interface";
import { multiaddr } from "@multiformats/multiaddr";
import { createIpfsNode } from "./node.ts";
import type { IpfsNode } from "./node.ts";
import { requestPin } from "./pin-protocol.ts";
import { BacalhauError } from "../models/errors.ts";
import { createP2PHost } from "../p2p/host.ts";
import type { P2PHost } from "../p2p/host.ts";

export interface SwarmClientOptions {
  /** Peers to dial (multiaddrs, ideally ending in /p2p/<PeerID>). At least one must answer. */
  addresses: string[];
  swarmKey: Uint8Array;
  /** How long each dial may take. Default 10 s. */
  dialTimeoutMs?: number;
}

export interface SwarmClient {
  readonly ipfs: IpfsNode;
  /** The peers that answered, in the order their addresses were given. */
  readonly peers: PeerId[];
  /** Asks the connected peers, in order, to pin `cid` until one has (it fetches the blocks from us). */
  pinRemotely(cid: string, signal?: AbortSignal): Promise<PeerId>;
  stop(): Promise<void>;
}

const COMPONENT = "IPFSClient";

export async function startSwarmClient(opts: SwarmClientOptions): Promise<SwarmClient> {
  const dir = await mkdtemp(join(tmpdir(), "bacalhau-ipfs-client-"));
  let host: P2PHost | undefined;
  let ipfs: IpfsNode | undefined;
  const stop = async () => {
    await ipfs?.stop().catch(() => undefined);
    await host?.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // A throwaway Ed25519 identity: nothing remembers this client, and RSA would cost a keygen.
    host = await createP2PHost({
      swarmPort: 0,
      listenHost: "127.0.0.1",
      privateKey: await generateKeyPair("Ed25519"),
      swarmKey: opts.swarmKey,
    });
    ipfs = await createIpfsNode({ libp2p: host.libp2p, dataDir: dir });
    const peers = await dialAll(host, opts.addresses, opts.dialTimeoutMs ?? 10_000);
    const libp2p = host.libp2p;
    const node = ipfs;
    return {
      ipfs: node,
      peers,
      async pinRemotely(cid, signal) {
        const failures: string[] = [];
        for (const peer of peers) {
          try {
            await requestPin(libp2p, peer, cid, { signal });
            return peer;
          } catch (err) {
            signal?.throwIfAborted();
            failures.push((err as Error).message);
          }
        }
        throw new BacalhauError(`no swarm peer kept ${cid}: ${failures.join("; ")}`, {
          code: "ServiceUnavailable",
          component: COMPONENT,
          hint: "give the address of a node started with --private-internal-ipfs (the requester prints it as BACALHAU_IPFS_SWARM_ADDRESSES)",
        });
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function dialAll(host: P2PHost, addresses: string[], timeoutMs: number): Promise<PeerId[]> {
  const failures: string[] = [];
  const peers: PeerId[] = [];
  for (const addr of addresses) {
    try {
      const conn = await host.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(timeoutMs) });
      if (!peers.some((p) => p.equals(conn.remotePeer))) peers.push(conn.remotePeer);
    } catch (err) {
      failures.push(`${addr}: ${(err as Error).message}`);
    }
  }
  if (peers.length === 0) {
    throw new BacalhauError(`cannot reach any IPFS swarm peer (${failures.join("; ")})`, {
      code: "ServiceUnavailable",
      component: COMPONENT,
      hint: "check the addresses (the requester prints BACALHAU_IPFS_SWARM_ADDRESSES) and that --swarm-key is the requester's swarm.key",
    });
  }
  return peers;
}
