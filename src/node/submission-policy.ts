/** The node's config, read into what job acceptance and the compute node need of timeouts and limits. */
import { durationSeconds, type NodeConfig } from "../config/config.ts";
import type { SubmissionPolicy, TimeoutPolicy } from "../models/accept.ts";

export function timeoutPolicy(cfg: NodeConfig): TimeoutPolicy {
  return {
    batchDefault: durationSeconds(cfg.JobDefaults.Batch.Task.Timeouts.ExecutionTimeout,
      "JobDefaults.Batch.Task.Timeouts.ExecutionTimeout"),
    opsDefault: durationSeconds(cfg.JobDefaults.Ops.Task.Timeouts.ExecutionTimeout,
      "JobDefaults.Ops.Task.Timeouts.ExecutionTimeout"),
    max: durationSeconds(cfg.Compute.JobTimeouts.MaxJobExecutionTimeout, "Compute.JobTimeouts.MaxJobExecutionTimeout"),
  };
}

export function submissionPolicy(cfg: NodeConfig): SubmissionPolicy {
  return { limits: { ...cfg.JobLimits }, timeouts: timeoutPolicy(cfg) };
}
