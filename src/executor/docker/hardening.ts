/**
 * The least privilege every job container gets: no Linux capabilities, no privilege gain through
 * setuid binaries, a ceiling on processes (a fork bomb exhausts its own container, not the host's
 * PID space), and, when the operator asks, a non-root user and a read-only root file system with
 * a writable /tmp.
 */
import type { HostConfigSpec } from "./engine.ts";

export const DEFAULT_PIDS_LIMIT = 1024;

export interface ContainerHardening {
  /** Most processes (and threads) the container may hold at once. */
  pidsLimit: number;
  /** `uid[:gid]` the job runs as; empty keeps the image's user. */
  user: string;
  readOnlyRootfs: boolean;
}

export function hardening(opts: Partial<ContainerHardening> = {}): ContainerHardening {
  const pidsLimit = opts.pidsLimit ?? DEFAULT_PIDS_LIMIT;
  if (!Number.isInteger(pidsLimit) || pidsLimit < 1) {
    throw new Error(`docker pids limit must be a whole number of at least 1, got ${pidsLimit}`);
  }
  const user = (opts.user ?? "").trim();
  if (user !== "" && !/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/.test(user)) {
    throw new Error(`docker user must be uid[:gid] or a user name, got ${JSON.stringify(user)}`);
  }
  return { pidsLimit, user, readOnlyRootfs: opts.readOnlyRootfs ?? false };
}

export function hardenedHostConfig(h: ContainerHardening): HostConfigSpec {
  return {
    CapDrop: ["ALL"],
    SecurityOpt: ["no-new-privileges"],
    PidsLimit: h.pidsLimit,
    ...(h.readOnlyRootfs ? { ReadonlyRootfs: true, Tmpfs: { "/tmp": "rw,nosuid,nodev,mode=1777" } } : {}),
  };
}

/** The numeric owner a configured user stands for, so the node can hand it the output folders. */
export function numericOwner(user: string): { uid: number; gid: number } | undefined {
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!m) return undefined;
  const uid = Number(m[1]);
  return { uid, gid: m[2] === undefined ? uid : Number(m[2]) };
}
