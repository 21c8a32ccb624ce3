/**
 * The compute role: joins an orchestrator through its transport (handshake, heartbeats, node-info
 * updates), bids for executions, queues accepted ones within its capacity, runs them and reports.
 * It owns nothing durable but published results: after a restart it holds no executions, and the
 * orchestrator reschedules what it had.
 *
 * @example
 * ```ts
 * const compute = new ComputeNode({ nodeID, transport, executors, storages, publishers, ... });
 * await compute.start();
 * await compute.stop("shutting down");
 * ```
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Executor } from "../executor/executor.ts";
import { defaultTimeoutFor, executionTimeoutOf, MAX_EXECUTION_TIMEOUT_KEY, type TimeoutPolicy } from "../models/accept.ts";
import { executionIDProblem } from "../models/job-paths.ts";
import { parseResources } from "../models/resources.ts";
import { JobType } from "../models/types.ts";
import type {
  BuildVersionInfo,
  ComputeNodeInfo,
  Execution,
  ExecutionLog,
  Job,
  NodeInfo,
  Resources,
  ResourcesConfig,
} from "../models/types.ts";
import type { Publisher } from "../publisher/publisher.ts";
import type { StorageSource } from "../storage/source.ts";
import type { LogsRequest, ToCompute, ToOrchestrator } from "../transport/messages.ts";
import type { ComputeTransport } from "../transport/transport.ts";
import { checkBid, type AdmissionPolicy } from "./bidder.ts";
import { CapacityTracker } from "./capacity.ts";
import { LogManager } from "./logs.ts";
import { ExecutionQueue } from "./queue.ts";
import { deliverReport, type ReportOptions } from "./report.ts";
import { readPublishedResult } from "./results.ts";
import { runExecution } from "./runner.ts";
import { executionDir, stageExecution, unstageExecution } from "./workspace.ts";

export interface ComputeNodeOptions {
  nodeID: string;
  labels: Record<string, string>;
  version: BuildVersionInfo;
  transport: ComputeTransport;
  executors: Executor[];
  storages: StorageSource[];
  publishers: Publisher[];
  /** Folder for execution work and results. */
  dataDir: string;
  capacity: Resources;
  maxJobRequirements?: Resources;
  policy: AdmissionPolicy;
  jobDefaults?: ResourcesConfig;
  /** Compute.MaxResultBytes: result bytes a job may publish when its Disk resource is unset. */
  maxResultBytes?: number;
  heartbeatIntervalMs?: number;
  nodeInfoIntervalMs?: number;
  /** The node's default and maximum execution timeouts (seconds; 0 = none). */
  timeouts?: TimeoutPolicy;
  address?: string;
  log?: (msg: string) => void;
}

interface Held {
  exec: Execution & { Job: Job };
  resources: Resources;
  controller: AbortController;
  state: "bid" | "queued" | "running";
  /** Its folders, made while it is queued (see workspace.ts). */
  staged?: Promise<void>;
}

const byType = <T extends { type: string }>(items: T[]) => new Map(items.map((i) => [i.type.toLowerCase(), i]));

export class ComputeNode {
  readonly nodeID: string;
  readonly #opts: ComputeNodeOptions;
  readonly #executors: Map<string, Executor>;
  readonly #storages: Map<string, StorageSource>;
  readonly #publishers: Map<string, Publisher>;
  readonly #capacity: CapacityTracker;
  readonly #queue = new ExecutionQueue();
  readonly #held = new Map<string, Held>();
  readonly #running = new Set<Promise<void>>();
  /** Clean-up that outlives its execution (input removal); waited for on stop. */
  readonly #background = new Set<Promise<void>>();
  readonly #logs: LogManager;
  readonly #executionsDir: string;
  readonly #log: (msg: string) => void;
  #engines: string[] = [];
  #heartbeat?: ReturnType<typeof setInterval>;
  #infoTimer?: ReturnType<typeof setInterval>;
  #seq = 0;
  readonly #bootID = crypto.randomUUID();
  #infoDirty?: ReturnType<typeof setTimeout>;
  #stopping = false;
  /** Set once the node gives up on the orchestrator (final stop): pending reports are dropped. */
  #closing = false;
  readonly #reporting: ReportOptions;

