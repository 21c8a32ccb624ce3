/**
 * The compute node's storage sources by type name. Look-ups ignore case (Bacalhau compares type
 * names case-insensitively) and `localDirectory` resolves to the `local` source.
 *
 * @example
 * ```ts
 * const storage = createStorageRegistry({ allowListedLocalPaths: ["/data"] });
 * storage.get("URLDownload")?.type; // "urlDownload"
 * storage.validate(input);          // reason string, or undefined when the input can be prepared
 * ```
 */
import type { InputSource } from "../models/types.ts";
import { createInlineSource } from "./inline/index.ts";
import type { InlineSourceOptions } from "./inline/index.ts";
import { createLocalSource } from "./local/index.ts";
import type { StorageSource } from "./source.ts";
import { createURLSource } from "./url/index.ts";
import type { URLSourceOptions } from "./url/index.ts";

export interface StorageRegistryOptions {
  /** `Compute.AllowListedLocalPaths`, e.g. `["/data", "/scratch:rw"]`. */
  allowListedLocalPaths: string[];
  url?: URLSourceOptions;
  inline?: InlineSourceOptions;
  /** Sources built elsewhere (e.g. ipfs, which needs the node's IPFS client). */
  extra?: StorageSource[];
}

export interface StorageRegistry {
  get(type: string): StorageSource | undefined;
  has(type: string): boolean;
  /** Canonical type names, for node info and error messages. */
  types(): string[];
  /** A reason the input cannot be prepared here (unknown type or bad params), or undefined. */
  validate(input: InputSource): string | undefined;
}

/** Deprecated names that still resolve, lower-cased. */
const ALIASES: Record<string, string> = { localdirectory: "local" };

export function createStorageRegistry(opts: StorageRegistryOptions): StorageRegistry {
  const byName = new Map<string, StorageSource>();
  const sources = [
    createInlineSource(opts.inline),
    createURLSource(opts.url),
    createLocalSource({ allowListedLocalPaths: opts.allowListedLocalPaths }),
    ...(opts.extra ?? []),
  ];
  for (const s of sources) byName.set(s.type.toLowerCase(), s);
  const get = (type: string) => {
    const key = type.toLowerCase();
    return byName.get(ALIASES[key] ?? key);
  };
  return {
    get,
    has: (type) => get(type) !== undefined,
    types: () => [...byName.values()].map((s) => s.type),
    validate(input) {
      const type = input.Source?.Type ?? "";
      const source = get(type);
      if (!source) {
        return `input source type "${type}" is not supported by this node; supported: ${
          [...byName.values()].map((s) => s.type).join(", ")
        }`;
      }
      return source.validate(input);
    },
  };
}
