/**
 * The compute node's publishers by type name (case-insensitive). `noop` is always there; `local`
 * when the node gives it a directory; others (ipfs) are passed in ready-made.
 *
 * @example
 * ```ts
 * const publishers = createPublisherRegistry({ local: { directory: join(dataDir, "publisher") } });
 * await publishers.start();
 * const result = await publishers.get("local")!.publish(req);
 * await publishers.close();
 * ```
 */
import type { SpecConfig } from "../models/types.ts";
import { createLocalPublisher } from "./local/index.ts";
import type { LocalPublisherOptions } from "./local/index.ts";
import { createNoopPublisher } from "./noop/index.ts";
import type { Publisher } from "./publisher.ts";

export interface PublisherRegistryOptions {
  local?: LocalPublisherOptions;
  extra?: Publisher[];
}

export interface PublisherRegistry {
  get(type: string): Publisher | undefined;
  has(type: string): boolean;
  types(): string[];
  /** A reason the spec cannot be published here (unknown type or bad params), or undefined. */
  validate(spec: SpecConfig): string | undefined;
  /** Starts every publisher that has something to start (the local HTTP server). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createPublisherRegistry(opts: PublisherRegistryOptions = {}): PublisherRegistry {
  const all: Publisher[] = [createNoopPublisher()];
  if (opts.local) all.push(createLocalPublisher(opts.local));
  all.push(...(opts.extra ?? []));
  const byName = new Map(all.map((p) => [p.type.toLowerCase(), p]));
  const get = (type: string) => byName.get(type.toLowerCase());
  return {
    get,
    has: (type) => get(type) !== undefined,
    types: () => all.map((p) => p.type),
    validate(spec) {
      const publisher = get(spec.Type ?? "");
      if (!publisher) {
        return `publisher type "${spec.Type}" is not supported by this node; supported: ${
          all.map((p) => p.type).join(", ")
        }`;
      }
      return publisher.validate(spec);
    },
    async start() {
      for (const p of all) await p.start?.();
    },
    async close() {
      const results = await Promise.allSettled(all.map((p) => p.close()));
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
  };
}
