/**
 * The composition root: builds one node (orchestrator, compute, or both) from its config, starts the
 * parts in order and stops them in reverse. A hybrid node joins its two roles with the in-process
 * transport; nothing here knows how a job runs.
 *
 * @example
 * ```ts
 * const node = await startNode(loadConfig({ env: process.env, overrides: ["API.Port=0"] }));
 * console.log(node.apiURL);
 * await node.stop();
 * ```
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApiApp } from "../api/app.ts";
import { CLIENT_VERSION } from "../client/version.ts";
import { ComputeNode } from "../compute/compute-node.ts";
import { durationMs, type NodeConfig } from "../config/config.ts";
import type { Executor } from "../executor/executor.ts";
import { NoopExecutor } from "../executor/noop/executor.ts";
import { WasmExecutor } from "../executor/wasm/executor.ts";
import { parseResources } from "../models/resources.ts";
import type { BuildVersionInfo, NodeInfo } from "../models/types.ts";
import { Orchestrator } from "../orchestrator/orchestrator.ts";
import { createPublisherRegistry } from "../publisher/registry.ts";
import { startHttpServer, type RunningHttpServer } from "../runtime/http.ts";
import { createStorageRegistry } from "../storage/registry.ts";
import { SqliteJobStore } from "../store/sqlite/store.ts";
import { InProcessHub } from "../transport/inprocess.ts";
import { hostCapacity } from "./capacity.ts";
import { loadNodeIdentity } from "./identity.ts";

export const VERSION: BuildVersionInfo = CLIENT_VERSION;

export interface RunningNode {
  nodeID: string;
  apiURL: string;
  apiPort: number;
  orchestrator?: Orchestrator;
  compute?: ComputeNode;
  config: NodeConfig;
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: (msg: string) => void;
  /** Extra executors (tests). */
  executors?: Executor[];
}

