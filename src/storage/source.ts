/**
 * The storage source interface: turns one InputSource (inline, urlDownload, local, ipfs) into a
 * file or folder on the host that the executor mounts at the input's Target.
 *
 * test/conformance/storage.suite.ts runs every implementation through the same checks.
 */
import type { PreparedVolume } from "../executor/executor.ts";
import type { InputSource } from "../models/types.ts";

export interface PrepareContext {
  jobID: string;
  executionID: string;
  /** A fresh folder owned by this execution; sources may write here and it is removed afterwards. */
  workDir: string;
  signal: AbortSignal;
}

export interface StorageSource {
  readonly type: string;
  isInstalled(): Promise<boolean>;
  /** Cheap check before bidding: a reason to refuse, or undefined. Validates Params shape. */
  validate(input: InputSource): string | undefined;
  /** Optional: the node already holds this input locally (data locality). */
  hasLocalCopy?(input: InputSource): Promise<boolean>;
  /** Estimated size in bytes, when knowable without fetching. */
  size?(input: InputSource): Promise<number | undefined>;
  prepare(input: InputSource, ctx: PrepareContext): Promise<PreparedVolume>;
}
