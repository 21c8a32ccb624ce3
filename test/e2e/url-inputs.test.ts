/**
 * URL inputs end to end against a served node: the reported scenario (module and text file from
 * python's http.server, which used to kill the node on Node 24), then hostile servers: each fails
 * its own execution with a clear message and the node keeps answering.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { getJSON } from "../helpers/jobs.ts";
import { resetSocket, startPythonServer, startRawServer } from "../helpers/http-servers.ts";
import { tempDir } from "../helpers/node.ts";
import { ROOT, runCli, startServe, type ServeProcess } from "../helpers/spawn.ts";

async function stopServe(s: ServeProcess): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
  await s.exited;
}

test("URL inputs against a served node", async (suite) => {
  const dataDir = tempDir(suite);
  const serve = await startServe([
    "--orchestrator", "--compute", "--no-p2p", "--api-host", "127.0.0.1", "--api-port", "0",
    "--data-dir", dataDir, "--local-publisher-port", "0",
    "-c", "Orchestrator.Scheduler.HousekeepingInterval=200ms",
    "-c", "InputSources.ReadTimeout=1s", "-c", "InputSources.MaxRetryCount=0",
    "-c", "InputSources.MaxDownloadBytes=100000000",
  ]);
  suite.after(() => stopServe(serve));
  const api = `http://127.0.0.1:${serve.port}`;
  const env = { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(serve.port) };
  const stillServing = async () => {
    assert.equal(serve.child.exitCode, null, serve.output());
    assert.deepEqual(await getJSON(`${api}/api/v1/agent/alive`), { Status: "OK" });
  };

  await suite.test("wasm run <python URL> -i <python URLs>: the job completes and prints the file", async (t) => {
    const site = tempDir(t);
    copyFileSync(join(ROOT, "wasm/cat.wasm"), join(site, "main.wasm"));
    writeFileSync(join(site, "file.txt"), "Hello, IPFS");
    // A few MB too: the crash needed a body ending while the reader was behind, which small files rarely hit.
    writeFileSync(join(site, "big.bin"), randomBytes(3 * 1024 * 1024));
    const py = await startPythonServer(t, site);
    const run = await runCli(
      ["wasm", "run", `${py}/main.wasm`, "-i", `${py}/file.txt`, "-i", `${py}/big.bin:/data`, "--", "/inputs/file.txt"],
      env,
    );
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}\n${serve.output()}`);
    const id = /Job ID: (j-[0-9a-f-]+)/.exec(run.stdout)?.[1];
    assert.ok(id, run.stdout);
    const logs = await runCli(["job", "logs", id], env);
    assert.equal(logs.stdout, "Hello, IPFS");
    await stillServing();
  });

  await suite.test("hostile servers fail their execution with a clear message; the node keeps serving", async (t) => {
    const hostile = await startRawServer(t, (path, socket) => {
      if (path.startsWith("/close-mid-body/")) {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
        socket.end(Buffer.alloc(1000));
      } else if (path.startsWith("/reset/")) {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
        socket.write(Buffer.alloc(1000), () => resetSocket(socket));
      } else {
        // Never ends: the node's InputSources.ReadTimeout (1s here) must end it.
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
        socket.write(Buffer.alloc(10));
      }
    });
    const cases: [string, RegExp][] = [
      ["/close-mid-body/a.bin", /closed before the 100000 bytes announced by Content-Length arrived/],
      ["/reset/a.bin", /closed before the 100000 bytes announced by Content-Length arrived/],
      ["/hang/a.bin", /request timed out after 1000 ms/],
    ];
    for (const [path, why] of cases) {
      const url = `${hostile.url}${path}`;
      const run = await runCli(["wasm", "run", "wasm/cat.wasm", "-i", url, "--", "/inputs/a.bin"], env);
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stderr, new RegExp(`Error: .*failed to download ${url.replace(/[.]/g, "\\.")} after 1 attempts: `, "s"));
      assert.match(run.stderr, why);
      await stillServing();
    }
  });

  await suite.test("the node's limits: a metadata address is refused and an input over MaxDownloadBytes fails", async (t) => {
    const hostile = await startRawServer(t, (_path, socket) => {
      socket.end("HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n");
    });
    const meta = await runCli(["wasm", "run", "wasm/cat.wasm", "-i", "http://169.254.169.254/latest/meta-data/iam"], env);
    assert.equal(meta.code, 1, meta.stdout);
    assert.match(meta.stderr, /Error: .*refusing to download from 169\.254\.169\.254: link-local and cloud metadata addresses are not allowed/s);
    const huge = await runCli(["wasm", "run", "wasm/cat.wasm", "-i", `${hostile.url}/huge.bin`], env);
    assert.equal(huge.code, 1, huge.stdout);
    assert.match(huge.stderr, /Error: .*larger than this node accepts \(100000000 bytes\): its Content-Length is 1000000000 bytes/s);
    await stillServing();
  });
});
