/**
 * Local files sent with the job as `inline` data-URL inputs: a small file as itself, anything
 * larger than 512 bytes (or a folder) as a gzipped tar.
 */
import { readFile, stat } from "node:fs/promises";
import { packPathToTarGz } from "../../codec/tar/index.ts";
import type { InputSource } from "../../models/types.ts";

export const INLINE_RAW_LIMIT = 512;

export interface InlinedInput {
  input: InputSource;
  /** True when the content arrives as a folder holding `<basename>` (gzip tar). */
  archived: boolean;
}

export async function inlineLocalPath(hostPath: string, target: string): Promise<InlinedInput> {
  const info = await stat(hostPath);
  const archived = info.isDirectory() || info.size > INLINE_RAW_LIMIT;
  const url = archived
    ? `data:application/gzip;base64,${toBase64(await packPathToTarGz(hostPath))}`
    : `data:application/octet-stream;base64,${toBase64(await readFile(hostPath))}`;
  return { input: { Source: { Type: "inline", Params: { URL: url } }, Target: target }, archived };
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The path if a local file or folder of that name exists, else undefined. */
export async function existingPath(p: string): Promise<string | undefined> {
  try {
    await stat(p);
    return p;
  } catch {
    return undefined;
  }
}
