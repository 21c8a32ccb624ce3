// Real HTTP/1.0 upstreams (python3) behind the node's outbound HTTP paths: a body that ends with
// the connection (while the proxy holds the upstream paused), one cut short, one reset. The node
// must survive each, pass a whole body on whole, and never pass a broken one on as complete.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as http from "node:http";
import { join } from "node:path";
import * as net from "node:net";
import { test } from "node:test";
import { WasmExecutor } from "../../src/executor/wasm/executor.ts";
import { startEgressProxy } from "../../src/netpolicy/index.ts";
import { type Cleanup, moduleFile, tempDir, wasmRequest } from "../executor/helpers.ts";
import { UPSTREAM_CIDRS, UPSTREAM_HOST } from "./helpers.ts";
import { patternBody, startOddEndings, startPythonHttpServer } from "./python-upstream.ts";

interface RawReply {
  head: string;
  body: Buffer;
  /** How the proxy's connection ended: a clean close after the response, or an error/reset. */
  ending: "end" | "error";
}

/** One GET through the proxy on a raw socket, so a cut or a reset shows as what it is. */
function rawGet(proxyPort: number, url: string): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = net.connect(proxyPort, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    const done = (ending: RawReply["ending"]) => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf("\r\n\r\n");
      resolve({ head: all.subarray(0, split).toString(), body: all.subarray(split + 4), ending });
    };
    socket.once("end", () => done("end"));
    socket.once("error", () => done("error"));
    socket.write(`GET ${url} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nConnection: close\r\n\r\n`);
  });
}

/** A chunked body decoded; `complete` only when its terminating chunk arrived. */
function dechunk(body: Buffer): { data: string; complete: boolean } {
  let at = 0;
  let data = "";
  for (;;) {
    const eol = body.indexOf("\r\n", at);
    if (eol < 0) return { data, complete: false };
    const size = parseInt(body.subarray(at, eol).toString(), 16);
    if (size === 0) return { data, complete: true };
    if (eol + 2 + size > body.length) return { data: data + body.subarray(eol + 2).toString(), complete: false };
    data += body.subarray(eol + 2, eol + 2 + size).toString();
    at = eol + 2 + size + 2;
  }
}

async function proxyFor(t: Cleanup, bytesPerSecond: number) {
  const proxy = await startEgressProxy({
    jobID: "j-endings", domains: [UPSTREAM_HOST], allowedCIDRs: UPSTREAM_CIDRS, bytesPerSecond,
  });
  t.after(() => proxy.close());
  return proxy;
}

test("egress proxy: whole HTTP/1.0 bodies pass whole; cut and reset ones are not passed on as complete", async (t) => {
  const odd = await startOddEndings(t);
  const dir = tempDir(t, "egress-http10-");
  const file = patternBody(300_000);
  writeFileSync(join(dir, "data.txt"), file);
  const python = await startPythonHttpServer(t, dir);
  // Slow enough that the upstream is paused by the rate limit when its body ends and it closes.
  const proxy = await proxyFor(t, 200_000);
  const base = `http://${UPSTREAM_HOST}:${odd}`;

  const closeDelimited = await rawGet(proxy.port, `${base}/close-delimited?n=300000`);
  assert.match(closeDelimited.head, /^HTTP\/1\.1 200 /);
  const decoded = dechunk(closeDelimited.body);
  assert.ok(decoded.complete, "a body that ended with its connection is whole, so it is passed on as complete");
  assert.equal(decoded.data, patternBody(300_000));

  const served = await rawGet(proxy.port, `http://${UPSTREAM_HOST}:${python}/data.txt`);
  assert.match(served.head, /^HTTP\/1\.1 200 /);
  assert.match(served.head, /\r\ncontent-length: 300000\r\n/i);
  assert.equal(served.body.toString(), file);

  for (const path of ["/cut", "/reset"]) {
    const broken = await rawGet(proxy.port, `${base}${path}?n=50000`);
    assert.match(broken.head, /^HTTP\/1\.1 200 /, path);
    assert.match(broken.head, /\r\ncontent-length: 500000\r\n/i, path);
    assert.ok(broken.body.length < 500_000, `${path}: the client can tell the body is short`);
    assert.equal(broken.body.toString(), patternBody(broken.body.length), path);
  }
  // A chunked body cut before its last chunk stays unterminated on the way to the job.
  const chunked = await rawGet(proxy.port, `${base}/chunked-cut?n=50000`);
  assert.match(chunked.head, /\r\ntransfer-encoding: chunked$/im);
  const partial = dechunk(chunked.body);
  assert.equal(partial.complete, false, "a cut chunked body is not passed on as complete");
  assert.equal(partial.data, patternBody(partial.data.length));
  // Still serving after all of it.
  const after = await rawGet(proxy.port, `${base}/close-delimited?n=10`);
  assert.equal(dechunk(after.body).data, patternBody(10));
});

