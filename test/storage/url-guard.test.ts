/**
 * URL inputs are chosen by job authors and fetched by the compute node: link-local and
 * cloud-metadata addresses are refused after name resolution and on every redirect, and the
 * connection goes to the address that was checked.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import type { InputSource } from "../../src/models/types.ts";
import { isForbiddenAddress } from "../../src/storage/url/address-guard.ts";
import type { HostLookup } from "../../src/storage/url/address-guard.ts";
import { createURLSource } from "../../src/storage/url/index.ts";
import type { URLSourceOptions } from "../../src/storage/url/index.ts";
import { startRawServer } from "../helpers/http-servers.ts";
import { tempDir } from "./helpers.ts";

type T = { after(fn: () => unknown): void };

async function download(t: T, url: string, opts: URLSourceOptions = {}): Promise<string> {
  const workDir = await tempDir(t);
  const input: InputSource = { Source: { Type: "urlDownload", Params: { URL: url } }, Target: "/inputs" };
  const vol = await createURLSource({ retryBackoffMs: 1, ...opts }).prepare(input, {
    jobID: "j-1",
    executionID: "e-1",
    workDir,
    signal: new AbortController().signal,
  });
  const [name] = await readdir(vol.hostPath);
  return await readFile(join(vol.hostPath, name!), "utf8");
}

/** A resolver for made-up names, recording each question. */
function fakeDNS(answers: Record<string, string[][]>): { lookup: HostLookup; asked: string[] } {
  const asked: string[] = [];
  const lookup: HostLookup = (host) => {
    asked.push(host);
    const queue = answers[host];
    if (!queue?.length) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }));
    const next = queue.length > 1 ? queue.shift()! : queue[0]!;
    return Promise.resolve(next.map((address) => ({ address, family: address.includes(":") ? 6 as const : 4 as const })));
  };
  return { lookup, asked };
}

const refused = (host: RegExp) => (err: unknown) => {
  assert.ok(err instanceof BacalhauError, String(err));
  assert.equal(err.code, "Forbidden");
  assert.match(err.message, host);
  assert.match(err.message, /link-local and cloud metadata addresses are not allowed/);
  assert.match(err.hint ?? "", /InputSources\.AllowLinkLocal/);
  return true;
};

async function fileServer(t: T) {
  return await startRawServer(t, (path, socket) => {
    const port = (socket.localPort ?? 0).toString();
    if (path === "/to-metadata-ip") {
      socket.end("HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest/meta-data/\r\nContent-Length: 0\r\n\r\n");
    } else if (path === "/to-metadata-name") {
      socket.end(`HTTP/1.1 302 Found\r\nLocation: http://metadata.test:${port}/file.txt\r\nContent-Length: 0\r\n\r\n`);
    } else {
      socket.end("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nHello, IPFS");
    }
  });
}

test("address guard: link-local and metadata ranges are refused; loopback and private ranges are not", () => {
  for (const a of ["169.254.169.254", "169.254.0.1", "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "64:ff9b::a9fe:a9fe",
    "fe80::1", "febf::1", "fd00:ec2::254", "100.100.100.200", "168.63.129.16"]) {
    assert.equal(isForbiddenAddress(a), true, a);
  }
  for (const a of ["127.0.0.1", "::1", "10.0.0.5", "192.168.1.20", "172.16.0.1", "fd00::1", "8.8.8.8", "not-an-ip"]) {
    assert.equal(isForbiddenAddress(a), false, a);
  }
});

test("urlDownload refuses metadata addresses and names at once, without retrying or resolving", async (t) => {
  const dns = fakeDNS({});
  for (const url of [
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/x",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/x",
  ]) {
    await assert.rejects(download(t, url, { lookup: dns.lookup }), refused(/refusing to download from/));
  }
  await assert.rejects(
    download(t, "http://metadata.google.internal/computeMetadata/v1/", { lookup: dns.lookup }),
    refused(/metadata\.google\.internal/),
  );
  assert.deepEqual(dns.asked, []);
});

test("urlDownload checks the resolved addresses of a name: any link-local answer refuses it", async (t) => {
  const dns = fakeDNS({ "metadata.test": [["169.254.169.254"]], "mixed.test": [["127.0.0.1", "169.254.169.254"]] });
  await assert.rejects(download(t, "http://metadata.test/x", { lookup: dns.lookup }), refused(/metadata\.test \(169\.254\.169\.254\)/));
  await assert.rejects(download(t, "http://mixed.test/x", { lookup: dns.lookup }), refused(/mixed\.test \(169\.254\.169\.254\)/));
});

test("urlDownload connects to the address it checked, so a second DNS answer cannot swap it", async (t) => {
  const srv = await fileServer(t);
  const port = new URL(srv.url).port;
  // A rebinding name: first an allowed address, then the metadata service.
  const dns = fakeDNS({ "rebind.test": [["127.0.0.1"], ["169.254.169.254"]] });
  assert.equal(await download(t, `http://rebind.test:${port}/file.txt`, { lookup: dns.lookup }), "Hello, IPFS");
  assert.deepEqual(dns.asked, ["rebind.test"], "resolved once; the connection used that answer");
});

test("urlDownload checks every redirect target", async (t) => {
  const srv = await fileServer(t);
  const dns = fakeDNS({ "metadata.test": [["169.254.169.254"]] });
  await assert.rejects(download(t, `${srv.url}/to-metadata-ip`, { lookup: dns.lookup }), refused(/169\.254\.169\.254/));
  await assert.rejects(download(t, `${srv.url}/to-metadata-name`, { lookup: dns.lookup }), refused(/metadata\.test \(169\.254\.169\.254\)/));
  assert.equal(srv.hits.get("/to-metadata-ip"), 1, "a refusal is not retried");
  assert.equal(srv.hits.get("/to-metadata-name"), 1);
});

test("urlDownload: an operator can allow link-local addresses", async (t) => {
  const srv = await fileServer(t);
  const port = new URL(srv.url).port;
  const dns = fakeDNS({ "metadata.google.internal": [["127.0.0.1"]] });
  const url = `http://metadata.google.internal:${port}/file.txt`;
  await assert.rejects(download(t, url, { lookup: dns.lookup }), refused(/metadata\.google\.internal/));
  assert.equal(await download(t, url, { lookup: dns.lookup, allowLinkLocal: true }), "Hello, IPFS");
});
