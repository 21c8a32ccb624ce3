/**
 * Resource accounting of a compute node: what it offers in total, what running executions hold,
 * and what waits in its queue. The queue starts an execution only when its resources fit.
 */
import type { Resources } from "../models/types.ts";

export const ZERO: Resources = { CPU: 0, Memory: 0, Disk: 0, GPU: 0 };

export const add = (a: Resources, b: Resources): Resources => ({
  CPU: a.CPU + b.CPU,
  Memory: a.Memory + b.Memory,
  Disk: a.Disk + b.Disk,
  GPU: a.GPU + b.GPU,
});

export const sub = (a: Resources, b: Resources): Resources => ({
  CPU: Math.max(0, a.CPU - b.CPU),
  Memory: Math.max(0, a.Memory - b.Memory),
  Disk: Math.max(0, a.Disk - b.Disk),
  GPU: Math.max(0, a.GPU - b.GPU),
});

/** Disk is only compared when both sides know it: an unknown disk size never blocks a job. */
export function fits(need: Resources, free: Resources): boolean {
  const eps = 1e-9;
  return need.CPU <= free.CPU + eps && need.Memory <= free.Memory &&
    (need.Disk === 0 || free.Disk === 0 || need.Disk <= free.Disk) && need.GPU <= free.GPU;
}

/** Which resource does not fit, in words, for bid rejections. */
export function shortfall(need: Resources, have: Resources, what: string): string | undefined {
  if (need.CPU > have.CPU + 1e-9) return `job needs ${need.CPU} CPU but the node's ${what} is ${have.CPU}`;
  if (need.Memory > have.Memory) return `job needs ${need.Memory} bytes of memory but the node's ${what} is ${have.Memory}`;
  if (need.Disk > 0 && have.Disk > 0 && need.Disk > have.Disk) {
    return `job needs ${need.Disk} bytes of disk but the node's ${what} is ${have.Disk}`;
  }
  if (need.GPU > have.GPU) return `job needs ${need.GPU} GPU but the node's ${what} is ${have.GPU}`;
  return undefined;
}

export class CapacityTracker {
  readonly total: Resources;
  #running: Resources = ZERO;

  constructor(total: Resources) {
    this.total = total;
  }

  get available(): Resources {
    return sub(this.total, this.#running);
  }

  canRun(need: Resources): boolean {
    return fits(need, this.available);
  }

  allocate(need: Resources): void {
    this.#running = add(this.#running, need);
  }

  release(need: Resources): void {
    this.#running = sub(this.#running, need);
  }
}
