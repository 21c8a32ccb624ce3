/**
 * The node's data dir and the folders it makes there are its owner's only (0700): they hold the
 * job store, the identity key, logs and results. Created with that mode (never chmod-ed after
 * the fact, so no umask leaves a window), and a data dir found looser — made by an older
 * version, or by hand — is tightened on start, with everything the node keeps in it, and said so.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, type Stats } from "node:fs";
import { join } from "node:path";
import { BacalhauError } from "../models/errors.ts";

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Key files are never tightened behind the operator's back: a loose one is refused (key-file.ts). */
const KEY_FILE = /^(swarm\.key|private_key\..*)$/;

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0");

function stats(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Drops group and other access under `dir` (symlinks are left alone); returns how many entries changed. */
function tightenTree(dir: string): number {
  let changed = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = stats(path);
    if (!st || st.isSymbolicLink() || KEY_FILE.test(name)) continue;
    if (st.isDirectory()) changed += tightenTree(path);
    if ((st.mode & 0o077) !== 0) {
      chmodSync(path, st.mode & 0o700);
      changed++;
    }
  }
  return changed;
}

/**
 * Creates the data dir owner-only, or tightens an existing one that group or others can reach
 * (and what the node keeps in it).
 */
export function prepareDataDir(dir: string, log: (msg: string) => void): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const st = lstatSync(dir);
  if ((st.mode & 0o077) === 0) return;
  // A shared folder like /tmp is not the node's to close: the operator pointed at the wrong place.
  if ((st.mode & 0o1000) !== 0 || dir === "/" || !st.isDirectory()) {
    throw BacalhauError.badRequest(`data dir ${dir} is a shared folder (mode ${octal(st.mode)}), not one the node can keep private`, {
      component: "Node",
      hint: `use a folder of its own, e.g. --data-dir ${join(dir, "bacalhau")}`,
    });
  }
  chmodSync(dir, DIR_MODE);
  const changed = tightenTree(dir);
  log(`data dir ${dir} was ${octal(st.mode)}: tightened it to 0700 and ${changed} files and folders in it to owner-only`);
}

/** `<base>/<name>`, created owner-only (an existing one is left as the data dir's check made it). */
export function ownedDir(base: string, name: string): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  return dir;
}
