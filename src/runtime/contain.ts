/**
 * The compute node's one guard between job-supplied strings and host paths: a path made from them
 * must stay inside the folder it was made under, both as written (`..`, absolute parts) and as the
 * file system resolves it (symlinks). The compute node does not trust its orchestrator, so every
 * host path it derives from a job or an execution goes through here before anything is created.
 *
 * @example
 * ```ts
 * const dir = containedPath(resultsDir, rp.Name);   // throws for "../x"
 * await assertResolvesInside(executionDir, dir);      // throws when a symlink leads out
 * ```
 */
import { realpath } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { BacalhauError } from "../models/errors.ts";

/** True when `path` lies strictly inside `root` (both absolute and resolved). */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function refuse(what: string, root: string): BacalhauError {
  return BacalhauError.validation(`${what} leaves the execution's folder ${root}`, {
    component: "Workspace",
    hint: "job names and paths must stay inside the execution's own folder",
    failsExecution: true,
  });
}

/** `root` joined with `parts`, refused when the result is not strictly inside `root`. */
export function containedPath(root: string, ...parts: string[]): string {
  const base = resolve(root);
  for (const p of parts) {
    if (p === "" || p.includes("\0")) throw refuse(`path part ${JSON.stringify(p)}`, base);
  }
  const path = resolve(base, ...parts);
  if (!inside(base, path)) throw refuse(`path ${JSON.stringify(parts.join("/"))}`, base);
  return path;
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended. */
async function realOrAncestor(path: string): Promise<string> {
  let cur = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return resolve(await realpath(cur), ...rest.reverse());
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT" && (err as { code?: string }).code !== "ENOTDIR") throw err;
      const up = dirname(cur);
      if (up === cur) throw err;
      rest.push(cur.slice(up.length).replace(/^[/\\]+/, ""));
      cur = up;
    }
  }
}

/** Refuses `path` when the file system (following symlinks) puts it outside `root`. */
export async function assertResolvesInside(root: string, path: string): Promise<void> {
  const [realRoot, real] = await Promise.all([realOrAncestor(resolve(root)), realOrAncestor(resolve(path))]);
  if (!inside(realRoot, real)) throw refuse(`path ${path} (resolved to ${real})`, realRoot);
}

