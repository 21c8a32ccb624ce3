/**
 * Docker benchmark: latency of a trivial job through the docker executor vs `docker run --rm` of
 * the same image from the command line (median of N each; target ≤ 1.2×), and throughput of the
 * egress proxy at its 10 Mbit/s cap (download and upload at once, through 127.0.0.1).
 * Needs a Docker engine and the local test image (`bash scripts/docker/setup.sh`).
 *
 *   node scripts/bench/docker.ts [--runs 10] [--image local/busybox:1]
 */
import { execFile } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createDockerExecutor } from "../../src/executor/docker/index.ts";
import type { ExecutionRequest } from "../../src/executor/executor.ts";
import { allowAnyAddress, DEFAULT_BYTES_PER_SECOND, startEgressProxy } from "../../src/netpolicy/index.ts";
import { median, round1 } from "./stats.ts";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "10" }, image: { type: "string", default: "local/busybox:1" } },
});
const runs = Number(values.runs);
const image = values.image ?? "local/busybox:1";

function dockerCli(): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile("docker", ["run", "--rm", "--network", "none", image, "echo", "hello"], (err) =>
      err ? reject(err) : resolve(performance.now() - start)
    );
  });
}

async function executorLatencies(): Promise<number[]> {
  const executor = createDockerExecutor({ pullImages: false });
  if (!(await executor.isInstalled())) throw new Error("no Docker engine answers: run bash scripts/docker/setup.sh");
  const results = mkdtempSync(join(tmpdir(), "docker-bench-"));
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs + 1; i++) {
      const req: ExecutionRequest = {
        jobID: `j-bench-${i}`, executionID: `e-bench-${i}`, jobType: "batch", partitionIndex: 0, partitionCount: 1,
        engine: { Type: "docker", Params: { Image: image, Parameters: ["echo", "hello"] } },
        env: {}, inputs: [], outputs: [], resultsDir: results,
        resources: { CPU: 0, Memory: 0, Disk: 0, GPU: 0 }, network: { Type: "None" },
        logs: { stdout: () => {}, stderr: () => {} }, signal: new AbortController().signal,
      };
      const start = performance.now();
      const r = await executor.run(req);
      if (r.errorMsg || r.exitCode !== 0) throw new Error(`bench job failed: ${r.errorMsg ?? r.exitCode}`);
      if (i > 0) samples.push(performance.now() - start); // the first run warms the client
    }
  } finally {
    rmSync(results, { recursive: true, force: true });
    await executor.close();
  }
  return samples;
}

async function cliLatencies(): Promise<number[]> {
  await dockerCli();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await dockerCli());
  return samples;
}

/** Bytes per second through the proxy, each way, for `seconds` of transfer at the cap. */
async function proxyThroughput(seconds = 3): Promise<{ down: number; up: number }> {
  const size = Math.round(DEFAULT_BYTES_PER_SECOND * seconds);
  const origin = http.createServer((req, res) => {
    if (req.method === "POST") {
      let n = 0;
      req.on("data", (c: Buffer) => (n += c.length)).on("end", () => res.end(String(n)));
    } else {
      res.writeHead(200, { "content-length": size }).end(Buffer.alloc(size));
    }
  });
  await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
  const port = (origin.address() as AddressInfo).port;
  const proxy = await startEgressProxy({ jobID: "j-bench", domains: ["127.0.0.1"], isAddressAllowed: allowAnyAddress });
  const through = (method: string, body?: Uint8Array) =>
    new Promise<number>((resolve, reject) => {
      const start = performance.now();
      const req = http.request({ host: "127.0.0.1", port: proxy.port, method, path: `http://127.0.0.1:${port}/`, agent: false }, (res) => {
        let n = 0;
        res.on("data", (c: Buffer) => (n += c.length));
        res.on("end", () => resolve((body ? body.length : n) / ((performance.now() - start) / 1000)));
      });
      req.on("error", reject);
      req.end(body);
    });
  try {
    const [down, up] = await Promise.all([through("GET"), through("POST", new Uint8Array(size))]);
    return { down, up };
  } finally {
    await proxy.close();
    origin.closeAllConnections();
    origin.close();
  }
}

const executorMs = median(await executorLatencies());
const cliMs = median(await cliLatencies());
const { down, up } = await proxyThroughput();
const mbit = (bps: number) => round1((bps * 8) / 1e6);
const rows: Array<[string, string, string]> = [
  ["docker job via executor (median ms)", String(round1(executorMs)), ""],
  ["docker run --rm from the CLI (median ms)", String(round1(cliMs)), ""],
  ["executor / CLI", (executorMs / cliMs).toFixed(2), executorMs / cliMs <= 1.2 ? "≤ 1.2× met" : "≤ 1.2× MISSED"],
  ["proxy download (Mbit/s, cap 10)", String(mbit(down)), Math.abs(mbit(down) - 10) <= 2 ? "within 20%" : "OFF"],
  ["proxy upload (Mbit/s, cap 10)", String(mbit(up)), Math.abs(mbit(up) - 10) <= 2 ? "within 20%" : "OFF"],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`Docker benchmark (${runs} runs each, image ${image}, runtime ${"Deno" in globalThis ? "deno" : "node"})`);
for (const [name, value, note] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(8)}  ${note}`);
