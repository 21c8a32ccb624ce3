/**
 * Shared pieces of the Docker executor tests: the engine check (tests fail, never skip, without
 * dockerd), the local busybox image, requests with unique execution IDs, and the check that a run
 * left no container or network behind.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerClient } from "../../src/executor/docker/client.ts";
import type { DockerApi } from "../../src/executor/docker/engine.ts";
import { LABEL_EXECUTION_ID } from "../../src/executor/docker/labels.ts";
import type { ExecutionRequest, PreparedVolume } from "../../src/executor/executor.ts";
import type { NetworkConfig, ResultPath } from "../../src/models/types.ts";
import type { Cleanup } from "./helpers.ts";

export const IMAGE = process.env["BACALHAU_TEST_IMAGE"] ?? "local/busybox:1";

/** Throws a clear message when no engine answers or the test image is missing. */
export async function requireDocker(): Promise<DockerApi> {
  const docker = dockerClient();
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(
      `no Docker engine answers (${(err as Error).message}); the Docker tests need one: run ` +
        "`bash scripts/docker/setup.sh` (installs docker.io, starts dockerd, builds " + IMAGE + ")",
    );
  }
  try {
    await docker.getImage(IMAGE).inspect();
  } catch {
    throw new Error(`test image ${IMAGE} is missing: run \`bash scripts/docker/setup.sh\` to build it`);
  }
  return docker;
}

export function tempDir(t: Cleanup, prefix = "docker-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface DockerJob {
  image?: string;
  entrypoint?: string[];
  /** Runs `sh -c script` unless `cmd` is given. */
  script?: string;
  cmd?: string[];
  envVars?: string[];
  workingDirectory?: string;
  env?: Record<string, string>;
  inputs?: PreparedVolume[];
  outputs?: ResultPath[];
  memory?: number;
  cpu?: number;
  network?: NetworkConfig;
  signal?: AbortSignal;
}

export interface DockerRun {
  req: ExecutionRequest;
  /** `<tmp>/<executionID>`, the execution's own folder as a compute node lays it out. */
  executionDir: string;
  stdout(): string;
  stderr(): string;
  firstStdout: Promise<void>;
}

export function dockerRequest(t: Cleanup, job: DockerJob): DockerRun {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const { promise: firstStdout, resolve } = Promise.withResolvers<void>();
  const text = (chunks: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(chunks));
  const id = randomBytes(6).toString("hex");
  const executionDir = join(tempDir(t, "docker-exec-"), `e-${id}`);
  mkdirSync(join(executionDir, "results"), { recursive: true });
  const req: ExecutionRequest = {
    jobID: `j-${id}`,
    executionID: `e-${id}`,
    jobType: "batch",
    partitionIndex: 0,
    partitionCount: 1,
    engine: {
      Type: "docker",
      Params: {
        Image: job.image ?? IMAGE,
        Entrypoint: job.entrypoint ?? null,
        Parameters: job.cmd ?? (job.script !== undefined ? ["sh", "-c", job.script] : []),
        EnvironmentVariables: job.envVars ?? [],
        WorkingDirectory: job.workingDirectory ?? "",
      },
    },
    env: job.env ?? {},
    inputs: job.inputs ?? [],
    outputs: job.outputs ?? [],
    resultsDir: join(executionDir, "results"),
    resources: { CPU: job.cpu ?? 0, Memory: job.memory ?? 0, Disk: 0, GPU: 0 },
    network: job.network ?? { Type: "None" },
    logs: {
      stdout: (c) => {
        out.push(c);
        resolve();
      },
      stderr: (c) => void err.push(c),
    },
    signal: job.signal ?? new AbortController().signal,
  };
  return { req, executionDir, stdout: () => text(out), stderr: () => text(err), firstStdout };
}

/** Asserts the execution left no container and no network behind. */
export async function assertNothingLeft(docker: DockerApi, executionID: string): Promise<void> {
  const filters = JSON.stringify({ label: [`${LABEL_EXECUTION_ID}=${executionID}`] });
  assert.deepEqual(await docker.listContainers({ all: true, filters }), [], "containers left behind");
  assert.deepEqual(await docker.listNetworks({ filters }), [], "networks left behind");
}
