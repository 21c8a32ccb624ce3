// API authentication and authorization against the real app on 127.0.0.1: Bacalhau 1.7 users
// (basic auth and API keys with capabilities), the job-header guard, CORS, WebSocket origins and
// the per-caller submission limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { basicAuthorization } from "../../src/api/auth/credentials.ts";
import { resourceOf } from "../../src/api/auth/capabilities.ts";
import type { ApiAuth } from "../../src/api/auth/policy.ts";
import { CallerRateLimit } from "../../src/api/auth/rate-limit.ts";
import { compileUsers } from "../../src/api/auth/users.ts";
import { apiError, makeJob, makeNode, startHarness } from "./harness.ts";

const JOBS = "/api/v1/orchestrator/jobs";
const ADMIN_KEY = "admin-key-0123456789abcdef";
const READER_KEY = "reader-key-0123456789abcdef";

let named = 0;
const job = () => ({
  Name: `hello-${++named}`,
  Type: "batch",
  Tasks: [{
    Name: "main",
    Engine: { Type: "wasm", Params: { EntryModule: "/app/main.wasm", Entrypoint: "_start" } },
    InputSources: [{ Target: "/app", Source: { Type: "urlDownload", Params: { URL: "http://example.org/main.wasm" } } }],
  }],
});

function auth(overrides: Partial<ApiAuth> = {}): ApiAuth {
  return {
    users: compileUsers([
      { Alias: "admin", APIKey: ADMIN_KEY, Capabilities: [{ Actions: ["*"] }] },
      { Alias: "reader", APIKey: READER_KEY, Capabilities: [{ Actions: ["read:*"] }] },
      { Username: "jobmanager", Password: "jobmanager-pass", Capabilities: [{ Actions: ["read:job", "write:job"] }] },
      { Username: "nodeops", Password: "nodeops-password", Capabilities: [{ Actions: ["write:node"] }] },
    ]),
    allowAnonymous: false,
    anonymousLoopback: false,
    ...overrides,
  };
}

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

test("no credentials get 401 in Bacalhau's error JSON, naming what to set; open routes stay open", async (t) => {
  const h = await startHarness(t, { auth: auth() });
  const body = await apiError(await h.send("PUT", JOBS, { Job: job() }), 401);
  assert.equal(body.Code, "Unauthorized");
  assert.match(String(body.Hint), /BACALHAU_API_KEY/);
  await apiError(await h.get(JOBS), 401);
  await apiError(await h.get(JOBS, bearer("not-a-key-of-this-node-at-all")), 401);
  await apiError(await h.get(JOBS, { Authorization: "Digest abc" }), 401);
  assert.equal(h.orchestrator.submitted.length, 0);
  assert.equal((await h.get("/api/v1/agent/alive")).status, 200);
  assert.equal((await h.get("/api/v1/agent/version")).status, 200);
  const methods = await (await h.get("/api/v1/auth")).json() as { Methods: Record<string, { Type: string }> };
  assert.deepEqual(Object.keys(methods.Methods).sort(), ["apikey", "basic"]);
  assert.equal((await h.get("/api/v1/auth/basic")).status, 200);
});

test("capabilities: read:* reads but may not write (403); write:job submits; write:node alone may not read jobs", async (t) => {
  const h = await startHarness(t, { auth: auth() });
  assert.equal((await h.get(JOBS, bearer(READER_KEY))).status, 200);
  assert.equal((await h.get("/api/v1/agent/node", bearer(READER_KEY))).status, 200);
  const denied = await apiError(await h.send("PUT", JOBS, { Job: job() }, bearer(READER_KEY)), 403);
  assert.equal(denied.Code, "Forbidden");
  assert.match(String(denied.Message), /write:job/);
  assert.equal(h.orchestrator.submitted.length, 0);

  const jm = { Authorization: basicAuthorization("jobmanager", "jobmanager-pass") };
  const ok = await h.send("PUT", JOBS, { Job: job() }, jm);
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.equal(h.orchestrator.submitted.length, 1);
  await apiError(await h.get("/api/v1/orchestrator/nodes", jm), 403);

  h.store.putNode(makeNode("n-compute-1"));
  const ops = { Authorization: basicAuthorization("nodeops", "nodeops-password") };
  assert.equal((await h.send("PUT", "/api/v1/orchestrator/nodes/n-compute-1", { Action: "approve" }, ops)).status, 200);
  await apiError(await h.get(JOBS, ops), 403);
  // Wrong password, and a user name in another case with the right password.
  await apiError(await h.get(JOBS, { Authorization: basicAuthorization("jobmanager", "wrong-password!") }), 401);
  assert.equal((await h.get(JOBS, { Authorization: basicAuthorization("JobManager", "jobmanager-pass") })).status, 200);
});

