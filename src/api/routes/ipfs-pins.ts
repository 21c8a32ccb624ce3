/** GET /api/v1/ipfs/pins: what the node's embedded IPFS keeps pinned, for the dashboard's IPFS page. */
import type { Env, Hono } from "hono";
import { IPFS_API_PREFIX } from "./ipfs.ts";
import type { IpfsNode } from "../../ipfs/node.ts";

export function registerIpfsPinRoutes<E extends Env>(app: Hono<E>, ipfs: IpfsNode): void {
  app.get(`${IPFS_API_PREFIX}/pins`, async (c) => {
    const cids = await ipfs.listPins({ signal: c.req.raw.signal });
    return c.json({ Items: cids.sort().map((CID) => ({ CID })), NextToken: "" });
  });
}
