import assert from "node:assert/strict";
import { test } from "node:test";
import { startEgressProxy, type EgressProxyOptions } from "../../src/netpolicy/index.ts";
import type { Cleanup } from "../executor/helpers.ts";
import { connectTunnel, getFollowing, readAll, startOrigin, UPSTREAM_CIDRS, UPSTREAM_HOST, viaProxy } from "./helpers.ts";

// Names only this test knows, all served by the local origin.
const NAMES = new Map([["allowed.test", UPSTREAM_HOST], ["sub.wild.test", UPSTREAM_HOST], ["refused.test", UPSTREAM_HOST]]);
const testResolver = (host: string) => {
  const ip = NAMES.get(host);
  return ip ? Promise.resolve([ip]) : Promise.reject(new Error(`unknown host ${host}`));
};

async function proxyFor(t: Cleanup, opts: Partial<EgressProxyOptions> = {}) {
  const proxy = await startEgressProxy({
    jobID: "j-proxy-test",
    domains: ["allowed.test", ".wild.test"],
    resolve: testResolver,
    allowedCIDRs: UPSTREAM_CIDRS,
    ...opts,
  });
  t.after(() => proxy.close());
  return proxy;
}

test("forwards plain HTTP to allowed hosts and stamps the job ID", async (t) => {
  const origin = await startOrigin(t);
  const proxy = await proxyFor(t);
  const reply = await viaProxy(proxy.port, `http://allowed.test:${origin.port}/headers`, {
    headers: { "x-bacalhau-job-id": "forged", "x-other": "kept" },
  });
  assert.equal(reply.status, 200);
  const headers = JSON.parse(reply.body.toString()) as Record<string, string>;
  assert.equal(headers["x-bacalhau-job-id"], "j-proxy-test", "an incoming job ID is replaced");
  assert.equal(headers["x-other"], "kept");
  assert.equal(headers["host"], `allowed.test:${origin.port}`);

  const wild = await viaProxy(proxy.port, `http://sub.wild.test:${origin.port}/headers`);
  assert.equal(wild.status, 200);
});

