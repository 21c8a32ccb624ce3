/**
 * Bacalhau's job filesystem for wasm: one preopen `/` whose tree holds each input at its Target
 * (read-only unless the volume says otherwise) and each result folder, writable, at `/<Name>`.
 * Also finds modules by their path in that tree, which is how EntryModule, ImportModules and
 * auto-linked imports are loaded.
 */
import type { FsBackend } from "./wasi/backend.ts";
import { Errno } from "./wasi/constants.ts";
import { WasiErrno } from "./wasi/errors.ts";
import { addMount, hostMount, hostPathOf, locate, normalize, virtualDir, type Preopen } from "./wasi/vfs.ts";

export interface JobMount {
  /** Path inside the job; a leading `/` is optional. */
  target: string;
  hostPath: string;
  readOnly: boolean;
}

/** Throws an Error starting with "input configuration error" when the mounts cannot coexist. */
export function buildJobPreopen(fs: FsBackend, mounts: JobMount[]): Preopen {
  const root = virtualDir();
  for (const m of mounts) {
    let mount;
    try {
      mount = hostMount(fs, m.hostPath, m.readOnly);
    } catch (err) {
      throw new Error(`input configuration error: cannot mount "${m.target}": ${(err as Error).message}`);
    }
    addMount(root, m.target, mount);
  }
  return { name: "/", root, dotdotAtRoot: "clamp" };
}

/** Reads wasm modules by their path in a preopen's tree. */
export interface ModuleSource {
  /** The module's bytes, or undefined when nothing exists at `path`. Throws for an unusable path. */
  read(path: string): Uint8Array | undefined;
}

export function jobModuleSource(fs: FsBackend, preopen: Preopen): ModuleSource {
  return {
    read(path: string): Uint8Array | undefined {
      let hostPath: string;
      let names: string[];
      try {
        const loc = locate(preopen, normalize(preopen, [], path));
        if (loc.kind === "vdir") {
          names = [...loc.node.children].filter(([n, c]) => c.kind === "mount" && !c.isDir && n.endsWith(".wasm"))
            .map(([n]) => n);
          hostPath = "";
          if (names.length === 1) {
            const only = loc.node.children.get(names[0]);
            if (only?.kind === "mount") return fs.readFile(only.realRoot);
          }
        } else {
          hostPath = hostPathOf(fs, loc.mount, loc.rel, true);
          if (fs.stat(hostPath).kind !== "dir") return fs.readFile(hostPath);
          names = fs.readdir(hostPath).filter((e) => e.kind === "file" && e.name.endsWith(".wasm")).map((e) => e.name);
          if (names.length === 1) return fs.readFile(fs.join(hostPath, names[0]));
        }
      } catch (err) {
        if ((err instanceof WasiErrno && err.errno === Errno.NOENT) || (err as { code?: string }).code === "ENOENT") {
          return undefined;
        }
        throw err instanceof WasiErrno ? new Error(`cannot read "${path}" (errno ${err.errno})`) : err;
      }
      throw new Error(`expected exactly one .wasm file in directory "${path}", found ${names.length}`);
    },
  };
}
