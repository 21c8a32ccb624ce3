/**
 * The `urlDownload` storage source: fetches an http(s) URL onto the compute node. The file lands
 * in a fresh folder (named after the final URL path, or the Content-Disposition filename after a
 * redirect) and the folder is mounted at the Target, so the job sees `<Target>/<file name>`.
 *
 * @example
 * ```ts
 * const source = createURLSource({ maxRetries: 3 });
 * const vol = await source.prepare(
 *   { Source: { Type: "urlDownload", Params: { URL: "https://example.org/data.csv" } }, Target: "/inputs" },
 *   { jobID, executionID, workDir, signal },
 * ); // vol.hostPath holds data.csv
 * ```
 */
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { PreparedVolume } from "../../executor/executor.ts";
import { BacalhauError } from "../../models/errors.ts";
import type { InputSource } from "../../models/types.ts";
import type { PrepareContext, StorageSource } from "../source.ts";
import { downloadToFolder } from "./download.ts";
import type { DownloadOptions } from "./download.ts";

export type URLSourceOptions = DownloadOptions;

const COMPONENT = "URLDownload";

function param(params: Record<string, unknown> | undefined, key: string): unknown {
  if (!params) return undefined;
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(params)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** The URL to fetch, or a reason it cannot be fetched. */
function parseURL(input: InputSource): URL | string {
  const raw = param(input.Source.Params, "URL");
  if (typeof raw !== "string" || raw.trim() === "") {
    return 'urlDownload input needs Params.URL, e.g. {"URL": "https://example.org/data.csv"}';
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return `urlDownload Params.URL "${raw}" is not a valid URL; give an absolute http:// or https:// URL`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `urlDownload supports only http and https URLs, got "${url.protocol.replace(/:$/, "")}"; ` +
      "use the matching input type instead (ipfs://, s3://, file:// for local paths)";
  }
  return url;
}

export function createURLSource(opts: URLSourceOptions = {}): StorageSource {
  return {
    type: "urlDownload",
    isInstalled: () => Promise.resolve(true),
    validate(input) {
      const parsed = parseURL(input);
      return typeof parsed === "string" ? parsed : undefined;
    },
    async prepare(input: InputSource, ctx: PrepareContext): Promise<PreparedVolume> {
      ctx.signal.throwIfAborted();
      const parsed = parseURL(input);
      if (typeof parsed === "string") throw BacalhauError.badRequest(parsed, { component: COMPONENT });
      const folder = await mkdtemp(join(ctx.workDir, "url-"));
      try {
        await downloadToFolder(parsed.href, folder, ctx.signal, opts);
      } catch (err) {
        await rm(folder, { recursive: true, force: true });
        throw err;
      }
      return { target: input.Target, hostPath: folder, readOnly: true };
    },
  };
}
