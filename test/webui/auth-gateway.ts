/**
 * A real HTTP gateway on 127.0.0.1 that enforces the API authentication contract in front of a
 * node, so the dashboard's sign-in and read-only mode can be driven before the node enforces it
 * itself: `/api/*` needs `Authorization: Bearer <key>` or Basic (the WebSocket log stream takes the
 * same value as its `authorization` query parameter); none or a wrong one → 401, a key without
 * write rights doing anything but GET → 403, both as Bacalhau's error JSON. Everything else (the
 * page itself) is public. What it saw is recorded for the test to check.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { connect } from "node:net";
import type { AddressInfo, Socket } from "node:net";

export interface Gateway {
  url: string;
  /** The Authorization value of every API request (or WebSocket query) that got through. */
  seen: Array<{ method: string; path: string; auth: string; websocket: boolean }>;
  close(): Promise<void>;
}

type Rights = "write" | "read";

function refuse(res: ServerResponse, status: 401 | 403, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ Status: status, Message: message, Code: status === 401 ? "Unauthorized" : "Forbidden", Component: "APIServer" }));
}

export async function startGateway(target: string, users: Record<string, Rights>): Promise<Gateway> {
  const upstream = new URL(target);
  const seen: Gateway["seen"] = [];
  const rightsOf = (auth: string): Rights | undefined => users[auth];
  // Every socket, the spliced WebSocket ones included, so that close() can end them all.
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "/";
    const auth = req.headers.authorization ?? "";
    if (path.startsWith("/api/")) {
      const rights = rightsOf(auth);
      if (!rights) return refuse(res, 401, auth ? "invalid credentials" : "authentication required");
      if (rights === "read" && req.method !== "GET" && req.method !== "HEAD") {
        return refuse(res, 403, "this key lacks the write:job capability");
      }
      seen.push({ method: req.method ?? "", path, auth, websocket: false });
    }
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on("error", () => res.destroy());
    req.pipe(out);
  });

  // WebSocket upgrades (the log stream) are checked, then spliced to the node byte for byte.
  server.on("upgrade", (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? "/", "http://gateway");
    const auth = url.searchParams.get("authorization") ?? "";
    if (!rightsOf(auth)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n");
      return;
    }
    seen.push({ method: "GET", path: url.pathname, auth, websocket: true });
    const up = connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    track(up);
    const end = () => {
      up.destroy();
      socket.destroy();
    };
    up.on("error", end);
    socket.on("error", end);
    socket.on("close", end);
  });

  server.on("connection", track);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}
