/**
 * `bacalhau ipfs add PATH`: adds a file or folder to the network's IPFS and prints its CID, so jobs
 * anywhere on the swarm can take it as `-i ipfs://CID`. Through the node's API by default
 * (POST /api/v1/ipfs/add, a gzipped tar streamed from disk; the node pins it). With swarm addresses
 * the CLI adds it on a short-lived IPFS node of its own and waits until a swarm peer has pinned it.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { errorFromResponse, unreachableError } from "../../client/errors.ts";
import { BacalhauError } from "../../models/errors.ts";
import { packPathToTarGzStream } from "../../codec/tar/index.ts";
import type { Command, CommandContext } from "../command.ts";
import { IPFS_SWARM_FLAGS, loadSwarmKey, swarmSettings, type SwarmSettings } from "../ipfs-swarm/options.ts";
import { isMissingIpfsApi, noIpfsOnNodeError, parseApiError } from "../results/ipfs-fetchers.ts";
import { requireArg } from "./common.ts";
import { apiHeaders } from "./ipfs-common.ts";

export const ipfsAddCommand: Command = {
  name: "add",
  usage: "ipfs add PATH [flags]",
  summary: "Add a file or folder to the network's IPFS and print its CID.",
  description:
    "Streams PATH to the node's API, which adds it to its embedded IPFS (--private-internal-ipfs) and pins it. " +
    "With --ipfs-swarm-addrs (or BACALHAU_IPFS_SWARM_ADDRESSES) and the swarm key, the CLI joins the swarm itself " +
    "and returns once the first reachable peer has fetched and pinned the content. " +
    "Use the printed CID as a job input: -i ipfs://CID:/inputs",
  flags: [...IPFS_SWARM_FLAGS],
  async run(ctx) {
    const path = resolve(ctx.io.cwd, requireArg(ctx, "PATH to add"));
    const info = await stat(path).catch(() => {
      throw BacalhauError.badRequest(`cannot add ${path}: no such file or folder`, { component: "CLI" });
    });
    if (!info.isFile() && !info.isDirectory()) {
      throw BacalhauError.badRequest(`cannot add ${path}: only files and folders can be added`, { component: "CLI" });
    }
    const settings = swarmSettings(ctx.flags, ctx.io.env, ctx.io.cwd);
    const cid = settings ? await addThroughSwarm(path, settings) : await addThroughApi(ctx, path, info.isFile());
    ctx.io.out(`${cid}\n`);
    return 0;
  },
};

async function addThroughSwarm(path: string, settings: SwarmSettings): Promise<string> {
  const swarmKey = await loadSwarmKey(settings);
  const { startSwarmClient } = await import("../../ipfs/swarm-client.ts");
  const client = await startSwarmClient({ addresses: settings.addresses, swarmKey });
  try {
    // Not pinned here: this node's blocks are deleted on exit; the peer's pin is what keeps them.
    const cid = await client.ipfs.add(path, { pin: false });
    await client.pinRemotely(cid);
    return cid;
  } finally {
    await client.stop();
  }
}

async function addThroughApi(ctx: CommandContext, path: string, isFile: boolean): Promise<string> {
  const client = ctx.client();
  const baseUrl = client.endpoint.baseUrl;
  const url = `${baseUrl}/api/v1/ipfs/add?kind=${isFile ? "file" : "dir"}`;
  let res: Response;
  try {
    // The client's fetch knows the TLS settings (--cacert, --insecure).
    res = await client.fetch(url, {
      method: "POST",
      headers: { ...apiHeaders(ctx.io.env), "Content-Type": "application/gzip", Accept: "application/json" },
      body: packPathToTarGzStream(path),
      // A streamed request body must say so (Node's fetch refuses it otherwise).
      duplex: "half",
    } as RequestInit);
  } catch (err) {
    throw unreachableError(baseUrl, err);
  }
  const text = await res.text();
  if (isMissingIpfsApi(res.status, parseApiError(text))) throw noIpfsOnNodeError(baseUrl, `add ${path}`);
  if (!res.ok) throw errorFromResponse(res.status, text);
  const cid = (JSON.parse(text) as { CID?: unknown }).CID;
  if (typeof cid !== "string") throw new BacalhauError(`the node answered without a CID: ${text.slice(0, 200)}`, { component: "CLI" });
  return cid;
}