test("wasm http_request: HTTP/1.0 upstreams give the whole body, or a network error when cut or reset", async (t) => {
  const odd = await startOddEndings(t);
  const dir = tempDir(t, "wasm-http10-");
  const file = patternBody(200_000);
  writeFileSync(join(dir, "data.txt"), file);
  const python = await startPythonHttpServer(t, dir);
  const executor = new WasmExecutor({ maxRunners: 1, rejectNetworkedJobs: false, allowedCIDRs: UPSTREAM_CIDRS });
  t.after(() => executor.close());
  const get = async (url: string) => {
    const run = wasmRequest(t, {
      module: moduleFile("http_get"), env: { HTTP_URL: url }, network: { Type: "HTTP", Domains: [UPSTREAM_HOST] },
    });
    const result = await executor.run(run.req);
    return { result, stdout: run.stdout() };
  };
  const base = `http://${UPSTREAM_HOST}:${odd}`;
  for (const url of [`${base}/close-delimited?n=200000`, `http://${UPSTREAM_HOST}:${python}/data.txt`]) {
    const { result, stdout } = await get(url);
    assert.deepEqual(result, { exitCode: 0 }, stdout.slice(0, 400));
    assert.ok(stdout.endsWith(`\n\nBody:\n${file}\n`), url);
  }
  for (const path of ["/cut", "/reset", "/chunked-cut"]) {
    const { result, stdout } = await get(`${base}${path}?n=50000`);
    assert.deepEqual(result, { exitCode: 1 }, path);
    assert.match(stdout, /\nError making request: network error\n$/, path);
  }
  const again = await get(`${base}/close-delimited?n=10`);
  assert.ok(again.stdout.endsWith(`Body:\n${patternBody(10)}\n`));
});

test("egress proxy: an upstream that answers and closes mid-upload leaves the job's connection usable", { timeout: 20_000 }, async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url !== "/upload") return void res.end("second\n");
    res.writeHead(413, { connection: "close" }).end("too big\n");
    req.socket.end(); // without reading the upload
  });
  await new Promise<void>((r) => server.listen(0, UPSTREAM_HOST, r));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const base = `http://${UPSTREAM_HOST}:${(server.address() as net.AddressInfo).port}`;
  const proxy = await proxyFor(t, 1_000_000);
  const socket = net.connect(proxy.port, "127.0.0.1");
  t.after(() => socket.destroy());
  let got = "";
  const seen = (text: string) => new Promise<void>((resolve) => {
    const look = () => {
      if (!got.includes(text)) return;
      socket.off("data", look);
      resolve();
    };
    socket.on("data", look);
  });
  socket.on("data", (c: Buffer) => (got += c));
  const answered = seen("too big\n");
  socket.write(`POST ${base}/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 400000\r\n\r\n`);
  socket.write(Buffer.alloc(400_000));
  await answered;
  assert.match(got, /^HTTP\/1\.1 413 /);
  // The rest of the upload is read and dropped, so the next request on the connection is served.
  const second = seen("second\n");
  socket.write(`GET ${base}/again HTTP/1.1\r\nHost: x\r\n\r\n`);
  await second;
});
