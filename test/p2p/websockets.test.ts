// A host without a WebSockets listener still dials WebSockets addresses (the transport loads on the
// first such dial); a host given a WebSockets port listens on it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { multiaddr } from "@multiformats/multiaddr";
import { isWebSocketAddress } from "../../src/p2p/address.ts";
import { isWebSocketsDialable } from "../../src/p2p/lazy-websockets.ts";
import { localHost } from "../transport/libp2p-harness.ts";

test("which addresses the dial-only WebSockets transport takes", () => {
  const id = "12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq";
  for (const a of ["/ip4/10.0.0.5/tcp/1236/ws", `/ip4/10.0.0.5/tcp/1236/ws/p2p/${id}`, "/dns4/example.com/tcp/443/wss",
    "/ip6/::1/tcp/1/tls/ws", "/dns/example.com/tcp/443/tls/sni/example.com/ws"]) {
    assert.ok(isWebSocketsDialable(multiaddr(a)), a);
  }
  for (const a of ["/ip4/10.0.0.5/tcp/1235", `/ip4/10.0.0.5/tcp/1235/p2p/${id}`, "/ip4/10.0.0.5/udp/1/quic-v1"]) {
    assert.ok(!isWebSocketsDialable(multiaddr(a)), a);
  }
});

test("a host with no WebSockets listener dials one that has it", async (t) => {
  const stops: Array<() => unknown> = [];
  t.after(async () => {
    for (const stop of stops.reverse()) await stop();
  });
  const listener = await localHost((fn) => stops.push(fn), { webSocketPort: 0 });
  const dialer = await localHost((fn) => stops.push(fn));
  assert.ok(listener.webSocketPort(), "the listener has a WebSockets port");
  assert.equal(dialer.webSocketPort(), undefined, "the dialer listens on TCP only");
  const ws = listener.addresses().find((a) => isWebSocketAddress(a));
  assert.ok(ws);
  const conn = await dialer.libp2p.dial(ws);
  assert.equal(conn.remotePeer.toString(), listener.peerId);
  assert.ok(isWebSocketAddress(conn.remoteAddr), `connected over ${conn.remoteAddr.toString()}`);
});
