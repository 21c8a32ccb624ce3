/**
 * The job, task and runtime flag sets shared by `wasm run` and `docker run`, and the job they build.
 */
import type { JobSpec } from "../../client/api-types.ts";
import { BacalhauError } from "../../models/errors.ts";
import { canonicalNetworkType } from "../../models/network.ts";
import { NetworkType, type InputSource, type ResultPath, type SpecConfig, type Task } from "../../models/types.ts";
import { splitCsv, type FlagSpec, type ParsedFlags } from "../flags.ts";
import { parseInputSpec } from "./input-spec.ts";
import { parseKeyValues, parseLabels, parseSelector } from "./selectors.ts";

export const JOB_FLAGS: FlagSpec[] = [
  { name: "name", type: "string", help: "The name to refer to this job by" },
  { name: "namespace", type: "string", default: "default", help: "The namespace to associate with this job" },
  { name: "priority", type: "int", default: 0, help: "The priority of the job" },
  { name: "count", type: "int", default: 1, help: "How many times the job should run (partitions)" },
  { name: "concurrency", type: "int", hidden: true, help: "deprecated: use --count" },
  { name: "target", type: "string", default: "any", help: "Whether to target the minimum number of matching nodes (any) or all of them (all)" },
  { name: "constraints", type: "string", help: "Selector (label query) to filter nodes on which this job can be executed, e.g. 'region=us-east-1,os_arch!=arm64'" },
  { name: "selector", short: "s", type: "string", hidden: true, help: "deprecated: use --constraints" },
  { name: "labels", short: "l", type: "strings", split: true, help: "List of labels for the job, key=value or key" },
];

export const TASK_FLAGS: FlagSpec[] = [
  { name: "task-name", type: "string", default: "main", help: "Sets the name of the task" },
  { name: "env", short: "e", type: "strings", split: true, help: "The environment variables to supply to the job (e.g. --env FOO=bar)" },
  { name: "input", short: "i", type: "strings", help: "Mount a source (URI, URI:/target or src=URI,dst=/target,opt=k=v); default target /inputs" },
  { name: "output", short: "o", type: "strings", help: "name:path of the output data volumes, e.g. outputs:/outputs" },
  { name: "publisher", short: "p", type: "string", help: "Where to publish the result of the job: ipfs, local, noop, s3://bucket/key" },
  { name: "cpu", type: "string", help: "Job CPU cores (e.g. 500m, 2, 8)" },
  { name: "memory", type: "string", help: "Job Memory requirement (e.g. 500Mb, 2Gb, 8Gb)" },
  { name: "disk", type: "string", help: "Job Disk requirement (e.g. 500Gb, 2Tb, 8Tb)" },
  { name: "gpu", type: "string", help: "Job GPU requirement (e.g. 1, 2, 8)" },
  { name: "network", type: "string", default: "Default", help: "Networking capability required by the job: None, HTTP, Host, Full, Bridge or Default" },
  { name: "domain", type: "strings", split: true, help: "Domain(s) that the job needs to access (for HTTP networking)" },
  { name: "timeout", type: "int", default: 0, help: "Job execution timeout in seconds (TotalTimeout; 0 means none)" },
  { name: "queue-timeout", type: "int", default: 0, help: "Seconds the job may wait in the queue for a node (0 means no queueing)" },
];

export const RUNTIME_FLAGS: FlagSpec[] = [
  { name: "wait", type: "bool", default: true, help: "Wait for the job to finish. Use --wait=false to return as soon as the job is submitted." },
  { name: "wait-timeout-secs", type: "int", default: 600, help: "When using --wait, how many seconds to wait for the job to complete" },
  { name: "id-only", type: "bool", help: "Print out only the Job ID on successful submission." },
  { name: "node-details", type: "bool", help: "Print out details of all nodes (overridden by --id-only)." },
  { name: "follow", short: "f", type: "bool", help: "When specified will follow the output from the job as it runs" },
  { name: "group-events", type: "bool", help: "Group events by execution" },
  { name: "dry-run", type: "bool", help: "Do not submit the job, but instead print out what will be submitted" },
];

