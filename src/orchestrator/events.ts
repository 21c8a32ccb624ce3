/** History events with Bacalhau's topics and messages, so `job history` and `--wait` read the same. */
import type { HistoryEvent, StringMap } from "../models/types.ts";

export const Topic = {
  Submission: "Submission",
  StateUpdate: "State Update",
  Scheduling: "Scheduling",
  Queueing: "Queueing",
  ExecTimeout: "Exec Timeout",
  JobTimeout: "Job Timeout",
  Execution: "Execution",
  DownloadingInputs: "Downloading Inputs",
  PreparingEnvironment: "Preparing Environment",
  RunningExecution: "Running Execution",
  PublishingResults: "Publishing Results",
  Restart: "Restart",
  Bidding: "Requesting Node",
} as const;

export function event(topic: string, message: string, details?: StringMap): HistoryEvent {
  const e: HistoryEvent = { Topic: topic, Message: message, Timestamp: new Date().toISOString() };
  if (details && Object.keys(details).length > 0) e.Details = details;
  return e;
}

export function errorEvent(topic: string, message: string, hint?: string): HistoryEvent {
  const details: StringMap = { IsError: "true", FailsExecution: "true" };
  if (hint) details.Hint = hint;
  return event(topic, message, details);
}

/** "Running" or "Failed. <msg>": state events name the new state, then the reason. */
export function stateMessage(state: string, message?: string): string {
  return message ? `${state}. ${message}` : state;
}
