/** Whether a resubmitted job differs from the stored one in anything the user controls. */
import type { Job } from "../models/types.ts";

const SERVER_FIELDS = new Set(["ID", "State", "Version", "Revision", "CreateTime", "ModifyTime", "Meta"]);

/** JSON with sorted keys and without server-set fields, so key order and defaults do not count as changes. */
export function canonicalSpec(job: Job): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined) continue;
        out[k] = walk(x);
      }
      return out;
    }
    return v;
  };
  const spec = Object.fromEntries(Object.entries(job).filter(([k]) => !SERVER_FIELDS.has(k)));
  return JSON.stringify(walk(spec));
}

export const specChanged = (a: Job, b: Job): boolean => canonicalSpec(a) !== canonicalSpec(b);
