/**
 * A deep copy of plain data (what JSON holds): the same isolation as `structuredClone` for objects
 * and arrays, but strings are shared rather than copied. Strings are immutable, so sharing them is
 * safe, and a job carrying an inline module of tens of KB then costs only its shape to copy.
 * Anything that is not plain data (a Uint8Array, a Date, a Map) is structured-cloned.
 *
 * @example
 * ```ts
 * const copy = copyJSONValue(job);
 * copy.Labels.x = "y"; // job.Labels is unchanged
 * ```
 */
export function copyJSONValue<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJSONValue) as T;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // A "__proto__" key from JSON is an own property; plain assignment would set the prototype.
    if (k === "__proto__") Object.defineProperty(out, k, { value: copyJSONValue(v), enumerable: true, writable: true, configurable: true });
    else out[k] = copyJSONValue(v);
  }
  return out as T;
}
