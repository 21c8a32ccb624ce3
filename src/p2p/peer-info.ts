/**
 * Finding a requester's libp2p identity when only its HTTP API address is known: the requester serves
 * GET /api/v1/peer → `{"ID": "<PeerID>", "Addrs": ["<multiaddr>/p2p/<PeerID>", …]}` and a compute
 * node asks for it before dialing.
 */
import type { Multiaddr } from "@multiformats/multiaddr";
import { BacalhauError } from "../models/errors.ts";
import { bodyText, httpGet } from "../runtime/http-get.ts";
import type { HttpGetResponse } from "../runtime/http-get.ts";
import { pickAddress } from "./address.ts";

export const PEER_INFO_PATH = "/api/v1/peer";
const MAX_ANSWER_BYTES = 1024 * 1024;

export interface PeerInfoResponse {
  ID: string;
  Addrs: string[];
}

/** The body of GET /api/v1/peer for a host; the best address comes first. */
export function peerInfoResponse(host: { peerId: string; addresses(): Multiaddr[] }): PeerInfoResponse {
  const addrs = host.addresses().map(String);
  const best = pickAddress(addrs);
  const ordered = best === undefined ? addrs : [best, ...addrs.filter((a) => a !== best)];
  return { ID: host.peerId, Addrs: ordered };
}

function isPeerInfo(v: unknown): v is PeerInfoResponse {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.ID === "string" && Array.isArray(o.Addrs) && o.Addrs.every((a) => typeof a === "string");
}

/** Asks a requester's API (e.g. http://10.0.0.5:1234) for its PeerID and dialable addresses. */
export async function peerIdFromRequesterAPI(apiURL: string, signal?: AbortSignal): Promise<PeerInfoResponse> {
  const url = new URL(PEER_INFO_PATH.slice(1), apiURL.endsWith("/") ? apiURL : `${apiURL}/`);
  let res: HttpGetResponse;
  try {
    // Not global fetch: on Node it can abort the process when a close-delimited answer ends.
    res = await httpGet(url, { ...(signal ? { signal } : {}), headers: { accept: "application/json" } });
  } catch (err) {
    throw new BacalhauError(`cannot reach the requester at ${apiURL}: ${(err as Error).message}`, {
      code: "ServiceUnavailable",
      component: "P2P",
      retryable: true,
      cause: err,
    });
  }
  let body: unknown;
  let why = `HTTP ${res.status}`;
  try {
    // A peer identity is a few addresses; anything large is not one.
    body = JSON.parse(await bodyText(res, MAX_ANSWER_BYTES));
  } catch (err) {
    why = `HTTP ${res.status}, ${(err as Error).message}`;
  }
  if (res.status < 200 || res.status >= 300 || !isPeerInfo(body)) {
    throw new BacalhauError(`${url} did not answer with a peer identity (${why})`, {
      code: "ServiceUnavailable",
      component: "P2P",
      hint: "is that address a bacalhau-edge requester's API?",
    });
  }
  // Only keep addresses that name this peer, so a dial cannot reach someone else.
  const suffix = `/p2p/${body.ID}`;
  return { ID: body.ID, Addrs: body.Addrs.map((a) => (a.includes("/p2p/") ? a : `${a}${suffix}`)).filter((a) => a.endsWith(suffix)) };
}
