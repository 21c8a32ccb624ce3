/**
 * A small command-line flag parser in the spirit of cobra/pflag: long and short flags,
 * `--flag=value`, repeatable flags, `--` to end flag parsing, and booleans written as
 * `--wait` or `--wait=false`.
 */
import { BacalhauError } from "../models/errors.ts";

export type FlagType = "string" | "bool" | "int" | "strings";
export type FlagValue = string | boolean | number | string[];

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  default?: FlagValue;
  help: string;
  /** For `strings`: also split each value on commas (pflag's StringSlice). */
  split?: boolean;
  /** Other long names accepted for the same flag (deprecated spellings). */
  aliases?: string[];
  /** Kept out of --help (global plumbing, deprecated aliases). */
  hidden?: boolean;
}

export class ParsedFlags {
  readonly positionals: string[];
  /** Arguments after `--`, also included at the end of `positionals`. */
  readonly afterDash: string[];
  readonly #values: Map<string, FlagValue>;
  readonly #specs: Map<string, FlagSpec>;

  constructor(specs: FlagSpec[], values: Map<string, FlagValue>, positionals: string[], afterDash: string[]) {
    this.#specs = new Map(specs.map((s) => [s.name, s]));
    this.#values = values;
    this.positionals = positionals;
    this.afterDash = afterDash;
  }

  /** True when the user wrote the flag, whatever its value. */
  has(name: string): boolean {
    return this.#values.has(name);
  }

  string(name: string): string {
    const v = this.#get(name);
    return typeof v === "string" ? v : v === undefined ? "" : String(v);
  }

  bool(name: string): boolean {
    return this.#get(name) === true;
  }

  int(name: string): number {
    const v = this.#get(name);
    return typeof v === "number" ? v : 0;
  }

  list(name: string): string[] {
    const v = this.#get(name);
    return Array.isArray(v) ? v : [];
  }

  #get(name: string): FlagValue | undefined {
    if (this.#values.has(name)) return this.#values.get(name);
    const spec = this.#specs.get(name);
    if (!spec) throw new Error(`flag --${name} is not declared`);
    return spec.default ?? (spec.type === "strings" ? [] : spec.type === "bool" ? false : undefined);
  }
}

const usageError = (msg: string): BacalhauError =>
  BacalhauError.badRequest(msg, { component: "CLI", hint: "run the command with --help to see its flags" });

/**
 * `interspersed: false` stops reading flags at the first positional argument, as `docker run`
 * does: the container's command keeps its own flags (`sh -c …`), and a `--` right after that
 * first argument is dropped.
 */
export function parseFlags(args: string[], specs: FlagSpec[], opts: { interspersed?: boolean } = {}): ParsedFlags {
  const byLong = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const s of specs) {
    byLong.set(s.name, s);
    for (const a of s.aliases ?? []) byLong.set(a, s);
    if (s.short) byShort.set(s.short, s);
  }
  const values = new Map<string, FlagValue>();
  const positionals: string[] = [];
  let afterDash: string[] = [];

  const set = (spec: FlagSpec, shown: string, raw: string | undefined): void => {
    values.set(spec.name, convert(spec, shown, raw, values.get(spec.name)));
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") {
      afterDash = args.slice(i + 1);
      positionals.push(...afterDash);
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) throw usageError(`unknown flag: --${name}`);
      let raw = eq < 0 ? undefined : arg.slice(eq + 1);
      if (raw === undefined && spec.type !== "bool") {
        if (i + 1 >= args.length) throw usageError(`flag needs an argument: --${name}`);
        raw = args[++i];
      }
      set(spec, `--${name}`, raw);
    } else if (arg.startsWith("-") && arg.length > 1) {
      // -x, -x value, -x=value, -xvalue, and grouped booleans -ab
      let j = 1;
      while (j < arg.length) {
        const ch = arg[j] as string;
        const spec = byShort.get(ch);
        if (!spec) throw usageError(`unknown shorthand flag: '${ch}' in ${arg}`);
        const rest = arg.slice(j + 1);
        if (spec.type === "bool") {
          if (rest.startsWith("=")) {
            set(spec, `-${ch}`, rest.slice(1));
            break;
          }
          set(spec, `-${ch}`, undefined);
          j++;
          continue;
        }
        let raw: string | undefined = rest.startsWith("=") ? rest.slice(1) : rest;
        if (raw === "") {
          if (i + 1 >= args.length) throw usageError(`flag needs an argument: '${ch}' in -${ch}`);
          raw = args[++i];
        }
        set(spec, `-${ch}`, raw);
        break;
      }
    } else {
      positionals.push(arg);
      if (opts.interspersed === false) {
        const rest = args.slice(i + 1);
        afterDash = rest[0] === "--" ? rest.slice(1) : rest;
        positionals.push(...afterDash);
        break;
      }
    }
  }
  return new ParsedFlags(specs, values, positionals, afterDash);
}

function convert(spec: FlagSpec, shown: string, raw: string | undefined, prev: FlagValue | undefined): FlagValue {
  switch (spec.type) {
    case "bool": {
      if (raw === undefined) return true;
      const v = raw.toLowerCase();
      if (["true", "t", "1"].includes(v)) return true;
      if (["false", "f", "0"].includes(v)) return false;
      throw usageError(`invalid argument "${raw}" for "${shown}" flag: expected true or false`);
    }
    case "int": {
      const n = Number(raw);
      if (raw === undefined || raw.trim() === "" || !Number.isInteger(n)) {
        throw usageError(`invalid argument "${raw ?? ""}" for "${shown}" flag: expected an integer`);
      }
      return n;
    }
    case "strings": {
      const list = Array.isArray(prev) ? prev : [];
      const items = spec.split ? splitCsv(raw ?? "") : [raw ?? ""];
      return [...list, ...items];
    }
    default:
      return raw ?? "";
  }
}

/** Splits on commas outside double quotes, as pflag's StringSlice reads a CSV record. */
export function splitCsv(s: string): string[] {
  if (s === "") return [];
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '"') {
      if (quoted && s[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === "," && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}
