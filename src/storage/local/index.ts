/**
 * The `local` storage source (deprecated alias `localDirectory`): mounts a file or folder that
 * already lives on the compute node, when it lies inside the operator's allow-list. Symlinks are
 * resolved before the check, so a link inside an allowed folder cannot lead a job elsewhere.
 *
 * @example
 * ```ts
 * const local = createLocalSource({ allowListedLocalPaths: ["/data", "/scratch:rw"] });
 * local.validate({ Source: { Type: "local", Params: { SourcePath: "/etc" } }, Target: "/in" });
 * // → "local path /etc is not inside any allow-listed path (/data, /scratch:rw); …"
 * ```
 */
import { lstat, mkdir, open, realpath } from "node:fs/promises";
import { posix } from "node:path";
import type { PreparedVolume } from "../../executor/executor.ts";
import { BacalhauError } from "../../models/errors.ts";
import type { InputSource } from "../../models/types.ts";
import type { PrepareContext, StorageSource } from "../source.ts";
import { checkAllowed, parseAllowedPath, resolveAllowList } from "./allow-list.ts";
import type { AllowedPath } from "./allow-list.ts";

export interface LocalSourceOptions {
  /** `Compute.AllowListedLocalPaths`: e.g. `["/data", "/scratch:rw"]`. Empty disables the source. */
  allowListedLocalPaths: string[];
}

type CreateAs = "noCreate" | "dir" | "file";

interface LocalParams {
  sourcePath: string;
  readWrite: boolean;
  createAs: CreateAs;
}

const COMPONENT = "LocalStorage";
const CREATE_AS: Record<string, CreateAs> = { nocreate: "noCreate", dir: "dir", file: "file", "": "noCreate" };

function param(params: Record<string, unknown> | undefined, key: string): unknown {
  if (!params) return undefined;
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(params)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Typed params, or a reason the shape is wrong. */
function parseParams(input: InputSource): LocalParams | string {
  const p = input.Source.Params;
  const sourcePath = param(p, "SourcePath");
  if (typeof sourcePath !== "string" || sourcePath === "") {
    return 'local input needs Params.SourcePath, an absolute host path such as "/data/set1"';
  }
  if (!sourcePath.startsWith("/")) return `local Params.SourcePath must be absolute, got "${sourcePath}"`;
  const rw = param(p, "ReadWrite");
  let readWrite: boolean;
  if (rw === undefined || rw === null || typeof rw === "boolean") readWrite = rw === true;
  else if (typeof rw === "string" && /^(true|false)$/i.test(rw)) readWrite = rw.toLowerCase() === "true";
  else return `local Params.ReadWrite must be true or false, got ${JSON.stringify(rw)}`;
  const ca = param(p, "CreateAs") ?? "";
  const createAs = typeof ca === "string" ? CREATE_AS[ca.toLowerCase()] : undefined;
  if (!createAs) return `local Params.CreateAs must be noCreate, dir or file, got ${JSON.stringify(ca)}`;
  return { sourcePath: posix.normalize(sourcePath).replace(/(.)\/$/, "$1"), readWrite, createAs };
}

const exists = (path: string) => lstat(path).then(() => true, () => false);

export function createLocalSource(opts: LocalSourceOptions): StorageSource {
  const allowList: AllowedPath[] = opts.allowListedLocalPaths.filter((e) => e.trim()).map(parseAllowedPath);
  let resolved: Promise<AllowedPath[]> | undefined;
  const resolvedList = () => (resolved ??= resolveAllowList(allowList));

  function check(input: InputSource): LocalParams | string {
    const params = parseParams(input);
    if (typeof params === "string") return params;
    const decision = checkAllowed(allowList, params.sourcePath, params.readWrite);
    return decision.ok ? params : decision.reason;
  }

  function refuse(reason: string): BacalhauError {
    return BacalhauError.validation(reason, { component: COMPONENT, failsExecution: true });
  }

  /** Creates a missing source as CreateAs asks, inside an allowed path that permits writing. */
  async function create(params: LocalParams): Promise<void> {
    if (params.createAs === "noCreate") {
      throw refuse(`local path ${params.sourcePath} does not exist; create it on the node or set CreateAs to dir or file`);
    }
    // The nearest existing ancestor, resolved, decides where the new path would really land.
    let ancestor = posix.dirname(params.sourcePath);
    while (!(await exists(ancestor))) ancestor = posix.dirname(ancestor);
    const realTarget = posix.join(await realpath(ancestor), posix.relative(ancestor, params.sourcePath));
    const decision = checkAllowed(await resolvedList(), realTarget, true);
    if (!decision.ok) throw refuse(`cannot create ${params.sourcePath}: ${decision.reason}`);
    if (params.createAs === "dir") {
      await mkdir(params.sourcePath, { recursive: true });
    } else {
      await mkdir(posix.dirname(params.sourcePath), { recursive: true });
      await (await open(params.sourcePath, "a")).close();
    }
  }

  return {
    type: "local",
    isInstalled: () => Promise.resolve(allowList.length > 0),
    validate(input) {
      const result = check(input);
      return typeof result === "string" ? result : undefined;
    },
    async hasLocalCopy(input) {
      const params = check(input);
      return typeof params !== "string" && (await exists(params.sourcePath));
    },
    // The data is mounted in place, not copied, so it needs no disk space of the node's own.
    size: () => Promise.resolve(0),
    async prepare(input: InputSource, ctx: PrepareContext): Promise<PreparedVolume> {
      ctx.signal.throwIfAborted();
      const params = check(input);
      if (typeof params === "string") throw refuse(params);
      if (!(await exists(params.sourcePath))) await create(params);
      const real = await realpath(params.sourcePath);
      const decision = checkAllowed(await resolvedList(), real, params.readWrite);
      if (!decision.ok) {
        throw refuse(`local path ${params.sourcePath} resolves to ${real}, which is not allowed: ${decision.reason}`);
      }
      return { target: input.Target, hostPath: real, readOnly: !params.readWrite };
    },
  };
}
