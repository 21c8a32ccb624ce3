/**
 * What the benchmark sends and reads over HTTP, as any REST client would: wasm job bodies with the
 * module inlined as a data URL, PUT /api/v1/orchestrator/jobs, and the reads that follow.
 */
import { readFileSync } from "node:fs";
import type { Execution, JobHistory } from "../../src/models/types.ts";

const WASM_DIR = new URL("../../wasm/", import.meta.url);
const modules = new Map<string, string>();

function moduleURL(name: string): string {
  let url = modules.get(name);
  if (!url) {
    const bytes = readFileSync(new URL(`${name}.wasm`, WASM_DIR));
    url = `data:application/wasm;base64,${Buffer.from(bytes).toString("base64")}`;
    modules.set(name, url);
  }
  return url;
}

/**
 * The PutJobRequest body (already JSON) for a batch job running wasm/<name>.wasm with `args`;
 * `cpu` sets the task's CPU request (else the node's job defaults apply).
 */
export function wasmJobBody(name: string, args: string[] = [], cpu?: string): string {
  return JSON.stringify({
    Job: {
      Type: "batch",
      Count: 1,
      Tasks: [{
        Name: "main",
        Engine: { Type: "wasm", Params: { EntryModule: "main.wasm", Entrypoint: "_start", Parameters: args } },
        InputSources: [{ Alias: "entry", Target: "main.wasm", Source: { Type: "inline", Params: { URL: moduleURL(name) } } }],
        ...(cpu ? { Resources: { CPU: cpu } } : {}),
      }],
    },
  });
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** PUT the job; returns its ID. */
export async function submitJob(apiURL: string, body: string): Promise<string> {
  const res = await fetch(`${apiURL}/api/v1/orchestrator/jobs`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body,
  });
  return (await json<{ JobID: string }>(res, "job submit")).JobID;
}

export async function getExecutions(apiURL: string, jobID: string): Promise<Execution[]> {
  const res = await fetch(`${apiURL}/api/v1/orchestrator/jobs/${jobID}/executions`);
  return (await json<{ Items: Execution[] }>(res, "executions")).Items;
}

/** The stdout of the job's completed execution; throws when there is none. */
export async function completedStdout(apiURL: string, jobID: string): Promise<string> {
  const done = (await getExecutions(apiURL, jobID)).find((e) => e.ComputeState.StateType === 9);
  if (!done) throw new Error(`job ${jobID} has no completed execution`);
  return done.RunOutput?.Stdout ?? "";
}

export async function getHistory(apiURL: string, jobID: string): Promise<JobHistory[]> {
  const res = await fetch(`${apiURL}/api/v1/orchestrator/jobs/${jobID}/history?limit=1000`);
  return (await json<{ Items: JobHistory[] }>(res, "history")).Items;
}

/**
 * Waits for a job the way a remote client can: pages through its history with next_token until the
 * server hands back an empty token (the job is terminal and everything is read). The server answers
 * at once, so the client paces itself between polls.
 */
export async function waitByHistory(apiURL: string, jobID: string, pollMs = 5, signal?: AbortSignal): Promise<JobHistory[]> {
  const events: JobHistory[] = [];
  let token = "";
  for (;;) {
    signal?.throwIfAborted();
    const q = token ? `next_token=${encodeURIComponent(token)}` : "limit=100";
    const res = await fetch(`${apiURL}/api/v1/orchestrator/jobs/${jobID}/history?${q}`);
    const page = await json<{ Items: JobHistory[]; NextToken: string }>(res, "history");
    events.push(...page.Items);
    if (!page.NextToken) return events;
    token = page.NextToken;
    if (page.Items.length === 0) await new Promise((r) => setTimeout(r, pollMs));
  }
}
