/**
 * Warm runner processes, so a trivial job does not pay a process start: the pool keeps `spare`
 * idle runners ready (default 1) and lets the total grow to `max` (the node's slot count). When
 * all `max` runners are busy, a job waits for one to come back rather than paying for a process
 * that would be killed right after. A runner that was killed or died is dropped and replaced.
 * Nothing is spawned before first use (or `warmUp()`).
 */
import os from "node:os";
import { RunnerProcess } from "./process.ts";

export interface RunnerPoolOptions {
  /** Idle runners kept ready beyond the busy ones. Default 1. */
  spare?: number;
  /** Most runners kept alive at once (busy + idle). Default: available parallelism. */
  max?: number;
}

export class RunnerPool {
  readonly #spare: number;
  readonly #max: number;
  #idle: RunnerProcess[] = [];
  readonly #busy = new Set<RunnerProcess>();
  readonly #waiting: Array<() => void> = [];
  #closed = false;

  constructor(opts: RunnerPoolOptions = {}) {
    this.#max = Math.max(1, opts.max ?? os.availableParallelism());
    this.#spare = Math.min(Math.max(0, opts.spare ?? 1), this.#max);
  }

  /** Starts the spare runners now instead of on the first job. */
  async warmUp(): Promise<void> {
    this.#topUp();
    await Promise.allSettled(this.#idle.map((r) => r.ready));
  }

  /** Hands out a ready runner; the caller must give it back with `release`. */
  async acquire(): Promise<RunnerProcess> {
    if (this.#closed) throw new Error("runner pool is closed");
    this.#idle = this.#idle.filter((r) => r.alive);
    while (this.#idle.length === 0 && this.#busy.size >= this.#max) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
      if (this.#closed) throw new Error("runner pool is closed");
      this.#idle = this.#idle.filter((r) => r.alive);
    }
    // A runner that is already up beats one still starting.
    const index = Math.max(0, this.#idle.findIndex((r) => r.isReady));
    const runner = this.#idle.splice(index, 1)[0] ?? new RunnerProcess();
    this.#busy.add(runner);
    this.#topUp();
    try {
      await runner.ready;
    } catch (err) {
      this.#busy.delete(runner);
      runner.kill();
      throw err;
    }
    return runner;
  }

  /** Takes a runner back; one that is dead, was killed or is surplus is stopped. */
  release(runner: RunnerProcess): void {
    this.#busy.delete(runner);
    if (!this.#closed && runner.alive && !runner.busy && this.#idle.length + this.#busy.size < this.#max) {
      this.#idle.push(runner);
    } else {
      void runner.stop();
    }
    this.#topUp();
    this.#waiting.shift()?.();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#idle, ...this.#busy];
    this.#idle = [];
    this.#busy.clear();
    for (const r of all) r.kill();
    for (const wake of this.#waiting.splice(0)) wake();
    await Promise.all(all.map((r) => r.exited));
  }

  #topUp(): void {
    if (this.#closed) return;
    while (this.#idle.length < this.#spare && this.#idle.length + this.#busy.size < this.#max) {
      this.#idle.push(new RunnerProcess());
    }
  }
}
