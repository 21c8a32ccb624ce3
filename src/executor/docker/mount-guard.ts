/**
 * Every bind mount the docker executor asks for, checked here whatever the submission checks did:
 * a job's container runs as root on the host's kernel, so one mount of a host folder chosen by a
 * job field (a ResultPath Name with `../`, a symlinked input folder, an absolute name) would hand
 * the host to the job.
 *
 * A host source must resolve (symlinks included) inside the execution's own folder or inside an
 * allow-listed local input path (read-write only under a `:rw` entry); the resolved path is what
 * Docker mounts, so a link swapped in later is not followed. A container target must be absolute,
 * normalised, and stay out of the kernel's file systems (/proc, /sys, /dev) and the engine socket.
 */
import { realpath } from "node:fs/promises";
import { basename, dirname, join, posix } from "node:path";
import { checkAllowed, parseAllowedPath, resolveAllowList, type AllowedPath } from "../../storage/local/allow-list.ts";
import type { ExecutionRequest } from "../executor.ts";
import type { MountSpec } from "./engine.ts";

/** Container paths no mount may cover or sit under: the kernel's views and the engine socket. */
const FORBIDDEN_TARGETS = ["/proc", "/sys", "/dev", "/var/run/docker.sock", "/run/docker.sock"];

const under = (path: string, root: string): boolean =>
  root === "/" || path === root || path.startsWith(root + "/");

export class MountRefused extends Error {}

/** `target` as the container path it names, or a refusal saying what to write instead. */
export function containerTarget(target: string, field: string): string {
  // A trailing "/" names the same folder; anything else that normalising would change is refused.
  const t = (target.startsWith("/") ? target : `/${target}`).replace(/(.)\/+$/, "$1");
  if (t.includes("\0")) throw new MountRefused(`${field} ${JSON.stringify(target)} holds a NUL character`);
  const normal = posix.normalize(t);
  if (normal !== t || t.split("/").some((s) => s === "..")) {
    throw new MountRefused(`${field} ${JSON.stringify(target)} must be a normalised absolute container path (no '.', '..' or '//'), e.g. ${JSON.stringify(normal.replace(/(.)\/$/, "$1"))}`);
  }
  if (t === "/") throw new MountRefused(`${field} cannot be the container's root folder /`);
  const bad = FORBIDDEN_TARGETS.find((f) => under(t, f));
  if (bad) throw new MountRefused(`${field} ${JSON.stringify(target)} is inside ${bad}, which jobs cannot mount over`);
  return t;
}

/**
 * The execution's own folder: `<executions>/<executionID>` when resultsDir sits there (the compute
 * node's layout), else only resultsDir itself, so a caller's other layout never widens it.
 */
export function executionFolder(req: ExecutionRequest): string {
  const parent = dirname(req.resultsDir);
  return basename(parent) === req.executionID ? parent : req.resultsDir;
}

export interface MountPolicy {
  /** `Compute.AllowListedLocalPaths` entries, e.g. `/data` or `/scratch:rw`. */
  allowListedLocalPaths: string[];
}

async function resolved(path: string, field: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    throw new MountRefused(`${field}: host path for the mount cannot be resolved (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * Builds a checker for one node; the allow-list's own symlinks are resolved once. The mounts come
 * back in order: one per input, then one per ResultPath.
 */
export function mountGuard(policy: MountPolicy): (req: ExecutionRequest) => Promise<MountSpec[]> {
  const list: AllowedPath[] = policy.allowListedLocalPaths.filter((e) => e.trim()).map(parseAllowedPath);
  let allowList: Promise<AllowedPath[]> | undefined;
  return async (req) => {
    const own = await resolved(executionFolder(req), "execution folder");
    const results = await resolved(req.resultsDir, "results folder");
    if (!under(results, own)) throw new MountRefused("the results folder lies outside the execution's folder");
    const mounts: MountSpec[] = [];
    const targets = new Set<string>();
    const add = (m: MountSpec, field: string) => {
      if (targets.has(m.Target)) throw new MountRefused(`${field}: ${m.Target} is mounted twice`);
      targets.add(m.Target);
      mounts.push(m);
    };
    for (const [i, v] of req.inputs.entries()) {
      const field = `InputSources[${i}].Target`;
      const target = containerTarget(v.target, field);
      const source = await resolved(v.hostPath, `InputSources[${i}]`);
      if (source === own) throw new MountRefused(`InputSources[${i}]: the execution's own folder cannot be mounted`);
      if (!under(source, own)) {
        const decision = checkAllowed(await (allowList ??= resolveAllowList(list)), source, !v.readOnly);
        if (!decision.ok) throw new MountRefused(`InputSources[${i}]: ${decision.reason}`);
      }
      add({ Type: "bind", Source: source, Target: target, ReadOnly: v.readOnly }, field);
    }
    for (const [i, o] of req.outputs.entries()) {
      const field = `ResultPaths[${i}]`;
      const target = containerTarget(o.Path, `${field}.Path`);
      if (o.Name === "" || o.Name === "." || o.Name === ".." || /[/\\\0]/.test(o.Name)) {
        throw new MountRefused(`${field}.Name ${JSON.stringify(o.Name)} must be a plain folder name (no '/', '\\' or '..')`);
      }
      const source = await resolved(join(req.resultsDir, o.Name), `${field}.Name`);
      if (source === results || !under(source, results)) {
        throw new MountRefused(`${field}.Name ${JSON.stringify(o.Name)} leads outside the execution's results folder`);
      }
      add({ Type: "bind", Source: source, Target: target, ReadOnly: false }, `${field}.Path`);
    }
    return mounts;
  };
}
