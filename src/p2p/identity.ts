/**
 * The node's libp2p identity: an RSA key kept at `<dir>/private_key.<swarmPort>` as Bacalhau does
 * (base64 of the protobuf-marshalled key, then a newline, mode 0600), so the PeerID stays the same
 * across restarts. A key file that group or others can access is refused, as ssh does.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BacalhauError } from "../models/errors.ts";
import { assertPrivateKeyFile } from "./key-file.ts";

const RSA_BITS = 2048;

export function peerKeyPath(dir: string, swarmPort: number): string {
  return join(dir, `private_key.${swarmPort}`);
}

export function encodePeerKey(key: PrivateKey): string {
  return `${Buffer.from(privateKeyToProtobuf(key)).toString("base64")}\n`;
}

export function decodePeerKey(text: string): PrivateKey {
  return privateKeyFromProtobuf(new Uint8Array(Buffer.from(text.trim(), "base64")));
}

/** Reads the key for `swarmPort` from `dir`, or creates and saves a new RSA key the first time. */
export async function loadOrCreatePeerKey(dir: string, swarmPort: number): Promise<PrivateKey> {
  const path = peerKeyPath(dir, swarmPort);
  await assertPrivateKeyFile(path, "libp2p private key");
  let text: string | undefined;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw BacalhauError.from(err, "P2P");
  }
  if (text !== undefined) {
    try {
      return decodePeerKey(text);
    } catch (err) {
      throw new BacalhauError(`cannot read the libp2p private key ${path}`, {
        component: "P2P",
        hint: "remove the file to create a new identity (the node's PeerID will change)",
        cause: err,
      });
    }
  }
  const key = await generateKeyPair("RSA", RSA_BITS);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // "wx" so two processes starting at once do not overwrite each other's identity.
  try {
    await writeFile(path, encodePeerKey(key), { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return loadOrCreatePeerKey(dir, swarmPort);
    throw BacalhauError.from(err, "P2P");
  }
  return key;
}
