/**
 * What a runner process may do, decided before it starts (the runtime's permission model cannot
 * widen later): read its own code and the job folders, write only the job folders, no child
 * processes or addons, no environment beyond a short allow-list, and, when the node is root, no
 * root either. A host bug in the WASI layer then still meets the runtime's and the kernel's walls.
 */
import * as fs from "node:fs";
import os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { BacalhauError } from "../../../models/errors.ts";
import { childCacheEnv } from "../../../runtime/compile-cache.ts";
import { permissionFlags } from "../../../runtime/which.ts";

/** The user a runner runs as when the node is root and the operator chose none: `nobody`. */
export const NOBODY = { uid: 65534, gid: 65534 } as const;

export interface RunnerUser {
  uid: number;
  gid: number;
}

export interface RunnerSandbox {
  /** Folders (and all below) runners may read and write: where executions live. */
  folders: string[];
  /** Extra folders runners may only read (e.g. the operator's allow-listed local paths). */
  readOnlyFolders: string[];
  /** Run runners as this user; undefined = the node's own user. */
  user?: RunnerUser;
  /**
   * The node's own folders (its data dir): where folders above a job's mount may get search
   * permission for the runner's group. Default: `folders` and the folder directly holding each.
   */
  owned?: string[];
}

/**
 * The runner's own code: from the sources, everything below `src/`; from the bundled build, the
 * folder of the bundle's files (`dist/`), where this module is one of them.
 */
export const CODE_ROOT = codeRoot(import.meta.url);

/** In the single executable the code is inside the executable, which has no file URL of its own. */
function codeRoot(here: string | undefined): string {
  if (typeof here !== "string" || !here.startsWith("file:")) return path.dirname(process.execPath);
  return fileURLToPath(new URL(here.endsWith(".ts") ? "../../../" : "./", here));
}

/**
 * Environment variables a runner may inherit. Everything else (tokens, keys, passwords in the
 * node's environment) stays with the node. Runtimes need little: where their caches are, time zone
 * and locale, and the CA bundle the HTTP host function verifies servers with.
 */
