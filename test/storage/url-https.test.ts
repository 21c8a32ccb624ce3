/**
 * urlDownload over https: the connection goes to the checked address while the certificate is
 * still verified for the URL's host name (pinning must not weaken TLS).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { completion, ROOT, runtimeArgv } from "../helpers/spawn.ts";
import { tempDir } from "./helpers.ts";

const CHILD = fileURLToPath(new URL("../helpers/url-download-child.ts", import.meta.url));

function runChild(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const [cmd, argv] = runtimeArgv(CHILD, args);
  return completion(spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }));
}

test("urlDownload over https to a name: pinned connection, certificate checked for the name", async (t) => {
  const dir = await tempDir(t);
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  const made = spawnSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
  ]);
  assert.equal(made.status, 0, String(made.stderr));
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    res.end(`secure hello for ${req.headers.host}`);
  });
  // Both families: "localhost" may resolve to 127.0.0.1 or ::1.
  await new Promise<void>((resolve) => server.listen(0, "::", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as { port: number }).port;
  const url = `https://localhost:${port}/hello.txt`;

  const trusted = await runChild([url, await tempDir(t)], { NODE_EXTRA_CA_CERTS: cert });
  assert.equal(trusted.code, 0, trusted.stderr);
  assert.equal(trusted.stdout, `secure hello for localhost:${port}`);

  const untrusted = await runChild([url, await tempDir(t)], {});
  assert.equal(untrusted.code, 1);
  assert.match(untrusted.stderr, /^Error: failed to download https:\/\/localhost:\d+\/hello\.txt after 1 attempts: .*self[- ]signed certificate/m);
});
