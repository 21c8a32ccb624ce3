/** The text form of `job describe`: header fields, a summary, history and executions tables, output. */
import type { GetJobResponse } from "../../client/api-types.ts";
import type { Execution, JobHistory, Page } from "../../models/types.ts";
import { EXECUTION_COLUMNS, executionState, HISTORY_COLUMNS } from "./columns.ts";
import type { Column } from "./format.ts";
import { renderTable } from "./table.ts";
import { formatDateTime, fromNanos } from "./time.ts";

/** The API returns list responses here; tolerate a bare array too. */
export function itemsOf<T>(v: Page<T> | T[] | undefined | null): T[] {
  if (!v) return [];
  return Array.isArray(v) ? v : (v.Items ?? []);
}

export function describeJobText(res: GetJobResponse): string {
  const job = res.Job;
  const history = itemsOf<JobHistory>(res.History);
  const executions = itemsOf<Execution>(res.Executions);
  const out: string[] = [];

  out.push(
    keyValues([
      ["ID", job.ID],
      ["Name", job.Name],
      ["Namespace", job.Namespace],
      ["Type", job.Type],
      ["State", job.State.StateType],
      ...(job.State.Message ? ([["Message", job.State.Message]] as [string, string][]) : []),
      ["Count", String(job.Count)],
      ["Created Time", formatDateTime(fromNanos(job.CreateTime))],
      ["Modified Time", formatDateTime(fromNanos(job.ModifyTime))],
      ["Version", String(job.Version)],
    ]),
  );

  if (executions.length) {
    const counts = new Map<string, number>();
    for (const e of executions) counts.set(executionState(e), (counts.get(executionState(e)) ?? 0) + 1);
    out.push("Summary", keyValues([...counts.entries()].map(([k, v]) => [k, String(v)])));
  }

  const jobEvents = history.filter((h) => h.Type === "JobLevel");
  if (jobEvents.length) out.push("Job History", table(HISTORY_COLUMNS.filter((c) => c.header !== "Exec. ID" && c.header !== "Level"), jobEvents));
  if (executions.length) out.push("Executions", table(EXECUTION_COLUMNS.filter((c) => !c.wideOnly), executions));

  for (const e of executions) {
    const events = history.filter((h) => h.ExecutionID === e.ID);
    if (events.length) {
      out.push(`Execution ${e.ID} History`, table(HISTORY_COLUMNS.filter((c) => c.header !== "Exec. ID" && c.header !== "Level"), events));
    }
  }

  const withOutput = executions.filter((e) => e.RunOutput && (e.RunOutput.Stdout || e.RunOutput.stderr || e.RunOutput.ErrorMsg));
  if (withOutput.length === 1) {
    const run = (withOutput[0] as Execution).RunOutput;
    if (run?.Stdout) out.push("Standard Output", ensureNewline(run.Stdout));
    if (run?.stderr) out.push("Standard Error", ensureNewline(run.stderr));
    if (run?.ErrorMsg) out.push("Error", ensureNewline(run.ErrorMsg));
  } else {
    for (const e of withOutput) {
      const run = e.RunOutput;
      if (run?.Stdout) out.push(`Standard Output (${e.ID})`, ensureNewline(run.Stdout));
      if (run?.stderr) out.push(`Standard Error (${e.ID})`, ensureNewline(run.stderr));
      if (run?.ErrorMsg) out.push(`Error (${e.ID})`, ensureNewline(run.ErrorMsg));
    }
  }
  return out.join("\n");
}

function keyValues(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)} = ${v}\n`).join("") + "";
}

function table<T>(columns: Column<T>[], items: T[]): string {
  return renderTable(
    columns.map((c) => c.header),
    items.map((i) => columns.map((c) => c.value(i, true))),
  );
}

const ensureNewline = (s: string): string => (s.endsWith("\n") ? s : s + "\n");
