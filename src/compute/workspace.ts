/**
 * An execution's folders on the compute node: `<executionsDir>/<id>` holds `results/` (what is
 * published, with one folder per ResultPath), `logs.jsonl` and one `input-<i>` folder per input
 * (removed once the execution ends).
 *
 * Every one of them is made from strings the orchestrator sent (the execution ID, the result
 * names), so each goes through the containment guard and the job's names are checked before
 * anything is created: nothing is ever made outside the execution's own folder.
 *
 * Creating folders waits on the disk (a journaling file system commits each new directory), so
 * they are made while the execution waits in the queue, not in the capacity slot it runs in.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { BacalhauError } from "../models/errors.ts";
import { taskPathProblem } from "../models/job-paths.ts";
import type { Execution, Job } from "../models/types.ts";
import { assertResolvesInside, containedPath } from "../runtime/contain.ts";

/** Throws for an ID that would not name a folder of its own under `executionsDir`. */
export const executionDir = (executionsDir: string, id: string): string => containedPath(executionsDir, id);
export const resultsDirOf = (executionsDir: string, id: string): string => join(executionDir(executionsDir, id), "results");
export const inputDirOf = (executionsDir: string, id: string, index: number): string =>
  join(executionDir(executionsDir, id), `input-${index}`);

/** Throws, failing the execution, when a name or path of its job could lead out of its folder. */
export function checkExecutionPaths(exec: Execution & { Job: Job }): void {
  const problem = taskPathProblem(exec.Job);
  if (!problem) return;
  throw BacalhauError.validation(`invalid job: ${problem.field}: ${problem.message}`, {
    component: "Compute",
    hint: "the orchestrator should have refused this job; names and paths must stay inside the job",
    details: { field: problem.field },
    failsExecution: true,
  });
}

/**
 * Checks the execution's names, then creates its folders side by side at once: each creation
 * makes the parent it needs (`recursive` tolerates another one having just made it).
 */
export async function stageExecution(executionsDir: string, exec: Execution & { Job: Job }): Promise<void> {
  checkExecutionPaths(exec);
  const task = exec.Job.Tasks[0];
  const own = executionDir(executionsDir, exec.ID);
  const results = resultsDirOf(executionsDir, exec.ID);
  const resultDirs = (task?.ResultPaths ?? []).map((rp) => containedPath(results, rp.Name));
  const inputDirs = (task?.InputSources ?? []).map((_, i) => inputDirOf(executionsDir, exec.ID, i));
  // A folder left by an earlier execution of the same ID may hold links the job made: look first.
  await assertResolvesInside(executionsDir, own);
  await Promise.all([results, ...resultDirs, ...inputDirs].map((d) => assertResolvesInside(own, d)));
  await Promise.all([
    mkdir(results, { recursive: true, mode: 0o700 }).then(() =>
      Promise.all(resultDirs.map((d) => mkdir(d, { recursive: true, mode: 0o700 })))),
    ...inputDirs.map((d) => mkdir(d, { recursive: true })),
  ]);
}

/** Removes everything of an execution that never ran (cancelled or rejected while queued). */
export async function unstageExecution(executionsDir: string, id: string): Promise<void> {
  await rm(executionDir(executionsDir, id), { recursive: true, force: true });
}
