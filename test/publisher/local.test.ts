import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import type { SpecConfig } from "../../src/models/types.ts";
import { createLocalPublisher } from "../../src/publisher/local/index.ts";
import { createPublisherRegistry } from "../../src/publisher/registry.ts";
import { extractTarGz } from "../../src/codec/tar/index.ts";
import { createURLSource } from "../../src/storage/url/index.ts";
import { makeResultsDir, runPublisherSuite } from "../conformance/publisher.suite.ts";
import { snapshot, tempDir } from "../storage/helpers.ts";

/** Retrieval as a client does it: the published spec is itself a urlDownload input. */
async function retrieve(published: SpecConfig, destDir: string, env: { tmpDir: string }): Promise<void> {
  assert.equal(published.Type, "urlDownload");
  const workDir = join(env.tmpDir, `dl-${crypto.randomUUID()}`);
  await mkdir(workDir);
  const vol = await createURLSource({ maxRetries: 0 }).prepare(
    { Source: published, Target: "/results" },
    { jobID: "j", executionID: "e", workDir, signal: new AbortController().signal },
  );
  const [archive] = await readdir(vol.hostPath);
  await extractTarGz(join(vol.hostPath, archive!), destDir, { maxBytes: 1 << 30 });
}

runPublisherSuite(
  "local",
  (env) => createLocalPublisher({ directory: join(env.tmpDir, "published"), port: 0 }),
  { Type: "local" },
  retrieve,
);

const publishReq = (resultsDir: string, executionID: string) => ({
  jobID: "j-1",
  executionID,
  resultsDir,
  publisher: { Type: "local" },
  signal: new AbortController().signal,
});

test("local publisher: publish, fetch the URL, extract, same files", async (t) => {
  const dir = await tempDir(t);
  const publisher = createLocalPublisher({ directory: join(dir, "pub"), port: 0 });
  t.after(() => publisher.close());
  const results = await makeResultsDir(dir, "x");
  const out = await publisher.publish(publishReq(results, "e-1234"));
  const url = String(out.Params?.URL);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/e-1234\.tar\.gz$/);
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/gzip");
  await extractTarGz(res.body!, join(dir, "out"));
  assert.deepEqual(await snapshot(join(dir, "out")), await snapshot(results));
});

test("local publisher: serves only result archives (HEAD, 404s, no listing, no traversal)", async (t) => {
  const dir = await tempDir(t);
  const pubDir = join(dir, "pub");
  const publisher = createLocalPublisher({ directory: pubDir, port: 0 });
  t.after(() => publisher.close());
  const out = await publisher.publish(publishReq(await makeResultsDir(dir, "y"), "e-5678"));
  await writeFile(join(pubDir, "secret.txt"), "do not serve");
  await writeFile(join(dir, "outside.tar.gz"), "do not serve");
  const base = `http://127.0.0.1:${publisher.port}`;

  const head = await fetch(String(out.Params?.URL), { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.ok(Number(head.headers.get("content-length")) > 0);
  assert.equal(await head.text(), "");

  for (const path of ["/", "/secret.txt", "/nope.tar.gz", "/..%2foutside.tar.gz", "/%2e%2e/outside.tar.gz", "/a/b.tar.gz"]) {
    const res = await fetch(base + path);
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(await res.text(), /do not serve|e-5678/, path);
  }
});

test("local publisher: close frees the port, and published files survive a restart", async (t) => {
  const dir = await tempDir(t);
  const pubDir = join(dir, "pub");
  const first = createLocalPublisher({ directory: pubDir, port: 0 });
  t.after(() => first.close());
  const out = await first.publish(publishReq(await makeResultsDir(dir, "z"), "e-9999"));
  const port = first.port!;
  await first.close();
  assert.equal(first.port, undefined);

  const second = createLocalPublisher({ directory: pubDir, port });
  t.after(() => second.close());
  await second.start!();
  assert.equal(second.port, port);
  const res = await fetch(String(out.Params?.URL));
  assert.equal(res.status, 200);
  await extractTarGz(res.body!, join(dir, "after-restart"));
  assert.equal((await snapshot(join(dir, "after-restart")))["stdout"]?.type, "file");
});

test("local publisher: a port in use is reported with a hint", async (t) => {
  const dir = await tempDir(t);
  const first = createLocalPublisher({ directory: join(dir, "a"), port: 0 });
  t.after(() => first.close());
  await first.start!();
  const second = createLocalPublisher({ directory: join(dir, "b"), port: first.port! });
  t.after(() => second.close());
  await assert.rejects(second.start!(), (err: unknown) => {
    assert.ok(err instanceof BacalhauError);
    assert.match(err.message, /cannot listen on 127\.0\.0\.1:\d+/);
    assert.match(err.hint ?? "", /another port/);
    return true;
  });
});

test("publisher registry: case-insensitive look-up, validate, start and close", async (t) => {
  const dir = await tempDir(t);
  const registry = createPublisherRegistry({ local: { directory: join(dir, "pub"), port: 0 } });
  t.after(() => registry.close());
  assert.equal(registry.get("LOCAL")?.type, "local");
  assert.equal(registry.get("Noop")?.type, "noop");
  assert.deepEqual(registry.types(), ["noop", "local"]);
  assert.match(registry.validate({ Type: "s3" })!, /"s3" is not supported.*noop, local/);
  assert.equal(registry.validate({ Type: "local" }), undefined);
  await registry.start();
  await registry.close();
});
