/**
 * The path rules that keep an archive's entries inside the folder it is extracted into.
 */
import { posix } from "node:path";

/** Thrown for an entry that would land outside the destination. */
export class UnsafeEntryError extends Error {}

/**
 * The entry's path relative to the destination, normalised (`./a//b` → `a/b`); "" is the
 * destination itself. Refuses absolute paths, `..` segments and NUL bytes.
 */
export function safeRelativePath(name: string): string {
  if (name.includes("\0")) throw new UnsafeEntryError(`entry name contains a NUL byte: ${JSON.stringify(name)}`);
  if (name.startsWith("/") || /^[A-Za-z]:[\\/]/.test(name)) {
    throw new UnsafeEntryError(`entry has an absolute path: ${name}`);
  }
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new UnsafeEntryError(`entry path escapes the destination: ${name}`);
  return parts.join("/");
}

/**
 * Where a symlink stored at `linkRel` with target `target` points:
 * - "down": a relative target without `..`, which can only resolve below the link's own folder;
 * - "inside": a target with `..` that lexically stays inside, but could escape through other links;
 * - "outside": absolute, or lexically above the destination.
 */
export function symlinkTargetKind(linkRel: string, target: string): "down" | "inside" | "outside" {
  if (target === "" || target.includes("\0")) return "outside";
  if (target.startsWith("/")) return "outside";
  const segments = target.split("/");
  if (!segments.includes("..")) return "down";
  const resolved = posix.normalize(posix.join(posix.dirname(linkRel), target));
  if (resolved === ".." || resolved.startsWith("../")) return "outside";
  return "inside";
}

/** Whether `path` (already resolved) is `root` or below it. */
export function isWithin(root: string, path: string): boolean {
  if (path === root) return true;
  const prefix = root.endsWith("/") ? root : root + "/";
  return path.startsWith(prefix);
}
