/** What a compute node offers: each resource absolute ("2", "4Gb") or a share of the host ("80%"). */
import { statfsSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { parseBytes, parseCPU, parseGPU } from "../models/resources.ts";
import type { Resources } from "../models/types.ts";

function hostDisk(dir: string): number {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return 0; // unknown: disk is then never the reason a job waits
  }
}

function share(value: string, host: number, parse: (v: string) => number): number {
  const v = value.trim();
  if (v === "") return 0; // unset: unknown, never the reason a job waits
  const m = /^(\d+(?:\.\d+)?)%$/.exec(v);
  if (m) return (host * Number(m[1])) / 100;
  return parse(v);
}

export function hostCapacity(cfg: { CPU: string; Memory: string; Disk: string; GPU: string }, dataDir: string): Resources {
  return {
    CPU: share(cfg.CPU, availableParallelism(), (v) => parseCPU(v, "Compute.AllocatedCapacity.CPU")),
    Memory: Math.floor(share(cfg.Memory, totalmem(), (v) => parseBytes(v, "Compute.AllocatedCapacity.Memory"))),
    Disk: Math.floor(share(cfg.Disk, hostDisk(dataDir), (v) => parseBytes(v, "Compute.AllocatedCapacity.Disk"))),
    GPU: Math.floor(share(cfg.GPU, 0, (v) => parseGPU(v, "Compute.AllocatedCapacity.GPU"))),
  };
}
