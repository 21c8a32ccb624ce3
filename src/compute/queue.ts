/**
 * The compute node's execution queue (Bacalhau's ExecutorBuffer): accepted executions wait here,
 * highest Job.Priority first and FIFO within a priority, until the node's free capacity can hold them.
 */
import type { Resources } from "../models/types.ts";

export interface QueuedItem {
  executionID: string;
  priority: number;
  resources: Resources;
  seq: number;
}

export class ExecutionQueue {
  #items: QueuedItem[] = [];
  #seq = 0;

  push(item: Omit<QueuedItem, "seq">): void {
    this.#items.push({ ...item, seq: this.#seq++ });
    this.#items.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
  }

  remove(executionID: string): boolean {
    const before = this.#items.length;
    this.#items = this.#items.filter((i) => i.executionID !== executionID);
    return this.#items.length !== before;
  }

  /** Removes and returns the first item that fits. A big job at the head does not starve smaller ones. */
  takeFitting(fits: (r: Resources) => boolean): QueuedItem | undefined {
    const i = this.#items.findIndex((it) => fits(it.resources));
    if (i < 0) return undefined;
    return this.#items.splice(i, 1)[0];
  }

  get size(): number {
    return this.#items.length;
  }

  totalResources(): Resources {
    return this.#items.reduce(
      (acc, i) => ({ CPU: acc.CPU + i.resources.CPU, Memory: acc.Memory + i.resources.Memory, Disk: acc.Disk + i.resources.Disk, GPU: acc.GPU + i.resources.GPU }),
      { CPU: 0, Memory: 0, Disk: 0, GPU: 0 },
    );
  }
}
