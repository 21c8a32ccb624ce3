/**
 * Kubernetes-style labels and label selectors, as Bacalhau uses them for `labels=` filters and
 * job constraints: parse `env=prod, tier in (a,b), !canary, gpu > 1` and match it against a map.
 *
 * @example
 * ```ts
 * const sel = parseSelector("region in (eu, us), !canary");
 * matchesSelector(sel, { region: "eu" }); // true
 * ```
 */
import { BacalhauError } from "./errors.ts";
import type { LabelConstraint, StringMap } from "./types.ts";

/** Operators in their canonical (constraint) spelling. */
export type SelectorOperator = "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

const OPERATOR_ALIASES: Record<string, SelectorOperator> = {
  "=": "=", "==": "=", "!=": "!=", in: "in", notin: "notin", exists: "exists", "!": "!",
  gt: "gt", ">": "gt", lt: "lt", "<": "lt",
};

export function canonicalOperator(op: string): SelectorOperator | undefined {
  return OPERATOR_ALIASES[op.trim().toLowerCase()];
}

const NAME_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN_RE.test(prefix))) {
    return `label key prefix '${prefix}' must be a DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !NAME_RE.test(name)) {
    return `label key '${key}' must be 1-63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`;
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63 || !NAME_RE.test(value)) {
    return `label value '${value}' must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`;
  }
  return undefined;
}

function selectorError(selector: string, why: string): BacalhauError {
  return BacalhauError.badRequest(`invalid label selector '${selector}': ${why}`, {
    hint: "use Kubernetes selector syntax, e.g. 'env=prod,tier in (a,b),!canary'",
    details: { field: "labels" },
  });
}

type Token = { kind: "word" | "op" | "(" | ")" | ","; text: string };

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(==|!=|=|>|<|!)|(\()|(\))|(,)|([^\s=!<>(),]+))/y;
  let i = 0;
  while (i < s.length) {
    if (/^\s*$/.test(s.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw selectorError(s, `unexpected character at ${i}`);
    if (m[1]) out.push({ kind: "op", text: m[1] });
    else if (m[2]) out.push({ kind: "(", text: "(" });
    else if (m[3]) out.push({ kind: ")", text: ")" });
    else if (m[4]) out.push({ kind: ",", text: "," });
    else out.push({ kind: "word", text: m[5] ?? "" });
    i = re.lastIndex;
  }
  return out;
}

/** Parses one selector string; an empty string selects everything. */
export function parseSelector(selector: string): Requirement[] {
  const toks = tokenize(selector);
  const reqs: Requirement[] = [];
  let i = 0;
  const peek = () => toks[i];
  const word = (what: string): string => {
    const t = toks[i++];
    if (t?.kind !== "word") throw selectorError(selector, `expected ${what}`);
    return t.text;
  };
  while (i < toks.length) {
    let req: Requirement;
    if (peek()?.kind === "op" && peek()?.text === "!") {
      i++;
      req = { key: word("a key after '!'"), operator: "!", values: [] };
    } else {
      const key = word("a key");
      const t = peek();
      if (t === undefined || t.kind === ",") {
        req = { key, operator: "exists", values: [] };
      } else if (t.kind === "op" && t.text !== "!") {
        i++;
        req = { key, operator: OPERATOR_ALIASES[t.text] ?? "=", values: [word("a value")] };
      } else if (t.kind === "word" && (t.text === "in" || t.text === "notin")) {
        i++;
        if (toks[i++]?.kind !== "(") throw selectorError(selector, `expected '(' after ${t.text}`);
        const values: string[] = [];
        while (peek()?.kind !== ")") {
          values.push(word("a value"));
          if (peek()?.kind === ",") i++;
          else if (peek()?.kind !== ")") throw selectorError(selector, "expected ',' or ')'");
        }
        i++;
        req = { key, operator: t.text, values };
      } else {
        throw selectorError(selector, `unexpected '${t.text}' after '${key}'`);
      }
    }
    const keyProblem = labelKeyProblem(req.key);
    if (keyProblem) throw selectorError(selector, keyProblem);
    if ((req.operator === "gt" || req.operator === "lt") && !/^-?\d+$/.test(req.values[0] ?? "")) {
      throw selectorError(selector, `'${req.key}' compares with a non-integer value`);
    }
    reqs.push(req);
    if (i < toks.length) {
      if (toks[i]?.kind !== ",") throw selectorError(selector, "requirements must be separated by ','");
      i++;
    }
  }
  return reqs;
}

/** Parses several selector strings (repeated query parameters); all must match. */
export function parseSelectors(selectors: string[]): Requirement[] {
  return selectors.flatMap(parseSelector);
}

export function matchesRequirement(req: Requirement, labels: StringMap): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.operator) {
    case "exists":
      return has;
    case "!":
      return !has;
    case "=":
      return has && value === req.values[0];
    case "!=":
      return !has || value !== req.values[0];
    case "in":
      return has && req.values.includes(value ?? "");
    case "notin":
      return !has || !req.values.includes(value ?? "");
    case "gt":
    case "lt": {
      if (!has || !/^-?\d+$/.test(value ?? "")) return false;
      const a = Number(value);
      const b = Number(req.values[0]);
      return req.operator === "gt" ? a > b : a < b;
    }
  }
}

export function matchesSelector(reqs: Requirement[], labels: StringMap): boolean {
  return reqs.every((r) => matchesRequirement(r, labels));
}

/** A job constraint as a requirement; undefined when its operator is unknown. */
export function constraintToRequirement(c: LabelConstraint): Requirement | undefined {
  const operator = canonicalOperator(c.Operator);
  return operator ? { key: c.Key, operator, values: c.Values ?? [] } : undefined;
}

/** Why a constraint is malformed (operator and value count), or undefined when it is fine. */
export function constraintProblem(c: LabelConstraint): string | undefined {
  const op = canonicalOperator(c.Operator);
  if (!op) return `unknown operator '${c.Operator}' (use =, ==, !=, in, notin, exists, !, gt, lt)`;
  const keyProblem = labelKeyProblem(c.Key.replace(/^favour_/, ""));
  if (keyProblem) return keyProblem;
  const n = c.Values?.length ?? 0;
  if ((op === "in" || op === "notin") && n === 0) return `operator '${c.Operator}' needs at least one value`;
  if ((op === "exists" || op === "!") && n !== 0) return `operator '${c.Operator}' takes no values`;
  if (op !== "in" && op !== "notin" && op !== "exists" && op !== "!" && n !== 1) {
    return `operator '${c.Operator}' needs exactly one value`;
  }
  if ((op === "gt" || op === "lt") && !/^-?\d+$/.test(c.Values?.[0] ?? "")) {
    return `operator '${c.Operator}' needs an integer value`;
  }
  return undefined;
}
