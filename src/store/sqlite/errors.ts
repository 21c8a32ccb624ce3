// The store's refusals, worded as Bacalhau's job store words them so API clients see the same text.
import { BacalhauError, ErrorCode } from "../../models/errors.ts";

export const COMPONENT = "JobStore";

export const notFound = (message: string): BacalhauError =>
  BacalhauError.notFound(message, { component: COMPONENT });

export const conflict = (message: string): BacalhauError =>
  new BacalhauError(message, { code: ErrorCode.Conflict, component: COMPONENT });

export const badRequest = (message: string): BacalhauError =>
  BacalhauError.badRequest(message, { component: COMPONENT });

export const jobNotFound = (id: string): BacalhauError => notFound(`job not found: ${id}`);

/** Anything SQLite itself throws becomes an internal error of this component, cause kept. */
export const storeFailure = (err: unknown): BacalhauError => BacalhauError.from(err, COMPONENT);

/**
 * Deno's node:sqlite errors carry no numeric errcode, so the message is the portable signal.
 * Letting the constraint find a duplicate saves a lookup on every insert.
 */
export const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Error && err.message.includes("UNIQUE constraint failed");

/** A row that points at a job the store does not have (foreign keys are on). */
export const isForeignKeyViolation = (err: unknown): boolean =>
  err instanceof Error && err.message.includes("FOREIGN KEY constraint failed");
