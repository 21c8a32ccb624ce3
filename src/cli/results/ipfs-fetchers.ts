/**
 * Two ways for the CLI to fetch a CID onto disk: through a node's API (GET /api/v1/ipfs/get/:cid,
 * a gzipped tar; the node fetches the blocks from the swarm), or straight from the swarm with a
 * short-lived IPFS node of its own (loaded only when used: libp2p and Helia are heavy to import).
 */
import { readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { BacalhauError } from "../../models/errors.ts";
import { bodyStream, bodyText, httpGet } from "../../runtime/http-get.ts";
import type { HttpGetResponse } from "../../runtime/http-get.ts";
import { extractTarGz } from "../../codec/tar/index.ts";
import { SWARM_ADDRESSES_ENV, type SwarmSettings } from "../ipfs-swarm/options.ts";

export interface IpfsFetcher {
  /** Writes the file or folder behind `cid` at `dest` (which must not exist yet). */
  fetch(cid: string, dest: string, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

const COMPONENT = "ResultsDownloader";
/** The component the node's IPFS routes report errors as: any other 404 means there are no such routes. */
const IPFS_API_COMPONENT = "IPFSAPI";

export interface ApiErrorShape {
  Message?: unknown;
  Component?: unknown;
  Hint?: unknown;
}

/** A 404 that the IPFS routes did not write: the node has none. */
export function isMissingIpfsApi(status: number, body: ApiErrorShape): boolean {
  return status === 404 && body.Component !== IPFS_API_COMPONENT;
}

export function parseApiError(body: string): ApiErrorShape {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === "object" && v !== null ? (v as ApiErrorShape) : {};
  } catch {
    return {};
  }
}

/** `what` failed because the node's API has no IPFS routes; says both ways out. */
export function noIpfsOnNodeError(baseUrl: string, what: string): BacalhauError {
  return new BacalhauError(`cannot ${what}: the node at ${baseUrl} does not run IPFS`, {
    code: "NotFound",
    component: COMPONENT,
    hint: "start the requester with --private-internal-ipfs, or use the swarm directly: " +
      `--ipfs-swarm-addrs <multiaddr> (or ${SWARM_ADDRESSES_ENV}) with --swarm-key <the requester's swarm.key>`,
  });
}

export interface ApiFetcherOptions {
  baseUrl: string;
  headers?: Record<string, string>;
  /** The API client's TLS settings (`--cacert`, `--insecure`). */
  tls?: { ca?: string; insecure?: boolean };
}

/** Fetches through a node's API. Archives are extracted beside `dest` and renamed into place. */
export function apiIpfsFetcher(opts: ApiFetcherOptions): IpfsFetcher {
  return {
    async fetch(cid, dest, signal) {
      const url = `${opts.baseUrl}/api/v1/ipfs/get/${encodeURIComponent(cid)}`;
      let res: HttpGetResponse;
      try {
        // Not global fetch: on Node it can abort the process when a close-delimited body ends under backpressure.
        res = await httpGet(new URL(url), { headers: { ...opts.headers, Accept: "application/gzip" }, signal, tls: opts.tls });
      } catch (err) {
        signal.throwIfAborted();
        throw new BacalhauError(`cannot reach ${opts.baseUrl} to fetch ${cid}: ${(err as Error).message}`, {
          code: "ServiceUnavailable",
          component: COMPONENT,
          hint: "is the requester running? check --api-host/--api-port (BACALHAU_API_HOST/BACALHAU_API_PORT)",
          cause: err,
        });
      }
      if (res.status < 200 || res.status >= 300) {
        const body = parseApiError(await bodyText(res).catch(() => ""));
        if (isMissingIpfsApi(res.status, body)) throw noIpfsOnNodeError(opts.baseUrl, `fetch ${cid}`);
        const why = typeof body.Message === "string" && body.Message ? body.Message : `HTTP ${res.status}`;
        throw new BacalhauError(`cannot fetch ${cid} through ${opts.baseUrl}: ${why}`, {
          code: res.status === 404 ? "NotFound" : "ServiceUnavailable",
          component: COMPONENT,
          ...(typeof body.Hint === "string" ? { hint: body.Hint } : {}),
        });
      }
      const kind = res.header("X-Bacalhau-IPFS-Kind") ?? null;
      const staging = join(dirname(dest), `.ipfs-${crypto.randomUUID()}`);
      try {
        // Results can be large and hold many files: the inline-input caps do not apply.
        await extractTarGz(bodyStream(res), staging, { maxBytes: Number.MAX_SAFE_INTEGER, maxEntries: Number.MAX_SAFE_INTEGER, signal });
        // A file comes as one entry named after the CID; a folder's entries are at the root.
        const entries = await readdir(staging);
        const single = entries.length === 1 ? join(staging, entries[0]!) : undefined;
        const isFile = kind === "file" || (kind === null && single !== undefined && entries[0] === cid && (await stat(single)).isFile());
        await rename(isFile && single ? single : staging, dest);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    },
    async close() {},
  };
}

/** Fetches by bitswap from the swarm; the client node starts on the first fetch and stops on close. */
export function swarmIpfsFetcher(settings: SwarmSettings): IpfsFetcher {
  let client: Promise<import("../../ipfs/swarm-client.ts").SwarmClient> | undefined;
  const start = async () => {
    const [{ startSwarmClient }, { loadSwarmKey }] = await Promise.all([
      import("../../ipfs/swarm-client.ts"),
      import("../ipfs-swarm/options.ts"),
    ]);
    return startSwarmClient({ addresses: settings.addresses, swarmKey: await loadSwarmKey(settings) });
  };
  return {
    async fetch(cid, dest, signal) {
      const c = await (client ??= start());
      try {
        await c.ipfs.get(cid, dest, { signal });
      } catch (err) {
        signal.throwIfAborted();
        throw err;
      }
    },
    async close() {
      const c = client;
      client = undefined;
      if (c) await (await c.catch(() => undefined))?.stop();
    },
  };
}
