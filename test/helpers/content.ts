/** Test content with known digests: big random files, folders of many small files, and tree hashes. */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Writes `bytes` random bytes to `path` in 1 MiB chunks. */
export async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const fh = await open(path, "w");
  try {
    for (let left = bytes; left > 0; left -= 1024 * 1024) await fh.write(randomBytes(Math.min(left, 1024 * 1024)));
  } finally {
    await fh.close();
  }
}

/** `count` small files (0–2 KiB, some empty) spread over nested folders under `root`. */
export async function writeManyFiles(root: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const dir = join(root, `d${i % 10}`, `e${i % 7}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `f${i}.bin`), randomBytes(i % 13 === 0 ? 0 : (i * 37) % 2048));
  }
}

export async function fileDigest(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Uint8Array);
  return hash.digest("hex");
}

/** One digest over every file's relative path and content (folders only through their files). */
export async function treeDigest(root: string): Promise<{ digest: string; files: number }> {
  const entries: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else entries.push(`${r}\0${await fileDigest(join(root, r))}`);
    }
  };
  await walk("");
  entries.sort();
  return { digest: createHash("sha256").update(entries.join("\n")).digest("hex"), files: entries.length };
}
