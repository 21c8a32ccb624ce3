/**
 * The HTTPS half of the egress proxy: `CONNECT host:port` is checked against the allow-list by
 * that host, the port against the CONNECT ports (443 and the operator's) and the resolved address
 * against the address policy, then bytes are relayed both ways (rate-limited) without looking inside, so TLS stays
 * end to end between the job and the server.
 */
import * as net from "node:net";
import type { Duplex } from "node:stream";
import type { IncomingMessage } from "node:http";
import type { ProxyContext } from "./context.ts";
import { resolveTarget } from "./context.ts";
import { pipeThrottled } from "./throttle.ts";

function reply(socket: Duplex, status: number, text: string, body = ""): void {
  const head = `HTTP/1.1 ${status} ${text}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
  socket.end(head + body);
}

function parseAuthority(authority: string): { host: string; port: number } | undefined {
  // The port is read from the text: the URL parser drops a scheme's default one (`:80`).
  const port = /:(\d{1,5})$/.exec(authority);
  if (!port) return undefined;
  try {
    // The URL parser gives the host its one canonical spelling (`0x7f.1` → `127.0.0.1`).
    const u = new URL(`http://${authority}`);
    if (u.pathname !== "/" || u.username !== "" || u.search !== "" || u.hash !== "") return undefined;
    return { host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(port[1]) };
  } catch {
    return undefined;
  }
}

export async function tunnel(ctx: ProxyContext, req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
  client.on("error", () => client.destroy());
  const target = parseAuthority(req.url ?? "");
  if (!target) return reply(client, 400, "Bad Request", "bacalhau egress proxy: CONNECT needs host:port\n");
  if (!ctx.connectPorts.has(target.port)) {
    const reason = `CONNECT is allowed only to port${ctx.connectPorts.size > 1 ? "s" : ""} ` +
      `${[...ctx.connectPorts].join(", ")}, not ${target.port}`;
    ctx.onRefused?.(target.host, reason);
    return reply(client, 403, "Forbidden", `bacalhau egress proxy: ${reason}\n`);
  }
  const resolved = await resolveTarget(ctx, target.host, target.port);
  if (!resolved.ok) {
    ctx.onRefused?.(target.host, resolved.reason);
    const text = resolved.status === 403 ? "Forbidden" : "Bad Gateway";
    return reply(client, resolved.status, text, `bacalhau egress proxy: ${resolved.reason}\n`);
  }
  const upstream = net.connect({ host: resolved.address, port: target.port });
  ctx.track(upstream);
  upstream.once("error", (err) => {
    if (upstream.bytesRead === 0 && !client.destroyed && client.writable) {
      reply(client, 502, "Bad Gateway", `bacalhau egress proxy: cannot reach ${req.url}: ${err.message}\n`);
    } else {
      client.destroy();
    }
  });
  upstream.once("connect", async () => {
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) {
      await ctx.up.take(head.length);
      upstream.write(head);
    }
    const a = pipeThrottled(client, upstream, ctx.up);
    const b = pipeThrottled(upstream, client, ctx.down);
    await Promise.all([a, b]);
  });
  client.once("close", () => upstream.destroy());
}
