/**
 * `bacalhau ipfs add PATH`: adds a file or folder to the network's IPFS through the node's API
 * (POST /api/v1/ipfs/add, a gzipped tar streamed from disk) and prints its CID. The node pins it,
 * so jobs anywhere on the swarm can take it as `-i ipfs://CID`.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { CLIENT_VERSION } from "../../client/version.ts";
import { errorFromResponse, unreachableError } from "../../client/errors.ts";
import { BacalhauError } from "../../models/errors.ts";
import { packPathToTarGzStream } from "../../storage/tar/index.ts";
import type { Command } from "../command.ts";
import { requireArg } from "./common.ts";

export const ipfsAddCommand: Command = {
  name: "add",
  usage: "ipfs add PATH [flags]",
  summary: "Add a file or folder to IPFS through the node and print its CID.",
  description:
    "Streams PATH to the node's API, which adds it to its embedded IPFS (--private-internal-ipfs) and pins it. " +
    "Use the printed CID as a job input: -i ipfs://CID:/inputs",
  flags: [],
  async run(ctx) {
    const path = resolve(ctx.io.cwd, requireArg(ctx, "PATH to add"));
    const info = await stat(path).catch(() => {
      throw BacalhauError.badRequest(`cannot add ${path}: no such file or folder`, { component: "CLI" });
    });
    if (!info.isFile() && !info.isDirectory()) {
      throw BacalhauError.badRequest(`cannot add ${path}: only files and folders can be added`, { component: "CLI" });
    }
    const baseUrl = ctx.client().endpoint.baseUrl;
    const url = `${baseUrl}/api/v1/ipfs/add?kind=${info.isFile() ? "file" : "dir"}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: {
          "Content-Type": "application/gzip",
          Accept: "application/json",
          "X-Bacalhau-Git-Version": CLIENT_VERSION.GitVersion,
          ...(ctx.io.env.BACALHAU_API_KEY ? { Authorization: `Bearer ${ctx.io.env.BACALHAU_API_KEY}` } : {}),
        },
        body: packPathToTarGzStream(path),
        // A streamed request body must say so (Node's fetch refuses it otherwise).
        duplex: "half",
      } as RequestInit);
    } catch (err) {
      throw unreachableError(baseUrl, err);
    }
    const text = await res.text();
    if (!res.ok) throw errorFromResponse(res.status, text);
    const cid = (JSON.parse(text) as { CID?: unknown }).CID;
    if (typeof cid !== "string") throw new BacalhauError(`the node answered without a CID: ${text.slice(0, 200)}`, { component: "CLI" });
    ctx.io.out(`${cid}\n`);
    return 0;
  },
};
