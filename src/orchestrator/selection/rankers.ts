/**
 * Node ranking, after Bacalhau's chain: each ranker gives a rank, -1 makes the node unsuitable with
 * that ranker's reason, otherwise the ranks add up and the highest total wins.
 */
import {
  DISCARDED_EXECUTION_STATES,
  ExecutionStateType,
  type Execution,
  type Job,
  type LabelConstraint,
  type NodeState,
  type Resources,
  TERMINAL_EXECUTION_STATES,
} from "../../models/types.ts";

export interface RankContext {
  job: Job;
  /** Parsed resources of the job's task. */
  resources: Resources;
  /** Every execution of the job (all versions): the previous-executions rule looks at them. */
  executions: Execution[];
}

export interface NodeRank {
  node: NodeState;
  rank: number;
  reason: string;
}

type Ranker = (node: NodeState, ctx: RankContext) => { rank: number; reason?: string };

const UNSUITABLE = -1;

function featureRanker(pick: (ctx: RankContext) => string[], nodeList: (n: NodeState) => string[], what: string): Ranker {
  return (node, ctx) => {
    const supported = nodeList(node).map((s) => s.toLowerCase());
    for (const need of pick(ctx)) {
      if (!supported.includes(need.toLowerCase())) {
        return { rank: UNSUITABLE, reason: `does not support ${what} ${need}, only [${supported.join(", ")}]` };
      }
    }
    return { rank: 10 };
  };
}

const engines: Ranker = featureRanker(
  (c) => [c.job.Tasks[0].Engine.Type],
  (n) => n.Info.ComputeNodeInfo?.ExecutionEngines ?? [],
  "engine",
);
const publishers: Ranker = featureRanker(
  (c) => (c.job.Tasks[0].Publisher?.Type ? [c.job.Tasks[0].Publisher.Type] : []),
  (n) => n.Info.ComputeNodeInfo?.Publishers ?? [],
  "publisher",
);
const storages: Ranker = featureRanker(
  (c) => [...new Set((c.job.Tasks[0].InputSources ?? []).map((i) => i.Source.Type))],
  (n) => n.Info.ComputeNodeInfo?.StorageSources ?? [],
  "storage",
);

