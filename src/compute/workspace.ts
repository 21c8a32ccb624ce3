/**
 * An execution's folders on the compute node: `<executionsDir>/<id>` holds `results/` (what is
 * published, with one folder per ResultPath), `logs.jsonl` and one `input-<i>` folder per input
 * (removed once the execution ends).
 *
 * Creating folders waits on the disk (a journaling file system commits each new directory), so
 * they are made while the execution waits in the queue, not in the capacity slot it runs in.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Execution, Job } from "../models/types.ts";

export const executionDir = (executionsDir: string, id: string): string => join(executionsDir, id);
export const resultsDirOf = (executionsDir: string, id: string): string => join(executionDir(executionsDir, id), "results");
export const inputDirOf = (executionsDir: string, id: string, index: number): string =>
  join(executionDir(executionsDir, id), `input-${index}`);

/**
 * Creates the execution's folders, side by side at once: each creation makes the parent it needs
 * (`recursive` tolerates another one having just made it).
 */
export async function stageExecution(executionsDir: string, exec: Execution & { Job: Job }): Promise<void> {
  const task = exec.Job.Tasks[0];
  const results = resultsDirOf(executionsDir, exec.ID);
  await Promise.all([
    mkdir(results, { recursive: true, mode: 0o700 }).then(() =>
      Promise.all((task?.ResultPaths ?? []).map((rp) => mkdir(join(results, rp.Name), { recursive: true, mode: 0o700 })))),
    ...(task?.InputSources ?? []).map((_, i) => mkdir(inputDirOf(executionsDir, exec.ID, i), { recursive: true })),
  ]);
}

/** Removes everything of an execution that never ran (cancelled or rejected while queued). */
export async function unstageExecution(executionsDir: string, id: string): Promise<void> {
  await rm(executionDir(executionsDir, id), { recursive: true, force: true });
}
