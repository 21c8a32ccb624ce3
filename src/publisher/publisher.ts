/**
 * The publisher interface: stores a finished execution's results folder somewhere durable and
 * returns where (a SpecConfig such as `{Type: "urlDownload", Params: {URL}}`).
 *
 * test/conformance/publisher.suite.ts runs every implementation through the same checks.
 */
import type { SpecConfig } from "../models/types.ts";

export interface PublishRequest {
  jobID: string;
  executionID: string;
  /** Folder holding stdout, stderr, exitCode and one folder per ResultPath. */
  resultsDir: string;
  publisher: SpecConfig;
  signal: AbortSignal;
}

export interface Publisher {
  readonly type: string;
  isInstalled(): Promise<boolean>;
  validate(spec: SpecConfig): string | undefined;
  publish(req: PublishRequest): Promise<SpecConfig>;
  /** Starts servers it needs (the local publisher's HTTP server). Idempotent. */
  start?(): Promise<void>;
  close(): Promise<void>;
}
