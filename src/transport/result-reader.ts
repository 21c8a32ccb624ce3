/** The compute side of a result fetch, shared by every transport: a handler without results has none. */
import { BacalhauError } from "../models/errors.ts";
import type { ComputeHandler } from "./transport.ts";

export function noResult(executionID: string): BacalhauError {
  return BacalhauError.notFound(`no published result for execution ${executionID} on this node`, {
    component: "Compute",
    hint: "only results published with the local publisher are kept on the compute node",
  });
}

/** The handler's result bytes for `executionID`, or NotFound when it keeps no results at all. */
export async function* readResultOf(
  handler: ComputeHandler,
  executionID: string,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (!handler.readResult) throw noResult(executionID);
  yield* handler.readResult(executionID, signal);
}
