/**
 * The environment a job sees: Task.Env (with `env:NAME` values read from the host when the operator
 * allows NAME) plus Bacalhau's system variables, which win over the task's.
 */
import type { Execution, Job } from "../models/types.ts";
import { hostEnv } from "../runtime/which.ts";


export function resolveEnv(env: Record<string, string>, allowList: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (!v.startsWith("env:")) {
      out[k] = v;
      continue;
    }
    const name = v.slice(4);
    if (!allowList.some((re) => new RegExp(`^(?:${re})$`).test(name))) {
      throw new Error(`env ${k} asks for host variable ${name}, which this node does not allow (Compute.Env.AllowList)`);
    }
    const value = hostEnv(name);
    if (value === undefined) throw new Error(`env ${k} asks for host variable ${name}, which is not set on this node`);
    out[k] = value;
  }
  return out;
}

export function executionEnv(job: Job, exec: Execution, allowList: string[]): Record<string, string> {
  return {
    ...resolveEnv(job.Tasks[0].Env ?? {}, allowList),
    BACALHAU_EXECUTION_ID: exec.ID,
    BACALHAU_JOB_ID: job.ID,
    BACALHAU_JOB_TYPE: job.Type,
    BACALHAU_PARTITION_INDEX: String(exec.PartitionIndex ?? 0),
    BACALHAU_PARTITION_COUNT: String(job.Count),
  };
}