test("loopback callers are anonymous by default, but never when they carry the job header", async (t) => {
  const h = await startHarness(t, { auth: auth({ anonymousLoopback: true }) });
  assert.equal((await h.get(JOBS)).status, 200);
  assert.equal((await h.send("PUT", JOBS, { Job: job() })).status, 200);
  await apiError(await h.get(JOBS, { "X-Bacalhau-Job-ID": "j-1" }), 401);
  const open = await startHarness(t, { auth: auth({ allowAnonymous: true }) });
  assert.equal((await open.get(JOBS, {})).status, 200);
});

test("X-Bacalhau-Job-ID is refused on every mutating route, whatever the credentials", async (t) => {
  const h = await startHarness(t, { auth: auth() });
  const stored = makeJob();
  h.store.createJob(stored);
  h.store.putNode(makeNode("n-compute-1"));
  const headers = { ...bearer(ADMIN_KEY), "X-Bacalhau-Job-ID": "j-from-a-job" };
  const routes: [string, string, unknown][] = [
    ["PUT", JOBS, { Job: job() }],
    ["POST", JOBS, { Job: job() }],
    ["PUT", `${JOBS}/diff`, { Job: job() }],
    ["DELETE", `${JOBS}/${stored.ID}`, {}],
    ["PUT", `${JOBS}/${stored.ID}/rerun`, {}],
    ["PUT", "/api/v1/orchestrator/nodes/n-compute-1", { Action: "reject" }],
    ["POST", "/api/v1/run", { Job: job() }],
    ["POST", "/api/v1/run", { APIVersion: "V1beta1", Spec: { Engine: "wasm" } }],
    ["POST", "/api/v1/ipfs/add?kind=file", "x"],
  ];
  for (const [method, path, body] of routes) {
    const err = await apiError(await h.send(method, path, body, headers), 400);
    assert.match(String(err.Message), /X-Bacalhau-Job-ID/, `${method} ${path}`);
  }
  assert.equal(h.orchestrator.submitted.length, 0);
  assert.equal(h.orchestrator.nodeUpdates.length, 0);
  assert.equal(h.store.getJob(stored.ID).State.StateType, "Pending");
  // Reads stay possible for a job holding credentials.
  assert.equal((await h.get(JOBS, headers)).status, 200);
});

test("CORS: a foreign origin's preflight gets no Access-Control-Allow-Origin; configured and own origins do", async (t) => {
  const h = await startHarness(t, { allowedOrigins: ["https://dash.example.org"] });
  const preflight = (origin: string) =>
    fetch(h.url + JOBS, {
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization,content-type" },
    });
  const foreign = await preflight("https://evil.example.com");
  await foreign.body?.cancel();
  assert.equal(foreign.headers.get("access-control-allow-origin"), null);
  const simple = await h.get(JOBS, { Origin: "https://evil.example.com" });
  await simple.body?.cancel();
  assert.equal(simple.headers.get("access-control-allow-origin"), null);

  const configured = await preflight("https://dash.example.org");
  await configured.body?.cancel();
  assert.equal(configured.headers.get("access-control-allow-origin"), "https://dash.example.org");
  assert.match(configured.headers.get("access-control-allow-headers") ?? "", /authorization/i);
  const own = await preflight(h.url);
  await own.body?.cancel();
  assert.equal(own.headers.get("access-control-allow-origin"), h.url);
});

/** Sends a raw WebSocket upgrade and returns the status line's code. */
function upgradeStatus(url: string, path: string, headers: Record<string, string>): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname, () => {
      const lines = [
        `GET ${path} HTTP/1.1`, `Host: ${u.host}`, "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      sock.write(lines.join("\r\n") + "\r\n\r\n");
    });
    let data = "";
    sock.on("data", (d) => {
      data += d;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) {
        resolve(Number(m[1]));
        sock.destroy();
      }
    });
    sock.on("error", reject);
  });
}