const ENV_ALLOW = ["PATH", "HOME", "TMPDIR", "TZ", "LANG", "LC_ALL", "DENO_DIR", "XDG_CACHE_HOME",
  "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "DENO_CERT"];

export function runnerEnv(from: Record<string, string | undefined>, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ENV_ALLOW) {
    const value = from[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * For an executor that was told nothing (tests, embedding): writes only in the temp dir, reads
 * anywhere the user may. A node passes its own, narrower sandbox (see nodeSandbox). As root,
 * runners drop to `nobody`; otherwise they already are as unprivileged as the node.
 */
export function defaultSandbox(): RunnerSandbox {
  const box: RunnerSandbox = { folders: [os.tmpdir()], readOnlyFolders: [path.parse(os.tmpdir()).root], user: defaultUser() };
  return { ...box, user: reachableUser(box) };
}

function defaultUser(): RunnerUser | undefined {
  return process.getuid?.() === 0 ? { ...NOBODY } : undefined;
}

/**
 * A node's runners: they read and write only below the node's executions folder and read the
 * operator's allow-listed local paths (`/data` or `/scratch:rw`). `user` overrides the runner user;
 * `dataDir` is the node's own folder holding the executions folder.
 */
export function nodeSandbox(dataDir: string, executionsDir: string, allowListedLocalPaths: string[],
  user?: RunnerUser | null, log?: (msg: string) => void): RunnerSandbox {
  const local = allowListedLocalPaths.map((p) => p.replace(/:(rw|ro)$/i, ""));
  const writable = allowListedLocalPaths.filter((p) => /:rw$/i.test(p)).map((p) => p.slice(0, -3));
  const box: RunnerSandbox = {
    folders: [executionsDir, ...writable],
    readOnlyFolders: local,
    user: user === null ? undefined : user ?? defaultUser(),
    owned: [dataDir, executionsDir],
  };
  // The operator's explicit choice stands (a job then fails naming the folder to open); the default
  // falls back to the node's user rather than failing every job of a node kept under /root.
  return user === undefined ? { ...box, user: reachableUser(box, log) } : box;
}

/**
 * The sandbox's user when it can reach the runtime, the runner's code and the folders above the job
 * folders that the node may not open up itself (those outside its own data dir); otherwise none,
 * which means the node's own user, said once through `log`.
 */
export function reachableUser(box: RunnerSandbox, log?: (msg: string) => void): RunnerUser | undefined {
  const user = box.user;
  if (!user) return undefined;
  const owned = (box.owned ?? []).map((p) => path.resolve(p));
  const mayOpen = (dir: string) => owned.some((root) => dir === root || dir.startsWith(root + path.sep));
  const needed = [path.dirname(process.execPath), CODE_ROOT, ...box.folders.map((f) => path.dirname(path.resolve(f)))];
  for (const start of needed) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      if (!mayOpen(dir) && !searchableBy(dir, user)) {
        log?.(`wasm runners run as the node's own user, not uid ${user.uid}: "${dir}" is not searchable for it ` +
          "(make it searchable, e.g. chmod o+x, or keep the node and its data dir elsewhere; " +
          "Compute.WasmRunnerUser=node says this is intended)");
        return undefined;
      }
      if (dir === path.dirname(dir)) break;
    }
  }
  return user;
}

function searchableBy(dir: string, user: RunnerUser): boolean {
  try {
    return searchable(fs.statSync(dir), user);
  } catch {
    return true; // not there yet: the node makes it, inside its own folders
  }
}

/** Whether `user` may pass through a folder with these owner and mode bits. */
export function searchable(st: { uid: number; gid: number; mode: number }, user: RunnerUser): boolean {
  if (st.uid === user.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === user.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

const uniq = (paths: string[]) => [...new Set(paths.map((p) => path.resolve(p)))];

/**
 * The runtime's flags for a runner: what it may read and write, and the V8 old-space limit
 * (`heapMb`) that bounds the job's GC objects. The HTTP host function's fetch runs on a worker
 * thread of the runner, which is why the runtime's sandbox allows workers.
 */
export function runtimeFlags(box: RunnerSandbox, heapMb: number | undefined, extraRead: string[] = []): string[] {
  const read = uniq([CODE_ROOT, ...box.folders, ...box.readOnlyFolders, ...extraRead]);
  const write = uniq(box.folders);
  return permissionFlags({ read, write, heapMb });
}

/**
 * The runtime's compile cache for runners that run as another user: the node's own cache is not
 * theirs to write (and Deno's lives in the node user's home), and without one every runner start
 * compiles all its TypeScript again, which doubles the start time. Empty when the runner is the
 * node's own user, or when the folder cannot be made (a slower start, nothing worse).
 */
export function runnerCacheEnv(box: RunnerSandbox): Record<string, string> {
  const user = box.user;
  if (!user) return {};
  const dir = path.join(os.tmpdir(), `wasm-runner-cache-${user.uid}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    // Someone else's folder (or a symlink) in a shared temp dir is not trusted as a code cache.
    if (!st.isDirectory() || (st.uid !== user.uid && st.uid !== process.getuid?.())) return {};
    if (st.uid !== user.uid) fs.chownSync(dir, user.uid, user.gid);
  } catch {
    return {};
  }
  return childCacheEnv(dir);
}

/**
 * `Compute.WasmRunnerUser`: "" = the default (nobody when root), "node" = the node's own user
 * (null), "uid" or "uid:gid" = that user.
 */
export function parseRunnerUser(raw: string): RunnerUser | null | undefined {
  const v = raw.trim();
  if (v === "") return undefined;
  if (v.toLowerCase() === "node") return null;
  const m = /^(\d+)(?::(\d+))?$/.exec(v);
  if (!m) {
    throw BacalhauError.badRequest(`Compute.WasmRunnerUser: "${raw}" is not a user`, {
      component: "Node",
      hint: 'use a numeric uid or uid:gid, "node" for the node\'s own user, or leave it empty for nobody',
    });
  }
  const uid = Number(m[1]);
  return { uid, gid: m[2] === undefined ? uid : Number(m[2]) };
}
