// Typed reads of node:sqlite result rows: the only place where untyped column values become typed.
import type { SQLOutputValue } from "node:sqlite";
import { storeFailure } from "./errors.ts";

export type Row = Record<string, SQLOutputValue>;

export function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== "string") throw storeFailure(new Error(`column ${column} is not text`));
  return v;
}

export function num(row: Row, column: string): number {
  const v = row[column];
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  throw storeFailure(new Error(`column ${column} is not a number`));
}

/** Objects are stored as JSON text written by this store, so the shape is trusted on the way back. */
export function fromJSON<T>(row: Row, column = "json"): T {
  return JSON.parse(text(row, column)) as T;
}

export const toJSON = (value: unknown): string => JSON.stringify(value);

/**
 * A deep copy of a value parsed from JSON (plain objects, arrays, primitives). Strings are
 * immutable and shared, so copying a job that carries a large inline module costs only its shape.
 */
export function copyJSONValue<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJSONValue) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // A "__proto__" key from JSON is an own property; plain assignment would set the prototype.
    if (k === "__proto__") Object.defineProperty(out, k, { value: copyJSONValue(v), enumerable: true, writable: true, configurable: true });
    else out[k] = copyJSONValue(v);
  }
  return out as T;
}

/** Upper bound for a prefix range scan: any ID starting with `prefix` sorts below it (BINARY collation). */
export const prefixEnd = (prefix: string): string => prefix + "\u{10FFFF}";