  constructor(opts: ComputeNodeOptions) {
    this.nodeID = opts.nodeID;
    this.#opts = opts;
    this.#executors = byType(opts.executors);
    this.#storages = byType(opts.storages);
    this.#publishers = byType(opts.publishers);
    this.#capacity = new CapacityTracker(opts.capacity);
    this.#executionsDir = join(opts.dataDir, "executions");
    mkdirSync(this.#executionsDir, { recursive: true, mode: 0o700 });
    this.#logs = new LogManager((id) => join(executionDir(this.#executionsDir, id), "logs.jsonl"));
    this.#log = opts.log ?? (() => {});
    this.#reporting = { send: (msg) => opts.transport.send(msg), closing: () => this.#closing, log: this.#log };
    opts.transport.setHandler({
      onMessage: (msg) => this.#onMessage(msg),
      streamLogs: (req, signal) => this.#streamLogs(req, signal),
      readResult: (executionID, signal) => readPublishedResult(this.#publishers.values(), executionID, signal),
    });
  }

  async start(): Promise<void> {
    const installed = await Promise.all(this.#opts.executors.map(async (e) => ((await e.isInstalled()) ? e.type : "")));
    this.#engines = installed.filter(Boolean);
    for (const p of this.#opts.publishers) await p.start?.();
    // A remote requester may not be up yet: the transport handshakes again whenever it connects.
    await this.handshake().catch((err) => this.#log(`handshake failed: ${(err as Error).message}`));
    this.#heartbeat = setInterval(() => void this.#beat(), this.#opts.heartbeatIntervalMs ?? 15_000);
    this.#infoTimer = setInterval(() => void this.#sendInfo(), this.#opts.nodeInfoIntervalMs ?? 60_000);
  }

  /** Cancels what runs, tells the orchestrator, and waits for the runners to record their end. */
  async stop(reason = "node stopping"): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#heartbeat);
    clearInterval(this.#infoTimer);
    clearTimeout(this.#infoDirty);
    for (const h of this.#held.values()) h.controller.abort(new Error(`execution cancelled: ${reason}`));
    // Give the cancellations a moment to be recorded by the orchestrator, then stop retrying.
    const settled = Promise.allSettled([...this.#running]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise((r) => (timer = setTimeout(r, 5000)));
    await Promise.race([settled, grace]);
    clearTimeout(timer);
    this.#closing = true;
    await settled;
    // Executions that never ran leave no folders behind, and none is still being made once stopped.
    for (const h of this.#held.values()) if (h.state === "queued") this.#discardFolders(h);
    await Promise.all([...this.#background]);
    try {
      await this.#opts.transport.send({ type: "ShutdownNotice", nodeID: this.nodeID, reason });
    } catch { /* the orchestrator may already be gone */ }
    for (const e of this.#opts.executors) await e.close();
    for (const p of this.#opts.publishers) await p.close();
  }

  nodeInfo(): NodeInfo {
    const queued = this.#queue.totalResources();
    const info: ComputeNodeInfo = {
      ExecutionEngines: this.#engines,
      Publishers: this.#opts.publishers.map((p) => p.type),
      StorageSources: this.#opts.storages.map((s) => s.type),
      MaxCapacity: this.#capacity.total,
      QueueCapacity: queued,
      AvailableCapacity: this.#capacity.available,
      MaxJobRequirements: this.#maxJob(),
      RunningExecutions: [...this.#held.values()].filter((h) => h.state === "running").length,
      EnqueuedExecutions: this.#queue.size,
    };
    if (this.#opts.address) info.address = this.#opts.address;
    return {
      NodeID: this.nodeID,
      NodeType: "Compute",
      Labels: this.#opts.labels,
      SupportedProtocols: ["ncl/v1"],
      ComputeNodeInfo: info,
      BacalhauVersion: this.#opts.version,
    };
  }

  #maxJob(): Resources {
    return this.#opts.maxJobRequirements ?? this.#capacity.total;
  }

  /** Introduces this node (again) to the orchestrator, listing the executions it still holds. */
  async handshake(): Promise<void> {
    await this.#opts.transport.send({
      type: "Handshake",
      nodeInfo: this.nodeInfo(),
      activeExecutionIDs: [...this.#held.keys()],
      bootID: this.#bootID,
    });
  }

  async #beat(): Promise<void> {
    try {
      const reply = await this.#opts.transport.send({ type: "Heartbeat", nodeID: this.nodeID, seq: ++this.#seq });
      if (reply?.reconnect) await this.handshake();
    } catch (err) {
      this.#log(`heartbeat failed: ${(err as Error).message}`);
    }
  }

  async #sendInfo(): Promise<void> {
    try {
      const reply = await this.#opts.transport.send({ type: "UpdateNodeInfo", nodeInfo: this.nodeInfo() });
      if (reply?.reconnect) await this.handshake();
    } catch (err) {
      this.#log(`node info update failed: ${(err as Error).message}`);
    }
  }

  /** Capacity changed: tell the orchestrator soon, once for a burst of changes. */
  #infoChanged(): void {
    if (this.#infoDirty || this.#stopping) return;
    this.#infoDirty = setTimeout(() => {
      this.#infoDirty = undefined;
      void this.#sendInfo();
    }, 50);
  }

  async #onMessage(msg: ToCompute): Promise<void> {
    switch (msg.type) {
      case "AskForBid":
        return this.#bid(msg.execution as Execution & { Job: Job }, msg.run);
      case "BidAccepted": {
        const h = this.#held.get(msg.executionID);
        if (h && h.state === "bid") this.#enqueue(h);
        return;
      }
      case "BidRejected":
      case "CancelExecution": {
        const h = this.#held.get(msg.executionID);
        if (!h) return;
        if (h.state === "running") h.controller.abort(new Error(`execution cancelled: ${msg.reason}`));
        else {
          this.#queue.remove(msg.executionID);
          this.#held.delete(msg.executionID);
          this.#discardFolders(h);
          this.#infoChanged();
        }
        return;
      }
    }
  }

  async #bid(exec: Execution & { Job: Job }, run: boolean): Promise<void> {
    const ids = { executionID: exec.ID, jobID: exec.JobID };
    let resources: Resources;
    let reason: string | undefined;
    try {
      resources = parseResources(exec.Job.Tasks[0]?.Resources, this.#opts.jobDefaults);
      reason = this.#stopping ? "node is shutting down" : this.#refusal(exec) ?? await checkBid({
        executors: new Map([...this.#executors].filter(([k]) => this.#engines.includes(k))),
        publishers: this.#publishers,
        storages: this.#storages,
        policy: this.#opts.policy,
        maxJobRequirements: () => this.#maxJob(),
      }, exec.Job, resources);
    } catch (err) {
      resources = { CPU: 0, Memory: 0, Disk: 0, GPU: 0 };
      reason = (err as Error).message;
    }
    if (reason) {
      await this.#opts.transport.send({ type: "BidResult", ...ids, accepted: false, reason });
      return;
    }
    const held: Held = { exec, resources, controller: new AbortController(), state: "bid" };
    this.#held.set(exec.ID, held);
    if (run) this.#enqueue(held);
    else await this.#opts.transport.send({ type: "BidResult", ...ids, accepted: true, reason: "" });
  }

  /** What this node refuses before anything else looks at the execution (Bacalhau's timeout bid strategy). */
  #refusal(exec: Execution & { Job: Job }): string | undefined {
    const badID = executionIDProblem(String(exec.ID));
    if (badID) return `execution ID ${JSON.stringify(exec.ID)} ${badID}`;
    const max = this.#opts.timeouts?.max ?? 0;
    const timeout = executionTimeoutOf(exec.Job);
    if (max > 0 && timeout > max) {
      return `job timeout ${timeout}s exceeds the maximum possible value ${max}s (${MAX_EXECUTION_TIMEOUT_KEY})`;
    }
    return undefined;
  }

  /** The execution's timeout in seconds: its own, else the node's default for its type, never over the maximum. */
  #timeoutOf(job: Job): number {
    const policy = this.#opts.timeouts;
    const own = executionTimeoutOf(job) || (policy ? defaultTimeoutFor(job.Type, policy) : 0);
    // Daemon and service executions run until stopped: a maximum for runs does not cut them.
    const longRunning = job.Type === JobType.Daemon || job.Type === JobType.Service;
    const max = longRunning ? 0 : policy?.max ?? 0;
    return max > 0 && (own === 0 || own > max) ? max : own;
  }

  #enqueue(h: Held): void {
    h.state = "queued";
    h.staged = stageExecution(this.#executionsDir, h.exec);
    // Awaited (and a failure reported) when it runs; never an unhandled rejection meanwhile.
    h.staged.catch(() => {});
    this.#queue.push({ executionID: h.exec.ID, priority: h.exec.Job.Priority, resources: h.resources });
    this.#pump();
    this.#infoChanged();
  }

  /** Starts every queued execution that fits the free capacity. */
  #pump(): void {
    for (;;) {
      const next = this.#queue.takeFitting((r) => this.#capacity.canRun(r));
      if (!next) return;
      const h = this.#held.get(next.executionID);
      if (!h) continue;
      h.state = "running";
      this.#capacity.allocate(h.resources);
      const p = this.#run(h).finally(() => {
        this.#running.delete(p);
        this.#held.delete(h.exec.ID);
        this.#capacity.release(h.resources);
        this.#infoChanged();
        if (!this.#stopping) this.#pump();
      });
      this.#running.add(p);
    }
  }

  async #run(h: Held): Promise<void> {
    const timeout = this.#timeoutOf(h.exec.Job);
    const timer = timeout > 0
      ? setTimeout(() => h.controller.abort(new Error(`Execution timed out after ${timeout}s`)), timeout * 1000)
      : undefined;
    try {
      await runExecution({
        executors: this.#executors,
        storages: this.#storages,
        publishers: this.#publishers,
        logs: this.#logs,
        executionsDir: this.#executionsDir,
        envAllowList: this.#opts.policy.envAllowList,
        jobDefaults: this.#opts.jobDefaults,
        maxResultBytes: this.#opts.maxResultBytes,
        report: (msg) => deliverReport(this.#reporting, msg, h.exec.ID),
        background: (work) => this.#track(work),
      }, h.exec, h.controller.signal, h.staged ?? stageExecution(this.#executionsDir, h.exec));
    } catch (err) {
      this.#log(`execution ${h.exec.ID} crashed: ${(err as Error).stack ?? err}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Removes the folders of an execution that will not run, once their making is over. */
  #discardFolders(h: Held): void {
    const staged = h.staged;
    if (staged) this.#track(staged.then(() => unstageExecution(this.#executionsDir, h.exec.ID)));
  }

  /** Keeps clean-up that outlives its execution until it is done; stop waits for it. */
  #track(work: Promise<void>): void {
    const settled = work.then(() => {}, (err) => this.#log(`clean-up failed: ${(err as Error).message}`));
    this.#background.add(settled);
    void settled.finally(() => this.#background.delete(settled));
  }

  #streamLogs(req: LogsRequest, signal: AbortSignal): AsyncIterable<ExecutionLog> {
    return this.#logs.stream(req.executionID, { tail: req.tail, follow: req.follow }, signal);
  }
}
