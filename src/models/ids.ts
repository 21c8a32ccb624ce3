/** Bacalhau's identifiers: `j-`, `e-`, `n-` followed by a UUID; short forms keep the first 8 hex digits. */

export const JOB_ID_PREFIX = "j-";
export const EXECUTION_ID_PREFIX = "e-";
export const NODE_ID_PREFIX = "n-";

export const newJobID = (): string => JOB_ID_PREFIX + crypto.randomUUID();
export const newExecutionID = (): string => EXECUTION_ID_PREFIX + crypto.randomUUID();
export const newNodeID = (): string => NODE_ID_PREFIX + crypto.randomUUID();
/** Evaluation IDs are bare UUIDs on the wire. */
export const newEvaluationID = (): string => crypto.randomUUID();

/** `j-1234abcd-…` → `j-1234abcd`; IDs without a known prefix are cut to 8 characters. */
export function shortID(id: string): string {
  const m = /^([a-z]-)?([0-9a-f]{8})/.exec(id);
  if (m) return (m[1] ?? "") + m[2];
  return id.length > 8 ? id.slice(0, 8) : id;
}
