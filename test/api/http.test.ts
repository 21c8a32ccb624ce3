import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { startHttpServer, upgradeWebSocket } from "../../src/runtime/http.ts";

function wsMessages(url: string): Promise<{ messages: string[]; code: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: string[] = [];
    ws.onmessage = (e) => messages.push(String(e.data));
    ws.onclose = (e) => resolve({ messages, code: e.code });
    ws.onerror = () => reject(new Error("websocket error"));
  });
}

test("startHttpServer serves HTTP and frees the port on close", async (t) => {
  const app = new Hono();
  app.get("/hello", (c) => c.text("hi"));
  const server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  t.after(() => server.close());
  assert.ok(server.port > 0);
  const res = await fetch(`${server.url}/hello`);
  assert.equal(await res.text(), "hi");
  await server.close();
  await assert.rejects(fetch(`${server.url}/hello`));
  // The same port can be bound again once closed.
  const again = await startHttpServer(app, { host: "127.0.0.1", port: server.port });
  await again.close();
});

test("upgradeWebSocket streams frames and closes", async (t) => {
  const app = new Hono();
  app.get(
    "/ws",
    upgradeWebSocket(() => ({
      onOpen(_e, ws) {
        ws.send("one");
        ws.send("two");
        ws.close(1000, "done");
      },
    })),
  );
  app.get("/plain", (c) => c.text("nope", 400));
  const server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  t.after(() => server.close());
  const got = await wsMessages(server.url.replace("http", "ws") + "/ws");
  assert.deepEqual(got.messages, ["one", "two"]);
  assert.equal(got.code, 1000);
  await assert.rejects(wsMessages(server.url.replace("http", "ws") + "/plain"));
});

test("close ends open WebSockets", async (t) => {
  const app = new Hono();
  const opened = Promise.withResolvers<void>();
  app.get("/ws", upgradeWebSocket(() => ({ onOpen: () => opened.resolve() })));
  const server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  t.after(() => server.close());
  const done = wsMessages(server.url.replace("http", "ws") + "/ws").catch(() => ({ messages: [], code: -1 }));
  await opened.promise;
  await server.close();
  const r = await done;
  assert.notEqual(r.code, 1000);
});
