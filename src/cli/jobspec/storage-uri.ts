/**
 * Storage URIs as the `-i/--input` flag and `wasm run` read them: `ipfs://CID`, `http(s)://…`,
 * `s3://bucket/key`, `file:///path`, each optionally followed by `:target`.
 */
import { BacalhauError } from "../../models/errors.ts";
import type { SpecConfig } from "../../models/types.ts";

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const KNOWN = new Set(["ipfs", "http", "https", "s3", "file"]);

export function isStorageURI(s: string): boolean {
  const m = SCHEME.exec(s);
  return !!m && KNOWN.has((m[1] as string).toLowerCase());
}

/**
 * Splits `URI:target` into its parts. The target is whatever follows the last colon after the
 * scheme, unless that colon starts a port (`http://host:8080/x`).
 */
export function splitURITarget(field: string): { uri: string; target?: string } {
  const m = SCHEME.exec(field);
  const start = m ? m[0].length : 0;
  const colon = field.lastIndexOf(":");
  if (colon < start) return { uri: field };
  const tail = field.slice(colon + 1);
  if (/^\d+(\/|$)/.test(tail)) return { uri: field };
  return { uri: field.slice(0, colon), target: tail };
}

/** The Source SpecConfig for a storage URI, with `opt=k=v` options applied. */
export function sourceFromURI(uri: string, options: Record<string, string> = {}): SpecConfig {
  const m = SCHEME.exec(uri);
  const scheme = m ? (m[1] as string).toLowerCase() : "";
  const rest = m ? uri.slice(m[0].length) : uri;
  switch (scheme) {
    case "ipfs":
      if (!rest) throw invalid(uri, "missing CID");
      return { Type: "ipfs", Params: { CID: rest } };
    case "http":
    case "https":
      return { Type: "urlDownload", Params: { URL: uri } };
    case "s3": {
      const slash = rest.indexOf("/");
      const bucket = slash < 0 ? rest : rest.slice(0, slash);
      if (!bucket) throw invalid(uri, "missing bucket");
      const params: Record<string, unknown> = { Bucket: bucket, Key: slash < 0 ? "" : rest.slice(slash + 1) };
      const names: Record<string, string> = {
        endpoint: "Endpoint",
        region: "Region",
        versionid: "VersionID",
        "checksum-256": "ChecksumSHA256",
        filter: "Filter",
      };
      for (const [k, v] of Object.entries(options)) {
        const name = names[k.toLowerCase()];
        if (!name) throw invalid(uri, `unknown s3 option '${k}'`);
        params[name] = v;
      }
      return { Type: "s3", Params: params };
    }
    case "file": {
      if (!rest.startsWith("/")) throw invalid(uri, "file URIs need an absolute path (file:///path)");
      const rw = /^(true|1|yes)$/i.test(options.rw ?? options.readwrite ?? "");
      return { Type: "local", Params: { SourcePath: rest, ReadWrite: rw } };
    }
    default:
      throw invalid(uri, "unknown storage scheme");
  }
}

function invalid(uri: string, why: string): BacalhauError {
  return BacalhauError.badRequest(`invalid storage source '${uri}': ${why}`, {
    component: "CLI",
    hint: "use ipfs://CID, http(s)://URL, s3://bucket/key or file:///path, optionally followed by :/target",
  });
}
