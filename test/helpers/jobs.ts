/** Job specs for tests: a committed wasm/ module inlined as a data URL, as a client would send it. */
import { readFileSync } from "node:fs";
import type { Task } from "../../src/models/types.ts";

const WASM_DIR = new URL("../../wasm/", import.meta.url);

export function moduleDataURL(name: string): string {
  const bytes = readFileSync(new URL(`${name}.wasm`, WASM_DIR));
  return `data:application/wasm;base64,${Buffer.from(bytes).toString("base64")}`;
}

export interface WasmJobOptions {
  args?: string[];
  env?: Record<string, string>;
  type?: string;
  count?: number;
  name?: string;
  task?: Partial<Task>;
}

/** A PutJobRequest body's Job for running wasm/<name>.wasm. */
export function wasmJob(name: string, opts: WasmJobOptions = {}): Record<string, unknown> {
  const entry = { Alias: "entry", Target: "main.wasm", Source: { Type: "inline", Params: { URL: moduleDataURL(name) } } };
  const task: Record<string, unknown> = {
    Name: "main",
    Engine: {
      Type: "wasm",
      Params: { EntryModule: "main.wasm", Entrypoint: "_start", Parameters: opts.args ?? [] },
    },
    ...(opts.env ? { Env: opts.env } : {}),
    ...opts.task,
    // The module is always the first input; a test's own inputs come after it.
    InputSources: [entry, ...(opts.task?.InputSources ?? [])],
  };
  return {
    Type: opts.type ?? "batch",
    Count: opts.count ?? 1,
    ...(opts.name ? { Name: opts.name } : {}),
    Tasks: [task],
  };
}

/** PUT /api/v1/orchestrator/jobs and return the parsed body (throws with the body on non-2xx). */
export async function submit(apiURL: string, job: Record<string, unknown>): Promise<{ JobID: string; EvaluationID: string; Warnings: string[] | null }> {
  const res = await fetch(`${apiURL}/api/v1/orchestrator/jobs`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Job: job }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`submit failed ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

export async function getJSON<T = Record<string, unknown>>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) throw new Error(`GET ${url} failed ${res.status}: ${JSON.stringify(body)}`);
  return body as T;
}

/** Follows the job's history the way the CLI's --wait does, until the API says nothing more will come. */
export async function waitTerminal(api: string, jobID: string): Promise<import("../../src/models/types.ts").Job> {
  let token = "";
  for (;;) {
    const page = await getJSON<{ NextToken: string }>(
      `${api}/api/v1/orchestrator/jobs/${jobID}/history?limit=100${token ? `&next_token=${token}` : ""}`,
    );
    if (!page.NextToken) break;
    token = page.NextToken;
    await new Promise((r) => setTimeout(r, 100)); // a client's poll interval: the node is another process
  }
  return (await getJSON<{ Job: import("../../src/models/types.ts").Job }>(`${api}/api/v1/orchestrator/jobs/${jobID}`)).Job;
}
