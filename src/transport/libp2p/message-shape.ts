/**
 * What a message from the wire must look like before a handler sees it. Handlers trust the types in
 * messages.ts; a peer's bytes are only JSON, so the fields handlers read are checked here and a
 * message that fails is answered with an error instead of reaching the handler.
 */
import type { ToCompute, ToOrchestrator } from "../messages.ts";

type Fields = Record<string, "string" | "boolean" | "number" | "object" | "array" | "string[]" | "string?" | "number?">;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function has(v: Record<string, unknown>, fields: Fields): boolean {
  for (const [name, kind] of Object.entries(fields)) {
    const f = v[name];
    const ok = kind === "array" ? Array.isArray(f)
      : kind === "object" ? isObj(f)
      : kind === "string[]" ? Array.isArray(f) && f.every((s) => typeof s === "string")
      : kind === "string?" ? f === undefined || typeof f === "string"
      : kind === "number?" ? f === undefined || (typeof f === "number" && Number.isFinite(f))
      : kind === "number" ? typeof f === "number" && Number.isFinite(f)
      : typeof f === kind;
    if (!ok) return false;
  }
  return true;
}

const report: Fields = { executionID: "string", jobID: "string" };

const isResources = (v: unknown) => isObj(v) && has(v, { CPU: "number", Memory: "number", Disk: "number", GPU: "number" });
const isStringMap = (v: unknown) => isObj(v) && Object.values(v).every((x) => typeof x === "string");

/** The node manager keeps a NodeInfo and the scheduler ranks nodes by it: every field it reads is checked. */
function isNodeInfo(v: unknown): boolean {
  if (!isObj(v) || !has(v, { NodeID: "string", NodeType: "string", SupportedProtocols: "string[]", BacalhauVersion: "object" })) return false;
  if (!isStringMap(v.Labels)) return false;
  const c = v.ComputeNodeInfo;
  if (c === undefined) return true;
  return isObj(c) &&
    has(c, { ExecutionEngines: "string[]", Publishers: "string[]", StorageSources: "string[]", RunningExecutions: "number", EnqueuedExecutions: "number", address: "string?" }) &&
    [c.MaxCapacity, c.QueueCapacity, c.AvailableCapacity, c.MaxJobRequirements].every(isResources);
}
const nodeInfo = (v: Record<string, unknown>) => isNodeInfo(v.nodeInfo);

const toOrchestrator: Record<string, (v: Record<string, unknown>) => boolean> = {
  BidResult: (v) => has(v, { ...report, accepted: "boolean", reason: "string" }),
  // newState is an ExecutionStateType value: a number on the wire.
  ExecutionEvent: (v) => has(v, { ...report, topic: "string", message: "string", newState: "number?" }),
  RunResult: (v) => has(v, { ...report, publishedResult: "object", runOutput: "object" }),
  ComputeError: (v) => has(v, { ...report, message: "string" }) && (v.runOutput === undefined || isObj(v.runOutput)),
  Handshake: (v) => nodeInfo(v) && has(v, { activeExecutionIDs: "string[]", bootID: "string" }),
  Heartbeat: (v) => has(v, { nodeID: "string", seq: "number" }),
  UpdateNodeInfo: nodeInfo,
  ShutdownNotice: (v) => has(v, { nodeID: "string", reason: "string" }),
};

const toCompute: Record<string, (v: Record<string, unknown>) => boolean> = {
  AskForBid: (v) => isObj(v.execution) && typeof v.execution.ID === "string" && typeof v.run === "boolean",
  BidAccepted: (v) => has(v, { executionID: "string" }),
  BidRejected: (v) => has(v, { executionID: "string", reason: "string" }),
  CancelExecution: (v) => has(v, { executionID: "string", reason: "string" }),
};

export function isToOrchestrator(v: unknown): v is ToOrchestrator {
  return isObj(v) && typeof v.type === "string" && Object.hasOwn(toOrchestrator, v.type) && toOrchestrator[v.type]!(v);
}

export function isToCompute(v: unknown): v is ToCompute {
  return isObj(v) && typeof v.type === "string" && Object.hasOwn(toCompute, v.type) && toCompute[v.type]!(v);
}
