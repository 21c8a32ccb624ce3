/**
 * `bacalhau ipfs get CID`: writes the file or folder behind a CID to disk, through the node's API
 * (GET /api/v1/ipfs/get/:cid) or, with swarm addresses, straight from the private swarm.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { tryParseCid } from "../../ipfs/cid.ts";
import { BacalhauError } from "../../models/errors.ts";
import type { Command } from "../command.ts";
import { IPFS_SWARM_FLAGS } from "../ipfs-swarm/options.ts";
import { requireArg } from "./common.ts";
import { ipfsFetcherFor } from "./ipfs-common.ts";

export const ipfsGetCommand: Command = {
  name: "get",
  usage: "ipfs get CID [flags]",
  summary: "Fetch a file or folder from the network's IPFS by its CID.",
  description:
    "Writes the content of CID to --output (default ./<CID>). The node's API fetches it from the swarm " +
    "(the node must run --private-internal-ipfs); with --ipfs-swarm-addrs (or BACALHAU_IPFS_SWARM_ADDRESSES) " +
    "and the swarm key, the CLI fetches it from the swarm itself.",
  flags: [
    { name: "output", short: "o", type: "string", help: "Where to write the file or folder (default ./<CID>); must not exist" },
    { name: "download-timeout-secs", type: "int", default: 300, help: "Give up after this many seconds" },
    ...IPFS_SWARM_FLAGS,
  ],
  async run(ctx) {
    const parsed = tryParseCid(requireArg(ctx, "CID"));
    if (typeof parsed === "string") throw BacalhauError.badRequest(parsed, { component: "CLI" });
    const cid = parsed.toString();
    const dest = resolve(ctx.io.cwd, ctx.flags.string("output") || cid);
    if (await stat(dest).then(() => true, () => false)) {
      throw BacalhauError.badRequest(`${dest} already exists`, { component: "CLI", hint: "remove it or choose another --output" });
    }
    const timeoutSecs = ctx.flags.int("download-timeout-secs") || 300;
    const signal = AbortSignal.timeout(timeoutSecs * 1000);
    const fetcher = ipfsFetcherFor(ctx);
    try {
      await fetcher.fetch(cid, dest, signal);
    } catch (err) {
      if (!signal.aborted) throw err;
      throw new BacalhauError(`fetching ${cid} took longer than ${timeoutSecs}s`, {
        code: "TimeOutError",
        component: "CLI",
        hint: "raise --download-timeout-secs, or check that a node holding the CID is online",
        cause: err,
      });
    } finally {
      await fetcher.close();
    }
    ctx.io.out(`Saved ${cid} to ${dest}\n`);
    return 0;
  },
};
