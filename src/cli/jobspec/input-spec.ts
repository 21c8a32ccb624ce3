/**
 * The `-i/--input` grammar. Each flag value is a CSV line whose first field is `URI` or
 * `URI:dst`, or the key-value form `src=URI,dst=PATH,opt=k=v`. The default target is `/inputs`.
 */
import { BacalhauError } from "../../models/errors.ts";
import type { InputSource } from "../../models/types.ts";
import { splitCsv } from "../flags.ts";
import { sourceFromURI, splitURITarget } from "./storage-uri.ts";

export const DEFAULT_INPUT_TARGET = "/inputs";

const SOURCE_KEYS = new Set(["source", "src"]);
const TARGET_KEYS = new Set(["target", "dst", "destination"]);
const OPTION_KEYS = new Set(["opt", "option"]);

export function parseInputSpec(value: string): InputSource {
  const fields = splitCsv(value.trim()).map((f) => f.trim()).filter((f) => f !== "");
  if (fields.length === 0) throw bad(value, "empty input");
  let uri = "";
  let target = "";
  const options: Record<string, string> = {};
  fields.forEach((field, i) => {
    const eq = field.indexOf("=");
    const key = eq < 0 ? "" : field.slice(0, eq).toLowerCase();
    const val = eq < 0 ? "" : field.slice(eq + 1);
    if (SOURCE_KEYS.has(key)) uri = val;
    else if (TARGET_KEYS.has(key)) target = val;
    else if (OPTION_KEYS.has(key)) addOption(options, val, value);
    else if (i === 0) {
      const split = splitURITarget(field);
      uri = split.uri;
      target = split.target ?? "";
    } else if (eq > 0) addOption(options, field, value);
    else throw bad(value, `unexpected field '${field}'`);
  });
  if (!uri) throw bad(value, "no source URI");
  return { Source: sourceFromURI(uri, options), Alias: uri, Target: target || DEFAULT_INPUT_TARGET };
}

function addOption(options: Record<string, string>, kv: string, whole: string): void {
  const eq = kv.indexOf("=");
  if (eq <= 0) throw bad(whole, `option '${kv}' is not key=value`);
  options[kv.slice(0, eq)] = kv.slice(eq + 1);
}

function bad(value: string, why: string): BacalhauError {
  return BacalhauError.badRequest(`invalid input '${value}': ${why}`, {
    component: "CLI",
    hint: "write -i URI, -i URI:/target or -i src=URI,dst=/target,opt=key=value",
  });
}
