/**
 * How big a job may be where a node accepts it. Every number a caller chooses (Count, list
 * lengths, string sizes) is bounded here, so no later step (scheduling, storing, fanning out
 * executions) does work the caller can make unbounded. The node's operator sets each limit with
 * the config key of the same name under `JobLimits`, and a refusal names that key.
 *
 * @example
 * ```ts
 * checkJobLimits(normalizeJob(body), DEFAULT_JOB_LIMITS); // throws BacalhauError 400 naming the field
 * ```
 */
import { BacalhauError } from "./errors.ts";
import { jsonValueCount } from "./json-size.ts";
import type { Job, Task } from "./types.ts";

export interface JobLimits {
  /** Bytes of a submission's request body. */
  MaxJobBytes: number;
  /** JSON values (objects, arrays, items) in a submission's request body, counted before it is parsed. */
  MaxJSONValues: number;
  /** Executions a batch/service job asks for. */
  MaxCount: number;
  MaxTasks: number;
  MaxInputSources: number;
  MaxResultPaths: number;
  /** Env entries of a task (Task.Env, and a docker task's EnvironmentVariables). */
  MaxEnvVars: number;
  /** Bytes of a task's env names and values together. */
  MaxEnvBytes: number;
  /** Entrypoint and Parameters entries of a task's engine. */
  MaxArgs: number;
  /** Bytes of a task's Entrypoint and Parameters together. */
  MaxArgsBytes: number;
  /** Entries of Labels and of Meta (job and task). */
  MaxLabels: number;
  /** Bytes of the Meta keys and values of the job or of a task. */
  MaxMetaBytes: number;
  /** Other lists: Constraints and their Values, ImportModules, network Domains and Ports. */
  MaxListLength: number;
  /** Names: job, task, namespace, label/meta keys, aliases, result names, port names. */
  MaxNameLength: number;
  /** Paths inside the job: input targets, result paths, modules, working directory. */
  MaxPathLength: number;
  /** Characters of an inline input's data URL. */
  MaxInlineBytes: number;
}

export const DEFAULT_JOB_LIMITS: JobLimits = {
  // Bacalhau's own request limit: `wasm run` sends a local module inline, and real modules are megabytes.
  MaxJobBytes: 10 * 1024 * 1024,
  MaxJSONValues: 20_000,
  MaxCount: 1000,
  MaxTasks: 16,
  MaxInputSources: 64,
  MaxResultPaths: 64,
  MaxEnvVars: 256,
  MaxEnvBytes: 256 * 1024,
  MaxArgs: 1024,
  MaxArgsBytes: 256 * 1024,
  MaxLabels: 64,
  MaxMetaBytes: 64 * 1024,
  MaxListLength: 256,
  MaxNameLength: 255,
  MaxPathLength: 1024,
  MaxInlineBytes: 8 * 1024 * 1024,
};

type LimitKey = keyof JobLimits;

class Over extends Error {
  readonly field: string;
  readonly key: LimitKey;
  readonly limit: number;
  constructor(field: string, key: LimitKey, what: string, got: number, limit: number, message?: string) {
    super(message ?? `${field}: ${what} is ${got}, more than the limit of ${limit}`);
    this.field = field;
    this.key = key;
    this.limit = limit;
  }
}

function limitError(e: Over, status = 400): BacalhauError {
  return new BacalhauError(e.message, {
    status,
    code: "BadRequest",
    component: "JobValidator",
    hint: `make it smaller, or ask the node's operator to raise JobLimits.${e.key} (${e.limit})`,
    details: { field: e.field, limit: String(e.limit), configKey: `JobLimits.${e.key}` },
  });
}

/**
 * Throws a 400 when a submission's body is too big or holds too many values to be worth parsing.
 * Cheap (no parse): it runs before anything else looks at the body.
 */
export function checkJobBody(text: string, limits: JobLimits = DEFAULT_JOB_LIMITS): void {
  checkJobBodySize(text.length, limits);
  const values = jsonValueCount(text, limits.MaxJSONValues);
  if (values > limits.MaxJSONValues) {
    // The count stops at the limit: say "more than", not a number that is not the total.
    const max = limits.MaxJSONValues;
    throw limitError(new Over("body", "MaxJSONValues", "", values, max,
      `body: the request body holds more JSON values than the limit of ${max}`));
  }
}

/**
 * Throws for a body of `size` bytes over the limit: 413, the status Bacalhau gives a body over its
 * request limit, with the same JSON as every other limit.
 */
export function checkJobBodySize(size: number, limits: JobLimits = DEFAULT_JOB_LIMITS): void {
  if (size > limits.MaxJobBytes) {
    throw limitError(new Over("body", "MaxJobBytes", "size of the request body", size, limits.MaxJobBytes), 413);
  }
}

/** Throws a 400 naming the first field over its limit and the config key that raises it. */
export function checkJobLimits(job: Job, limits: JobLimits = DEFAULT_JOB_LIMITS): void {
  try {
    jobWithinLimits(job, limits);
  } catch (e) {
    if (!(e instanceof Over)) throw e;
    throw limitError(e);
  }
}

const utf8 = new TextEncoder();
/** UTF-8 bytes; plain ASCII (nearly every job) is counted without encoding it. */
const bytes = (s: string) => (/[^\x00-\x7f]/.test(s) ? utf8.encode(s).length : s.length);
const sumBytes = (items: Iterable<string>) => {
  let n = 0;
  for (const s of items) n += bytes(s);
  return n;
};

