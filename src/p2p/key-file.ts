/**
 * Private key files (the swarm key, the libp2p identity) must be their owner's alone. As ssh does,
 * a key that group or others can access is refused rather than used: it may already have leaked,
 * and silently fixing the mode would hide that.
 */
import { stat } from "node:fs/promises";
import { BacalhauError } from "../models/errors.ts";

/** Throws when `path` exists and its mode gives group or others any access; a missing file passes. */
export async function assertPrivateKeyFile(path: string, what: string, component = "P2P"): Promise<void> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch {
    return;
  }
  if ((mode & 0o077) === 0) return;
  throw BacalhauError.badRequest(
    `${what} ${path} is accessible by group or others (mode 0${(mode & 0o777).toString(8)}); it must be readable by its owner only`,
    { component, hint: `run: chmod 600 ${path}` },
  );
}
