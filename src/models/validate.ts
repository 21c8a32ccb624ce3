/**
 * Semantic checks on a normalised job, before the orchestrator sees it. Every problem names its
 * field (`details.field`, e.g. `Tasks[0].Engine.Params.EntryModule`) and says what to do.
 *
 * @example
 * ```ts
 * validateJob(normalizeJob(body)); // throws BacalhauError (400, component JobValidator)
 * ```
 */
import { BacalhauError } from "./errors.ts";
import { constraintProblem, labelKeyProblem, labelValueProblem } from "./labels.ts";
import { jobPathKey, jobPathProblem, pathsOverlap, resultNameProblem } from "./job-paths.ts";
import { isValidDomain } from "./network.ts";
import { parseResources } from "./resources.ts";
import { JobType, NetworkType } from "./types.ts";
import type { Job, Task } from "./types.ts";
import { DOCKER_PARAM_KEYS } from "../executor/docker/params.ts";

interface Problem {
  field: string;
  message: string;
  hint: string;
}

const JOB_TYPES: ReadonlySet<string> = new Set(Object.values(JobType));
const NETWORK_TYPES: ReadonlySet<string> = new Set(Object.values(NetworkType));
const ENV_NAME_RE = /^[A-Z][A-Z0-9_]*$/;

/** Throws one BacalhauError listing every problem found; the first problem's field is in details. */
export function validateJob(job: Job): void {
  const problems = jobProblems(job);
  const first = problems[0];
  if (!first) return;
  const message = problems.length === 1
    ? first.message
    : `invalid job spec: ${problems.map((p) => p.message).join("; ")}`;
  throw BacalhauError.badRequest(message, {
    component: "JobValidator",
    hint: first.hint,
    details: problems.length === 1
      ? { field: first.field }
      : { field: first.field, fields: problems.map((p) => p.field).join(",") },
  });
}

/** All problems with the job, in spec order (exported for callers that want every message). */
export function jobProblems(job: Job): Problem[] {
  const out: Problem[] = [];
  const add = (field: string, message: string, hint: string) => out.push({ field, message, hint });

  if (!job.Type) add("Type", "job type is required", `set Type to one of ${[...JOB_TYPES].join(", ")}`);
  else if (!JOB_TYPES.has(job.Type)) {
    add("Type", `invalid job type '${job.Type}'`, `use one of ${[...JOB_TYPES].join(", ")}`);
  }
  if (!job.Namespace) add("Namespace", "namespace is required", "set Namespace, e.g. 'default'");
  if (!Number.isInteger(job.Count) || job.Count < 0) {
    add("Count", `job count must be >= 0, got ${job.Count}`, "set Count to the number of executions wanted");
  } else if ((job.Type === JobType.Ops || job.Type === JobType.Daemon) && job.Count > 1) {
    add("Count", `job count must be 0 or 1 for ${job.Type} jobs, got ${job.Count}`,
      `${job.Type} jobs run on every matching node; remove Count`);
  }
  if (!Number.isInteger(job.Priority) || job.Priority < 0) {
    add("Priority", `job priority must be >= 0, got ${job.Priority}`, "set Priority to 0 or more");
  }
  job.Constraints.forEach((c, i) => {
    const why = constraintProblem(c);
    if (why) add(`Constraints[${i}]`, `invalid constraint on '${c.Key}': ${why}`, "fix the constraint's Operator or Values");
  });
  for (const [k, v] of Object.entries(job.Labels)) {
    const why = labelKeyProblem(k) ?? labelValueProblem(v);
    if (why) add(`Labels.${k}`, why, "use Kubernetes label syntax for label keys and values");
  }
  if (job.Tasks.length === 0) {
    add("Tasks", "job must have at least one task", "add a task with an Engine, e.g. {\"Name\":\"main\",\"Engine\":{...}}");
  }
  job.Tasks.forEach((t, i) => taskProblems(t, `Tasks[${i}]`, add));
  return out;
}

type Add = (field: string, message: string, hint: string) => void;

function taskProblems(task: Task, path: string, add: Add): void {
  if (!task.Name) add(`${path}.Name`, "task name is required", "set the task's Name, e.g. 'main'");
  engineProblems(task, path, add);
  inputProblems(task, path, add);
  resultPathProblems(task, path, add);
  envProblems(task, path, add);
  try {
    parseResources(task.Resources, {}, `${path}.Resources`);
  } catch (e) {
    const err = BacalhauError.from(e);
    add(err.details?.field ?? `${path}.Resources`, err.message, err.hint ?? "fix the resource string");
  }
  timeoutProblems(task, path, add);
  networkProblems(task, path, add);
}

