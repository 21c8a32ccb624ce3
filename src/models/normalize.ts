/**
 * Turns a job as clients send it (any key casing, missing defaults, the legacy wasm Params shape)
 * into the canonical typed `Job` of types.ts. Structural type errors throw a 400 naming the field;
 * semantic checks are `validateJob`'s job.
 *
 * @example
 * ```ts
 * const job = normalizeJob({ type: "batch", tasks: [{ engine: { type: "WASM", params: { entrymodule: "/app" } } }] });
 * job.Tasks[0].Engine.Params; // { EntryModule: "/app" }
 * ```
 */
import { Fields, isObject, typeError } from "./fields.ts";
import type { JsonObject } from "./fields.ts";
import { canonicalNetworkType } from "./network.ts";
import type {
  InputSource,
  Job,
  JobStateTypeName,
  JobTypeName,
  LabelConstraint,
  NetworkConfig,
  PortMapping,
  ResultPath,
  SpecConfig,
  Task,
} from "./types.ts";
import { JobStateType } from "./types.ts";

export const DEFAULT_NAMESPACE = "default";
export const DEFAULT_TASK_NAME = "main";
export const LEGACY_WASM_ENTRY_TARGET = "/wasm/entry.wasm";
export const legacyWasmImportTarget = (i: number): string => `/wasm/imports/module_${i}.wasm`;

/** Params keys of every engine, source and publisher we know, by lower-case spelling. */
const KNOWN_PARAM_KEYS = new Map(
  [
    // wasm engine (EntryPoint and Entrypoint collapse to the modern spelling)
    "EntryModule", "Entrypoint", "Parameters", "ImportModules", "EnvironmentVariables",
    // docker engine
    "Image", "WorkingDirectory",
    // sources
    "CID", "URL", "SourcePath", "ReadWrite", "CreateAs", "Bucket", "Key", "Filter", "Region",
    "Endpoint", "VersionID", "ChecksumSHA256", "Partition", "PreSignedURL", "Managed",
    // publishers
    "Encoding",
  ].map((k) => [k.toLowerCase(), k]),
);

/** Source types are camelCase on the wire; everything else Bacalhau compares lower-cased. */
const SOURCE_TYPES = new Map(
  [
    ["ipfs", "ipfs"], ["urldownload", "urlDownload"], ["s3", "s3"], ["s3presigned", "s3PreSigned"],
    ["inline", "inline"], ["local", "local"], ["localdirectory", "local"], ["noop", "noop"],
  ],
);

const JOB_STATES = new Map(Object.values(JobStateType).map((s) => [s.toLowerCase(), s]));

export function normalizeJob(input: unknown): Job {
  if (!isObject(input)) throw typeError("Job", "an object", input);
  const f = Fields.of(input, "");
  const type = f.string("Type").trim().toLowerCase() as JobTypeName;
  const countDefault = type === "ops" || type === "daemon" ? 0 : 1;
  const tasks = f.array("Tasks").map((t, i) => normalizeTask(t, `Tasks[${i}]`));
  const state = Fields.of(f.raw("State"), "State");
  const stateType = state.string("StateType", JobStateType.Undefined);
  return {
    ID: f.string("ID"),
    Name: f.string("Name"),
    Namespace: f.string("Namespace") || DEFAULT_NAMESPACE,
    Type: type,
    Priority: f.int("Priority"),
    Count: f.int("Count", countDefault),
    Constraints: f.array("Constraints").map((c, i) => normalizeConstraint(c, `Constraints[${i}]`)),
    Meta: f.stringMap("Meta"),
    Labels: f.stringMap("Labels"),
    Tasks: tasks,
    State: {
      StateType: (JOB_STATES.get(stateType.toLowerCase()) ?? stateType) as JobStateTypeName,
      ...(state.has("Message") ? { Message: state.string("Message") } : {}),
      ...(state.has("Details") ? { Details: state.stringMap("Details") } : {}),
    },
    Version: f.int("Version"),
    Revision: f.int("Revision"),
    CreateTime: f.int("CreateTime"),
    ModifyTime: f.int("ModifyTime"),
  };
}

function normalizeConstraint(v: unknown, path: string): LabelConstraint {
  const f = Fields.of(v, path);
  return {
    Key: f.string("Key"),
    Operator: f.string("Operator").trim().toLowerCase(),
    Values: f.stringArray("Values"),
  };
}

export function normalizeTask(v: unknown, path: string): Task {
  const f = Fields.of(v, path);
  const inputs = f.array("InputSources").map((s, i) => normalizeInputSource(s, f.child(`InputSources[${i}]`)));
  const engine = normalizeSpec(f.raw("Engine"), f.child("Engine"), "engine");
  const task: Task = {
    Name: f.string("Name") || DEFAULT_TASK_NAME,
    Engine: engine.Type === "wasm" ? convertLegacyWasm(engine, inputs) : engine,
    Env: f.stringMap("Env"),
    Meta: f.stringMap("Meta"),
    InputSources: inputs,
    ResultPaths: f.array("ResultPaths").map((r, i) => normalizeResultPath(r, f.child(`ResultPaths[${i}]`))),
    Resources: normalizeResources(f.raw("Resources"), f.child("Resources")),
    Network: normalizeNetwork(f.raw("Network"), f.child("Network")),
    Timeouts: normalizeTimeouts(f.raw("Timeouts"), f.child("Timeouts")),
  };
  if (f.has("Publisher")) task.Publisher = normalizeSpec(f.raw("Publisher"), f.child("Publisher"), "publisher");
  return task;
}

