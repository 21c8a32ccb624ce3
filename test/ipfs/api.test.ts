import assert from "node:assert/strict";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { Hono } from "hono";
import type { ApiEnv } from "../../src/api/deps.ts";
import { errorResponse } from "../../src/api/errors.ts";
import type { CommandContext } from "../../src/cli/command.ts";
import { ipfsAddCommand } from "../../src/cli/commands/ipfs-add.ts";
import { parseFlags } from "../../src/cli/flags.ts";
import { BacalhauClient } from "../../src/client/client.ts";
import { registerIpfsRoutes } from "../../src/api/routes/ipfs.ts";
import { BacalhauError } from "../../src/models/errors.ts";
import { startHttpServer } from "../../src/runtime/http.ts";
import { extractTarGz } from "../../src/codec/tar/index.ts";
import { captureIO } from "../cli/capture.ts";
import { cleanups, swarm, tempDir } from "./helpers.ts";

async function tree(root: string, rel = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, await tree(root, r));
    else out[r] = await readFile(join(root, r), "utf8");
  }
  return out;
}

async function setup(t: { after(fn: () => unknown): void }) {
  const onCleanup = cleanups(t);
  const [a, b] = await swarm(onCleanup, 2);
  const dir = await tempDir(onCleanup);
  const app = new Hono<ApiEnv>();
  registerIpfsRoutes(app, { ipfs: a!.ipfs, tmpDir: join(dir, "staging"), findTimeoutMs: 500 });
  app.onError((err, c) => errorResponse(c, err));
  const server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  onCleanup(() => server.close());
  const cli = async (args: string[]) => {
    const cap = captureIO({ cwd: dir });
    const ctx: CommandContext = {
      io: cap.io,
      flags: parseFlags(args, ipfsAddCommand.flags),
      argv0: "bacalhau",
      client: () => new BacalhauClient({ baseUrl: server.url }),
    };
    const code = await ipfsAddCommand.run(ctx);
    return { code, stdout: cap.stdout() };
  };
  return { a: a!, b: b!, dir, url: server.url, cli };
}

test("bacalhau ipfs add: a folder and a file go in through the API and come out anywhere on the swarm", async (t) => {
  const { a, b, dir, cli } = await setup(t);
  await mkdir(join(dir, "data/sub"), { recursive: true });
  await writeFile(join(dir, "data/one.txt"), "one");
  await writeFile(join(dir, "data/sub/two.txt"), "two");
  await writeFile(join(dir, "note.txt"), "just a file");

  const folder = await cli(["data"]);
  assert.equal(folder.code, 0);
  const folderCid = folder.stdout.trim();
  assert.equal(folderCid, await a.ipfs.add(join(dir, "data")), "same CID as adding on the node itself");
  assert.equal(await a.ipfs.isPinned(folderCid), true);
  await b.ipfs.get(folderCid, join(dir, "from-b"), { signal: AbortSignal.timeout(30_000) });
  assert.deepEqual(await tree(join(dir, "from-b")), { "one.txt": "one", "sub/two.txt": "two" });

  const file = await cli([join(dir, "note.txt")]);
  const fileCid = file.stdout.trim();
  assert.equal(fileCid, await a.ipfs.add(join(dir, "note.txt")));
  assert.equal(await a.ipfs.stat(fileCid).then((s) => s.type), "raw");

  // The staging folder is left empty.
  assert.deepEqual(await readdir(join(dir, "staging")), []);
  await assert.rejects(cli(["missing"]), (err: unknown) => err instanceof BacalhauError && /no such file/.test(err.message));
});

test("GET /api/v1/ipfs/get/:cid streams a tar.gz of a CID, fetched from the swarm when needed", async (t) => {
  const { a, b, dir, url } = await setup(t);
  await mkdir(join(dir, "results/outputs"), { recursive: true });
  await writeFile(join(dir, "results/stdout"), "hi\n");
  await writeFile(join(dir, "results/outputs/x.txt"), "x");
  // Added on B: the API node (A) has to fetch it first.
  const cid = await b.ipfs.add(join(dir, "results"));
  const res = await fetch(`${url}/api/v1/ipfs/get/${cid}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/gzip");
  assert.equal(res.headers.get("x-bacalhau-ipfs-kind"), "directory");
  await extractTarGz(res.body!, join(dir, "out"));
  assert.deepEqual(await tree(join(dir, "out")), { stdout: "hi\n", "outputs/x.txt": "x" });
  assert.equal(await a.ipfs.has(cid), true);

  const fileCid = await b.ipfs.add(join(dir, "results/stdout"));
  const fileRes = await fetch(`${url}/api/v1/ipfs/get/${fileCid}`);
  await extractTarGz(fileRes.body!, join(dir, "file-out"));
  assert.deepEqual(await tree(join(dir, "file-out")), { [fileCid]: "hi\n" });

  const bad = await fetch(`${url}/api/v1/ipfs/get/not-a-cid`);
  assert.equal(bad.status, 400);
  assert.match((await bad.json() as { Message: string }).Message, /not a valid CID/);
  const missing = await fetch(`${url}/api/v1/ipfs/get/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy`);
  assert.equal(missing.status, 404);
  assert.match((await missing.json() as { Message: string }).Message, /no peer of the swarm/);
  assert.deepEqual(await readdir(join(dir, "staging")), []);
});