function engineProblems(task: Task, path: string, add: Add): void {
  const type = task.Engine?.Type ?? "";
  const params = task.Engine?.Params ?? {};
  if (!type) {
    add(`${path}.Engine.Type`, "task engine type is required", "set Engine.Type, e.g. 'wasm' or 'docker'");
    return;
  }
  if (type === "wasm") {
    const entry = params.EntryModule;
    if (typeof entry !== "string" || entry.trim() === "") {
      add(`${path}.Engine.Params.EntryModule`, "wasm engine requires EntryModule: target path cannot be empty",
        "set EntryModule to the Target path of an InputSource holding the .wasm module");
    } else {
      modulePathProblem(entry, `${path}.Engine.Params.EntryModule`, add);
    }
    const imports = params.ImportModules;
    if (imports !== undefined && imports !== null &&
      (!Array.isArray(imports) || imports.some((m) => typeof m !== "string"))) {
      add(`${path}.Engine.Params.ImportModules`, "ImportModules must be a list of paths",
        "list the Target paths of the modules to import");
    } else if (Array.isArray(imports)) {
      imports.forEach((m, i) => modulePathProblem(m as string, `${path}.Engine.Params.ImportModules[${i}]`, add));
    }
  } else if (type === "docker") {
    if (typeof params.Image !== "string" || params.Image.trim() === "") {
      add(`${path}.Engine.Params.Image`, "docker engine requires an Image", "set Engine.Params.Image, e.g. 'ubuntu:22.04'");
    }
    const wd = params.WorkingDirectory;
    if (typeof wd === "string" && wd !== "") {
      const why = jobPathProblem(wd, { absolute: true });
      if (why) add(`${path}.Engine.Params.WorkingDirectory`, `working directory '${wd}' ${why}`, "use an absolute path such as '/app'");
    }
    const env = params.EnvironmentVariables;
    if (Array.isArray(env)) {
      env.forEach((e, i) => {
        const name = typeof e === "string" ? e.split("=", 1)[0]! : "";
        if (!ENV_NAME_RE.test(name.toUpperCase()) || typeof e !== "string" || !e.includes("=")) {
          add(`${path}.Engine.Params.EnvironmentVariables[${i}]`, `invalid environment variable '${String(e).slice(0, 64)}'`,
            "write each one as NAME=value, NAME made of letters, digits and '_'");
        }
      });
    }
    const known = new Set(DOCKER_PARAM_KEYS.map((k) => k.toLowerCase()));
    for (const key of Object.keys(params).filter((k) => !known.has(k.toLowerCase()))) {
      add(`${path}.Engine.Params.${key}`,
        `docker engine param ${key} is not allowed: docker jobs get no host privileges, devices, host namespaces, extra mounts or security options`,
        `remove it; the docker engine accepts ${DOCKER_PARAM_KEYS.join(", ")}`);
    }
  }
}

function inputProblems(task: Task, path: string, add: Add): void {
  const targets = new Set<string>();
  const aliases = new Set<string>();
  (task.InputSources ?? []).forEach((s, i) => {
    const p = `${path}.InputSources[${i}]`;
    if (!s.Source?.Type) add(`${p}.Source.Type`, "input source type is required", "set Source.Type, e.g. 'urlDownload'");
    const why = s.Target ? jobPathProblem(s.Target, { absolute: false }) : undefined;
    if (!s.Target) add(`${p}.Target`, "input source target is required", "set Target to the path to mount at");
    else if (why) add(`${p}.Target`, `input source target '${s.Target}' ${why}`, "set Target to a path such as '/inputs/data'");
    else if (targets.has(jobPathKey(s.Target))) {
      add(`${p}.Target`, `input source with target '${s.Target}' already exists`, "give every input source its own Target");
    }
    if (s.Alias && aliases.has(s.Alias)) {
      add(`${p}.Alias`, `input source with alias '${s.Alias}' already exists`, "give every input source its own Alias");
    }
    if (s.Target) targets.add(jobPathKey(s.Target));
    if (s.Alias) aliases.add(s.Alias);
  });
}

function modulePathProblem(module: string, field: string, add: Add): void {
  const why = jobPathProblem(module, { absolute: false });
  if (why) add(field, `module path '${module}' ${why}`, "name the module by the Target of the input that holds it");
}

