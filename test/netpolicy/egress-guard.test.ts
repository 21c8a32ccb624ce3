// The egress proxy against the node that runs it: a job allowed `localhost` or an IP literal still
// cannot reach the node's API (plain or CONNECT), the proxy itself, or loopback by any spelling,
// redirect or DNS answer, while an address the operator allows stays reachable.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startEgressProxy, type EgressProxyOptions } from "../../src/netpolicy/index.ts";
import type { Cleanup } from "../executor/helpers.ts";
import { getJSON, wasmJob } from "../helpers/jobs.ts";
import { startTestNode } from "../helpers/node.ts";
import { connectTunnel, getFollowing, loopbackServer, readAll, startOrigin, UPSTREAM_CIDRS, UPSTREAM_HOST, viaProxy } from "./helpers.ts";

async function proxyFor(t: Cleanup, opts: Partial<EgressProxyOptions> & { domains: string[] }) {
  const proxy = await startEgressProxy({ jobID: "j-guard-test", ...opts });
  t.after(() => proxy.close());
  return proxy;
}

test("the node's API and the proxy itself are out of reach, even with all of loopback allowed", async (t) => {
  const node = await startTestNode(t);
  const api = node.apiPort;
  const origin = await startOrigin(t);
  const domains = ["localhost", "127.0.0.1", UPSTREAM_HOST, "::1", "::ffff:127.0.0.1"];
  const allowedCIDRs = ["127.0.0.0/8", "::1/128"];
  const otherJobs = await proxyFor(t, { domains, allowedCIDRs });
  const proxy = await proxyFor(t, { domains, allowedCIDRs, connectPorts: [api, origin.port, otherJobs.port] });
  const jobsBefore = (await getJSON<{ Items: unknown[] }>(`${node.apiURL}/api/v1/orchestrator/jobs`)).Items.length;

  // A plain submission through the proxy, by IP and by name.
  const body = JSON.stringify({ Job: wasmJob("hello", { name: "from-inside" }) });
  for (const host of ["127.0.0.1", "localhost", UPSTREAM_HOST, "[::ffff:127.0.0.1]", "2130706433"]) {
    const reply = await viaProxy(proxy.port, `http://${host}:${api}/api/v1/orchestrator/jobs`, {
      method: "PUT", headers: { "content-type": "application/json" }, body: Buffer.from(body),
    });
    assert.equal(reply.status, 403, host);
    assert.match(reply.body.toString(), new RegExp(`port ${api} is this host, on a port the node itself listens on`), host);
  }
  // The proxy itself and another job's proxy, plain and tunnelled, and a tunnel to the API.
  const self = await viaProxy(proxy.port, `http://127.0.0.1:${proxy.port}/`);
  assert.equal(self.status, 403);
  assert.match(self.body.toString(), /the node itself listens on/);
  for (const port of [api, otherJobs.port]) {
    const tunnel = await connectTunnel(proxy.port, `127.0.0.1:${port}`);
    t.after(() => tunnel.socket.destroy());
    assert.equal(tunnel.status, 403, `CONNECT to ${port}`);
    assert.match((await readAll(tunnel.socket, tunnel.rest)).toString(), /the node itself listens on/);
  }
  const jobsAfter = (await getJSON<{ Items: unknown[] }>(`${node.apiURL}/api/v1/orchestrator/jobs`)).Items.length;
  assert.equal(jobsAfter, jobsBefore, "no job was submitted");

  // The allowance itself works: another loopback address, plain and tunnelled.
  assert.equal((await viaProxy(proxy.port, `http://${UPSTREAM_HOST}:${origin.port}/headers`)).status, 200);
  const open = await connectTunnel(proxy.port, `${UPSTREAM_HOST}:${origin.port}`);
  t.after(() => open.socket.destroy());
  assert.equal(open.status, 200);
});

