/**
 * `fetch` over node:https for the cases the global fetch cannot express per request: a private CA
 * (`--cacert`, e.g. a node's self-signed certificate) or no verification at all (`--insecure`).
 * node:https behaves the same on Node and Deno.
 */
import { request } from "node:https";
import { Readable } from "node:stream";

export interface TlsOptions {
  /** PEM of the CA (or self-signed certificate) to trust. */
  ca?: string;
  /** Skip certificate verification. */
  insecure?: boolean;
}

export function tlsFetch(opts: TlsOptions): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
      const body = init?.body;
      if (typeof body === "string") headers["content-length"] = String(Buffer.byteLength(body));
      const req = request(url, {
        method: init?.method ?? "GET",
        headers,
        ...(opts.ca ? { ca: opts.ca } : {}),
        rejectUnauthorized: !opts.insecure,
        ...(init?.signal ? { signal: init.signal } : {}),
      }, (res) => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
        }
        const status = res.statusCode ?? 500;
        const nobody = status === 204 || status === 304 || init?.method === "HEAD";
        resolve(new Response(nobody ? null : Readable.toWeb(res) as ReadableStream<Uint8Array>, { status, headers: h }));
      });
      req.on("error", reject);
      if (body === undefined || body === null) req.end();
      else if (typeof body === "string" || body instanceof Uint8Array) req.end(body);
      else if (body instanceof ReadableStream) Readable.fromWeb(body as never).pipe(req);
      else reject(new TypeError("unsupported request body for a TLS request"));
    });
}
