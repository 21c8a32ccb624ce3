/**
 * Maps a job's `Network.Type` onto Docker: None and Default get no interface but loopback
 * (networked jobs are opt-in here); Host and Full share the host's network; Bridge is Docker's
 * default bridge with the job's port bindings; HTTP gets a private network and an egress proxy.
 */
import { NetworkType } from "../../models/types.ts";
import type { ExecutionRequest } from "../executor.ts";
import type { DockerApi, HostConfigSpec } from "./engine.ts";
import { httpNetwork, type HttpNetworkOptions } from "./http-network.ts";

export interface JobNetwork {
  /** Merged into the container's HostConfig. */
  hostConfig: HostConfigSpec;
  /** Container ports to expose (Bridge mode). */
  exposedPorts?: Record<string, Record<string, never>>;
  /** Extra container environment (the proxy variables). */
  env: Record<string, string>;
  /** Tears down whatever was created for this job (after the container is gone). */
  release(): Promise<void>;
}

const nothing = async () => {};

function bridgeNetwork(req: ExecutionRequest): JobNetwork {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of req.network.Ports ?? []) {
    const target = p.Target ?? p.Static;
    if (!target) continue;
    const key = `${target}/tcp`;
    exposed[key] = {};
    bindings[key] = [{ HostIp: p.HostNetwork || "0.0.0.0", HostPort: p.Static ? String(p.Static) : "" }];
  }
  return { hostConfig: { NetworkMode: "bridge", PortBindings: bindings }, exposedPorts: exposed, env: {}, release: nothing };
}

export function jobNetwork(docker: DockerApi, req: ExecutionRequest, opts: HttpNetworkOptions): Promise<JobNetwork> {
  switch (req.network?.Type ?? NetworkType.Default) {
    case NetworkType.Host:
    case NetworkType.Full:
      return Promise.resolve({
        hostConfig: { NetworkMode: "host", ExtraHosts: ["host.docker.internal:host-gateway"] },
        env: {},
        release: nothing,
      });
    case NetworkType.Bridge:
      return Promise.resolve(bridgeNetwork(req));
    case NetworkType.HTTP:
      return httpNetwork(docker, req, opts);
    default:
      return Promise.resolve({ hostConfig: { NetworkMode: "none" }, env: {}, release: nothing });
  }
}

/** Whether a container for this request must be created with networking disabled. */
export const networkDisabled = (req: ExecutionRequest): boolean => {
  const t = req.network?.Type ?? NetworkType.Default;
  return t === NetworkType.None || t === NetworkType.Default;
};
