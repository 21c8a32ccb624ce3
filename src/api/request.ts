/** Reading query parameters and JSON bodies the way Bacalhau's server binds them. */
import type { Context } from "hono";
import { Fields, isObject } from "../models/fields.ts";
import { badParam } from "./errors.ts";
import type { ApiEnv } from "./deps.ts";

type Ctx = Context<ApiEnv>;

/** The origin the client used to reach us (Host header, and a proxy's X-Forwarded-Proto). */
export function requestOrigin(c: Ctx): string {
  const url = new URL(c.req.url);
  const forwarded = c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  const proto = forwarded === "http" || forwarded === "https" ? forwarded : url.protocol.slice(0, -1);
  return `${proto}://${c.req.header("host") || url.host}`;
}

export function queryString(c: Ctx, name: string): string | undefined {
  const v = c.req.query(name);
  return v === undefined || v === "" ? undefined : v;
}

/** A non-negative integer parameter; 400 naming it otherwise. */
export function queryInt(c: Ctx, name: string): number | undefined {
  const v = queryString(c, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw badParam(name, `invalid ${name} '${v}': must be a non-negative integer`);
  const n = Number(v.trim());
  // Beyond 2^53 a number no longer counts exactly, and the store refuses it.
  if (!Number.isSafeInteger(n)) throw badParam(name, `invalid ${name} '${v.slice(0, 40)}': too large`, `use at most ${Number.MAX_SAFE_INTEGER}`);
  return n;
}

const TRUE = new Set(["1", "t", "true"]);
const FALSE = new Set(["0", "f", "false"]);

/** Go's strconv.ParseBool spellings. */
export function queryBool(c: Ctx, name: string): boolean {
  const v = queryString(c, name);
  if (v === undefined) return false;
  const lower = v.trim().toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw badParam(name, `invalid ${name} '${v}': must be true or false`);
}

/** Every value of a repeatable parameter, empty ones dropped. */
export function queryList(c: Ctx, name: string): string[] {
  return (c.req.queries(name) ?? []).filter((v) => v.trim() !== "");
}

/**
 * The JSON body as case-insensitive fields; an empty body reads as `{}` unless required. `text` is
 * the body when the route has already read it (a consumed stream cannot be read again).
 */
export async function readJsonBody(c: Ctx, opts: { required: boolean; text?: string }): Promise<Fields> {
  const text = opts.text ?? await c.req.text();
  if (text.trim() === "") {
    if (opts.required) throw badParam("body", "request body is empty", "send a JSON object");
    return Fields.of({}, "");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw badParam("body", `invalid JSON body: ${e instanceof Error ? e.message : String(e)}`, "send valid JSON");
  }
  if (!isObject(parsed)) throw badParam("body", "request body must be a JSON object", "send a JSON object");
  return Fields.of(parsed, "");
}
