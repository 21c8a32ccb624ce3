/**
 * urlDownload against real servers of several kinds: Python's HTTP/1.0 http.server (the body ends
 * when the connection closes, which killed the process through Node's fetch), a chunked
 * node:http server, a Deno.serve process, redirects, wrong Content-Lengths, resets and bodies that
 * never end.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import type { InputSource } from "../../src/models/types.ts";
import { createURLSource } from "../../src/storage/url/index.ts";
import type { URLSourceOptions } from "../../src/storage/url/index.ts";
import { resetSocket, startDenoServer, startPythonServer, startRawServer } from "../helpers/http-servers.ts";
import { tempDir } from "./helpers.ts";

type T = { after(fn: () => unknown): void };

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Downloads `url` with a fresh urlDownload source; resolves with the one file it wrote. */
async function download(t: T, url: string, opts: URLSourceOptions = {}): Promise<{ name: string; bytes: Buffer }> {
  const workDir = await tempDir(t);
  const input: InputSource = { Source: { Type: "urlDownload", Params: { URL: url } }, Target: "/inputs" };
  const vol = await createURLSource({ retryBackoffMs: 1, ...opts }).prepare(input, {
    jobID: "j-1",
    executionID: "e-1",
    workDir,
    signal: new AbortController().signal,
  });
  const files = await readdir(vol.hostPath);
  assert.equal(files.length, 1);
  return { name: files[0]!, bytes: await readFile(join(vol.hostPath, files[0]!)) };
}

test("urlDownload from python's http.server (HTTP/1.0, close-delimited): small and large files", async (t) => {
  const dir = await tempDir(t);
  const big = randomBytes(3 * 1024 * 1024);
  await writeFile(join(dir, "file.txt"), "Hello, IPFS");
  await writeFile(join(dir, "big.bin"), big);
  const url = await startPythonServer(t, dir);
  const small = await download(t, `${url}/file.txt`);
  assert.deepEqual([small.name, small.bytes.toString()], ["file.txt", "Hello, IPFS"]);
  // Several at once, as a busy node does: each reader falls behind its socket now and then, which is
  // when a close-delimited end used to abort the process.
  const large = await Promise.all(Array.from({ length: 6 }, () => download(t, `${url}/big.bin`)));
  for (const { name, bytes } of large) {
    assert.equal(name, "big.bin");
    assert.equal(sha(bytes), sha(big));
  }
});

