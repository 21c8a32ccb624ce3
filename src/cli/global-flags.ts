/** Flags every command accepts, and the client they configure (flags > -c config > env > defaults). */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { BacalhauClient } from "../client/client.ts";
import { BacalhauError } from "../models/errors.ts";
import type { FlagSpec, ParsedFlags } from "./flags.ts";

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: "api-host", type: "string", help: "The host for the client and server to communicate on (via REST). env BACALHAU_API_HOST (default \"0.0.0.0\")" },
  { name: "api-port", type: "int", help: "The port for the client and server to communicate on (via REST). env BACALHAU_API_PORT (default 1234)" },
  { name: "config", short: "c", type: "strings", help: "Config file(s) or dot-separated key=value pairs, e.g. -c API.Port=1234" },
  { name: "data-dir", type: "string", hidden: true, help: "The filesystem path bacalhau uses for storing data" },
  { name: "tls", type: "bool", help: "Instructs the client to use TLS. env BACALHAU_API_TLS_USETLS" },
  { name: "insecure", type: "bool", help: "Enables TLS but does not verify certificates (implies --tls). env BACALHAU_API_INSECURE" },
  { name: "cacert", type: "string", help: "The CA certificate (PEM file) to verify the node's certificate with (implies --tls). env BACALHAU_API_CACERT" },
  { name: "log-level", type: "string", hidden: true, help: "deprecated" },
  { name: "profile", type: "string", hidden: true, help: "unused" },
];

/** Global flags that take a value: needed to skip them while finding the command name. */
export const GLOBAL_VALUE_FLAGS: ReadonlySet<string> = new Set(
  GLOBAL_FLAGS.filter((f) => f.type !== "bool").flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])]),
);

export function clientFromFlags(flags: ParsedFlags, env: Record<string, string | undefined>, cwd: string): BacalhauClient {
  const fromConfig = configApi(flags.list("config"), cwd);
  const truthy = (v: string | undefined) => /^(1|true|yes)$/i.test(v ?? "");
  const insecure = flags.bool("insecure") || truthy(env.BACALHAU_API_INSECURE) || truthy(env.BACALHAU_API_TLS_INSECURE);
  const caFile = flags.string("cacert") || env.BACALHAU_API_CACERT || env.BACALHAU_API_TLS_CAFILE || "";
  let caCert: string | undefined;
  if (caFile) {
    try {
      caCert = readFileSync(resolve(cwd, caFile), "utf8");
    } catch (err) {
      throw BacalhauError.badRequest(`cannot read CA certificate ${caFile}: ${(err as Error).message}`, {
        component: "CLI",
        hint: "point --cacert (BACALHAU_API_CACERT) at a PEM file",
        cause: err,
      });
    }
  }
  const tls = flags.bool("tls") || insecure || caCert !== undefined ? true : undefined;
  return new BacalhauClient({
    host: flags.string("api-host") || fromConfig.host,
    port: flags.has("api-port") ? flags.int("api-port") : fromConfig.port,
    env,
    ...(tls ? { tls } : {}),
    ...(insecure ? { insecure } : {}),
    ...(caCert !== undefined ? { caCert } : {}),
  });
}

/** API.Host / API.Port out of `-c` values: `Key=value` pairs or YAML files. */
function configApi(values: string[], cwd: string): { host?: string; port?: number } {
  const out: { host?: string; port?: number } = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq > 0) {
      const key = v.slice(0, eq).toLowerCase();
      if (key === "api.host") out.host = v.slice(eq + 1);
      if (key === "api.port") out.port = Number(v.slice(eq + 1));
      continue;
    }
    if (!/\.ya?ml$/i.test(v)) continue;
    let doc: unknown;
    try {
      doc = parse(readFileSync(resolve(cwd, v), "utf8"));
    } catch (err) {
      throw BacalhauError.badRequest(`cannot read config file ${v}: ${(err as Error).message}`, { component: "CLI", cause: err });
    }
    const api = pick(pick(doc, "api"), "");
    const host = pick(api, "host");
    const port = pick(api, "port");
    if (typeof host === "string" && host) out.host = host;
    if (typeof port === "number") out.port = port;
  }
  return out;
}

/** Case-insensitive key lookup, as Bacalhau's config reader does. */
function pick(obj: unknown, key: string): unknown {
  if (key === "") return obj;
  if (!obj || typeof obj !== "object") return undefined;
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === key) return v;
  return undefined;
}