type SpecKind = "engine" | "publisher" | "source";

export function normalizeSpec(v: unknown, path: string, kind: SpecKind): SpecConfig {
  const f = Fields.of(v, path);
  const rawType = f.string("Type").trim();
  const lower = rawType.toLowerCase();
  const type = kind === "source" ? (SOURCE_TYPES.get(lower) ?? rawType) : lower;
  const params = f.raw("Params");
  if (params !== undefined && !isObject(params)) throw typeError(f.child("Params"), "an object", params);
  return { Type: type, Params: canonicalParams(params ?? {}) };
}

/** Canonical spelling for known keys; unknown keys are kept as sent. */
function canonicalParams(params: JsonObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    const name = KNOWN_PARAM_KEYS.get(k.toLowerCase()) ?? k;
    if (!(name in out)) out[name] = v;
  }
  return out;
}

export function normalizeInputSource(v: unknown, path: string): InputSource {
  const f = Fields.of(v, path);
  const out: InputSource = {
    Source: normalizeSpec(f.raw("Source"), f.child("Source"), "source"),
    Target: f.string("Target"),
  };
  const alias = f.optionalString("Alias");
  if (alias) out.Alias = alias;
  return out;
}

function normalizeResultPath(v: unknown, path: string): ResultPath {
  const f = Fields.of(v, path);
  return { Name: f.string("Name"), Path: f.string("Path") };
}

function normalizeResources(v: unknown, path: string): Task["Resources"] {
  const f = Fields.of(v, path);
  const out: NonNullable<Task["Resources"]> = {};
  for (const k of ["CPU", "Memory", "Disk", "GPU"] as const) {
    const raw = f.raw(k);
    // Numbers are tolerated (YAML writers often emit `CPU: 1`); the parser works on strings.
    if (typeof raw === "number") out[k] = String(raw);
    else if (raw !== undefined) out[k] = f.string(k);
  }
  return out;
}

function normalizeNetwork(v: unknown, path: string): NetworkConfig {
  const f = Fields.of(v, path);
  const out: NetworkConfig = { Type: canonicalNetworkType(f.string("Type"), f.child("Type")) };
  const domains = f.stringArray("Domains");
  if (domains.length > 0) out.Domains = domains;
  const ports = f.array("Ports").map((p, i) => normalizePort(p, f.child(`Ports[${i}]`)));
  if (ports.length > 0) out.Ports = ports;
  return out;
}

function normalizePort(v: unknown, path: string): PortMapping {
  const f = Fields.of(v, path);
  const out: PortMapping = { Name: f.string("Name") };
  if (f.has("Static")) out.Static = f.int("Static");
  if (f.has("Target")) out.Target = f.int("Target");
  const hn = f.optionalString("HostNetwork");
  if (hn) out.HostNetwork = hn;
  return out;
}

function normalizeTimeouts(v: unknown, path: string): Task["Timeouts"] {
  const f = Fields.of(v, path);
  return {
    ExecutionTimeout: f.int("ExecutionTimeout"),
    QueueTimeout: f.int("QueueTimeout"),
    TotalTimeout: f.int("TotalTimeout"),
  };
}

/**
 * Pre-1.7 wasm Params carried storage specs in EntryModule/ImportModules. They become InputSources
 * (appended, default targets under /wasm) and the Params point at their targets, as the modern
 * orchestrator's transformer does. EnvironmentVariables is dropped there too; Task.Env replaces it.
 */
function convertLegacyWasm(engine: SpecConfig, inputs: InputSource[]): SpecConfig {
  const p = engine.Params ?? {};
  const entry = p.EntryModule;
  const imports = Array.isArray(p.ImportModules) ? p.ImportModules : [];
  const legacy = isObject(entry) || imports.some(isObject);
  if (!legacy) return engine;
  const params: Record<string, unknown> = { ...p };
  delete params.EnvironmentVariables;
  if (isObject(entry)) {
    const src = legacySource(entry, "Tasks.Engine.Params.EntryModule");
    if (!src.Target) src.Target = LEGACY_WASM_ENTRY_TARGET;
    inputs.push(src);
    params.EntryModule = src.Target;
  }
  params.ImportModules = imports.map((m, i) => {
    if (!isObject(m)) return m;
    const src = legacySource(m, `Tasks.Engine.Params.ImportModules[${i}]`);
    if (!src.Target) src.Target = legacyWasmImportTarget(i);
    inputs.push(src);
    return src.Target;
  });
  return { Type: engine.Type, Params: params };
}

/** A legacy module is an InputSource `{Source, Alias, Target}` or, older still, a bare SpecConfig. */
function legacySource(v: JsonObject, path: string): InputSource {
  const f = Fields.of(v, path);
  if (f.has("Source")) return normalizeInputSource(v, path);
  return { Source: normalizeSpec(v, path, "source"), Target: "" };
}
