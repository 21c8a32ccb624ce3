/**
 * HTTP routes that let a thin client use the node's IPFS without joining the swarm:
 *
 * - `POST /api/v1/ipfs/add?kind=file|dir`: the body is a gzipped tar of one file (kind=file) or of
 *   a folder's content (kind=dir); the node adds and pins it and answers `{"CID": "…"}`.
 * - `GET /api/v1/ipfs/get/:cid`: a gzipped tar of the CID's content, fetched from the swarm when
 *   needed: a folder's entries at the archive root, or a file stored under the CID's name.
 *
 * Uploads are streamed to a temp folder and removed once added; downloads likewise.
 */
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Env, Hono } from "hono";
import { BacalhauError } from "../../models/errors.ts";
import { extractTarGz, packPathToTarGzStream } from "../../codec/tar/index.ts";
import { tryParseCid } from "../../ipfs/cid.ts";
import type { IpfsNode } from "../../ipfs/node.ts";

export const IPFS_API_PREFIX = "/api/v1/ipfs";

export interface IpfsRoutesOptions {
  ipfs: IpfsNode;
  /** Where uploads and downloads are staged. Default: the system temp dir. */
  tmpDir?: string;
  /** Largest upload accepted, in bytes (uncompressed). Default 4 GiB. */
  maxAddBytes?: number;
  /** How long a download waits for the CID's first block before answering 404. Default 30 s. */
  findTimeoutMs?: number;
}

const COMPONENT = "IPFSAPI";
const DEFAULT_MAX_ADD_BYTES = 4 * 1024 ** 3;

async function stage(opts: IpfsRoutesOptions, prefix: string): Promise<string> {
  const base = opts.tmpDir ?? tmpdir();
  await mkdir(base, { recursive: true });
  return mkdtemp(join(base, prefix));
}

/** A web stream that removes `dir` once it has been read to the end, cancelled or has failed. */
function removingAfter(stream: ReadableStream<Uint8Array>, dir: string): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  const cleanup = () => rm(dir, { recursive: true, force: true });
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await reader.read();
        if (next.done) {
          controller.close();
          await cleanup();
        } else controller.enqueue(next.value);
      } catch (err) {
        controller.error(err);
        await cleanup();
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
      await cleanup();
    },
  });
}

export function registerIpfsRoutes<E extends Env>(app: Hono<E>, opts: IpfsRoutesOptions): void {
  app.post(`${IPFS_API_PREFIX}/add`, async (c) => {
    const kind = c.req.query("kind") ?? "dir";
    if (kind !== "file" && kind !== "dir") {
      throw BacalhauError.badRequest(`kind must be file or dir, got ${JSON.stringify(kind)}`, { component: COMPONENT });
    }
    const body = c.req.raw.body;
    if (!body) throw BacalhauError.badRequest("the request needs a gzipped tar body", { component: COMPONENT });
    const dir = await stage(opts, "bacalhau-ipfs-add-");
    try {
      await extractTarGz(body, dir, { maxBytes: opts.maxAddBytes ?? DEFAULT_MAX_ADD_BYTES, signal: c.req.raw.signal });
      let path = dir;
      if (kind === "file") {
        const entries = await readdir(dir, { withFileTypes: true });
        if (entries.length !== 1 || !entries[0]!.isFile()) {
          throw BacalhauError.badRequest("kind=file needs an archive holding exactly one file", { component: COMPONENT });
        }
        path = join(dir, entries[0]!.name);
      }
      const cid = await opts.ipfs.add(path, { pin: true, signal: c.req.raw.signal });
      return c.json({ CID: cid });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  app.get(`${IPFS_API_PREFIX}/get/:cid`, async (c) => {
    const parsed = tryParseCid(c.req.param("cid"));
    if (typeof parsed === "string") throw BacalhauError.badRequest(parsed, { component: COMPONENT });
    const cid = parsed.toString();
    const timeoutMs = opts.findTimeoutMs ?? 30_000;
    try {
      await opts.ipfs.stat(cid, { signal: AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(timeoutMs)]) });
    } catch (err) {
      if (err instanceof BacalhauError) throw err;
      throw BacalhauError.notFound(`no peer of the swarm sent ${cid} within ${timeoutMs} ms`, { component: COMPONENT, cause: err });
    }
    const dir = await stage(opts, "bacalhau-ipfs-get-");
    try {
      const dest = join(dir, cid);
      const kind = await opts.ipfs.get(cid, dest, { signal: c.req.raw.signal });
      const stream = removingAfter(packPathToTarGzStream(dest), dir);
      return new Response(stream, {
        headers: {
          "Content-Type": "application/gzip",
          "Content-Disposition": `attachment; filename="${cid}.tar.gz"`,
          "X-Bacalhau-IPFS-Kind": kind,
        },
      });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  });
}