/** Builds the job from the flag sets around a given engine and the engine's own inputs. */
export function buildJob(flags: ParsedFlags, engine: SpecConfig, engineInputs: InputSource[] = []): JobSpec {
  const task: Task = { Name: flags.string("task-name") || "main", Engine: engine };
  const publisher = flags.string("publisher");
  if (publisher) task.Publisher = parsePublisher(publisher);
  const env = parseKeyValues(flags.list("env"), "--env");
  if (Object.keys(env).length) task.Env = env;
  const inputs = [...engineInputs, ...flags.list("input").map(parseInputSpec)];
  if (inputs.length) task.InputSources = inputs;
  const outputs = flags.list("output").map(parseResultPath);
  if (outputs.length) task.ResultPaths = outputs;

  const resources: Record<string, string> = {};
  for (const [flag, key] of [["cpu", "CPU"], ["memory", "Memory"], ["disk", "Disk"], ["gpu", "GPU"]] as const) {
    const v = flags.string(flag).trim();
    if (v) resources[key] = v;
  }
  if (Object.keys(resources).length) task.Resources = resources;

  const network = canonicalNetworkType(flags.string("network"), "--network");
  const domains = flags.list("domain").map((d) => d.trim()).filter((d) => d !== "");
  if (network !== NetworkType.Default || domains.length) {
    task.Network = { Type: network, ...(domains.length ? { Domains: domains } : {}) };
  }

  const total = nonNegative(flags, "timeout");
  const queue = nonNegative(flags, "queue-timeout");
  if (total || queue) task.Timeouts = { ...(total ? { TotalTimeout: total } : {}), ...(queue ? { QueueTimeout: queue } : {}) };

  const target = flags.string("target").toLowerCase();
  if (target !== "any" && target !== "all") {
    throw BacalhauError.badRequest(`invalid --target '${flags.string("target")}'`, { component: "CLI", hint: "use any or all" });
  }
  if (flags.has("count") && flags.has("concurrency")) {
    throw BacalhauError.badRequest("--count and --concurrency cannot be used together", { component: "CLI", hint: "use --count" });
  }
  if (flags.has("constraints") && flags.has("selector")) {
    throw BacalhauError.badRequest("--constraints and --selector cannot be used together", { component: "CLI", hint: "use --constraints" });
  }
  const count = flags.has("concurrency") ? flags.int("concurrency") : flags.int("count");
  if (count < 0) throw BacalhauError.badRequest("--count must not be negative", { component: "CLI" });

  const job: JobSpec = {
    ...(flags.string("name") ? { Name: flags.string("name") } : {}),
    Namespace: flags.string("namespace") || "default",
    Type: target === "all" ? "ops" : "batch",
    Priority: flags.int("priority"),
    Count: count,
    Constraints: parseSelector(flags.string("constraints") || flags.string("selector")),
    Labels: parseLabels(flags.list("labels")),
    Tasks: [task],
  };
  return job;
}

function nonNegative(flags: ParsedFlags, name: string): number {
  const v = flags.int(name);
  if (v < 0) throw BacalhauError.badRequest(`--${name} must not be negative`, { component: "CLI" });
  return v;
}

export function parseResultPath(value: string): ResultPath {
  const colon = value.indexOf(":");
  const name = colon < 0 ? "" : value.slice(0, colon).trim();
  const path = colon < 0 ? "" : value.slice(colon + 1).trim();
  if (!name || !path) {
    throw BacalhauError.badRequest(`invalid output volume '${value}'`, { component: "CLI", hint: "write -o name:/path, e.g. -o outputs:/outputs" });
  }
  return { Name: name, Path: path };
}

/** `ipfs`, `local`, `noop`, `s3managed` or `s3://bucket/key[,opt=k=v]`. */
export function parsePublisher(value: string): SpecConfig {
  const [first = "", ...rest] = splitCsv(value.trim());
  const params: Record<string, unknown> = {};
  for (const field of rest) {
    const kv = field.replace(/^(opt|option)=/i, "");
    const eq = kv.indexOf("=");
    if (eq <= 0) throw BacalhauError.badRequest(`invalid publisher option '${field}'`, { component: "CLI", hint: "write opt=key=value" });
    params[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(first);
  if (s3) {
    const named: Record<string, unknown> = { Bucket: s3[1], Key: s3[2] };
    const names: Record<string, string> = { endpoint: "Endpoint", region: "Region", encoding: "Encoding" };
    for (const [k, v] of Object.entries(params)) named[names[k.toLowerCase()] ?? k] = v;
    return { Type: "s3", Params: named };
  }
  const type = first.trim().toLowerCase();
  if (!/^[a-z0-9]+$/.test(type)) {
    throw BacalhauError.badRequest(`invalid publisher '${value}'`, { component: "CLI", hint: "use ipfs, local, noop or s3://bucket/key" });
  }
  return { Type: type, Params: params };
}
