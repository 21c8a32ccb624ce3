/**
 * Builds the container Docker creates for one execution: the job's image, command, environment
 * and working directory; inputs bind-mounted at their Target (read-only unless writable); each
 * ResultPath bind-mounted at its Path from `<resultsDir>/<Name>`; memory and CPU limits; the
 * network chosen for the job; the least-privilege settings; and labels naming the execution. The
 * mounts come already checked (mount-guard.ts).
 */
import type { ExecutionRequest } from "../executor.ts";
import type { ContainerSpec, MountSpec } from "./engine.ts";
import { hardenedHostConfig, type ContainerHardening } from "./hardening.ts";
import { executionLabels } from "./labels.ts";
import type { JobNetwork } from "./network.ts";
import { networkDisabled } from "./network.ts";
import type { DockerParams } from "./params.ts";

/** Engine vars first, then the task's and system vars, then the proxy: later entries win. */
function containerEnv(params: DockerParams, req: ExecutionRequest, net: JobNetwork): string[] {
  const env = new Map<string, string>();
  for (const entry of params.environmentVariables) {
    const eq = entry.indexOf("=");
    env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const [k, v] of Object.entries(req.env)) env.set(k, v);
  for (const [k, v] of Object.entries(net.env)) env.set(k, v);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

export function containerSpec(
  params: DockerParams,
  req: ExecutionRequest,
  net: JobNetwork,
  mounts: MountSpec[],
  harden: ContainerHardening,
): ContainerSpec {
  const memory = Math.max(0, Math.floor(req.resources.Memory || 0));
  const nanoCPUs = Math.max(0, Math.round((req.resources.CPU || 0) * 1e9));
  return {
    Image: params.image,
    ...(harden.user ? { User: harden.user } : {}),
    Entrypoint: params.entrypoint,
    Cmd: params.parameters.length > 0 ? params.parameters : undefined,
    WorkingDir: params.workingDirectory,
    Env: containerEnv(params, req, net),
    Labels: executionLabels(req),
    Tty: false,
    OpenStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    NetworkDisabled: networkDisabled(req),
    ExposedPorts: net.exposedPorts,
    HostConfig: {
      ...net.hostConfig,
      ...hardenedHostConfig(harden),
      Mounts: mounts,
      // Swap equal to memory: the limit is a hard one and an overrun ends in an OOM kill.
      ...(memory > 0 ? { Memory: memory, MemorySwap: memory } : {}),
      ...(nanoCPUs > 0 ? { NanoCpus: nanoCPUs } : {}),
      AutoRemove: false,
    },
  };
}