export function constraintMatches(c: LabelConstraint, labels: Record<string, string>): boolean {
  const key = c.Key.startsWith("favour_") ? c.Key.slice("favour_".length) : c.Key;
  const has = Object.hasOwn(labels, key);
  const value = labels[key];
  const values = c.Values ?? [];
  switch (c.Operator) {
    case "=":
    case "==":
      return has && value === values[0];
    case "!=":
      return !has || value !== values[0];
    case "in":
      return has && values.includes(value);
    case "notin":
      return !has || !values.includes(value);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
      return has && Number(value) > Number(values[0]);
    case "lt":
      return has && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

const labels: Ranker = (node, ctx) => {
  const cs = ctx.job.Constraints ?? [];
  if (cs.length === 0) return { rank: 0 };
  const nodeLabels = node.Info.Labels ?? {};
  let rank = 10;
  for (const c of cs) {
    const soft = c.Key.startsWith("favour_");
    const ok = constraintMatches(c, nodeLabels);
    if (!ok && !soft) {
      return { rank: UNSUITABLE, reason: `labels ${JSON.stringify(nodeLabels)} do not match constraint ${c.Key} ${c.Operator} ${(c.Values ?? []).join(",")}` };
    }
    if (ok && soft) rank += 10;
  }
  return { rank };
};

function exceeds(need: Resources, have: Resources): string | undefined {
  if (need.CPU > have.CPU) return `more CPU (${need.CPU}) than the maximum available (${have.CPU})`;
  if (need.Memory > have.Memory) return `more memory (${need.Memory}) than the maximum available (${have.Memory})`;
  if (need.Disk > have.Disk && have.Disk > 0) return `more disk (${need.Disk}) than the maximum available (${have.Disk})`;
  if (need.GPU > have.GPU) return `more GPU (${need.GPU}) than the maximum available (${have.GPU})`;
  return undefined;
}

const maxUsage: Ranker = (node, ctx) => {
  const max = node.Info.ComputeNodeInfo?.MaxJobRequirements;
  if (!max) return { rank: 0 };
  const why = exceeds(ctx.resources, max);
  return why ? { rank: UNSUITABLE, reason: `job requires ${why}` } : { rank: 10 };
};

/**
 * Bacalhau refuses nodes whose queue would exceed 1.5× their capacity, which fails jobs outright
 * (QueueTimeout 0) just because the network is busy. Here a busy node only ranks lower: the job
 * waits in that node's queue instead. A node offering no capacity at all is still unsuitable.
 */
const overSubscription: Ranker = (node, ctx) => {
  const info = node.Info.ComputeNodeInfo;
  if (!info) return { rank: UNSUITABLE, reason: "node has no compute capacity" };
  const max = info.MaxCapacity;
  if (max.CPU === 0 && max.Memory === 0) return { rank: UNSUITABLE, reason: "node has no compute capacity" };
  const used = (k: keyof Resources) => max[k] - info.AvailableCapacity[k] + info.QueueCapacity[k] + ctx.resources[k];
  const over = (["CPU", "Memory"] as const).some((k) => max[k] > 0 && used(k) > max[k] * 1.5);
  return { rank: over ? 0 : 10 };
};

const previousExecutions: Ranker = (node, ctx) => {
  // A finished execution of an earlier version (a rerun, an update) says nothing against the node:
  // only this version's history counts, and whatever is still running from any version.
  const mine = ctx.executions.filter((e) =>
    e.NodeID === node.Info.NodeID && (e.JobVersion === ctx.job.Version || !TERMINAL_EXECUTION_STATES.has(e.ComputeState.StateType))
  );
  if (mine.length === 0) return { rank: 30 };
  const rejected = mine.find((e) => e.ComputeState.StateType === ExecutionStateType.AskForBidRejected);
  if (rejected) {
    // The node's own reason (e.g. it refuses networked jobs) is what the user can act on.
    const why = rejected.ComputeState.Message;
    return { rank: UNSUITABLE, reason: why || "node rejected a bid for this job" };
  }
  if (mine.some((e) => !DISCARDED_EXECUTION_STATES.has(e.ComputeState.StateType))) {
    return { rank: UNSUITABLE, reason: "job already has an active or completed execution on this node" };
  }
  if (mine.length >= 2) return { rank: UNSUITABLE, reason: "job already executed on this node more than once" };
  return { rank: 0 };
};

const availableCapacity: Ranker = (node) => {
  const info = node.Info.ComputeNodeInfo;
  if (!info) return { rank: 0 };
  const ratio = (k: keyof Resources) => (info.MaxCapacity[k] > 0 ? info.AvailableCapacity[k] / info.MaxCapacity[k] : 0);
  const weighted = 0.4 * ratio("CPU") + 0.3 * ratio("Memory") + 0.2 * ratio("Disk") + 0.1 * ratio("GPU");
  const slots = Math.max(1, info.RunningExecutions + info.EnqueuedExecutions + 1);
  const queueRatio = info.EnqueuedExecutions / slots;
  return { rank: Math.round(80 * weighted + 20 * (1 - queueRatio)) };
};

const random: Ranker = () => ({ rank: crypto.getRandomValues(new Uint8Array(1))[0] % 5 });

const CHAIN: Ranker[] = [engines, publishers, storages, labels, maxUsage, overSubscription, previousExecutions, availableCapacity, random];

/** Ranks every node; unsuitable ones get rank -1 and the first failing ranker's reason. Sorted best first. */
export function rankNodes(nodes: NodeState[], ctx: RankContext): NodeRank[] {
  const ranked = nodes.map((node) => {
    let total = 0;
    for (const r of CHAIN) {
      const { rank, reason } = r(node, ctx);
      if (rank < 0) return { node, rank: UNSUITABLE, reason: reason ?? "unsuitable" };
      total += rank;
    }
    return { node, rank: total, reason: "" };
  });
  return ranked.sort((a, b) => b.rank - a.rank);
}

/** Bacalhau's message, plus one line per node with its reason. */
export function notEnoughNodesMessage(requested: number, ranks: NodeRank[]): string {
  const suitable = ranks.filter((r) => r.rank >= 0).length;
  let msg = `not enough nodes to run job. requested: ${requested}, available: ${ranks.length}, suitable: ${suitable}.`;
  for (const r of ranks) if (r.rank < 0) msg += `\n• Node ${r.node.Info.NodeID}: ${r.reason}`;
  return msg;
}
