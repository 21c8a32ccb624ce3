// A bounded, seeded stream of malformed and hostile requests against a real node: odd methods,
// paths and queries, junk headers and credentials, JSON bodies with wrong types, huge numbers and
// deep nesting. The node must never answer 5xx, never crash, keep its memory bounded and still
// answer /api/v1/agent/alive afterwards. A failure prints the seed and the request to replay it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestNode } from "../helpers/node.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const REQUESTS = 1500;
/** Stop early rather than run long on a slow machine; every request run is still seeded. */
const BUDGET_MS = 12_000;
const CONCURRENCY = 4;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function generator(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (n: number) => Math.floor(rand() * n);
  const junkString = (): string => pick([
    "", " ", "x".repeat(int(3000)), "%00", "../../etc/passwd", "\u0000\u0001", "💥".repeat(int(50)), "null", "[]", "{}",
    "j-" + "0".repeat(int(80)), "*", "default", "\\", "'\"<script>", String(rand()),
  ]);
  const number = (): number => pick([0, -1, 1, 1e309, -1e309, 2 ** 53 + 1, 2 ** 64, -0, 1.5, Number.MAX_VALUE, 1e-320]);
  /** Deep nesting written as text (serialising it would overflow the test's own stack). */
  const deep = (depth: number): string => {
    const leaf = JSON.stringify(value(3));
    return rand() < 0.5
      ? "[".repeat(depth) + leaf + "]".repeat(depth)
      : `{"Job":{"Tasks":`.repeat(depth) + leaf + "}}".repeat(depth);
  };
  const value = (d = 0): unknown => {
    const r = rand();
    if (d > 4 || r < 0.25) return pick<unknown>([null, true, false, number(), junkString(), []]);
    if (r < 0.5) return Array.from({ length: int(4) }, () => value(d + 1));
    const o: Record<string, unknown> = {};
    const keys = ["Job", "Name", "Type", "Count", "Tasks", "Engine", "Params", "InputSources", "Resources", "Timeouts",
      "Constraints", "Labels", "Meta", "Namespace", "Priority", "Action", "Reason", "JobVersion", "Force", "Spec",
      "APIVersion", "Network", "Publisher", "ResultPaths", "Env", "__proto__", "constructor", "EntryModule", "Source"];
    for (let i = 0; i < 1 + int(5); i++) o[pick(keys)] = value(d + 1);
    return o;
  };
  const jobish = (): string => {
    const r = rand();
    if (r < 0.15) return deep(200 + int(20_000));
    if (r < 0.3) {
      return JSON.stringify({ Job: { Name: junkString(), Type: pick(["batch", "service", "ops", "daemon", 7, null]), Count: number(),
        Tasks: [{ Name: junkString(), Engine: { Type: pick(["wasm", "docker", "noop", "", 1]), Params: value(2) },
          Resources: { CPU: pick(["1", "-1", "1e309", "999999999999", 5]), Memory: pick(["1Gb", "x", -3]) },
          Timeouts: { ExecutionTimeout: number() }, InputSources: value(2) }] } });
    }
    if (r < 0.4) return JSON.stringify({ APIVersion: "V1beta1", Spec: value(1) });
    return JSON.stringify(value());
  };

  const id = () => pick(["j-" + crypto.randomUUID(), junkString(), "%2e%2e", "n-1", "e-1", encodeURIComponent(junkString())]);
  const paths = () => pick([
    "/api/v1/orchestrator/jobs", `/api/v1/orchestrator/jobs/${id()}`, `/api/v1/orchestrator/jobs/${id()}/history`,
    `/api/v1/orchestrator/jobs/${id()}/executions`, `/api/v1/orchestrator/jobs/${id()}/versions`,
    `/api/v1/orchestrator/jobs/${id()}/results`, `/api/v1/orchestrator/jobs/${id()}/rerun`, "/api/v1/orchestrator/jobs/diff",
    `/api/v1/orchestrator/jobs/${id()}/logs`, "/api/v1/orchestrator/nodes", `/api/v1/orchestrator/nodes/${id()}`,
    "/api/v1/run", "/api/v1/agent/node", "/api/v1/agent/config", "/api/v1/agent/debug", "/api/v1/auth",
    `/api/v1/auth/${id()}`, "/version", "/", "/api/v1/peer", "/node_info", "/api/v1/openapi.json", `/${junkString()}`,
    "/api/v1/ipfs/add?kind=" + junkString(), `/api/v1/ipfs/get/${id()}`, "//api//v1//orchestrator//jobs",
  ]);
  const query = () => {
    if (rand() < 0.4) return "";
    const names = ["limit", "next_token", "order_by", "reverse", "labels", "include", "since", "job_version", "namespace",
      "all_job_versions", "event_type", "execution_id", "filter-approval", "filter-status", "timeout", "tail", "follow"];
    const parts = Array.from({ length: 1 + int(4) }, () =>
      `${pick(names)}=${encodeURIComponent(pick([junkString(), String(number()), "-5", "true", "9".repeat(400), "a,b,,"]))}`);
    return (rand() < 0.9 ? "?" : "&") + parts.join("&");
  };

  return (): FuzzRequest => {
    const method = pick(["GET", "GET", "PUT", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD"]);
    const path = paths();
    const headers: Record<string, string> = {};
    if (rand() < 0.6) headers["content-type"] = pick(["application/json", "text/plain", "application/json; charset=latin1", "multipart/form-data", "x/y"]);
    if (rand() < 0.3) headers.authorization = pick(["Bearer", "Bearer " + junkString(), "Basic !!!", "Basic " + btoa("a:b"), "Digest x", junkString()]);
    if (rand() < 0.2) headers["x-bacalhau-git-version"] = pick(["v1.3.9", "v999.0.0", "banana", "v1.4.0-rc1", ""]);
    if (rand() < 0.2) headers.origin = pick(["https://evil.example", "null", junkString()]);
    if (rand() < 0.1) headers["x-bacalhau-job-id"] = "j-fuzz";
    if (rand() < 0.1) headers["x-request-id"] = junkString();
    let body: string | undefined;
    if (method !== "GET" && method !== "HEAD" && rand() < 0.85) {
      const r = rand();
      body = r < 0.1 ? junkString() : r < 0.2 ? "{\"Job\": " : r < 0.25 ? "1".repeat(int(5000)) : jobish();
    }
    // Header values must be ByteStrings.
    for (const [k, v] of Object.entries(headers)) headers[k] = v.replace(/[^\x20-\x7e]/g, "?");
    return { method, path: path.includes("?") ? path : path + query(), headers, ...(body !== undefined ? { body } : {}) };
  };
}

test(`fuzz: ${REQUESTS} seeded hostile requests (seed ${SEED}) get no 5xx; the node stays alive with bounded memory`, async (t) => {
  const node = await startTestNode(t);
  const next = generator(prng(SEED));
  const send = async (r: FuzzRequest): Promise<number> => {
    const res = await fetch(node.apiURL + r.path, { method: r.method, headers: r.headers, body: r.body, redirect: "manual" });
    await res.arrayBuffer();
    return res.status;
  };
  // Warm up before measuring memory, so lazy loading does not count as growth.
  for (let i = 0; i < 20; i++) await send({ method: "GET", path: "/api/v1/orchestrator/jobs", headers: {} });
  const rssBefore = process.memoryUsage().rss;
  const requests = Array.from({ length: REQUESTS }, next);
  const started = performance.now();
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let index = 0;
  let done = 0;
  let retried = 0;
  const worker = async () => {
    while (index < requests.length && performance.now() - started < BUDGET_MS) {
      const i = index++;
      const r = requests[i]!;
      let status: number;
      try {
        // A server may close a kept-alive connection whose last request body it did not read;
        // a client that lands on it retries once on a fresh one, as HTTP clients do.
        status = await send(r).catch(() => {
          retried++;
          return send(r);
        });
      } catch (err) {
        const cause = (err as Error).cause as { code?: string; message?: string } | undefined;
        failures.push(`#${i} ${r.method} ${r.path.slice(0, 200)}: no answer (${(err as Error).message}: ${cause?.code ?? ""} ${cause?.message ?? ""})`);
        continue;
      }
      done++;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) {
        failures.push(`#${i} ${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers)} body ${(r.body ?? "").slice(0, 200)} -> ${status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const growthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  t.diagnostic(`${done} requests in ${Math.round(performance.now() - started)} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${retried} retried; RSS growth ${growthMb.toFixed(1)} MiB`);
  assert.deepEqual(failures, [], `seed ${SEED}`);
  assert.ok(done >= 200, `only ${done} requests ran`);
  assert.ok(growthMb < 256, `RSS grew ${growthMb.toFixed(1)} MiB`);
  const alive = await fetch(`${node.apiURL}/api/v1/agent/alive`);
  assert.deepEqual(await alive.json(), { Status: "OK" });
});
