/**
 * The rules every job-supplied name or path obeys before it can become part of a host path: a
 * ResultPath name is one safe folder name, and a path inside the job is normalised with no `..`.
 * Submission validation and the compute node (which must not trust its orchestrator) share them.
 *
 * @example
 * ```ts
 * resultNameProblem("../etc");   // "must be one folder name of letters, digits, '.', '_' or '-'"
 * jobPathProblem("/outputs", { absolute: true }); // undefined
 * ```
 */
import type { Job } from "./types.ts";

/** Files the compute node writes next to the result folders: a ResultPath may not take their name. */
export const RESERVED_RESULT_NAMES: ReadonlySet<string> = new Set(["stdout", "stderr", "exitcode"]);

const SAFE_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Why `name` cannot name a result folder, or undefined when it can. */
export function resultNameProblem(name: string): string | undefined {
  if (!SAFE_NAME_RE.test(name)) return "must be one folder name of letters, digits, '.', '_' or '-' (no '/', no '..')";
  if (RESERVED_RESULT_NAMES.has(name.toLowerCase())) return "is reserved for the execution's stdout, stderr and exitCode files";
  return undefined;
}

/**
 * Why `path` is not an acceptable path inside the job's filesystem, or undefined. Relative paths
 * (the wasm job filesystem reads them from its root) are allowed unless `absolute` is set.
 */
export function jobPathProblem(path: string, opts: { absolute: boolean }): string | undefined {
  if (path.includes("\0")) return "must not contain a NUL character";
  if (opts.absolute && !path.startsWith("/")) return "must be absolute (start with '/')";
  if (path === "/") return "must not be the root folder '/'";
  const segments = (path.startsWith("/") ? path.slice(1) : path).split("/");
  if (segments.includes("..")) return "must not contain '..'";
  if (segments.some((s) => s === "" || s === ".")) return "must be normalised (no '.', '//' or trailing '/')";
  return undefined;
}

/** The absolute form of a path inside the job (relative ones start at the job's root). */
export function jobPathKey(path: string): string {
  return path.startsWith("/") ? path : `/${path}`;
}

/** True when one path is the other or lies inside it. */
export function pathsOverlap(a: string, b: string): boolean {
  const [x, y] = [jobPathKey(a), jobPathKey(b)];
  return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
}

/** An execution ID as a compute node accepts it: it names a folder and a results file. */
export function executionIDProblem(id: string): string | undefined {
  return SAFE_NAME_RE.test(id) && id.length <= 255 ? undefined : "is not a safe folder name";
}

/**
 * The first name or path of a job's task that could not safely become part of a host path or a
 * mount, as `{field, message}`; the compute node checks this itself before it makes anything.
 */
export function taskPathProblem(job: Job): { field: string; message: string } | undefined {
  const task = job.Tasks[0];
  if (!task) return undefined;
  const names = new Set<string>();
  for (const [i, r] of (task.ResultPaths ?? []).entries()) {
    const field = `Tasks[0].ResultPaths[${i}]`;
    const why = resultNameProblem(r.Name ?? "") ?? (names.has(r.Name.toLowerCase()) ? "is used twice" : undefined);
    if (why) return { field: `${field}.Name`, message: `result path name ${JSON.stringify(r.Name)} ${why}` };
    names.add(r.Name.toLowerCase());
    const bad = jobPathProblem(r.Path ?? "", { absolute: true });
    if (bad) return { field: `${field}.Path`, message: `result path ${JSON.stringify(r.Path)} ${bad}` };
  }
  for (const [i, s] of (task.InputSources ?? []).entries()) {
    const bad = jobPathProblem(s.Target ?? "", { absolute: false }) ?? (s.Target ? undefined : "is empty");
    if (bad) return { field: `Tasks[0].InputSources[${i}].Target`, message: `input target ${JSON.stringify(s.Target)} ${bad}` };
  }
  const wd = task.Engine?.Params?.WorkingDirectory;
  if (typeof wd === "string" && wd !== "") {
    const bad = jobPathProblem(wd, { absolute: true });
    if (bad) return { field: "Tasks[0].Engine.Params.WorkingDirectory", message: `working directory ${JSON.stringify(wd)} ${bad}` };
  }
  return undefined;
}