function jobWithinLimits(job: Job, l: JobLimits): void {
  const at = (field: string, key: LimitKey, what: string, got: number) => {
    if (got > l[key]) throw new Over(field, key, what, got, l[key]);
  };
  at("Count", "MaxCount", "job count", job.Count);
  at("Tasks", "MaxTasks", "number of tasks", job.Tasks.length);
  at("Name", "MaxNameLength", "length of the job name", bytes(job.Name));
  at("Namespace", "MaxNameLength", "length of the namespace", bytes(job.Namespace));
  mapWithinLimits("Labels", job.Labels, at);
  mapWithinLimits("Meta", job.Meta, at);
  at("Constraints", "MaxListLength", "number of constraints", job.Constraints.length);
  job.Constraints.forEach((c, i) => {
    at(`Constraints[${i}].Key`, "MaxNameLength", "length of the key", bytes(c.Key));
    const values = c.Values ?? [];
    at(`Constraints[${i}].Values`, "MaxListLength", "number of values", values.length);
    values.forEach((v, j) => at(`Constraints[${i}].Values[${j}]`, "MaxNameLength", "length of the value", bytes(v)));
  });
  job.Tasks.forEach((t, i) => taskWithinLimits(t, `Tasks[${i}]`, at));
}

type At = (field: string, key: LimitKey, what: string, got: number) => void;

function mapWithinLimits(field: string, map: Record<string, string>, at: At): void {
  const keys = Object.keys(map);
  at(field, "MaxLabels", "number of entries", keys.length);
  for (const k of keys) at(`${field}.${k.slice(0, 64)}`, "MaxNameLength", "length of the key", bytes(k));
  if (field.endsWith("Meta")) at(field, "MaxMetaBytes", "size in bytes", sumBytes(keys) + sumBytes(Object.values(map)));
}

const stringsOf = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);

function taskWithinLimits(task: Task, path: string, at: At): void {
  at(`${path}.Name`, "MaxNameLength", "length of the task name", bytes(task.Name));
  mapWithinLimits(`${path}.Meta`, task.Meta ?? {}, at);

  const env = Object.entries(task.Env ?? {});
  const params = task.Engine?.Params ?? {};
  const dockerEnv = stringsOf(params.EnvironmentVariables);
  at(`${path}.Env`, "MaxEnvVars", "number of environment variables", env.length + dockerEnv.length);
  at(`${path}.Env`, "MaxEnvBytes", "size in bytes of the environment",
    sumBytes(env.map(([k, v]) => k + v)) + sumBytes(dockerEnv));

  const args = [...stringsOf(params.Entrypoint), ...stringsOf(params.Parameters)];
  const rawArgs = [params.Entrypoint, params.Parameters].filter(Array.isArray).reduce((n, a) => n + a.length, 0);
  at(`${path}.Engine.Params.Parameters`, "MaxArgs", "number of entrypoint and parameter entries", rawArgs);
  at(`${path}.Engine.Params.Parameters`, "MaxArgsBytes", "size in bytes of the entrypoint and parameters", sumBytes(args));
  const imports = Array.isArray(params.ImportModules) ? params.ImportModules : [];
  at(`${path}.Engine.Params.ImportModules`, "MaxListLength", "number of import modules", imports.length);
  for (const k of ["EntryModule", "WorkingDirectory"] as const) {
    if (typeof params[k] === "string") at(`${path}.Engine.Params.${k}`, "MaxPathLength", "length of the path", bytes(params[k]));
  }
  imports.forEach((m, i) => {
    if (typeof m === "string") at(`${path}.Engine.Params.ImportModules[${i}]`, "MaxPathLength", "length of the path", bytes(m));
  });

  const inputs = task.InputSources ?? [];
  at(`${path}.InputSources`, "MaxInputSources", "number of input sources", inputs.length);
  inputs.forEach((s, i) => {
    const p = `${path}.InputSources[${i}]`;
    at(`${p}.Target`, "MaxPathLength", "length of the target", bytes(s.Target));
    at(`${p}.Alias`, "MaxNameLength", "length of the alias", bytes(s.Alias ?? ""));
    const url = s.Source?.Params?.URL;
    if (s.Source?.Type === "inline" && typeof url === "string") {
      // A data URL is ASCII: its length is its size, with no need to look at each character.
      at(`${p}.Source.Params.URL`, "MaxInlineBytes", "size of the inline data", url.length);
    }
  });

  const results = task.ResultPaths ?? [];
  at(`${path}.ResultPaths`, "MaxResultPaths", "number of result paths", results.length);
  results.forEach((r, i) => {
    at(`${path}.ResultPaths[${i}].Name`, "MaxNameLength", "length of the name", bytes(r.Name));
    at(`${path}.ResultPaths[${i}].Path`, "MaxPathLength", "length of the path", bytes(r.Path));
  });

  const net = task.Network;
  at(`${path}.Network.Domains`, "MaxListLength", "number of domains", net?.Domains?.length ?? 0);
  at(`${path}.Network.Ports`, "MaxListLength", "number of ports", net?.Ports?.length ?? 0);
  (net?.Domains ?? []).forEach((d, i) => at(`${path}.Network.Domains[${i}]`, "MaxNameLength", "length of the domain", bytes(d)));
}
