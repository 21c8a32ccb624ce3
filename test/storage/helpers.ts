/** Test helpers for storage and publisher tests: temp folders, tree snapshots, hand-made tars. */
import { lstat, mkdtemp, readFile, readdir, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { BLOCK, encodeEntryHeader, padded } from "../../src/codec/tar/header.ts";
import type { EntryHeader } from "../../src/codec/tar/header.ts";

interface AfterCapable {
  after(fn: () => unknown): void;
}

/** A fresh temp folder removed when the test ends, pass or fail. */
export async function tempDir(t: AfterCapable, prefix = "bxs-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export type TreeNode =
  | { type: "file"; content: string; mode: number }
  | { type: "dir"; mode: number }
  | { type: "symlink"; target: string };

/** A folder's content keyed by relative path; file content as hex so binary compares exactly. */
export async function snapshot(root: string): Promise<Record<string, TreeNode>> {
  const out: Record<string, TreeNode> = {};
  async function walk(dir: string, rel: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const info = await lstat(full);
      if (info.isSymbolicLink()) out[r] = { type: "symlink", target: await readlink(full) };
      else if (info.isDirectory()) {
        out[r] = { type: "dir", mode: info.mode & 0o777 };
        await walk(full, r);
      } else {
        out[r] = { type: "file", content: Buffer.from(await readFile(full)).toString("hex"), mode: info.mode & 0o777 };
      }
    }
  }
  await walk(root, "");
  return out;
}

export interface RawEntry extends Partial<EntryHeader> {
  name: string;
  content?: Uint8Array | string;
}

/** A tar.gz assembled entry by entry, so tests can build archives our packer would never write. */
export function buildTarGz(entries: RawEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const content = typeof e.content === "string" ? new TextEncoder().encode(e.content) : e.content ?? new Uint8Array();
    parts.push(
      encodeEntryHeader({
        name: e.name,
        type: e.type ?? "file",
        size: e.size ?? content.length,
        mode: e.mode ?? 0o644,
        mtime: e.mtime ?? 0,
        ...(e.linkname === undefined ? {} : { linkname: e.linkname }),
      }),
    );
    const body = new Uint8Array(padded(content.length));
    body.set(content);
    parts.push(body);
  }
  parts.push(new Uint8Array(BLOCK * 2));
  return new Uint8Array(gzipSync(Buffer.concat(parts)));
}
