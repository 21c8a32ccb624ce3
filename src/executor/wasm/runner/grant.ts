/**
 * Opens a job's own folders, and nothing else, to the unprivileged runner user: writable mounts
 * (result folders) become the runner user's; read-only mounts the node staged get the runner's
 * group with read access only, so the job can read but not change its inputs. The folders above a
 * mount get search (x) permission for that group where they lack it, but only the node's own ones:
 * the sandbox's `owned` folders (the node's data dir) and what lies below them.
 * Anything else unreachable fails the job with what to change, rather than loosening the host.
 */
import type { Stats } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { RunnerMount } from "./protocol.ts";
import { searchable, type RunnerSandbox, type RunnerUser } from "./sandbox.ts";

function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}


/** Applies `fn` to `p` and, for a directory, to everything below it (symlinks are not followed). */
async function walk(p: string, fn: (p: string, st: Stats) => Promise<void>): Promise<void> {
  const st = await fs.lstat(p);
  if (st.isSymbolicLink()) return;
  await fn(p, st);
  if (st.isDirectory()) for (const name of await fs.readdir(p)) await walk(path.join(p, name), fn);
}

const exists = (p: string) => fs.access(p).then(() => true, () => false);

/** Rejects with an Error saying which folder the runner user cannot reach and what to do. */
export async function grantMounts(box: RunnerSandbox, mounts: RunnerMount[]): Promise<void> {
  const user = box.user;
  if (!user) return;
  const roots = box.folders.map((f) => path.resolve(f));
  const owned = box.owned?.map((f) => path.resolve(f));
  const ours = (p: string) => owned
    ? owned.some((o) => within(o, p))
    : roots.some((r) => within(r, p) || path.dirname(r) === p);
  for (const m of mounts) {
    const target = path.resolve(m.hostPath);
    // A result folder is made here, where its parent is still writable; a missing input is reported by the runner.
    if (!m.readOnly && !(await exists(target))) await fs.mkdir(target, { recursive: true });
    if (!(await exists(target))) continue;
    for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
      const st = await fs.stat(dir);
      if (!searchable(st, user)) {
        if (!ours(dir)) {
          throw new Error(`wasm runner user ${user.uid} cannot reach "${m.hostPath}": folder "${dir}" is not ` +
            `searchable for it; make it searchable (chmod o+x) or keep job data in a reachable folder`);
        }
        await fs.chown(dir, st.uid, user.gid);
        await fs.chmod(dir, (st.mode & 0o7777) | 0o010);
      }
      if (dir === path.dirname(dir)) break;
    }
    if (!roots.some((r) => within(r, target))) continue; // the operator's folders are left as they are
    if (!m.readOnly) {
      await walk(target, (p) => fs.lchown(p, user.uid, user.gid));
    } else {
      await walk(target, async (p, st) => {
        await fs.lchown(p, st.uid, user.gid);
        const exec = st.isDirectory() || (st.mode & 0o100) !== 0 ? 0o010 : 0;
        await fs.chmod(p, ((st.mode & 0o7777) & ~0o020) | 0o040 | exec);
      });
    }
  }
}
