/**
 * The `ipfs` publisher (`-p ipfs`): adds an execution's results folder to the node's embedded IPFS
 * as UnixFS, pins it so it outlives garbage collection and restarts, and returns
 * `{Type: "ipfs", Params: {CID}}`. There is nothing to announce beyond the swarm: peers connected
 * to this node ask for blocks by bitswap and this node answers from its blockstore.
 *
 * @example
 * ```ts
 * const publisher = createIpfsPublisher({ ipfs });
 * const out = await publisher.publish({ jobID, executionID, resultsDir, publisher: { Type: "ipfs" }, signal });
 * // → { Type: "ipfs", Params: { CID: "bafy…" } }
 * ```
 */
import type { IpfsNode } from "../../ipfs/index.ts";
import { BacalhauError } from "../../models/errors.ts";
import type { SpecConfig } from "../../models/types.ts";
import type { Publisher, PublishRequest } from "../publisher.ts";

export interface IpfsPublisherOptions {
  /** The node's IPFS; the publisher uses it but does not own it (closing the publisher leaves it running). */
  ipfs: IpfsNode;
}

export function createIpfsPublisher(opts: IpfsPublisherOptions): Publisher {
  return {
    type: "ipfs",

    async isInstalled() {
      return true;
    },

    validate(spec: SpecConfig) {
      if (spec.Type.toLowerCase() !== "ipfs") return `the ipfs publisher cannot publish a ${spec.Type} spec`;
      return undefined;
    },

    async publish(req: PublishRequest): Promise<SpecConfig> {
      req.signal.throwIfAborted();
      try {
        const cid = await opts.ipfs.add(req.resultsDir, { pin: true, signal: req.signal });
        return { Type: "ipfs", Params: { CID: cid } };
      } catch (err) {
        req.signal.throwIfAborted();
        throw BacalhauError.from(err, "IPFSPublisher");
      }
    },

    async close() {},
  };
}
