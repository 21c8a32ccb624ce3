/** Labels (`k=v` or bare `k`) and Kubernetes-style label selectors (`--constraints`). */
import { BacalhauError } from "../../models/errors.ts";
import type { LabelConstraint, StringMap } from "../../models/types.ts";

export function parseLabels(items: string[]): StringMap {
  const labels: StringMap = {};
  for (const item of items) {
    const s = item.trim();
    if (!s) continue;
    const eq = s.indexOf("=");
    const key = (eq < 0 ? s : s.slice(0, eq)).trim();
    if (!key) throw BacalhauError.badRequest(`invalid label '${item}'`, { component: "CLI", hint: "write key=value or key" });
    labels[key] = eq < 0 ? "" : s.slice(eq + 1).trim();
  }
  return labels;
}

/** `K=V` pairs (pflag StringToString) for `-e/--env`. */
export function parseKeyValues(items: string[], flag: string): StringMap {
  const out: StringMap = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) {
      throw BacalhauError.badRequest(`${item} must be formatted as key=value`, { component: "CLI", hint: `e.g. ${flag} NAME=value` });
    }
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

const REQUIREMENT =
  /^\s*(?:(!)\s*([^\s!=<>(),]+)|([^\s!=<>(),]+)\s*(?:(==|=|!=|>|<)\s*([^\s,()]*)|\s(in|notin)\s*\(([^)]*)\))?)\s*$/;

/** Parses `a=b, c in (x,y), !d, e > 3` into Bacalhau's `[{Key, Operator, Values}]`. */
export function parseSelector(selector: string): LabelConstraint[] {
  const out: LabelConstraint[] = [];
  for (const part of splitTopLevel(selector)) {
    if (!part.trim()) continue;
    const m = REQUIREMENT.exec(part);
    if (!m) {
      throw BacalhauError.badRequest(`invalid label selector '${part.trim()}'`, {
        component: "CLI",
        hint: "use key=value, key!=value, key in (a,b), key notin (a,b), key, !key, key>n or key<n",
      });
    }
    if (m[1]) out.push({ Key: m[2] as string, Operator: "!" });
    else if (m[6]) {
      const values = (m[7] as string).split(",").map((v) => v.trim()).filter((v) => v !== "");
      out.push({ Key: m[3] as string, Operator: m[6], Values: values });
    } else if (m[4]) {
      const op = m[4] === ">" ? "gt" : m[4] === "<" ? "lt" : m[4];
      out.push({ Key: m[3] as string, Operator: op, Values: [m[5] as string] });
    } else out.push({ Key: m[3] as string, Operator: "exists" });
  }
  return out;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const c of s) {
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}