export async function startNode(cfg: NodeConfig, opts: StartOptions = {}): Promise<RunningNode> {
  const log = opts.log ?? (() => {});
  if (!cfg.Orchestrator.Enabled && !cfg.Compute.Enabled) cfg.Orchestrator.Enabled = true;
  if (cfg.Compute.Enabled && !cfg.Orchestrator.Enabled) {
    throw new Error("a compute-only node needs an orchestrator to join; run both roles in one node " +
      "(--orchestrator --compute) until multi-node networking is available");
  }
  mkdirSync(cfg.DataDir, { recursive: true });
  const identity = loadNodeIdentity(cfg.DataDir, cfg.Name);
  const nodeID = identity.name;
  const stack: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of stack.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        log(`error while stopping: ${(err as Error).message}`);
      }
    }
  };

  try {
    const hub = new InProcessHub();
    let orchestrator: Orchestrator | undefined;
    let compute: ComputeNode | undefined;
    const store = SqliteJobStore.open(join(mkdirs(cfg.DataDir, "orchestrator"), "jobs.db"));
    stack.push(() => store.close());

    const ownInfo = (): NodeInfo => compute?.nodeInfo() ?? {
      NodeID: nodeID,
      NodeType: "Requester",
      Labels: cfg.Labels,
      SupportedProtocols: ["ncl/v1"],
      BacalhauVersion: VERSION,
    };

    orchestrator = new Orchestrator({
      store,
      transport: hub,
      nodeInfo: ownInfo,
      jobDefaults: cfg.JobDefaults.Resources,
      queueBackoffMs: durationMs(cfg.Orchestrator.Scheduler.QueueBackoff, "Orchestrator.Scheduler.QueueBackoff"),
      disconnectTimeoutMs: durationMs(cfg.Orchestrator.NodeManager.DisconnectTimeout, "Orchestrator.NodeManager.DisconnectTimeout"),
      manualNodeApproval: cfg.Orchestrator.NodeManager.ManualApproval,
      housekeepingIntervalMs: durationMs(cfg.Orchestrator.Scheduler.HousekeepingInterval, "Orchestrator.Scheduler.HousekeepingInterval"),
      log,
    });
    orchestrator.start();
    stack.push(() => orchestrator?.stop());
    stack.push(() => hub.close());

    if (cfg.Compute.Enabled) {
      const computeDir = mkdirs(cfg.DataDir, "compute");
      const storage = createStorageRegistry({ allowListedLocalPaths: cfg.Compute.AllowListedLocalPaths });
      const publishers = createPublisherRegistry({
        local: {
          directory: cfg.Publishers.Types.Local.Directory || mkdirs(computeDir, "published"),
          address: cfg.Publishers.Types.Local.Address,
          port: cfg.Publishers.Types.Local.Port,
        },
      });
      const capacity = hostCapacity(cfg.Compute.AllocatedCapacity, cfg.DataDir);
      const maxJob = cfg.Compute.MaxJobResources;
      compute = new ComputeNode({
        nodeID,
        labels: { ...autoLabels(), ...cfg.Labels },
        version: VERSION,
        transport: hub.connect(nodeID),
        executors: [
          new WasmExecutor({ maxOutputBytes: cfg.Compute.MaxOutputBytes }),
          new NoopExecutor(),
          ...(opts.executors ?? []),
        ],
        storages: storage.types().map((t) => storage.get(t)!),
        publishers: publishers.types().map((t) => publishers.get(t)!),
        dataDir: computeDir,
        capacity,
        maxJobRequirements: maxJob.CPU || maxJob.Memory || maxJob.Disk || maxJob.GPU
          ? parseResources(maxJob, capacityStrings(capacity))
          : undefined,
        policy: {
          rejectNetworkedJobs: cfg.JobAdmissionControl.RejectNetworkedJobs,
          rejectStatelessJobs: cfg.JobAdmissionControl.RejectStatelessJobs,
          envAllowList: cfg.Compute.Env.AllowList,
        },
        jobDefaults: cfg.JobDefaults.Resources,
        heartbeatIntervalMs: durationMs(cfg.Compute.Heartbeat.Interval, "Compute.Heartbeat.Interval"),
        nodeInfoIntervalMs: durationMs(cfg.Compute.Heartbeat.InfoUpdateInterval, "Compute.Heartbeat.InfoUpdateInterval"),
        log,
      });
      await compute.start();
      const c = compute;
      stack.push(() => c.stop("node shutting down"));
    }

    const app = createApiApp({
      store,
      orchestrator,
      nodeInfo: ownInfo,
      version: VERSION,
      config: () => ({ ...cfg }),
      debug: () => ({ nodeID, roles: { orchestrator: !!orchestrator, compute: !!compute } }),
    });
    const server: RunningHttpServer = await startHttpServer(app, { host: cfg.API.Host, port: cfg.API.Port });
    // Stop taking requests before the roles behind them go away.
    stack.push(() => server.close());

    const clientHost = cfg.API.Host === "0.0.0.0" || cfg.API.Host === "::" ? "127.0.0.1" : cfg.API.Host;
    const runFile = join(cfg.DataDir, "bacalhau.run");
    writeFileSync(runFile, `export BACALHAU_API_HOST=${clientHost}\nexport BACALHAU_API_PORT=${server.port}\n`);
    stack.push(() => rmSync(runFile, { force: true }));

    return {
      nodeID,
      apiURL: `http://${clientHost}:${server.port}`,
      apiPort: server.port,
      orchestrator,
      compute,
      config: cfg,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function mkdirs(base: string, name: string): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function autoLabels(): Record<string, string> {
  return { os_type: VERSION.GOOS, os_arch: VERSION.GOARCH };
}

function capacityStrings(r: { CPU: number; Memory: number; Disk: number; GPU: number }) {
  return { CPU: String(r.CPU), Memory: String(r.Memory), Disk: String(r.Disk), GPU: String(r.GPU) };
}
