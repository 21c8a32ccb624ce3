/**
 * The plain-HTTP half of the egress proxy: a request in absolute form (`GET http://host/path`) is
 * checked against the allow-list by its URL host, sent on with the Host header set from that URL
 * and `X-Bacalhau-Job-ID` replaced by the job's own, and its response streamed back. Redirects
 * pass through unchanged: the client follows them with a new request, which is checked again.
 */
import * as http from "node:http";
import type { ProxyContext } from "./context.ts";
import { resolveTarget } from "./context.ts";
import { pipeThrottled } from "./throttle.ts";

export const JOB_ID_HEADER = "X-Bacalhau-Job-ID";

const HOP_BY_HOP = new Set([
  "connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
  "te", "trailer", "transfer-encoding", "upgrade",
]);

function forwardable(headers: http.IncomingHttpHeaders, extraDrop: string[] = []): http.OutgoingHttpHeaders {
  const connection = String(headers["connection"] ?? "").toLowerCase().split(",").map((s) => s.trim());
  const drop = new Set([...HOP_BY_HOP, ...connection, ...extraDrop]);
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined && !drop.has(k.toLowerCase())) out[k] = v;
  }
  return out;
}

export function refuse(res: http.ServerResponse, status: number, reason: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `bacalhau egress proxy: ${reason}\n`;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export async function forwardHttp(ctx: ProxyContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? "");
  } catch {
    return refuse(res, 400, "requests must use a proxy-style absolute URL (http://host/path)");
  }
  if (url.protocol !== "http:") {
    return refuse(res, 501, `${url.protocol} URLs are not forwarded as plain requests; use CONNECT for https`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = url.port === "" ? 80 : Number(url.port);
  const target = await resolveTarget(ctx, host, port);
  if (!target.ok) {
    ctx.onRefused?.(host, target.reason);
    req.resume();
    return refuse(res, target.status, target.reason);
  }
  const headers = forwardable(req.headers, [JOB_ID_HEADER.toLowerCase(), "host"]);
  headers["host"] = url.host;
  headers[JOB_ID_HEADER] = ctx.jobID;
  headers["connection"] = "close";

  const upstream = http.request({
    host: target.address,
    port,
    method: req.method,
    path: `${url.pathname}${url.search}`,
    headers,
    agent: false,
    setHost: false,
  });
  upstream.on("socket", (s) => ctx.track(s));
  let responded = false;
  upstream.on("response", (upRes) => {
    responded = true;
    res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, forwardable(upRes.headers));
    // A body cut short upstream must reach the job cut short too: ending the response normally
    // would close a chunked body properly and pass a truncated download on as a whole one. So
    // the bytes that came are passed on and the connection is then closed mid-body.
    void pipeThrottled(upRes, res, ctx.down, {
      complete: () => upRes.complete,
      onCut: () => {
        res.flushHeaders(); // the head goes out even when no body byte came
        if (res.socket) res.socket.end();
        else res.destroy();
      },
    });
  });
  upstream.on("error", (err) => {
    // Once a response is under way, its own stream ends the job's copy (see onCut above).
    if (!responded) refuse(res, 502, `cannot reach ${url.host}: ${err.message}`);
  });
  res.on("close", () => upstream.destroy());
  // The upstream going away must not take the job's connection with it before the 502 is sent.
  void pipeThrottled(req, upstream, ctx.up, { destroySource: false });
}
