import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { Hono } from "hono";
import { BacalhauError } from "../../src/models/errors.ts";
import type { InputSource } from "../../src/models/types.ts";
import { startHttpServer } from "../../src/runtime/http.ts";
import { createURLSource } from "../../src/storage/url/index.ts";
import { runStorageSourceSuite } from "../conformance/storage.suite.ts";
import type { SuiteEnv } from "../conformance/storage.suite.ts";
import { tempDir } from "./helpers.ts";

const urlInput = (url: unknown, target = "/inputs"): InputSource => ({
  Source: { Type: "urlDownload", Params: { URL: url } },
  Target: target,
});

interface TestServer {
  url: string;
  hits: Map<string, number>;
  /** Resolves when a request for /hang.bin has started streaming. */
  hangStarted: Promise<void>;
}

/** A real HTTP server with the behaviours the downloader must cope with. */
async function startServer(onCleanup: (fn: () => unknown) => void): Promise<TestServer> {
  const hits = new Map<string, number>();
  const hang = Promise.withResolvers<void>();
  const release = new AbortController();
  const app = new Hono();
  app.use(async (c, next) => {
    hits.set(c.req.path, (hits.get(c.req.path) ?? 0) + 1);
    await next();
  });
  app.get("/files/:name", (c) => c.text(c.req.param("name") === "data.csv" ? "a,b\n1,2\n" : c.req.param("name")));
  app.get("/redirect", (c) => c.redirect("/download?id=7", 302));
  app.get("/download", (c) =>
    c.body("report body", 200, { "Content-Disposition": 'attachment; filename="report.txt"' }));
  app.get("/redirect-plain", (c) => c.redirect("/files/data.csv", 301));
  app.get("/direct-disposition/name.txt", (c) =>
    c.body("x", 200, { "Content-Disposition": 'attachment; filename="ignored.txt"' }));
  app.get("/", (c) => c.text("root"));
  app.get("/flaky/ok.txt", (c) => (hits.get("/flaky/ok.txt")! <= 2 ? c.text("boom", 500) : c.text("finally")));
  app.get("/missing.txt", (c) => c.text("nope", 404));
  app.get("/hang.bin", () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(16));
          hang.resolve();
          release.signal.addEventListener("abort", () => {
            try {
              controller.close();
            } catch { /* the client already went away */ }
          }, { once: true });
        },
      }),
    ));
  const server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  onCleanup(async () => {
    release.abort();
    await server.close();
  });
  return { url: server.url, hits, hangStarted: hang.promise };
}

const servers = new WeakMap<SuiteEnv, Promise<TestServer>>();
const serverFor = (env: SuiteEnv) => {
  let s = servers.get(env);
  if (!s) servers.set(env, (s = startServer(env.onCleanup)));
  return s;
};

runStorageSourceSuite(
  "urlDownload",
  () => createURLSource({ retryBackoffMs: 1 }),
  async (env) => ({
    input: urlInput(`${(await serverFor(env)).url}/files/data.csv`),
    expect: { dir: { "data.csv": "a,b\n1,2\n" } },
  }),
  () => [
    { Source: { Type: "urlDownload", Params: {} }, Target: "/x" },
    urlInput("ftp://example.org/file.txt"),
    urlInput("file:///etc/passwd"),
    urlInput("not a url"),
  ],
);

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = await tempDir(t);
  const server = await startServer((fn) => t.after(fn));
  let n = 0;
  const prepare = (path: string, opts = {}, signal = new AbortController().signal) =>
    createURLSource({ retryBackoffMs: 1, ...opts }).prepare(urlInput(server.url + path), {
      jobID: "j-1",
      executionID: "e-1",
      workDir: dir,
      signal,
    }).then(async (vol) => ({ vol, files: await readdir(vol.hostPath), n: n++ }));
  return { server, prepare };
}

test("urlDownload: names the file after the URL path, or Content-Disposition after a redirect", async (t) => {
  const { prepare } = await setup(t);
  const redirected = await prepare("/redirect");
  assert.deepEqual(redirected.files, ["report.txt"]);
  assert.equal(await readFile(join(redirected.vol.hostPath, "report.txt"), "utf8"), "report body");
  assert.equal(redirected.vol.readOnly, true);
  assert.deepEqual((await prepare("/redirect-plain")).files, ["data.csv"]);
  // Without a redirect the URL path wins over the header.
  assert.deepEqual((await prepare("/direct-disposition/name.txt")).files, ["name.txt"]);
  const spaced = await prepare("/files/sp%20ace.txt");
  assert.deepEqual(spaced.files, ["sp ace.txt"]);
  assert.equal(await readFile(join(spaced.vol.hostPath, "sp ace.txt"), "utf8"), "sp ace.txt");
  const root = await prepare("/");
  assert.match(root.files[0]!, /^[0-9a-f-]{36}$/);
});

test("urlDownload: retries a 500 and then succeeds", async (t) => {
  const { server, prepare } = await setup(t);
  const { vol, files } = await prepare("/flaky/ok.txt");
  assert.deepEqual(files, ["ok.txt"]);
  assert.equal(await readFile(join(vol.hostPath, "ok.txt"), "utf8"), "finally");
  assert.equal(server.hits.get("/flaky/ok.txt"), 3);
});

test("urlDownload: a 404 fails after the retries with a clear message", async (t) => {
  const { server, prepare } = await setup(t);
  await assert.rejects(prepare("/missing.txt"), (err: unknown) => {
    assert.ok(err instanceof BacalhauError);
    assert.match(err.message, /failed to download http:\/\/127\.0\.0\.1:\d+\/missing\.txt after 4 attempts: server answered 404/);
    assert.ok(err.hint);
    return true;
  });
  assert.equal(server.hits.get("/missing.txt"), 4);
});

test("urlDownload: a refused connection is retried, then reported", async (t) => {
  const dir = await tempDir(t);
  // Start and stop a server to get a port that nothing listens on.
  const app = new Hono();
  const gone = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  await gone.close();
  await assert.rejects(
    createURLSource({ retryBackoffMs: 1, maxRetries: 1 }).prepare(urlInput(`${gone.url}/x.txt`), {
      jobID: "j",
      executionID: "e",
      workDir: dir,
      signal: new AbortController().signal,
    }),
    /after 2 attempts/,
  );
});

test("urlDownload: non-http schemes are refused before any I/O", async () => {
  const source = createURLSource();
  assert.match(source.validate(urlInput("ftp://host/file"))!, /only http and https/);
  assert.match(source.validate(urlInput("s3://bucket/key"))!, /only http and https/);
});

test("urlDownload: aborting mid-download stops it", async (t) => {
  const { server, prepare } = await setup(t);
  const controller = new AbortController();
  const pending = prepare("/hang.bin", {}, controller.signal);
  await server.hangStarted;
  controller.abort(new Error("cancelled by user"));
  await assert.rejects(pending, /cancelled by user/);
});

test("urlDownload: a request that outlives its timeout fails", async (t) => {
  const { prepare } = await setup(t);
  await assert.rejects(prepare("/hang.bin", { requestTimeoutMs: 50, maxRetries: 0 }), /timed out after 50 ms/);
});
