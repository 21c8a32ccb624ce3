/**
 * Reading untyped JSON the way Go's `encoding/json` does: keys match case-insensitively, wrong
 * types are refused with a 400 that names the field path (e.g. `Tasks[0].Engine.Type`).
 */
import { BacalhauError } from "./errors.ts";

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A lower-cased view of an object's keys; the first key in input order wins, as in Go. */
export class Fields {
  readonly path: string;
  private readonly byLower = new Map<string, unknown>();

  constructor(obj: JsonObject, path: string) {
    this.path = path;
    for (const [k, v] of Object.entries(obj)) {
      const lower = k.toLowerCase();
      if (!this.byLower.has(lower)) this.byLower.set(lower, v);
    }
  }

  static of(v: unknown, path: string): Fields {
    if (v === undefined || v === null) return new Fields({}, path);
    if (!isObject(v)) throw typeError(path, "an object", v);
    return new Fields(v, path);
  }

  child(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  /** Raw value, null treated as absent (Go leaves the zero value on null). */
  raw(name: string): unknown {
    const v = this.byLower.get(name.toLowerCase());
    return v === null ? undefined : v;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  string(name: string, fallback = ""): string {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (typeof v !== "string") throw typeError(this.child(name), "a string", v);
    return v;
  }

  optionalString(name: string): string | undefined {
    return this.has(name) ? this.string(name) : undefined;
  }

  int(name: string, fallback = 0): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (typeof v !== "number" || !Number.isInteger(v)) throw typeError(this.child(name), "an integer", v);
    return v;
  }

  bool(name: string, fallback = false): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") throw typeError(this.child(name), "a boolean", v);
    return v;
  }

  stringMap(name: string): Record<string, string> {
    const v = this.raw(name);
    if (v === undefined) return {};
    if (!isObject(v)) throw typeError(this.child(name), "an object of strings", v);
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) {
      if (val === null) continue;
      if (typeof val !== "string") throw typeError(`${this.child(name)}.${k}`, "a string", val);
      out[k] = val;
    }
    return out;
  }

  array(name: string): unknown[] {
    const v = this.raw(name);
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw typeError(this.child(name), "an array", v);
    return v;
  }

  stringArray(name: string): string[] {
    return this.array(name).map((v, i) => {
      if (typeof v !== "string") throw typeError(`${this.child(name)}[${i}]`, "a string", v);
      return v;
    });
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}

export function typeError(path: string, expected: string, got: unknown): BacalhauError {
  return BacalhauError.badRequest(`${path} must be ${expected}, got ${describe(got)}`, {
    component: "JobValidator",
    hint: `fix the type of ${path} in the job spec`,
    details: { field: path },
  });
}
