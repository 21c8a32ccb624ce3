/**
 * The node operator's list of host paths that `local` inputs may mount
 * (`Compute.AllowListedLocalPaths`): entries like `/data` (read-only) or `/scratch:rw`, optionally
 * with glob patterns (`/data/*`, `/data/**`) as Bacalhau allows.
 */
import { posix } from "node:path";
import { realpath } from "node:fs/promises";

export interface AllowedPath {
  path: string;
  readWrite: boolean;
  /** Set when `path` holds glob characters. */
  pattern?: RegExp;
}

const GLOB_CHARS = /[*?[]/;

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|\\\]\[]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export function parseAllowedPath(entry: string): AllowedPath {
  let path = entry.trim();
  let readWrite = false;
  if (path.endsWith(":rw")) {
    readWrite = true;
    path = path.slice(0, -3);
  } else if (path.endsWith(":ro")) {
    path = path.slice(0, -3);
  }
  path = path.length > 1 ? posix.normalize(path).replace(/\/$/, "") : path;
  return GLOB_CHARS.test(path) ? { path, readWrite, pattern: globToRegExp(path) } : { path, readWrite };
}

/** Whether `source` (absolute, normalised) is this entry's path or lies below it. */
export function allows(entry: AllowedPath, source: string): boolean {
  if (!entry.pattern) {
    if (entry.path === "/") return true;
    return source === entry.path || source.startsWith(entry.path + "/");
  }
  // A pattern allows what it matches and everything inside what it matches.
  for (let p = source; ; p = posix.dirname(p)) {
    if (entry.pattern.test(p)) return true;
    if (p === "/") return false;
  }
}

export type AllowDecision = { ok: true; entry: AllowedPath } | { ok: false; reason: string };

/** Checks `source` against the list, saying how to fix a refusal. */
export function checkAllowed(list: AllowedPath[], source: string, readWrite: boolean): AllowDecision {
  if (list.length === 0) {
    return {
      ok: false,
      reason: "local inputs are disabled on this node: Compute.AllowListedLocalPaths is empty; " +
        "the node operator can allow a folder with e.g. -c Compute.AllowListedLocalPaths=/data",
    };
  }
  const matching = list.filter((e) => allows(e, source));
  const writable = matching.find((e) => e.readWrite);
  if (readWrite && writable) return { ok: true, entry: writable };
  if (!readWrite && matching.length > 0) return { ok: true, entry: writable ?? matching[0]! };
  const shown = list.map((e) => e.path + (e.readWrite ? ":rw" : "")).join(", ");
  if (readWrite && matching.length > 0) {
    return {
      ok: false,
      reason: `local path ${source} is allow-listed read-only (${matching[0]!.path}); ` +
        "mount it without ReadWrite, or the node operator must allow it with a ':rw' suffix",
    };
  }
  return {
    ok: false,
    reason: `local path ${source} is not inside any allow-listed path (${shown}); ` +
      "use a path under one of them, or the node operator must add it to Compute.AllowListedLocalPaths",
  };
}

/** The list with symlinks in each entry's fixed part resolved, so real paths compare correctly. */
export async function resolveAllowList(list: AllowedPath[]): Promise<AllowedPath[]> {
  return Promise.all(list.map(async (e) => {
    const segments = e.path.split("/");
    const firstGlob = segments.findIndex((s) => GLOB_CHARS.test(s));
    const fixed = firstGlob === -1 ? e.path : segments.slice(0, firstGlob).join("/") || "/";
    const real = await realpath(fixed).catch(() => fixed);
    if (real === fixed) return e;
    const rest = firstGlob === -1 ? "" : "/" + segments.slice(firstGlob).join("/");
    return parseAllowedPath(posix.join(real, rest) + (e.readWrite ? ":rw" : ""));
  }));
}
