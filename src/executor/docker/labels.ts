/** Labels put on every container and network the docker executor creates, so each can be traced to its execution. */
import type { ExecutionRequest } from "../executor.ts";

export const LABEL_EXECUTOR = "bacalhau-executor";
export const LABEL_JOB_ID = "bacalhau-jobID";
export const LABEL_EXECUTION_ID = "bacalhau-executionID";

export function executionLabels(req: Pick<ExecutionRequest, "jobID" | "executionID">): Record<string, string> {
  return { [LABEL_EXECUTOR]: "true", [LABEL_JOB_ID]: req.jobID, [LABEL_EXECUTION_ID]: req.executionID };
}
