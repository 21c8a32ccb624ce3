/**
 * Finding blocks beyond the peers we are connected to, without leaving the swarm. Compute nodes
 * connect to their requester, not to each other, and bitswap only asks connected peers; so when a
 * block is wanted, this router asks each connected peer which other IPFS peers it is connected to
 * and offers them to bitswap as possible providers (bitswap then dials them and sends its
 * wantlist). Addresses come only from swarm members, and a dial succeeds only with the swarm key.
 */
import type { Libp2p, PeerId, ServiceMap } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { multiaddr } from "@multiformats/multiaddr";
import type { Provider, Router } from "helia";
import { readLine } from "./stream-line.ts";

export const PEERS_PROTOCOL = "/bacalhau-edge/ipfs/peers/1.0.0";
const BITSWAP_PROTOCOL = "/ipfs/bitswap/1.2.0";
const MAX_ANSWER_BYTES = 256 * 1024;
/** A peer asks once per round; a few more cover overlapping rounds. */
export const MAX_ASKS_PER_CONNECTION = 8;
const ASK_TIMEOUT_MS = 5_000;
/** Bitswap asks the router at once for every block; most blocks come from a connected peer within
 *  this time, and then nobody is asked. */
const ASK_DELAY_MS = 300;
/** One round of asking serves every want for this long. */
const ANSWER_TTL_MS = 2_000;

interface PeerEntry {
  id: string;
  addrs: string[];
}

/** The IPFS peers `libp2p` is connected to (other than `except`), with their listen addresses. */
async function connectedIpfsPeers(libp2p: Libp2p<ServiceMap>, except: PeerId): Promise<PeerEntry[]> {
  const out: PeerEntry[] = [];
  const seen = new Set<string>([except.toString()]);
  for (const conn of libp2p.getConnections()) {
    const id = conn.remotePeer.toString();
    if (seen.has(id)) continue;
    seen.add(id);
    const peer = await libp2p.peerStore.get(conn.remotePeer).catch(() => undefined);
    if (!peer?.protocols.includes(BITSWAP_PROTOCOL)) continue;
    out.push({ id, addrs: peer.addresses.map((a) => a.multiaddr.toString()) });
  }
  return out;
}

/** Answers PEERS_PROTOCOL on `libp2p`. Returns the function that stops answering. */
export async function servePeerList(libp2p: Libp2p<ServiceMap>): Promise<() => Promise<void>> {
  await libp2p.handle(PEERS_PROTOCOL, async (stream, connection) => {
    try {
      const list = await connectedIpfsPeers(libp2p, connection.remotePeer);
      stream.send(new TextEncoder().encode(`${JSON.stringify(list)}\n`));
      await stream.close();
    } catch (err) {
      stream.abort(err as Error);
    }
  }, { maxInboundStreams: MAX_ASKS_PER_CONNECTION });
  return () => libp2p.unhandle(PEERS_PROTOCOL).catch(() => undefined);
}

async function ask(libp2p: Libp2p<ServiceMap>, peer: PeerId, signal: AbortSignal): Promise<PeerEntry[]> {
  const stream = await libp2p.dialProtocol(peer, PEERS_PROTOCOL, { signal });
  let line: string;
  try {
    line = await readLine(stream, MAX_ANSWER_BYTES);
  } finally {
    stream.abort(new Error("done"));
  }
  const parsed: unknown = JSON.parse(line);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((e): e is PeerEntry =>
    typeof e?.id === "string" && Array.isArray(e.addrs) && e.addrs.every((a: unknown) => typeof a === "string")
  );
}

/** Resolves after `ms`, or false at once when `signal` aborts first. */
function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (waited: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(waited);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A Helia router whose only skill is naming the IPFS peers of our peers. */
export function swarmPeersRouter(libp2p: Libp2p<ServiceMap>): Router {
  let round: { at: number; answers: Promise<PeerEntry[]> } | undefined;
  // Not tied to one want's signal: the round is shared by every want that comes while it runs.
  const askAll = (): Promise<PeerEntry[]> => {
    if (round && performance.now() - round.at < ANSWER_TTL_MS) return round.answers;
    const signal = AbortSignal.timeout(ASK_TIMEOUT_MS);
    const neighbours = [...new Map(libp2p.getConnections().map((c) => [c.remotePeer.toString(), c.remotePeer])).values()];
    const answers = Promise.all(neighbours.map((p) => ask(libp2p, p, signal).catch(() => [] as PeerEntry[]))).then((a) => a.flat());
    round = { at: performance.now(), answers };
    return answers;
  };
  return {
    name: "swarm-peers",
    async *findProviders(_cid, options = {}) {
      if (!(await pause(ASK_DELAY_MS, options.signal))) return;
      const answers = await askAll();
      options.signal?.throwIfAborted();
      const self = libp2p.peerId.toString();
      const connected = new Set(libp2p.getConnections().map((c) => c.remotePeer.toString()));
      const offered = new Set<string>();
      for (const entry of answers) {
        if (entry.id === self || connected.has(entry.id) || offered.has(entry.id)) continue;
        offered.add(entry.id);
        let id: PeerId;
        try {
          id = peerIdFromString(entry.id);
        } catch {
          continue;
        }
        const multiaddrs = entry.addrs.flatMap((a) => {
          try {
            return [multiaddr(a)];
          } catch {
            return [];
          }
        });
        if (multiaddrs.length === 0) continue;
        // Bitswap dials by peer ID, so the addresses must be in the peer store first.
        await libp2p.peerStore.merge(id, { multiaddrs });
        const provider: Provider = { id: id.toCID(), multiaddrs, router: "swarm-peers", fallback: false };
        yield provider;
      }
    },
  };
}
