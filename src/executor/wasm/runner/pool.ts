/**
 * Warm runner processes, so a trivial job does not pay a process start: the pool keeps `spare`
 * idle runners ready (default 1) and lets the total grow to `max` (the node's slot count). When
 * all `max` runners are busy, a job waits for one to come back rather than paying for a process
 * that would be killed right after. A runner that was killed or died is dropped and replaced.
 * Nothing is spawned before first use (or `warmUp()`). Runners beyond `spare` that a burst left
 * idle are stopped once the pool has seen no use for `idleTrimMs`: each is a process of some 60 MB.
 */
import os from "node:os";
import { setTimeout, clearTimeout } from "node:timers";
import { RunnerProcess } from "./process.ts";
import type { RunnerSandbox } from "./sandbox.ts";

/** How long surplus idle runners are kept after the last job, by default. */
export const DEFAULT_IDLE_TRIM_MS = 30_000;

export interface RunnerPoolOptions {
  /** Idle runners kept ready beyond the busy ones. Default 1. */
  spare?: number;
  /** Most runners kept alive at once (busy + idle). Default: available parallelism. */
  max?: number;
  /** Quiet time after which idle runners beyond `spare` are stopped. Default 30 s; 0 never trims. */
  idleTrimMs?: number;
  /** What runners may touch and who they run as (see sandbox.ts). */
  sandbox?: RunnerSandbox;
}

export class RunnerPool {
  readonly #spare: number;
  readonly #max: number;
  readonly #idleTrimMs: number;
  #lastUse = 0;
  #trimTimer: ReturnType<typeof setTimeout> | undefined;
  #idle: RunnerProcess[] = [];
  readonly #busy = new Set<RunnerProcess>();
  readonly #waiting: Array<() => void> = [];
  /** Runners on their way out, so close() can wait for them too. */
  readonly #stopping = new Set<RunnerProcess>();
  #closed = false;
  readonly #sandbox: RunnerSandbox | undefined;
  /** The heap class spares are started with: the last one asked for. */
  #spareHeapMb: number | undefined;

  constructor(opts: RunnerPoolOptions = {}) {
    this.#sandbox = opts.sandbox;
    this.#max = Math.max(1, opts.max ?? os.availableParallelism());
    this.#spare = Math.min(Math.max(0, opts.spare ?? 1), this.#max);
    this.#idleTrimMs = Math.max(0, opts.idleTrimMs ?? DEFAULT_IDLE_TRIM_MS);
  }

  /** Runners alive now, busy or idle (tests and benchmarks look at it). */
  get size(): number {
    return this.#idle.filter((r) => r.alive).length + this.#busy.size;
  }

  /** Starts the spare runners now instead of on the first job. */
  async warmUp(): Promise<void> {
    this.#topUp();
    await Promise.allSettled(this.#idle.map((r) => r.ready));
  }

  /**
   * Hands out a ready runner of heap class `heapMb` (the V8 heap limit a job's memory limit maps
   * to; undefined = unlimited); the caller must give it back with `release`. An idle runner of
   * another class is stopped to make room when the pool is full.
   */
  async acquire(heapMb?: number): Promise<RunnerProcess> {
    if (this.#closed) throw new Error("runner pool is closed");
    this.#lastUse = performance.now();
    this.#spareHeapMb = heapMb;
    this.#idle = this.#idle.filter((r) => r.alive);
    while (this.#idle.length === 0 && this.#busy.size >= this.#max) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
      if (this.#closed) throw new Error("runner pool is closed");
      this.#idle = this.#idle.filter((r) => r.alive);
    }
    const fits = this.#idle.filter((r) => r.heapMb === heapMb);
    // A runner that is already up beats one still starting.
    const pick = fits.find((r) => r.isReady) ?? fits[0];
    if (pick) this.#idle.splice(this.#idle.indexOf(pick), 1);
    else if (this.#idle.length + this.#busy.size >= this.#max) this.#retire(this.#idle.shift()!);
    const runner = pick ?? this.#spawn(heapMb);
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

  /**
   * Takes a runner back; one that is dead, was killed, is surplus or is `spent` (its job trapped,
   * ran out of memory or was stopped: its process may hold anything that job left) is stopped.
   */
  release(runner: RunnerProcess, spent = false): void {
    this.#busy.delete(runner);
    if (spent) runner.kill();
    if (!spent && !this.#closed && runner.alive && !runner.busy && this.#idle.length + this.#busy.size < this.#max) {
      this.#idle.push(runner);
    } else {
      this.#retire(runner);
    }
    this.#topUp();
    this.#waiting.shift()?.();
    this.#lastUse = performance.now();
    this.#armTrim(this.#idleTrimMs);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#trimTimer) clearTimeout(this.#trimTimer);
    const all = [...this.#idle, ...this.#busy];
    this.#idle = [];
    this.#busy.clear();
    for (const r of all) r.kill();
    for (const wake of this.#waiting.splice(0)) wake();
    await Promise.all([...all, ...this.#stopping].map((r) => r.exited));
  }

  #retire(runner: RunnerProcess): void {
    this.#stopping.add(runner);
    void runner.stop().then(() => this.#stopping.delete(runner));
  }

  #armTrim(delayMs: number): void {
    if (this.#idleTrimMs === 0 || this.#trimTimer || this.#closed || this.#idle.length <= this.#spare) return;
    this.#trimTimer = setTimeout(() => this.#trim(), delayMs);
    // A quiet pool must not keep the process alive just to trim itself.
    this.#trimTimer.unref();
  }

  #trim(): void {
    this.#trimTimer = undefined;
    const quietFor = performance.now() - this.#lastUse;
    if (quietFor < this.#idleTrimMs) {
      this.#armTrim(this.#idleTrimMs - quietFor);
      return;
    }
    this.#idle = this.#idle.filter((r) => r.alive);
    for (const runner of this.#idle.splice(0, Math.max(0, this.#idle.length - this.#spare))) this.#retire(runner);
  }

  #topUp(): void {
    if (this.#closed) return;
    while (this.#idle.length < this.#spare && this.#idle.length + this.#busy.size < this.#max) {
      this.#idle.push(this.#spawn(this.#spareHeapMb));
    }
  }

  #spawn(heapMb: number | undefined): RunnerProcess {
    return new RunnerProcess({ sandbox: this.#sandbox, heapMb });
  }
}
