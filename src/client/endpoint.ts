/** Where the API lives: flags beat BACALHAU_API_HOST/PORT, which beat the defaults (0.0.0.0:1234). */

export const DEFAULT_API_HOST = "0.0.0.0";
export const DEFAULT_API_PORT = 1234;

export interface EndpointOptions {
  host?: string;
  port?: number | string;
  tls?: boolean;
  env?: Record<string, string | undefined>;
}

export interface Endpoint {
  /** `http://host:port` with no trailing slash. */
  baseUrl: string;
  /** `ws://host:port`. */
  wsUrl: string;
}

export function resolveEndpoint(opts: EndpointOptions = {}): Endpoint {
  const env = opts.env ?? {};
  let host = opts.host || env.BACALHAU_API_HOST || DEFAULT_API_HOST;
  const rawPort = opts.port ?? (env.BACALHAU_API_PORT || DEFAULT_API_PORT);
  const port = typeof rawPort === "number" ? rawPort : Number.parseInt(rawPort, 10);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new TypeError(`invalid API port: ${String(rawPort)}`);
  }
  // A server listening on every interface is reached through loopback.
  if (host === "0.0.0.0" || host === "::" || host === "[::]") host = "127.0.0.1";
  if (host.includes(":") && !host.startsWith("[")) host = `[${host}]`;
  const tls = opts.tls ?? /^(1|true|yes)$/i.test(env.BACALHAU_API_TLS_USETLS || env.BACALHAU_API_TLS || "");
  return {
    baseUrl: `${tls ? "https" : "http"}://${host}:${port}`,
    wsUrl: `${tls ? "wss" : "ws"}://${host}:${port}`,
  };
}

/** Turns a full base URL (e.g. the web UI's own origin) into an Endpoint. */
export function endpointFromUrl(url: string): Endpoint {
  const u = new URL(url);
  const base = `${u.protocol}//${u.host}`;
  return { baseUrl: base, wsUrl: base.replace(/^http/, "ws") };
}
