// The WASM HTTP host function (`wasi:http/requests` `http_request`) end to end: the committed
// http_get module runs in a real runner process against a real HTTP server on 127.0.0.2, which the
// tests allow as an operator would (loopback is refused otherwise).
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { WasmExecutor } from "../../src/executor/wasm/executor.ts";
import { canonicalHeaderName, formatResponseHeaders, parseHeaderLines } from "../../src/executor/wasm/http/headers.ts";
import { httpAccess } from "../../src/executor/wasm/http/policy.ts";
import type { NetworkConfig } from "../../src/models/types.ts";
import { UPSTREAM_CIDRS, UPSTREAM_HOST } from "../netpolicy/helpers.ts";
import { type Cleanup, moduleFile, wasmRequest } from "./helpers.ts";

/** What the operator sets for these tests: the upstream's address, and a name for it. */
const OPERATOR = { allowedCIDRs: UPSTREAM_CIDRS, hosts: { "origin.test": [UPSTREAM_HOST] } };

interface Origin {
  port: number;
  /** Paths requested so far, in order. */
  seen: string[];
}

async function startOrigin(t: Cleanup): Promise<Origin> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://origin");
    seen.push(url.pathname);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      switch (url.pathname) {
        case "/echo":
          res.writeHead(200, {
            "content-type": "text/plain",
            "x-method": req.method ?? "",
            "x-seen-test": String(req.headers["x-test"] ?? ""),
            "x-seen-other": String(req.headers["x-other"] ?? ""),
            "x-seen-host": String(req.headers.host ?? ""),
          });
          res.end(`${req.method} ${body}`);
          return;
        case "/redirect":
          res.writeHead(Number(url.searchParams.get("status") ?? 302), { location: url.searchParams.get("to") ?? "/" });
          res.end("moved");
          return;
        case "/big":
          res.writeHead(200, { "content-type": "text/plain" });
          res.end("x".repeat(Number(url.searchParams.get("n") ?? 0)));
          return;
        case "/hang":
          return; // never answers
        default:
          res.writeHead(404);
          res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, UPSTREAM_HOST, resolve));
  t.after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { port: (server.address() as AddressInfo).port, seen };
}

function httpJob(t: Cleanup, env: Record<string, string>, network: NetworkConfig) {
  return wasmRequest(t, { module: moduleFile("http_get"), env, network });
}

test("wasm http host function", async (t) => {
  const executor = new WasmExecutor({ maxRunners: 2, rejectNetworkedJobs: false, ...OPERATOR });
  t.after(() => executor.close());
  const origin = await startOrigin(t);
  const base = `http://${UPSTREAM_HOST}:${origin.port}`;
  const exact: NetworkConfig = { Type: "HTTP", Domains: [UPSTREAM_HOST] };

  await t.test("GET with request headers reaches an exact-host allowed server", async () => {
    const run = httpJob(t, { HTTP_URL: `${base}/echo`, HTTP_HEADERS: "X-Test: hello\nX-Other:  two  \n" }, exact);
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    const out = run.stdout();
    assert.match(out, new RegExp(`^Making GET request to ${base}/echo\nStatus Code: 200\nHeaders:\n`));
    assert.match(out, /^X-Seen-Test: hello$/m);
    assert.match(out, /^X-Seen-Other: two$/m);
    assert.match(out, new RegExp(`^X-Seen-Host: 127\\.0\\.0\\.2:${origin.port}$`, "m"));
    assert.match(out, /^Content-Type: text\/plain$/m);
    assert.ok(out.endsWith("\n\nBody:\nGET \n"), out);
  });

  await t.test("POST sends the body and the method", async () => {
    const run = httpJob(t, { HTTP_URL: `${base}/echo`, HTTP_METHOD: "post", HTTP_BODY: "payload=1" }, exact);
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.match(run.stdout(), /^X-Method: POST$/m);
    assert.ok(run.stdout().endsWith("Body:\nPOST payload=1\n"));
  });

  await t.test("a glob entry allows a matching host name", async () => {
    const run = httpJob(t, { HTTP_URL: `http://origin.test:${origin.port}/echo` }, { Type: "HTTP", Domains: ["origin.*"] });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.match(run.stdout(), /Status Code: 200\n/);
  });

  await t.test("a host outside the allow-list is refused before any connection", async () => {
    const before = origin.seen.length;
    for (const url of ["http://not-allowed.invalid/", `http://origin.test:${origin.port}/echo`]) {
      const run = httpJob(t, { HTTP_URL: url }, exact);
      assert.deepEqual(await executor.run(run.req), { exitCode: 1 });
      assert.match(run.stdout(), /\nError making request: host not allowed\n$/);
    }
    assert.equal(origin.seen.length, before);
  });

  await t.test("a Host header does not change which host is checked", async () => {
    const run = httpJob(t, { HTTP_URL: "http://not-allowed.invalid/", HTTP_HEADERS: `Host: ${UPSTREAM_HOST}` }, exact);
    assert.deepEqual(await executor.run(run.req), { exitCode: 1 });
    assert.match(run.stdout(), /host not allowed/);
  });

  await t.test("redirects are followed, and a redirect to a refused host is refused", async () => {
    const ok = httpJob(t, { HTTP_URL: `${base}/redirect?status=303&to=/echo`, HTTP_METHOD: "POST", HTTP_BODY: "x" }, exact);
    assert.deepEqual(await executor.run(ok.req), { exitCode: 0 });
    assert.ok(ok.stdout().endsWith("Body:\nGET \n"), "303 turns into a GET without a body");

    const to = encodeURIComponent("http://not-allowed.invalid/echo");
    const refused = httpJob(t, { HTTP_URL: `${base}/redirect?to=${to}` }, exact);
    assert.deepEqual(await executor.run(refused.req), { exitCode: 1 });
    assert.match(refused.stdout(), /Error making request: host not allowed\n$/);
  });

  await t.test("small buffers truncate and report the lengths written", async () => {
    const run = httpJob(t, { HTTP_URL: `${base}/big?n=100`, HTTP_BODY_BUFFER: "5", HTTP_HEADERS_BUFFER: "10" }, exact);
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.match(run.stdout(), /Status Code: 200\nHeaders:\n.{10}\n\nBody:\nxxxxx\n$/);
  });

  await t.test("a body above the memory-based cap is too large", async () => {
    const run = httpJob(t, { HTTP_URL: `${base}/big?n=${8 << 20}` }, exact);
    assert.deepEqual(await executor.run(run.req), { exitCode: 1 });
    assert.match(run.stdout(), /Error making request: response too large\n$/);
  });

  await t.test("Full and (on an accepting node) Default networks reach any host", async () => {
    for (const network of [{ Type: "Full" }, { Type: "Host" }, { Type: "Default" }] as NetworkConfig[]) {
      const run = httpJob(t, { HTTP_URL: `http://origin.test:${origin.port}/echo` }, network);
      assert.deepEqual(await executor.run(run.req), { exitCode: 0 }, network.Type);
    }
  });

  await t.test("a refused connection is a network error", async () => {
    // A port that was just free: nothing listens there any more.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, UPSTREAM_HOST, resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const run = httpJob(t, { HTTP_URL: `http://${UPSTREAM_HOST}:${port}/` }, exact);
    assert.deepEqual(await executor.run(run.req), { exitCode: 1 });
    assert.match(run.stdout(), /Error making request: network error\n$/);
  });

  await t.test("without network the module fails to link, naming the module and the fix", async () => {
    const run = httpJob(t, { HTTP_URL: `${base}/echo` }, { Type: "None" });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, -1);
    assert.match(result.errorMsg ?? "", /^failed to load entry module main\.wasm: unknown module "wasi:http\/requests" \(/);
    assert.match(result.errorMsg ?? "", /network is None.*--network=http --domain=/);
  });
});

