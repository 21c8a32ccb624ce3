/**
 * Merging several results folders into one: `stdout` and `stderr` are appended, `exitCode` keeps
 * the last value, and everything else (the output folders) is copied over.
 */
import { appendFile, copyFile, cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

const APPENDED = new Set(["stdout", "stderr"]);

export async function mergeResults(fromDir: string, intoDir: string): Promise<void> {
  await mkdir(intoDir, { recursive: true });
  for (const entry of await readdir(fromDir, { withFileTypes: true })) {
    const src = join(fromDir, entry.name);
    const dst = join(intoDir, entry.name);
    if (entry.isDirectory()) await cp(src, dst, { recursive: true, force: true });
    else if (APPENDED.has(entry.name)) await appendFile(dst, await readFile(src));
    else if (entry.name === "exitCode") await writeFile(dst, await readFile(src));
    else await copyFile(src, dst);
  }
}
