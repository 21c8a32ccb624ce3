/**
 * What a CLI command needs to join the private IPFS swarm itself: the peers to dial
 * (`--ipfs-swarm-addrs`, env BACALHAU_IPFS_SWARM_ADDRESSES) and the swarm key (`--swarm-key FILE`,
 * env BACALHAU_SWARM_KEY, or `swarm.key` in the data dir), with errors that say how to fix them.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { BacalhauError } from "../../models/errors.ts";
import { assertPrivateKeyFile } from "../../p2p/key-file.ts";
import { parseSwarmKey } from "../../p2p/swarm-key.ts";
import type { FlagSpec, ParsedFlags } from "../flags.ts";

export const SWARM_ADDRESSES_ENV = "BACALHAU_IPFS_SWARM_ADDRESSES";
export const SWARM_KEY_ENV = "BACALHAU_SWARM_KEY";

export const IPFS_SWARM_FLAGS: FlagSpec[] = [
  {
    name: "ipfs-swarm-addrs",
    aliases: ["ipfs-swarm-addr"],
    type: "strings",
    split: true,
    help: `Join the private IPFS swarm through these peers (multiaddrs …/p2p/<PeerID>) instead of going through the API. env ${SWARM_ADDRESSES_ENV}`,
  },
  {
    name: "swarm-key",
    type: "string",
    help: `The private swarm key file, used with --ipfs-swarm-addrs. env ${SWARM_KEY_ENV} (default <data-dir>/swarm.key)`,
  },
];

export interface SwarmSettings {
  addresses: string[];
  /** The flag value, the env value, or undefined (then the data dir's swarm.key is tried). */
  swarmKey?: string;
  dataDir: string;
  cwd: string;
}

const COMPONENT = "IPFSClient";

function splitList(values: string[]): string[] {
  return values.flatMap((v) => v.split(/[,\s]+/)).map((v) => v.trim()).filter(Boolean);
}

/** Reads a flag that a command may not declare (e.g. when a test builds its own flag set). */
function optionalString(flags: ParsedFlags, name: string): string {
  try {
    return flags.string(name);
  } catch {
    return "";
  }
}

/** The swarm settings of a command, or undefined when no swarm address is given (use the API). */
export function swarmSettings(flags: ParsedFlags, env: Record<string, string | undefined>, cwd: string): SwarmSettings | undefined {
  const fromFlag = splitList(flags.list("ipfs-swarm-addrs"));
  const addresses = fromFlag.length > 0 ? fromFlag : splitList([env[SWARM_ADDRESSES_ENV] ?? ""]);
  if (addresses.length === 0) return undefined;
  return {
    addresses,
    swarmKey: flags.string("swarm-key") || env[SWARM_KEY_ENV] || undefined,
    dataDir: optionalString(flags, "data-dir") || env.BACALHAU_DIR || join(homedir(), ".bacalhau"),
    cwd,
  };
}

/** The 32 key bytes. BACALHAU_SWARM_KEY may hold the key file's path or its text. */
export async function loadSwarmKey(s: SwarmSettings): Promise<Uint8Array> {
  if (s.swarmKey?.trimStart().startsWith("/key/swarm/")) return parseSwarmKey(s.swarmKey);
  const path = s.swarmKey ? resolve(s.cwd, s.swarmKey) : join(s.dataDir, "swarm.key");
  await assertPrivateKeyFile(path, "swarm key", COMPONENT);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    throw new BacalhauError(
      `cannot join the private IPFS swarm at ${s.addresses.join(", ")}: ${missing ? "no swarm key at" : "cannot read the swarm key"} ${path}`,
      {
        code: "BadRequest",
        component: COMPONENT,
        hint: `copy the requester's <data-dir>/swarm.key here and pass it with --swarm-key FILE (or set ${SWARM_KEY_ENV}); ` +
          `or drop --ipfs-swarm-addrs / unset ${SWARM_ADDRESSES_ENV} to go through the requester's API`,
        cause: err,
      },
    );
  }
  return parseSwarmKey(text);
}