test("wasm http host function: Default network on a node that rejects networked jobs", async (t) => {
  const executor = new WasmExecutor({ maxRunners: 1 });
  t.after(() => executor.close());
  const run = httpJob(t, { HTTP_URL: "http://127.0.0.1:9/" }, { Type: "Default" });
  const result = await executor.run(run.req);
  assert.equal(result.exitCode, -1);
  assert.match(result.errorMsg ?? "", /unknown module "wasi:http\/requests" \(.*rejects networked jobs.*--job-selection-accept-networked/);
});

test("wasm http host function: a server that never answers times out", async (t) => {
  const executor = new WasmExecutor({ maxRunners: 1, httpTimeoutMs: 300, ...OPERATOR });
  t.after(() => executor.close());
  const origin = await startOrigin(t);
  const run = httpJob(t, { HTTP_URL: `http://${UPSTREAM_HOST}:${origin.port}/hang` }, { Type: "HTTP", Domains: [UPSTREAM_HOST] });
  assert.deepEqual(await executor.run(run.req), { exitCode: 1 });
  assert.match(run.stdout(), /Error making request: request timeout\n$/);
});

test("wasm http host function: allow rules and header formats", () => {
  const http = httpAccess({ network: "HTTP", domains: [".example.org", "api.*", "*.x.com", "10.0.0.1"], rejectNetworkedJobs: true });
  assert.ok(http.linked);
  for (const host of ["example.org", "a.b.example.org", "api.test", "w.x.com", "10.0.0.1"]) assert.ok(http.allows(host), host);
  for (const host of ["badexample.org", "x.com", "10.0.0.2", "apix.test"]) assert.ok(!http.allows(host), host);
  const bridge = httpAccess({ network: "Bridge", domains: [], rejectNetworkedJobs: false });
  assert.ok(bridge.linked && !bridge.allows("example.org"));
  assert.equal(httpAccess({ network: "None", domains: [], rejectNetworkedJobs: false }).linked, false);

  assert.deepEqual(parseHeaderLines("A: 1\n\nbad line\r\nB:two: three \n"), [["A", "1"], ["B", "two: three"]]);
  assert.equal(canonicalHeaderName("content-TYPE"), "Content-Type");
  assert.equal(formatResponseHeaders(["x-a", "1", "X-A", "2", "etag", "\"e\""]), "X-A: 1\nX-A: 2\nEtag: \"e\"");
});
