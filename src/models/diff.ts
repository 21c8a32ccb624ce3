/**
 * A readable line diff between two job specs (PUT /jobs/diff): both are printed as indented JSON
 * with sorted keys and without the fields the server owns, then compared line by line.
 *
 * @example
 * ```ts
 * diffJobs(current, proposed); // "  {\n-   \"Count\": 1,\n+   \"Count\": 2,\n ..." or "" when equal
 * ```
 */
import { RESERVED_META_PREFIX } from "./submission.ts";
import type { Job } from "./types.ts";

const SERVER_FIELDS = ["ID", "State", "Version", "Revision", "CreateTime", "ModifyTime"] as const;

function specView(job: Job): unknown {
  const copy: Record<string, unknown> = { ...job };
  for (const f of SERVER_FIELDS) delete copy[f];
  copy.Meta = Object.fromEntries(Object.entries(job.Meta ?? {}).filter(([k]) => !k.startsWith(RESERVED_META_PREFIX)));
  return copy;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(
      Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

const linesOf = (job: Job): string[] => JSON.stringify(sortKeys(specView(job)), null, 2).split("\n");

/** "" when the specs are the same (`a` undefined: a new job, every line added); otherwise every line, prefixed "  ", "- " (only in a) or "+ " (only in b). */
export function diffJobs(a: Job | undefined, b: Job): string {
  const x = a ? linesOf(a) : [];
  const y = linesOf(b);
  // Longest common subsequence table; specs are small, so O(n*m) is fine.
  const lcs: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] = x[i] === y[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const out: string[] = [];
  let changed = false;
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      out.push(`  ${x[i]}`);
      i++;
      j++;
    } else if (i < x.length && (j >= y.length || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      out.push(`- ${x[i]}`);
      i++;
      changed = true;
    } else {
      out.push(`+ ${y[j]}`);
      j++;
      changed = true;
    }
  }
  return changed ? out.join("\n") + "\n" : "";
}