test("WebSocket upgrades: a foreign Origin is refused, the own origin passes; credentials are checked", async (t) => {
  const h = await startHarness(t, { auth: auth() });
  const stored = makeJob();
  h.store.createJob(stored);
  h.orchestrator.logs.set(stored.ID, [{ Type: 1, Line: "hi\n" }]);
  const path = `${JOBS}/${stored.ID}/logs`;
  assert.equal(await upgradeStatus(h.url, path, { ...bearer(READER_KEY), Origin: "https://evil.example.com" }), 403);
  assert.equal(await upgradeStatus(h.url, path, {}), 401);
  assert.equal(await upgradeStatus(h.url, path, { ...bearer(READER_KEY), Origin: h.url }), 101);
  assert.equal(await upgradeStatus(h.url, path, bearer(READER_KEY)), 101);
  // A browser cannot set headers on a WebSocket: the upgrade may carry them in the query (the dashboard's way).
  const inQuery = `${path}?authorization=${encodeURIComponent(bearer(READER_KEY).Authorization)}`;
  assert.equal(await upgradeStatus(h.url, inQuery, { Origin: h.url }), 101);
  assert.equal(await upgradeStatus(h.url, `${path}?authorization=${encodeURIComponent("Bearer wrong")}`, { Origin: h.url }), 401);
  // A plain request never takes credentials from its URL.
  assert.equal((await fetch(`${h.url}${inQuery}`)).status, 401);
});

test("the dashboard's page and static files load without credentials", async (t) => {
  const h = await startHarness(t, { auth: auth() });
  assert.equal(resourceOf("/ui/app.js"), "open");
  assert.equal(resourceOf("/"), "open");
  assert.notEqual((await fetch(`${h.url}/`, { headers: { accept: "text/html" }, redirect: "manual" })).status, 401);
});

test("submissions are rate-limited per caller: 429 with Retry-After in Bacalhau's error JSON", async (t) => {
  const h = await startHarness(t, {
    auth: auth(),
    submitLimit: new CallerRateLimit({ perMinute: 1, burst: 2 }),
  });
  const admin = bearer(ADMIN_KEY);
  assert.equal((await h.send("PUT", JOBS, { Job: job() }, admin)).status, 200);
  assert.equal((await h.send("PUT", JOBS, { Job: job() }, admin)).status, 200);
  const limited = await h.send("PUT", JOBS, { Job: job() }, admin);
  const retry = Number(limited.headers.get("retry-after"));
  const body = await apiError(limited, 429);
  assert.equal(body.Code, "ResourceExhausted");
  assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
  assert.equal(h.orchestrator.submitted.length, 2);
  // Another caller has its own bucket; reads are not limited.
  const jm = { Authorization: basicAuthorization("jobmanager", "jobmanager-pass") };
  assert.equal((await h.send("PUT", JOBS, { Job: job() }, jm)).status, 200);
  assert.equal((await h.get(JOBS, admin)).status, 200);
});

test("bad user config is refused naming the field", () => {
  assert.throws(() => compileUsers([{ Username: "a", Password: "short", Capabilities: [{ Actions: ["*"] }] }]), /Users\[0\]\.Password/);
  assert.throws(() => compileUsers([{ APIKey: ADMIN_KEY, Capabilities: [{ Actions: ["delete:job"] }] }]), /Actions/);
  assert.throws(() => compileUsers([{ APIKey: ADMIN_KEY }]), /Capabilities/);
  assert.throws(() => compileUsers([{ APIKey: ADMIN_KEY, Username: "x", Password: "long-enough-pw", Capabilities: [{ Actions: ["*"] }] }]), /not both/);
  assert.throws(() => compileUsers({ Username: "x" }), /must be a list/);
});

test("every route the API registers is mapped to a capability or marked open", async (t) => {
  const { createApiApp } = await import("../../src/api/app.ts");
  const { resourceOf, requiredCapability } = await import("../../src/api/auth/capabilities.ts");
  const h = await startHarness(t);
  const app = createApiApp({ store: h.store, orchestrator: h.orchestrator, nodeInfo: () => ({}) as never, version: {} as never, ipfs: {} as never });
  const unmapped: string[] = [];
  const seen: string[] = [];
  for (const r of app.routes) {
    if (r.method === "ALL") continue;
    const path = r.path.replace(/:[a-zA-Z]+/g, "x");
    const resource = resourceOf(path);
    if (resource === undefined) unmapped.push(`${r.method} ${r.path}`);
    seen.push(`${r.method} ${r.path} ${resource === "open" ? "open" : requiredCapability(resource, r.method)}`);
  }
  assert.deepEqual(unmapped, []);
  // Spot checks of the mapping Bacalhau documents.
  for (const expected of [
    "PUT /api/v1/orchestrator/jobs write:job",
    "DELETE /api/v1/orchestrator/jobs/:id write:job",
    "PUT /api/v1/orchestrator/nodes/:id write:node",
    "GET /api/v1/agent/config read:agent",
    "GET /api/v1/agent/alive open",
    "POST /api/v1/ipfs/add write:job",
    "POST /api/v1/run write:job",
  ]) assert.ok(seen.includes(expected), `${expected} not in ${seen.join("\n")}`);
});
