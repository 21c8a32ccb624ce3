/** The benchmark's output: the headline figures beside their targets, as a table or as one JSON object. */
import type { PhaseSummary } from "./breakdown.ts";

export interface Target {
  key: string;
  label: string;
  unit: string;
  /** "max": the figure should be at most `value`; "min": at least. */
  kind: "max" | "min";
  value: number;
}

export const TARGETS: Target[] = [
  { key: "job_latency_p50_ms", label: "job latency p50", unit: "ms", kind: "max", value: 20 },
  { key: "job_latency_p99_ms", label: "job latency p99", unit: "ms", kind: "max", value: 60 },
  { key: "jobs_per_s", label: "throughput", unit: "jobs/s", kind: "min", value: 300 },
  { key: "wasm_native_ratio", label: "wasm / native time", unit: "x", kind: "max", value: 1.2 },
  { key: "ready_ms", label: "serve ready", unit: "ms", kind: "max", value: 500 },
  { key: "idle_rss_mb", label: "idle RSS (serve)", unit: "MB", kind: "max", value: 100 },
  { key: "idle_rss_total_mb", label: "idle RSS (+ runners)", unit: "MB", kind: "max", value: 100 },
];

/**
 * Figures with no target set (the network ones): printed in the same table, with the local target
 * they are naturally read against, if any, as a reference rather than a verdict.
 */
export interface Untargeted {
  key: string;
  label: string;
  unit: string;
  reference?: string;
}

export const NETWORK_FIGURES: Untargeted[] = [
  { key: "remote_latency_p50_ms", label: "remote latency p50", unit: "ms", reference: "local <= 20" },
  { key: "remote_latency_p99_ms", label: "remote latency p99", unit: "ms", reference: "local <= 60" },
  { key: "compute_idle_rss_mb", label: "idle RSS (compute)", unit: "MB", reference: "serve <= 100" },
  { key: "compute_idle_runners_rss_mb", label: "  its runners' RSS", unit: "MB" },
];

export const SCALE_FIGURES: Untargeted[] = [
  { key: "scale_computes", label: "compute processes", unit: "" },
  { key: "scale_connect_all_ms", label: "all CONNECTED", unit: "ms" },
  { key: "scale_latency_p50_ms", label: "latency p50 (N nodes)", unit: "ms", reference: "local <= 20" },
  { key: "scale_latency_p99_ms", label: "latency p99 (N nodes)", unit: "ms", reference: "local <= 60" },
  { key: "scale_ops_ms", label: "ops job on all N", unit: "ms" },
  { key: "scale_compute_rss_min_mb", label: "compute RSS min", unit: "MB" },
  { key: "scale_compute_rss_median_mb", label: "compute RSS median", unit: "MB", reference: "serve <= 100" },
  { key: "scale_compute_rss_max_mb", label: "compute RSS max", unit: "MB" },
  { key: "scale_runners_after_rss_median_mb", label: "  runners/node after job", unit: "MB" },
  { key: "scale_requester_rss_mb", label: "requester RSS", unit: "MB" },
];

export type Figures = Record<string, number | null>;

function verdict(t: Target, v: number | null): string {
  if (v === null || Number.isNaN(v)) return "n/a";
  const ok = t.kind === "max" ? v <= t.value : v >= t.value;
  return ok ? "ok" : "MISS";
}

export function targetsJSON(figures: Figures): Record<string, { target: string; met: boolean | null }> {
  return Object.fromEntries(TARGETS.map((t) => {
    const v = verdict(t, figures[t.key] ?? null);
    return [t.key, { target: `${t.kind === "max" ? "<=" : ">="} ${t.value}`, met: v === "n/a" ? null : v === "ok" }];
  }));
}

export interface TableInput {
  title: string;
  figures: Figures;
  notes: string[];
  phases?: PhaseSummary[];
  errors: string[];
  /** Rows without a target to print after the targeted ones (only those of the sections that ran). */
  untargeted?: Untargeted[];
}

export function formatTable(input: TableInput): string {
  const lines = [input.title, ""];
  lines.push(`${"figure".padEnd(24)} ${"value".padStart(10)}  ${"unit".padEnd(7)} ${"target".padEnd(10)} result`);
  for (const t of TARGETS) {
    const v = input.figures[t.key] ?? null;
    const shown = v === null ? "-" : String(v);
    const target = `${t.kind === "max" ? "<=" : ">="} ${t.value}`;
    lines.push(`${t.label.padEnd(24)} ${shown.padStart(10)}  ${t.unit.padEnd(7)} ${target.padEnd(10)} ${verdict(t, v)}`);
  }
  for (const u of input.untargeted ?? []) {
    const v = input.figures[u.key] ?? null;
    const shown = v === null ? "-" : String(v);
    const ref = u.reference ? `(ref: ${u.reference})` : "";
    lines.push(`${u.label.padEnd(24)} ${shown.padStart(10)}  ${u.unit.padEnd(7)} ${"none".padEnd(10)} ${ref}`.trimEnd());
  }
  if (input.notes.length > 0) lines.push("", ...input.notes.map((n) => `  ${n}`));
  if (input.phases && input.phases.length > 0) {
    lines.push("", "where a sequential job's time goes (from its history; ms resolution):");
    lines.push(`  ${"phase".padEnd(36)} ${"mean".padStart(7)} ${"p50".padStart(7)} ${"p99".padStart(7)}`);
    for (const p of input.phases) {
      lines.push(`  ${p.phase.padEnd(36)} ${p.mean_ms.toFixed(1).padStart(7)} ${p.p50_ms.toFixed(1).padStart(7)} ${p.p99_ms.toFixed(1).padStart(7)}`);
    }
  }
  if (input.errors.length > 0) lines.push("", "errors:", ...input.errors.map((e) => `  ${e}`));
  return lines.join("\n");
}
