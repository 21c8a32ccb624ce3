/**
 * The `ipfs` storage source: `{Type: "ipfs", Params: {CID}}` (`-i ipfs://CID:/target`). The CID is
 * fetched by bitswap from whichever connected peer of the private swarm holds it, written into the
 * execution's work dir and mounted read-only, as a file or a folder. `hasLocalCopy` tells the
 * bidder whether every block is already on this node's disk (data locality).
 *
 * @example
 * ```ts
 * const source = createIpfsSource({ ipfs });
 * source.validate({ Source: { Type: "ipfs", Params: { CID: "bafy…" } }, Target: "/inputs" }); // undefined
 * ```
 */
import { join } from "node:path";
import type { PreparedVolume } from "../../executor/executor.ts";
import type { IpfsNode } from "../../ipfs/index.ts";
import { tryParseCid } from "../../ipfs/index.ts";
import { BacalhauError } from "../../models/errors.ts";
import type { InputSource } from "../../models/types.ts";
import type { PrepareContext, StorageSource } from "../source.ts";

export interface IpfsSourceOptions {
  ipfs: IpfsNode;
  /** Give up on a fetch after this long (ms). Default: only the execution's own signal ends it. */
  fetchTimeoutMs?: number;
}

const COMPONENT = "IPFSStorage";

function param(params: Record<string, unknown> | undefined, key: string): unknown {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(params ?? {})) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** The input's CID in canonical form, or a reason it has none. */
function cidOf(input: InputSource): string | { reason: string } {
  const raw = param(input.Source.Params, "CID");
  if (typeof raw !== "string" || raw.trim() === "") {
    return { reason: 'ipfs input needs Params.CID, e.g. {"CID": "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"}' };
  }
  const cid = tryParseCid(raw);
  return typeof cid === "string" ? { reason: `ipfs Params.CID: ${cid}` } : cid.toString();
}

export function createIpfsSource(opts: IpfsSourceOptions): StorageSource {
  const { ipfs } = opts;
  return {
    type: "ipfs",

    async isInstalled() {
      return true;
    },

    validate(input) {
      const cid = cidOf(input);
      return typeof cid === "string" ? undefined : cid.reason;
    },

    async hasLocalCopy(input) {
      const cid = cidOf(input);
      return typeof cid === "string" && (await ipfs.has(cid));
    },

    async size(input) {
      const cid = cidOf(input);
      // Only when held locally: asking the swarm here would make bidding wait on the network.
      if (typeof cid !== "string" || !(await ipfs.has(cid))) return undefined;
      return Number((await ipfs.stat(cid)).size);
    },

    async prepare(input: InputSource, ctx: PrepareContext): Promise<PreparedVolume> {
      ctx.signal.throwIfAborted();
      const cid = cidOf(input);
      if (typeof cid !== "string") throw BacalhauError.validation(cid.reason, { component: COMPONENT, failsExecution: true });
      const signal = opts.fetchTimeoutMs === undefined
        ? ctx.signal
        : AbortSignal.any([ctx.signal, AbortSignal.timeout(opts.fetchTimeoutMs)]);
      const hostPath = join(ctx.workDir, `ipfs-${cid}`);
      try {
        await ipfs.get(cid, hostPath, { signal });
      } catch (err) {
        ctx.signal.throwIfAborted();
        if (signal.aborted) {
          throw new BacalhauError(`no peer of the swarm sent ${cid} within ${opts.fetchTimeoutMs} ms`, {
            code: "TimeOutError",
            component: COMPONENT,
            hint: "is a node that holds the CID connected to this one? add it with `bacalhau ipfs add` on a node of this network",
            failsExecution: true,
            cause: err,
          });
        }
        throw BacalhauError.from(err, COMPONENT);
      }
      return { target: input.Target, hostPath, readOnly: true };
    },
  };
}
