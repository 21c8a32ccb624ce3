/**
 * Swarm keys in the standard `swarm.key` text format shared by IPFS and libp2p private networks:
 * `/key/swarm/psk/1.0.0/`, `/base16/`, then 64 hex digits (a 32-byte key), one per line.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { BacalhauError } from "../models/errors.ts";
import { assertPrivateKeyFile } from "./key-file.ts";

const HEADER = "/key/swarm/psk/1.0.0/";
const ENCODING = "/base16/";

const invalid = (why: string) =>
  new BacalhauError(`invalid swarm key: ${why}`, {
    code: "BadRequest",
    component: "P2P",
    hint: `a swarm key file holds three lines: ${HEADER}, ${ENCODING} and 64 hex digits`,
  });

/** A new random swarm key, as the text of a swarm.key file. */
export function createSwarmKey(): string {
  const key = crypto.getRandomValues(new Uint8Array(32));
  return `${HEADER}\n${ENCODING}\n${Buffer.from(key).toString("hex")}\n`;
}

/** The 32 key bytes of a swarm.key text; throws BadRequest for anything else. */
export function parseSwarmKey(text: string): Uint8Array {
  const lines = text.split(/\r\n|\r|\n/).map((l) => l.trim()).filter((l) => l !== "");
  if (lines[0] !== HEADER) throw invalid(`the first line must be ${HEADER}`);
  if (lines[1] !== ENCODING) throw invalid(`only the ${ENCODING} encoding is supported`);
  const hex = lines[2] ?? "";
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw invalid("the key must be 64 hex digits");
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Refuses a key file that group or others can access (`chmod 600` fixes it). */
export async function readSwarmKey(path: string): Promise<Uint8Array> {
  await assertPrivateKeyFile(path, "swarm key");
  return parseSwarmKey(await readFile(path, "utf8"));
}

/** Writes a swarm key file readable by its owner only (it is the network's only secret). */
export async function writeSwarmKey(path: string, text: string): Promise<void> {
  parseSwarmKey(text);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Never replaces a key: two nodes starting at once must not end up on different networks.
  await writeFile(path, text, { mode: 0o600, flag: "wx" });
}