test("urlDownload from a chunked node:http server, fast and slow", async (t) => {
  const payload = randomBytes(2 * 1024 * 1024);
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" }); // no length: chunked
    const step = req.url?.startsWith("/slow/") ? 4096 : 256 * 1024;
    let at = 0;
    const pump = () => {
      while (at < payload.length) {
        const piece = payload.subarray(at, at + step);
        at += piece.length;
        if (req.url?.startsWith("/slow/")) {
          res.write(piece);
          if (at < payload.length) return void setTimeout(pump, 1); // the server trickles its bytes
          break;
        }
        if (!res.write(piece)) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const fast = await download(t, `${base}/fast/data.bin`);
  assert.equal(sha(fast.bytes), sha(payload));
  const slow = await download(t, `${base}/slow/data.bin`);
  assert.equal(sha(slow.bytes), sha(payload));
});

test("urlDownload from a Deno.serve server (a child process)", async (t) => {
  const url = await startDenoServer(t);
  const { name, bytes } = await download(t, `${url}/chunks/20/stream.bin`);
  assert.equal(name, "stream.bin");
  assert.equal(bytes.length, 20 * 64 * 1024);
  for (let i = 0; i < bytes.length; i += 4099) assert.equal(bytes[i], i % 251, `byte ${i}`);
});

/** Scripted answers: each path is a behaviour the downloader must survive. */
async function hostile(t: T) {
  return await startRawServer(t, (path, socket) => {
    const head = (extra: string) => socket.write(`HTTP/1.1 200 OK\r\n${extra}\r\n`);
    switch (path.split("/")[1]) {
      case "short-body": // announces 100 bytes, sends 50, closes cleanly
        head("Content-Length: 100\r\n");
        socket.end("x".repeat(50));
        break;
      case "long-body": // announces 5 bytes, sends 11: the message is the first 5
        head("Content-Length: 5\r\n");
        socket.end("Hello, IPFS");
        break;
      case "reset":
        head("Content-Length: 100000\r\n");
        socket.write(Buffer.alloc(1000), () => resetSocket(socket));
        break;
      case "reset-close-delimited":
        socket.write("HTTP/1.0 200 OK\r\n\r\n");
        socket.write(Buffer.alloc(1000), () => resetSocket(socket));
        break;
      case "hang": // headers and a few bytes, then nothing until the test ends
        head("Content-Length: 100000\r\n");
        socket.write(Buffer.alloc(10));
        break;
      case "silent": // accepts the request and never answers
        break;
      case "trickle": { // close-delimited, a few bytes at a time, then a clean close
        socket.write("HTTP/1.0 200 OK\r\n\r\n");
        let n = 0;
        const drip = () => {
          if (socket.destroyed) return;
          if (n === 40) return void socket.end();
          socket.write(`line ${n++}\n`);
          setTimeout(drip, 2);
        };
        drip();
        break;
      }
      case "huge":
        head("Content-Length: 1000000000\r\n");
        break;
      case "growing": // close-delimited, no length to check up front
        socket.write("HTTP/1.0 200 OK\r\n\r\n");
        socket.end(Buffer.alloc(64 * 1024));
        break;
      case "loop":
        socket.end("HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n");
        break;
      case "to-ftp":
        socket.end("HTTP/1.1 302 Found\r\nLocation: ftp://127.0.0.1/a.txt\r\nContent-Length: 0\r\n\r\n");
        break;
      case "to-target":
        socket.end("HTTP/1.1 301 Moved\r\nLocation: /long-body/target.txt\r\nContent-Length: 0\r\n\r\n");
        break;
      default:
        socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    }
  });
}

const failsWith = (pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof BacalhauError, String(err));
  assert.match(err.message, pattern);
  return true;
};

test("urlDownload: a body shorter than its Content-Length fails, after the retries", async (t) => {
  const srv = await hostile(t);
  await assert.rejects(
    download(t, `${srv.url}/short-body/a.txt`, { maxRetries: 2 }),
    failsWith(/after 3 attempts: connection closed before the 100 bytes announced by Content-Length arrived/),
  );
  assert.equal(srv.hits.get("/short-body/a.txt"), 3);
});

test("urlDownload: a body longer than its Content-Length is cut to the announced length", async (t) => {
  const srv = await hostile(t);
  const { name, bytes } = await download(t, `${srv.url}/long-body/a.txt`);
  assert.deepEqual([name, bytes.toString()], ["a.txt", "Hello"]);
});

test("urlDownload: a connection reset mid-body fails the download (with and without a length)", async (t) => {
  const srv = await hostile(t);
  await assert.rejects(download(t, `${srv.url}/reset/a.bin`, { maxRetries: 1 }), failsWith(/after 2 attempts: connection closed before the 100000 bytes announced by Content-Length arrived/));
  assert.equal(srv.hits.get("/reset/a.bin"), 2);
  await assert.rejects(download(t, `${srv.url}/reset-close-delimited/a.bin`, { maxRetries: 0 }), failsWith(/after 1 attempts: .*(ECONNRESET|aborted|reset)/i));
});

test("urlDownload: a body that never ends fails at the request timeout", async (t) => {
  const srv = await hostile(t);
  await assert.rejects(
    download(t, `${srv.url}/hang/a.bin`, { maxRetries: 1, requestTimeoutMs: 200 }),
    failsWith(/after 2 attempts: request timed out after 200 ms/),
  );
  assert.equal(srv.hits.get("/hang/a.bin"), 2);
});

test("urlDownload: a server trickling a close-delimited body is read to its end", async (t) => {
  const srv = await hostile(t);
  const { bytes } = await download(t, `${srv.url}/trickle/lines.txt`);
  assert.equal(bytes.toString(), Array.from({ length: 40 }, (_, i) => `line ${i}\n`).join(""));
});

test("urlDownload: a server that never answers fails at the request timeout", async (t) => {
  const srv = await hostile(t);
  await assert.rejects(
    download(t, `${srv.url}/silent/a.bin`, { maxRetries: 0, requestTimeoutMs: 200 }),
    failsWith(/after 1 attempts: request timed out after 200 ms/),
  );
});

test("urlDownload: the size cap refuses a large Content-Length at once and cuts a growing body", async (t) => {
  const srv = await hostile(t);
  await assert.rejects(
    download(t, `${srv.url}/huge/a.bin`, { maxBytes: 1000 }),
    failsWith(/larger than this node accepts \(1000 bytes\): its Content-Length is 1000000000 bytes/),
  );
  assert.equal(srv.hits.get("/huge/a.bin"), 1, "a size refusal is not retried");
  await assert.rejects(
    download(t, `${srv.url}/growing/a.bin`, { maxBytes: 1000 }),
    failsWith(/larger than this node accepts \(1000 bytes\): its body grew past that/),
  );
  assert.equal(srv.hits.get("/growing/a.bin"), 1);
  // Under the cap the same bodies are fine.
  assert.equal((await download(t, `${srv.url}/growing/a.bin`, { maxBytes: 64 * 1024 })).bytes.length, 64 * 1024);
});

test("urlDownload: redirects are followed a bounded number of times, to http(s) only", async (t) => {
  const srv = await hostile(t);
  const moved = await download(t, `${srv.url}/to-target`);
  assert.deepEqual([moved.name, moved.bytes.toString()], ["target.txt", "Hello"]);
  await assert.rejects(download(t, `${srv.url}/loop`), failsWith(/stopped after 10 redirects/));
  assert.equal(srv.hits.get("/loop"), 11, "one request and ten redirects, never retried");
  await assert.rejects(download(t, `${srv.url}/to-ftp`), failsWith(/refusing to fetch ftp:\/\/127\.0\.0\.1\/a\.txt: only http and https/));
});