test("refuses hosts off the list by the URL host, whatever the Host header says", async (t) => {
  const origin = await startOrigin(t);
  const proxy = await proxyFor(t);
  const refused = await viaProxy(proxy.port, `http://refused.test:${origin.port}/headers`, {
    headers: { host: `allowed.test:${origin.port}` },
  });
  assert.equal(refused.status, 403);
  assert.match(refused.body.toString(), /refused\.test is not in the job's network allow-list/);
  const byIP = await viaProxy(proxy.port, `http://${UPSTREAM_HOST}:${origin.port}/headers`);
  assert.equal(byIP.status, 403);
  assert.equal(origin.seen.length, 0, "nothing reached the origin");

  // A Host header naming another site does not reach it through an allowed URL either.
  const spoof = await viaProxy(proxy.port, `http://allowed.test:${origin.port}/headers`, { headers: { host: "refused.test" } });
  assert.equal((JSON.parse(spoof.body.toString()) as Record<string, string>)["host"], `allowed.test:${origin.port}`);
});

test("a redirect to a refused host is refused when the client follows it", async (t) => {
  const origin = await startOrigin(t);
  const proxy = await proxyFor(t);
  const to = encodeURIComponent(`http://refused.test:${origin.port}/headers`);
  const { reply, urls } = await getFollowing(proxy.port, `http://allowed.test:${origin.port}/redirect?to=${to}`);
  assert.equal(urls.length, 2);
  assert.equal(reply.status, 403);
  assert.equal(origin.seen.length, 1, "only the redirecting request reached the origin");

  const ok = encodeURIComponent(`http://sub.wild.test:${origin.port}/headers`);
  const followed = await getFollowing(proxy.port, `http://allowed.test:${origin.port}/redirect?to=${ok}`);
  assert.equal(followed.reply.status, 200);
});

test("CONNECT tunnels to allowed hosts only, on 443 and the operator's ports", async (t) => {
  const origin = await startOrigin(t);
  const proxy = await proxyFor(t, { connectPorts: [origin.port] });
  const open = await connectTunnel(proxy.port, `allowed.test:${origin.port}`);
  t.after(() => open.socket.destroy());
  assert.equal(open.status, 200);
  open.socket.write(`GET /headers HTTP/1.1\r\nHost: allowed.test\r\nConnection: close\r\n\r\n`);
  const raw = (await readAll(open.socket, open.rest)).toString();
  assert.match(raw, /^HTTP\/1\.1 200/);
  assert.doesNotMatch(raw, /x-bacalhau-job-id/i, "tunnelled bytes are not touched");

  const refused = await connectTunnel(proxy.port, `refused.test:${origin.port}`);
  t.after(() => refused.socket.destroy());
  assert.equal(refused.status, 403);
  const noPort = await connectTunnel(proxy.port, "allowed.test");
  t.after(() => noPort.socket.destroy());
  assert.equal(noPort.status, 400);

  // The same allowed host on a port the operator did not list.
  const unlisted = await proxyFor(t);
  const offPort = await connectTunnel(unlisted.port, `allowed.test:${origin.port}`);
  assert.equal(offPort.status, 403);
  assert.match((await readAll(offPort.socket, offPort.rest)).toString(), /CONNECT is allowed only to port 443, not \d+/);
  const port80 = await connectTunnel(unlisted.port, "allowed.test:80");
  assert.equal(port80.status, 403, "port 80 is named even though it is http's default");
  assert.match((await readAll(port80.socket, port80.rest)).toString(), /only to port 443, not 80\n/);
  assert.equal(origin.seen.length, 1, "only the tunnelled request reached the origin");
});

test("without the operator's allowance, loopback is refused by name and by IP", async (t) => {
  const origin = await startOrigin(t);
  const proxy = await proxyFor(t, { domains: ["allowed.test", UPSTREAM_HOST], allowedCIDRs: [] });
  for (const host of ["allowed.test", UPSTREAM_HOST]) {
    const reply = await viaProxy(proxy.port, `http://${host}:${origin.port}/headers`);
    assert.equal(reply.status, 403, host);
    assert.match(reply.body.toString(), /127\.0\.0\.2 is a loopback address; .* JobNetworking\.AllowedCIDRs/);
  }
  assert.equal(origin.seen.length, 0);
  // The allowance makes the very same requests work.
  const allowed = await proxyFor(t, { domains: ["allowed.test", UPSTREAM_HOST] });
  for (const host of ["allowed.test", UPSTREAM_HOST]) {
    assert.equal((await viaProxy(allowed.port, `http://${host}:${origin.port}/headers`)).status, 200, host);
  }
});

test("limits the job's traffic to 10 Mbit/s each way (within 20%)", async (t) => {
  const origin = await startOrigin(t);
  const proxy = await proxyFor(t);
  const cap = 10_000_000 / 8;
  const size = Math.round(cap * 2); // about two seconds each way at the cap
  const timed = async (fn: () => Promise<number>) => {
    const start = performance.now();
    const bytes = await fn();
    return bytes / ((performance.now() - start) / 1000);
  };
  const [down, up] = await Promise.all([
    timed(async () => (await viaProxy(proxy.port, `http://allowed.test:${origin.port}/bytes?n=${size}`)).body.length),
    timed(async () => {
      const reply = await viaProxy(proxy.port, `http://allowed.test:${origin.port}/sink`, {
        method: "POST",
        body: new Uint8Array(size),
        headers: { "content-length": size },
      });
      return Number(reply.body.toString());
    }),
  ]);
  for (const [name, rate] of [["down", down], ["up", up]] as const) {
    assert.ok(rate <= cap * 1.2, `${name}: ${Math.round(rate)} B/s is above the cap`);
    assert.ok(rate >= cap * 0.8, `${name}: ${Math.round(rate)} B/s is far below the cap`);
  }
});
