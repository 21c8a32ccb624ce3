/**
 * What API authentication costs: the trivial wasm job's latency (HTTP submit until its stdout is in
 * hand) and one small API read, each timed as an anonymous loopback caller and as a caller sending
 * the node's API key (`Authorization: Bearer`, checked on every request). The two kinds alternate
 * on one node, so drift in the machine's load falls on both alike.
 *
 * @example
 * ```sh
 * node scripts/bench/auth-cost.ts                 # table
 * node scripts/bench/auth-cost.ts --jobs 300 --json
 * deno run -A scripts/bench/auth-cost.ts
 * ```
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { defaultConfig } from "../../src/config/config.ts";
import { startNode } from "../../src/node/node.ts";
import { TERMINAL } from "./latency.ts";
import { wasmJobBody } from "./jobs.ts";
import { percentile, round1 } from "./stats.ts";

const { values } = parseArgs({
  options: { jobs: { type: "string", default: "200" }, reads: { type: "string", default: "2000" }, json: { type: "boolean", default: false } },
});
const JOBS = Number(values.jobs);
const READS = Number(values.reads);

const dir = mkdtempSync(join(tmpdir(), "bacalhau-bench-auth-"));
const cfg = defaultConfig({});
cfg.DataDir = dir;
cfg.API.Host = "127.0.0.1";
cfg.API.Port = 0;
cfg.Publishers.Types.Local.Port = 0;
cfg.Orchestrator.Enabled = true;
cfg.Compute.Enabled = true;
const node = await startNode(cfg);
try {
  const key = node.apiKey;
  if (!key) throw new Error("the node made no API key");
  const orchestrator = node.orchestrator!;
  const headersFor = (withKey: boolean): Record<string, string> => (withKey ? { Authorization: `Bearer ${key}` } : {});
  const call = async (path: string, withKey: boolean, init: RequestInit = {}): Promise<unknown> => {
    const res = await fetch(node.apiURL + path, { ...init, headers: { ...headersFor(withKey), ...(init.headers as Record<string, string> ?? {}) } });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text);
  };
  const body = wasmJobBody("hello", ["bench"]);
  const oneJob = async (withKey: boolean): Promise<number> => {
    const t0 = performance.now();
    const { JobID } = await call("/api/v1/orchestrator/jobs", withKey, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body,
    }) as { JobID: string };
    const job = await orchestrator.waitForJob(JobID, TERMINAL);
    if (job.State.StateType !== "Completed") throw new Error(`job ${JobID} ended ${job.State.StateType}`);
    const { Items } = await call(`/api/v1/orchestrator/jobs/${JobID}/executions`, withKey) as { Items: { RunOutput?: { Stdout?: string } }[] };
    if (Items[0]?.RunOutput?.Stdout !== "Hello, bench!\n") throw new Error(`job ${JobID} printed the wrong thing`);
    return performance.now() - t0;
  };
  const oneRead = async (withKey: boolean): Promise<number> => {
    const t0 = performance.now();
    await call("/api/v1/agent/node", withKey);
    return performance.now() - t0;
  };

  for (let i = 0; i < 20; i++) await oneJob(i % 2 === 0);
  const jobs = { anonymous: [] as number[], key: [] as number[] };
  for (let i = 0; i < JOBS * 2; i++) {
    const withKey = i % 2 === 1;
    (withKey ? jobs.key : jobs.anonymous).push(await oneJob(withKey));
  }
  for (let i = 0; i < 200; i++) await oneRead(i % 2 === 0);
  const reads = { anonymous: [] as number[], key: [] as number[] };
  for (let i = 0; i < READS * 2; i++) {
    const withKey = i % 2 === 1;
    (withKey ? reads.key : reads.anonymous).push(await oneRead(withKey));
  }
  const row = (samples: { anonymous: number[]; key: number[] }, digits: (n: number) => number) => ({
    anonymous_p50_ms: digits(percentile(samples.anonymous, 50)),
    key_p50_ms: digits(percentile(samples.key, 50)),
    delta_p50_ms: digits(percentile(samples.key, 50) - percentile(samples.anonymous, 50)),
    anonymous_p99_ms: digits(percentile(samples.anonymous, 99)),
    key_p99_ms: digits(percentile(samples.key, 99)),
  });
  const three = (n: number) => Math.round(n * 1000) / 1000;
  const result = {
    runtime: (globalThis as { Deno?: unknown }).Deno ? "deno" : "node",
    jobs_each: JOBS,
    reads_each: READS,
    trivial_job: row(jobs, round1),
    agent_node_read: row(reads, three),
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(result) + "\n");
  } else {
    const line = (name: string, r: ReturnType<typeof row>) =>
      `| ${name.padEnd(28)} | ${String(r.anonymous_p50_ms).padStart(9)} | ${String(r.key_p50_ms).padStart(9)} | ${String(r.delta_p50_ms).padStart(8)} |`;
    process.stdout.write([
      `API authentication cost (${result.runtime}; ${JOBS} jobs and ${READS} reads of each kind, alternating)`,
      `| ${"figure".padEnd(28)} | no key p50 | key p50 | Δ p50 |`,
      `|${"-".repeat(30)}|-----------:|--------:|------:|`,
      line("trivial job latency (ms)", result.trivial_job),
      line("GET /api/v1/agent/node (ms)", result.agent_node_read),
      "",
    ].join("\n"));
  }
} finally {
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
}
