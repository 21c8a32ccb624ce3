/**
 * Our own tar.gz codec (POSIX ustar with pax long names, over `node:zlib`): packs a file or folder
 * for inline inputs and published results, and extracts untrusted archives safely (no entry lands
 * outside the destination; size and entry caps; symlinks and hardlinks checked).
 *
 * @example
 * ```ts
 * import { packPathToTarGzFile, extractTarGz } from "./index.ts";
 * await packPathToTarGzFile("/results/e-123", "/published/e-123.tar.gz");
 * await extractTarGz("/published/e-123.tar.gz", "/tmp/out", { maxBytes: 1 << 30 });
 * ```
 */
export { packPathToTarGz, packPathToTarGzFile, packPathToTarGzStream } from "./pack.ts";
export type { PackOptions } from "./pack.ts";
export { DEFAULT_MAX_EXTRACT_BYTES, extractTarGz } from "./extract.ts";
export type { ExtractOptions, ExtractSummary, TarGzSource } from "./extract.ts";
