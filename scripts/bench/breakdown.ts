/**
 * Where a job's latency goes: the job's own history (stored by the orchestrator as it acts) gives
 * the time of each step from submission to completion, and the client's clock gives both ends.
 * History times have millisecond resolution, so single phases are only meaningful as averages.
 */
import type { JobHistory } from "../../src/models/types.ts";
import { mean, percentile, round1 } from "./stats.ts";

/** One job as the client saw it, in wall-clock milliseconds (epoch). */
export interface ClientSpan {
  start: number;
  end: number;
  history: JobHistory[];
}

interface Milestone {
  phase: string;
  at(h: JobHistory): boolean;
}

const jobState = (state: string) => (h: JobHistory) => h.JobState?.New === state;
const execState = (state: number) => (h: JobHistory) => h.ExecutionState?.New === state;

// In the order they happen; each phase is named by what ends it.
const MILESTONES: Milestone[] = [
  { phase: "HTTP submit -> job stored", at: jobState("Pending") },
  { phase: "stored -> bid asked", at: execState(2) },
  { phase: "bid asked -> node bids", at: execState(3) },
  { phase: "node bids -> bid accepted", at: execState(5) },
  { phase: "accepted -> running", at: execState(6) },
  { phase: "running -> execution done", at: execState(9) },
  { phase: "execution done -> job Completed", at: jobState("Completed") },
];
const CLIENT_END = "job Completed -> client has stdout";

/** Per-phase durations (ms) of one job; phases whose event is missing are left out. */
export function phasesOf(span: ClientSpan): Map<string, number> {
  const out = new Map<string, number>();
  let previous = span.start;
  for (const m of MILESTONES) {
    const event = span.history.find(m.at);
    if (!event) continue;
    const t = Date.parse(event.Time);
    out.set(m.phase, t - previous);
    previous = t;
  }
  out.set(CLIENT_END, span.end - previous);
  return out;
}

export interface PhaseSummary {
  phase: string;
  mean_ms: number;
  p50_ms: number;
  p99_ms: number;
}

/** Mean, p50 and p99 of each phase over many jobs, in the order the phases happen. */
export function summarisePhases(spans: readonly ClientSpan[]): PhaseSummary[] {
  const byPhase = new Map<string, number[]>();
  for (const span of spans) {
    for (const [phase, ms] of phasesOf(span)) {
      const list = byPhase.get(phase) ?? [];
      list.push(ms);
      byPhase.set(phase, list);
    }
  }
  return [...byPhase].map(([phase, ms]) => ({
    phase,
    mean_ms: round1(mean(ms)),
    p50_ms: round1(percentile(ms, 50)),
    p99_ms: round1(percentile(ms, 99)),
  }));
}

/** The phases of the slowest jobs: what a tail latency is made of. */
export function slowest(spans: readonly ClientSpan[], count: number): Array<{ total_ms: number; phases: Record<string, number> }> {
  return [...spans]
    .sort((a, b) => (b.end - b.start) - (a.end - a.start))
    .slice(0, count)
    .map((s) => ({
      total_ms: round1(s.end - s.start),
      phases: Object.fromEntries([...phasesOf(s)].map(([k, v]) => [k, round1(v)])),
    }));
}
