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

/** Upper bound for a prefix range scan: any ID starting with `prefix` sorts below it (BINARY collation). */
export const prefixEnd = (prefix: string): string => prefix + "\u{10FFFF}";
