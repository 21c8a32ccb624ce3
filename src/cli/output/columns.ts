/** Table columns for jobs, executions, history events, versions and nodes. */
import { shortID } from "../../models/ids.ts";
import {
  EXECUTION_STATE_NAMES,
  type Execution,
  type Job,
  type JobHistory,
  type NodeState,
  type Resources,
} from "../../models/types.ts";
import { elide, type Column } from "./format.ts";
import { formatTime, fromNanos } from "./time.ts";

const DESIRED_NAMES: Record<number, string> = { 0: "Pending", 1: "Running", 2: "Stopped" };

export const id = (s: string, wide: boolean): string => (wide ? s : shortID(s));

/** `wasm`, or `docker:ubuntu` style when the engine names an image. */
export function engineLabel(job: Job): string {
  const engine = job.Tasks[0]?.Engine;
  if (!engine) return "";
  const image = engine.Params?.Image;
  return typeof image === "string" && image ? `${engine.Type}:${image}` : engine.Type;
}

export const JOB_COLUMNS: Column<Job>[] = [
  { header: "Created", value: (j) => formatTime(fromNanos(j.CreateTime)) },
  { header: "ID", value: (j, w) => id(j.ID, w) },
  { header: "Name", value: (j, w) => elide(j.Name, 20, w) },
  { header: "Job", value: (j, w) => elide(engineLabel(j), 30, w) },
  { header: "Type", value: (j) => j.Type },
  { header: "State", value: (j) => j.State.StateType },
];

export const executionState = (e: Execution): string => EXECUTION_STATE_NAMES[e.ComputeState.StateType] ?? String(e.ComputeState.StateType);
export const desiredState = (e: Execution): string => DESIRED_NAMES[e.DesiredState.StateType] ?? String(e.DesiredState.StateType);

export const EXECUTION_COLUMNS: Column<Execution>[] = [
  { header: "Created", value: (e) => formatTime(fromNanos(e.CreateTime)) },
  { header: "Modified", value: (e) => formatTime(fromNanos(e.ModifyTime)) },
  { header: "ID", value: (e, w) => id(e.ID, w) },
  { header: "Node ID", value: (e, w) => id(e.NodeID, w) },
  { header: "Rev.", value: (e) => String(e.Revision) },
  { header: "State", value: executionState },
  { header: "Desired", value: desiredState },
  { header: "Comment", value: (e, w) => elide(e.ComputeState.Message ?? "", 60, w), wideOnly: true },
];

export const HISTORY_COLUMNS: Column<JobHistory>[] = [
  { header: "Time", value: (h) => formatTime(new Date(h.Event.Timestamp || h.Time)) },
  { header: "Level", value: (h) => h.Type },
  { header: "Exec. ID", value: (h, w) => (h.ExecutionID ? id(h.ExecutionID, w) : "") },
  { header: "Topic", value: (h) => h.Event.Topic },
  { header: "Event", value: (h, w) => eventText(h, w) },
];

export function eventText(h: JobHistory, wide: boolean): string {
  const err = h.Event.Details?.IsError === "true";
  const hint = h.Event.Details?.Hint;
  const text = (err ? "Error: " : "") + h.Event.Message + (hint ? `\n* Hint: ${hint}` : "");
  return wide ? text : text.split("\n").map((l) => elide(l, 80, false)).join("\n");
}

export const VERSION_COLUMNS: Column<Job>[] = [
  { header: "Version", value: (j) => String(j.Version) },
  { header: "Created", value: (j) => formatTime(fromNanos(j.CreateTime)) },
  { header: "Modified", value: (j) => formatTime(fromNanos(j.ModifyTime)) },
  { header: "State", value: (j) => j.State.StateType },
];

const capacity = (n: NodeState, pick: (r: Resources) => string): string => {
  const c = n.Info.ComputeNodeInfo;
  if (!c) return "";
  return `${pick(c.AvailableCapacity)} / ${pick(c.MaxCapacity)}`;
};

export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

const labelText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => (v ? `${k}=${v}` : k))
    .join(" ");

export const NODE_COLUMNS: Column<NodeState>[] = [
  { header: "ID", value: (n, w) => id(n.Info.NodeID, w) },
  { header: "Type", value: (n) => n.Info.NodeType },
  { header: "Approval", value: (n) => n.Membership },
  { header: "Status", value: (n) => n.ConnectionState?.Status || n.Connection },
  { header: "Labels", value: (n, w) => elide(labelText(n.Info.Labels ?? {}), 40, w) },
  { header: "Version", value: (n) => n.Info.BacalhauVersion?.GitVersion ?? "", wideOnly: true },
  { header: "Architecture", value: (n) => n.Info.Labels?.Architecture ?? n.Info.Labels?.os_arch ?? "", wideOnly: true },
  { header: "OS", value: (n) => n.Info.Labels?.["Operating-System"] ?? n.Info.Labels?.os_type ?? "", wideOnly: true },
  { header: "Engines", value: (n) => (n.Info.ComputeNodeInfo?.ExecutionEngines ?? []).join(" "), wideOnly: true },
  { header: "Inputs From", value: (n) => (n.Info.ComputeNodeInfo?.StorageSources ?? []).join(" "), wideOnly: true },
  { header: "Outputs", value: (n) => (n.Info.ComputeNodeInfo?.Publishers ?? []).join(" "), wideOnly: true },
  { header: "CPU", value: (n) => capacity(n, (r) => r.CPU.toFixed(1)) },
  { header: "Memory", value: (n) => capacity(n, (r) => formatBytes(r.Memory)) },
  { header: "Disk", value: (n) => capacity(n, (r) => formatBytes(r.Disk)) },
  { header: "GPU", value: (n) => capacity(n, (r) => String(r.GPU)) },
];
