/**
 * The HTTP network mode for one execution: an internal Docker network (no route out) whose
 * gateway address on the host runs the job's egress proxy, plus host firewall rules so that the
 * proxy is the only thing on the host the job can reach. The job gets the proxy in
 * `http_proxy`/`https_proxy` (both cases); any direct connection has nowhere to go.
 */
import { randomBytes } from "node:crypto";
import type { EgressProxy, EgressProxyOptions } from "../../netpolicy/egress-proxy.ts";
import { startEgressProxy } from "../../netpolicy/egress-proxy.ts";
import type { ExecutionRequest } from "../executor.ts";
import type { DockerApi } from "./engine.ts";
import { guardBridge, type HostGuard } from "./host-guard.ts";
import type { JobNetwork } from "./network.ts";
import { executionLabels } from "./labels.ts";

/** What the operator (or a test) may tune about the per-job proxy. */
export type ProxySettings = Pick<EgressProxyOptions,
  "bytesPerSecond" | "resolve" | "isAddressAllowed" | "onRefused" | "allowedCIDRs" | "connectPorts">;

export interface HttpNetworkOptions {
  proxy?: ProxySettings;
  /** Install the iptables rules that keep the job off the host's other ports. Default true. */
  guardHost?: boolean;
}

export async function httpNetwork(docker: DockerApi, req: ExecutionRequest, opts: HttpNetworkOptions): Promise<JobNetwork> {
  const domains = req.network.Domains ?? [];
  if (domains.length === 0) throw new Error("network type HTTP needs at least one allowed domain");
  const suffix = randomBytes(4).toString("hex");
  const bridge = `bh-${suffix}`; // Linux caps interface names at 15 characters
  const network = await docker.createNetwork({
    Name: `bacalhau-http-${req.executionID}-${suffix}`,
    Driver: "bridge",
    Internal: true,
    CheckDuplicate: true,
    Labels: executionLabels(req),
    Options: { "com.docker.network.bridge.name": bridge },
  });
  let proxy: EgressProxy | undefined;
  let guard: HostGuard | undefined;
  const release = async () => {
    await guard?.release();
    await proxy?.close();
    await network.remove().catch(() => {});
  };
  try {
    const info = await network.inspect();
    const gateway = info.IPAM?.Config?.find((c) => c.Gateway)?.Gateway;
    if (!gateway) throw new Error("the job network has no gateway address");
    proxy = await startEgressProxy({ ...opts.proxy, jobID: req.jobID, domains, host: gateway, port: 0 });
    if (opts.guardHost !== false) guard = await guardBridge(bridge, gateway, proxy.port, req.executionID);
    const url = proxy.url;
    return {
      hostConfig: { NetworkMode: network.id },
      env: { http_proxy: url, https_proxy: url, HTTP_PROXY: url, HTTPS_PROXY: url },
      release,
    };
  } catch (err) {
    await release();
    throw new Error(`cannot set up the job's HTTP network: ${(err as Error).message}`);
  }
}