function resultPathProblems(task: Task, path: string, add: Add): void {
  const names = new Set<string>();
  const paths = new Set<string>();
  const targets = (task.InputSources ?? []).map((s) => s.Target).filter(Boolean);
  (task.ResultPaths ?? []).forEach((r, i) => {
    const p = `${path}.ResultPaths[${i}]`;
    const badName = r.Name ? resultNameProblem(r.Name) : undefined;
    if (!r.Name) add(`${p}.Name`, "result path name is required", "name the result path, e.g. 'outputs'");
    else if (badName) add(`${p}.Name`, `result path name '${r.Name}' ${badName}`, "use a plain name such as 'outputs'");
    else if (names.has(r.Name.toLowerCase())) add(`${p}.Name`, `result path with name '${r.Name}' already exists`, "use unique names");
    const badPath = r.Path ? jobPathProblem(r.Path, { absolute: true }) : undefined;
    const input = r.Path ? targets.find((t) => pathsOverlap(t, r.Path)) : undefined;
    if (!r.Path) add(`${p}.Path`, "result path is required", "set Path to an absolute path, e.g. '/outputs'");
    else if (badPath) add(`${p}.Path`, `result path '${r.Path}' ${badPath}`, "set Path to an absolute path such as '/outputs'");
    else if (paths.has(r.Path)) add(`${p}.Path`, `result path '${r.Path}' already exists`, "use unique paths");
    else if (input) {
      add(`${p}.Path`, `result path '${r.Path}' overlaps input target '${input}'`,
        "keep results in a folder of their own, apart from the inputs");
    }
    if (r.Name) names.add(r.Name.toLowerCase());
    if (r.Path) paths.add(r.Path);
  });
}

function envProblems(task: Task, path: string, add: Add): void {
  for (const [name, value] of Object.entries(task.Env ?? {})) {
    const p = `${path}.Env.${name}`;
    if (!ENV_NAME_RE.test(name)) {
      add(p, `invalid environment variable name '${name}'`,
        "use upper-case letters, digits and '_', starting with a letter");
    } else if (name.startsWith("BACALHAU_")) {
      add(p, `environment variable '${name}' uses the reserved prefix BACALHAU_`, "rename the variable");
    }
    if (value === "") add(p, `environment variable '${name}' has an empty value`, "give it a value or remove it");
  }
}

function timeoutProblems(task: Task, path: string, add: Add): void {
  const t = task.Timeouts ?? {};
  const exec = t.ExecutionTimeout ?? 0;
  const queue = t.QueueTimeout ?? 0;
  const total = t.TotalTimeout ?? 0;
  for (const [k, v] of [["ExecutionTimeout", exec], ["QueueTimeout", queue], ["TotalTimeout", total]] as const) {
    if (!Number.isInteger(v) || v < 0) add(`${path}.Timeouts.${k}`, `${k} must be >= 0 seconds, got ${v}`, "use 0 for no timeout");
  }
  if (total > 0 && exec + queue > total) {
    add(`${path}.Timeouts.TotalTimeout`,
      `ExecutionTimeout (${exec}s) + QueueTimeout (${queue}s) exceeds TotalTimeout (${total}s)`,
      "raise TotalTimeout or lower the other two");
  }
}

function networkProblems(task: Task, path: string, add: Add): void {
  const net = task.Network;
  if (!net) return;
  const p = `${path}.Network`;
  if (!NETWORK_TYPES.has(net.Type)) {
    add(`${p}.Type`, `invalid network type '${net.Type}'`, `use one of ${[...NETWORK_TYPES].join(", ")}`);
    return;
  }
  const domains = net.Domains ?? [];
  if (domains.length > 0 && net.Type !== NetworkType.HTTP) {
    add(`${p}.Domains`, `domains can only be set with network type HTTP, not ${net.Type}`,
      "set Network.Type to HTTP or remove Domains");
  }
  domains.forEach((d, i) => {
    if (!isValidDomain(d)) add(`${p}.Domains[${i}]`, `invalid domain '${d}'`, "use a domain name such as 'example.org' or an IP");
  });
  const ports = net.Ports ?? [];
  const portTypes: ReadonlySet<string> = new Set([NetworkType.Host, NetworkType.Full, NetworkType.Bridge]);
  if (ports.length > 0 && !portTypes.has(net.Type)) {
    add(`${p}.Ports`, `ports can only be set with network type Host, Full or Bridge, not ${net.Type}`,
      "change Network.Type or remove Ports");
  }
  ports.forEach((port, i) => {
    if (!port.Name) add(`${p}.Ports[${i}].Name`, "port mapping name is required", "name the port, e.g. 'http'");
    for (const k of ["Static", "Target"] as const) {
      const v = port[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 65535)) {
        add(`${p}.Ports[${i}].${k}`, `port ${k} must be 0-65535, got ${v}`, "use a valid TCP port");
      }
    }
  });
}
