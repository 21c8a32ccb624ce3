/**
 * The compute node's log manager: one log per execution, kept as JSON lines on disk (stdout and
 * stderr interleaved in the order they arrived) and fanned out live to followers. `job logs`
 * reads the stored part first and then follows until the execution ends.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import type { ExecutionLog } from "../models/types.ts";

interface Live {
  file: string;
  /** Opened on the first entry and kept until the end: one open per execution, not per chunk. */
  fd?: number;
  listeners: Set<(log: ExecutionLog | null) => void>;
  decoders: [TextDecoder, TextDecoder];
  ended: boolean;
}

export class LogManager {
  readonly #live = new Map<string, Live>();
  readonly #fileOf: (executionID: string) => string;

  constructor(fileOf: (executionID: string) => string) {
    this.#fileOf = fileOf;
  }

  /** Where the execution's log is kept. */
  fileOf(executionID: string): string {
    return this.#fileOf(executionID);
  }

  /**
   * Starts the execution's log. `fd`, when given, is the log file already opened for appending
   * (the runner opens it with the execution's other files); it is closed with the log.
   */
  open(executionID: string, fd?: number): void {
    this.#live.set(executionID, {
      file: this.#fileOf(executionID),
      fd,
      listeners: new Set(),
      decoders: [new TextDecoder(), new TextDecoder()],
      ended: false,
    });
  }

  write(executionID: string, type: 1 | 2, chunk: Uint8Array): void {
    const live = this.#live.get(executionID);
    if (!live || live.ended) return;
    const text = live.decoders[type - 1].decode(chunk, { stream: true });
    if (text.length === 0) return;
    const entry: ExecutionLog = { Type: type, Line: text };
    live.fd ??= openSync(live.file, "a", 0o600);
    writeSync(live.fd, JSON.stringify(entry) + "\n");
    for (const l of live.listeners) l(entry);
  }

  /** Marks the end of the execution's output; followers finish. */
  close(executionID: string): void {
    const live = this.#live.get(executionID);
    if (!live) return;
    live.ended = true;
    if (live.fd !== undefined) closeSync(live.fd);
    live.fd = undefined;
    for (const l of live.listeners) l(null);
    this.#live.delete(executionID);
  }

  isLive(executionID: string): boolean {
    return this.#live.has(executionID);
  }

  #stored(executionID: string): ExecutionLog[] {
    const file = this.#fileOf(executionID);
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as ExecutionLog);
  }

  /** Stored entries (the last `tail` lines when set), then live ones while `follow` and the execution runs. */
  async *stream(executionID: string, opts: { tail?: number; follow: boolean }, signal: AbortSignal): AsyncIterable<ExecutionLog> {
    const live = this.#live.get(executionID);
    const pending: Array<ExecutionLog | null> = [];
    let wake: (() => void) | undefined;
    const listener = (log: ExecutionLog | null) => {
      pending.push(log);
      wake?.();
    };
    // Subscribing and reading the file are both synchronous, so every entry is in exactly one of them.
    if (opts.follow && live) live.listeners.add(listener);
    try {
      let stored = this.#stored(executionID);
      if (opts.tail && opts.tail > 0) stored = tailLines(stored, opts.tail);
      for (const e of stored) yield e;
      if (!opts.follow || !live) return;
      while (!signal.aborted) {
        if (pending.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            signal.addEventListener("abort", () => resolve(), { once: true });
          });
          wake = undefined;
          continue;
        }
        const next = pending.shift() as ExecutionLog | null;
        if (next === null) return;
        yield next;
      }
    } finally {
      live?.listeners.delete(listener);
    }
  }
}

/** The entries holding the last n lines of text. */
function tailLines(entries: ExecutionLog[], n: number): ExecutionLog[] {
  let lines = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    lines += entries[i].Line.split("\n").length - (entries[i].Line.endsWith("\n") ? 1 : 0);
    if (lines >= n) return entries.slice(i);
  }
  return entries;
}
