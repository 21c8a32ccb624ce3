/**
 * How `wasm run` turns ENTRY-MODULE and `-I` values into inputs: a storage URI (with an optional
 * `:target`), a local file or folder (inlined), or else a path already inside the job's filesystem.
 */
import { basename, resolve } from "node:path";
import type { InputSource } from "../../models/types.ts";
import { existingPath, inlineLocalPath } from "./inline.ts";
import { isStorageURI, sourceFromURI, splitURITarget } from "./storage-uri.ts";

export const DEFAULT_ENTRY_TARGET = "main.wasm";

export interface ResolvedModule {
  /** The path the wasm engine loads (EntryModule or an ImportModules entry). */
  path: string;
  input?: InputSource;
}

export async function resolveModule(arg: string, cwd: string, defaultTarget: string): Promise<ResolvedModule> {
  if (isStorageURI(arg)) {
    const { uri, target } = splitURITarget(arg);
    const t = target || defaultTarget;
    return { path: t, input: { Source: sourceFromURI(uri), Alias: uri, Target: t } };
  }
  const local = await localWithTarget(arg, cwd);
  if (local) {
    const t = local.target || defaultTarget;
    const { input } = await inlineLocalPath(local.hostPath, t);
    return { path: t, input };
  }
  return { path: arg };
}

/** `-I` values: default target of a local or remote import is its base name under /imports. */
export function importTarget(arg: string, index: number): string {
  const name = basename(splitURITarget(arg).uri);
  return `/imports/${name && name.endsWith(".wasm") ? name : `module_${index}.wasm`}`;
}

async function localWithTarget(arg: string, cwd: string): Promise<{ hostPath: string; target?: string } | undefined> {
  const whole = await existingPath(resolve(cwd, arg));
  if (whole) return { hostPath: whole };
  const colon = arg.lastIndexOf(":");
  if (colon <= 0) return undefined;
  const hostPath = await existingPath(resolve(cwd, arg.slice(0, colon)));
  return hostPath ? { hostPath, target: arg.slice(colon + 1) } : undefined;
}
