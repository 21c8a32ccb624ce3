/**
 * The guest's filesystem: a tree of read-only virtual folders whose leaves are host mounts (a
 * single file or a folder, read-only or writable), and the path resolution that keeps every guest
 * path inside it. `..` is resolved on the guest's side, so it can never climb out of a preopen;
 * host symlinks are resolved with realpath and refused when they lead outside their mount.
 */
import type { FsBackend } from "./backend.ts";
import { Errno } from "./constants.ts";
import { errnoOf, WasiErrno } from "./errors.ts";

export interface HostMount {
  kind: "mount";
  /** realpath of the mounted file or folder: the containment root. */
  realRoot: string;
  readOnly: boolean;
  isDir: boolean;
}

export interface VirtualDir {
  kind: "vdir";
  children: Map<string, VNode>;
}

export type VNode = VirtualDir | HostMount;

export interface Preopen {
  /** The name the guest sees through fd_prestat_dir_name, e.g. `/` or `fs-tests.dir`. */
  name: string;
  root: VNode;
  /** `..` at the root: "clamp" stays there like a real `/`; "deny" refuses with ENOTCAPABLE. */
  dotdotAtRoot: "clamp" | "deny";
}

/** Where a guest path leads: a virtual folder, or a path inside a mount (which may not exist yet). */
export type Location =
  | { kind: "vdir"; node: VirtualDir; path: string[] }
  | { kind: "host"; mount: HostMount; rel: string[]; path: string[] };

export function virtualDir(): VirtualDir {
  return { kind: "vdir", children: new Map() };
}

export function hostMount(fs: FsBackend, hostPath: string, readOnly: boolean): HostMount {
  const realRoot = fs.realpath(hostPath);
  return { kind: "mount", realRoot, readOnly, isDir: fs.stat(realRoot).kind === "dir" };
}

/**
 * Lexically joins `base` (components from the preopen root) and a guest path. With `confine`, as
 * for every path a guest hands to a path_* call, the path is relative to a directory descriptor,
 * which is a capability: an absolute path is refused, and `..` may not climb above that directory
 * (above a preopen's root, the preopen's own rule applies).
 */
export function normalize(preopen: Preopen, base: readonly string[], guestPath: string, confine = false): string[] {
  if (guestPath === "") throw new WasiErrno(Errno.NOENT);
  if (guestPath.includes("\0")) throw new WasiErrno(Errno.INVAL);
  if (confine && guestPath.startsWith("/")) throw new WasiErrno(Errno.PERM);
  const out = guestPath.startsWith("/") ? [] : [...base];
  const floor = confine ? base.length : 0;
  for (const part of guestPath.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === floor) {
        if (floor > 0 || preopen.dotdotAtRoot === "deny") throw new WasiErrno(Errno.NOTCAPABLE);
        continue;
      }
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out;
}

/** Walks the tree; inside a mount the rest of the path is kept as `rel` for the host. */
export function locate(preopen: Preopen, path: string[]): Location {
  let node: VNode = preopen.root;
  for (let i = 0; i < path.length; i++) {
    if (node.kind === "mount") {
      if (!node.isDir) throw new WasiErrno(Errno.NOTDIR);
      return { kind: "host", mount: node, rel: path.slice(i), path };
    }
    const child: VNode | undefined = node.children.get(path[i]);
    if (!child) throw new WasiErrno(Errno.NOENT);
    node = child;
  }
  return node.kind === "vdir"
    ? { kind: "vdir", node, path }
    : { kind: "host", mount: node, rel: [], path };
}

/**
 * The host path of a location inside a mount, after proving it stays inside: the parent is
 * resolved with realpath, and so is the last component when it is a symlink to follow.
 */
export function hostPathOf(fs: FsBackend, mount: HostMount, rel: readonly string[], follow: boolean): string {
  if (rel.length === 0) return mount.realRoot;
  if (!mount.isDir) throw new WasiErrno(Errno.NOTDIR);
  let parent: string;
  try {
    parent = fs.realpath(fs.join(mount.realRoot, ...rel.slice(0, -1)));
  } catch (err) {
    throw new WasiErrno(errnoOf(err));
  }
  if (!fs.isInside(mount.realRoot, parent)) throw new WasiErrno(Errno.NOTCAPABLE);
  const candidate = fs.join(parent, rel[rel.length - 1]);
  if (!follow) return candidate;
  try {
    if (fs.lstat(candidate).kind !== "symlink") return candidate;
  } catch {
    return candidate; // does not exist yet: the caller may create it
  }
  let target: string;
  try {
    target = fs.realpath(candidate);
  } catch {
    throw new WasiErrno(Errno.NOENT); // dangling or looping link
  }
  if (!fs.isInside(mount.realRoot, target)) throw new WasiErrno(Errno.NOTCAPABLE);
  return target;
}

/** Adds a mount at `target` (leading `/` optional), creating virtual folders on the way. */
export function addMount(root: VirtualDir, target: string, mount: HostMount): void {
  const parts = target.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.includes("..")) {
    throw new Error(`input configuration error: invalid mount target "${target}"`);
  }
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    const next = dir.children.get(part);
    if (next === undefined) {
      const created = virtualDir();
      dir.children.set(part, created);
      dir = created;
    } else if (next.kind === "vdir") {
      dir = next;
    } else {
      throw new Error(`input configuration error: "${target}" is inside another mount`);
    }
  }
  const last = parts[parts.length - 1];
  if (dir.children.has(last)) {
    throw new Error(`input configuration error: "${target}" is already mounted or holds other mounts`);
  }
  dir.children.set(last, mount);
}
