/**
 * Pieces shared by the Docker integration tests: the engine check (they fail, never skip, without
 * dockerd), the CLI pointed at a node, a small HTTP origin on 127.0.0.1 that records what reached
 * it, and the containers and networks the docker executor labelled with a job.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";
import type { DockerApi } from "../../src/executor/docker/engine.ts";
import { LABEL_JOB_ID } from "../../src/executor/docker/labels.ts";
import type { Execution, Job } from "../../src/models/types.ts";
import { IMAGE, requireDocker } from "../executor/docker-fixtures.ts";
import { getJSON } from "./jobs.ts";
import { runCli, type CliResult } from "./spawn.ts";

export { IMAGE, requireDocker };

type Cleanup = TestContext | { after(fn: () => unknown): void };

/** `bacalhau …` against the node whose API listens on 127.0.0.1:`port`. */
export function cliAt(port: number): (...args: string[]) => Promise<CliResult> {
  return (...args) => runCli(args, { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(port) });
}

/** The job ID a submitting command printed (progress mode or --id-only). */
export function jobIDOf(r: CliResult): string {
  const m = /\bj-[0-9a-f-]{36}\b/.exec(r.stdout);
  if (!m) throw new Error(`no job ID in the output (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return m[0];
}

export const getJob = (api: string, id: string) =>
  getJSON<{ Job: Job }>(`${api}/api/v1/orchestrator/jobs/${id}`).then((r) => r.Job);

export const executionsOf = (api: string, id: string) =>
  getJSON<{ Items: Execution[] }>(`${api}/api/v1/orchestrator/jobs/${id}/executions`).then((r) => r.Items);

/** Containers (running or not) the docker executor created for a job. */
export function jobContainers(docker: DockerApi, jobID: string): Promise<Array<{ Id: string }>> {
  return docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_JOB_ID}=${jobID}`] }) });
}

export function jobNetworks(docker: DockerApi, jobID: string): Promise<Array<{ Id: string }>> {
  return docker.listNetworks({ filters: JSON.stringify({ label: [`${LABEL_JOB_ID}=${jobID}`] }) });
}

export interface Origin {
  port: number;
  /** Every request that reached the origin: path and headers. */
  seen: Array<{ path: string; headers: http.IncomingHttpHeaders }>;
}

/** An HTTP server on 127.0.0.1 answering `hello from origin` to GET /hello and a file at /data/*. */
export async function startOrigin(t: Cleanup): Promise<Origin> {
  const seen: Origin["seen"] = [];
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://origin").pathname;
    seen.push({ path, headers: req.headers });
    if (path === "/hello") res.writeHead(200, { "content-type": "text/plain" }).end("hello from origin\n");
    else if (path.startsWith("/data/")) res.writeHead(200, { "content-type": "text/plain" }).end(`url input ${path}\n`);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, seen };
}