test("odd spellings of loopback, metadata and unspecified addresses never reach a server", async (t) => {
  const target = await loopbackServer(t);
  const p = target.port;
  const proxy = await proxyFor(t, {
    domains: ["127.0.0.1", "::1", "::ffff:127.0.0.1", "0.0.0.0", "::", "169.254.169.254", "::ffff:169.254.169.254", "localhost"],
    allowedCIDRs: UPSTREAM_CIDRS,
    connectPorts: [p],
  });
  const urls = [`0x7f.1:${p}`, `2130706433:${p}`, `127.1:${p}`, `0177.0.0.1:${p}`, `127.0.0.1.:${p}`, `[::ffff:127.0.0.1]:${p}`,
    `[::FFFF:7F00:1]:${p}`, `[::1]:${p}`, `LOCALHOST:${p}`, `localhost.:${p}`, `0.0.0.0:${p}`, `0:${p}`, `[::]:${p}`,
    "169.254.169.254", "[::ffff:a9fe:a9fe]"];
  for (const authority of urls) {
    const plain = await viaProxy(proxy.port, `http://${authority}/`);
    assert.equal(plain.status, 403, `${authority}: ${plain.body}`);
    assert.match(plain.body.toString(), /is refused: .*(loopback|unspecified|cloud metadata)/, authority);
    const withPort = authority.includes(`:${p}`) ? authority : `${authority}:${p}`;
    const tunnel = await connectTunnel(proxy.port, withPort);
    t.after(() => tunnel.socket.destroy());
    assert.equal(tunnel.status, 403, `CONNECT ${withPort}`);
  }
  assert.deepEqual(target.hits, [], "nothing reached the server on 127.0.0.1");
});

test("a redirect to 127.0.0.1 and names that resolve to loopback are refused", async (t) => {
  const target = await loopbackServer(t);
  const origin = await startOrigin(t);
  const names = new Map([["allowed.test", [UPSTREAM_HOST]], ["sneaky.test", ["::ffff:127.0.0.1"]], ["both.test", ["127.0.0.1", "10.9.9.9"]]]);
  const proxy = await proxyFor(t, {
    domains: ["allowed.test", "sneaky.test", "both.test", "127.0.0.1"],
    allowedCIDRs: UPSTREAM_CIDRS,
    resolve: (h) => Promise.resolve(names.get(h) ?? []),
  });
  const to = encodeURIComponent(`http://127.0.0.1:${target.port}/`);
  const { reply, urls } = await getFollowing(proxy.port, `http://allowed.test:${origin.port}/redirect?to=${to}`);
  assert.equal(urls.length, 2);
  assert.equal(reply.status, 403);
  assert.match(reply.body.toString(), /127\.0\.0\.1 is a loopback address/);
  for (const name of ["sneaky.test", "both.test"]) {
    const r = await viaProxy(proxy.port, `http://${name}:${target.port}/`);
    assert.equal(r.status, 403, name);
    assert.match(r.body.toString(), new RegExp(`host ${name.replace(".", "\\.")} is refused: .*(loopback|private)`));
  }
  // `localhost` through the system resolver.
  const system = await proxyFor(t, { domains: ["localhost"], allowedCIDRs: UPSTREAM_CIDRS });
  const local = await viaProxy(system.port, `http://localhost:${target.port}/`);
  assert.equal(local.status, 403);
  assert.match(local.body.toString(), /host localhost is refused: .*loopback/);
  assert.deepEqual(target.hits, []);
  assert.equal(origin.seen.length, 1, "only the redirecting request reached the origin");
});

test("an address the operator allows is reached, by name and by IP; the same one unlisted is not", async (t) => {
  const origin = await startOrigin(t);
  const names = new Map([["lan.test", [UPSTREAM_HOST]]]);
  const domains = ["lan.test", UPSTREAM_HOST];
  const resolve = (h: string) => Promise.resolve(names.get(h) ?? []);
  const allowed = await proxyFor(t, { domains, resolve, allowedCIDRs: ["127.0.0.0/30"] });
  const refused = await proxyFor(t, { domains, resolve, allowedCIDRs: ["127.0.0.4/30", "10.0.0.0/8"] });
  for (const host of ["lan.test", UPSTREAM_HOST]) {
    assert.equal((await viaProxy(allowed.port, `http://${host}:${origin.port}/headers`)).status, 200, host);
    assert.equal((await viaProxy(refused.port, `http://${host}:${origin.port}/headers`)).status, 403, host);
  }
  assert.equal(origin.seen.length, 2);
  await assert.rejects(startEgressProxy({ jobID: "j", domains, allowedCIDRs: ["10.0.0.0/40"] }), /JobNetworking\.AllowedCIDRs: 10\.0\.0\.0\/40/);
});
