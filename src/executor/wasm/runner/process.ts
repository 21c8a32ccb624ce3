/**
 * The node's handle on one runner process: spawns it with the node's own runtime (Node or Deno),
 * sends it jobs, streams the job's output to a LogSink, and kills it (SIGKILL) when a job must stop
 * at once, which is the only way to stop a busy wasm loop on both runtimes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import process from "node:process";
import { compileCacheEnv } from "../../../runtime/compile-cache.ts";
import { processEntry } from "../../../runtime/entries.ts";
import { scriptCommand } from "../../../runtime/which.ts";
import type { LogSink } from "../../executor.ts";
import { canGuard, startGuard, type RunnerGuard } from "./guard.ts";
import { defaultSandbox, runnerCacheEnv, runnerEnv, runtimeFlags, type RunnerSandbox } from "./sandbox.ts";
import { decodeMessage, encodeMessage, FrameDecoder, FrameKind, type FromRunner, type RunnerJob,
  type RunnerResult } from "./protocol.ts";

const MAIN = processEntry(import.meta.url, "./main.ts", "runner");
const STDERR_TAIL = 4096;
/** How V8 (under Node and Deno) says a heap limit was reached before it aborts the process. */
const HEAP_OOM = /heap out of memory|Reached heap limit|Fatal JavaScript out of memory/i;

/** `watchPid` 0: the runner starts no watchdog thread of its own (a guard process watches instead). */
function command(watchPid: number, flags: string[]): [string, string[]] {
  return scriptCommand(MAIN, flags, [String(watchPid)]);
}

export interface RunnerOptions {
  /** What the runner may touch and who it runs as; default: see defaultSandbox(). */
  sandbox?: RunnerSandbox;
  /** V8 old-space limit in MiB (bounds the job's GC objects); undefined = the runtime's default. */
  heapMb?: number;
}

interface PendingJob {
  logs: LogSink;
  resolve(result: RunnerResult): void;
}

export class RunnerProcess {
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  #child: ChildProcess;
  #guard: RunnerGuard | undefined;
  #pending: PendingJob | undefined;
  #alive = true;
  #ready = false;
  #stderrTail = "";

  /** The V8 heap class this runner was started with (jobs of another class need another runner). */
  readonly heapMb: number | undefined;

  constructor(opts: RunnerOptions = {}) {
    const guarded = canGuard();
    const box = opts.sandbox ?? defaultSandbox();
    this.heapMb = opts.heapMb;
    const cache = box.user ? runnerCacheEnv(box) : compileCacheEnv();
    const [cmd, args] = command(guarded ? 0 : process.pid, runtimeFlags(box, opts.heapMb, Object.values(cache)));
    // An allow-list: a runner is not a test process either, even when the node runs under a test runner.
    const env = runnerEnv(process.env, cache);
    this.#child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env, uid: box.user?.uid, gid: box.user?.gid });
    // Before any job is sent: until then an orphaned runner ends on the EOF of its input by itself.
    if (guarded && this.#child.pid !== undefined) this.#guard = startGuard(this.#child.pid);
    const { promise: ready, resolve: onReady, reject: notReady } = Promise.withResolvers<void>();
    this.ready = ready;
    ready.catch(() => {}); // observed by whoever acquires this runner
    this.exited = new Promise<void>((resolve) => {
      this.#child.once("exit", (code, signal) => {
        this.#alive = false;
        const why = HEAP_OOM.test(this.#stderrTail)
          ? `wasm error: memory limit exceeded (the job's objects outgrew the runner's ${this.heapMb ?? "default"} MiB heap)`
          : `wasm runner exited unexpectedly (${signal ?? `code ${code}`})` +
            (this.#stderrTail.trim() ? `: ${this.#stderrTail.trim()}` : "");
        notReady(new Error(why));
        this.#finish(HEAP_OOM.test(this.#stderrTail) ? { exitCode: 1, errorMsg: why } : { exitCode: -1, errorMsg: why });
        // Exited means nothing of this runner is left, its guard included.
        void (this.#guard?.release() ?? Promise.resolve()).then(() => resolve());
      });
    });
    this.#child.once("error", (err) => notReady(err));
    this.#child.stdin?.on("error", () => {}); // a dead runner is reported through "exit"
    this.#child.stderr?.on("data", (chunk: Uint8Array) => {
      this.#stderrTail = (this.#stderrTail + new TextDecoder().decode(chunk)).slice(-STDERR_TAIL);
    });
    const decoder = new FrameDecoder();
    this.#child.stdout?.on("data", (chunk: Uint8Array) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.kind === FrameKind.Stdout) this.#pending?.logs.stdout(frame.payload);
        else if (frame.kind === FrameKind.Stderr) this.#pending?.logs.stderr(frame.payload);
        else {
          const message = decodeMessage<FromRunner>(frame.payload);
          if (message.type === "ready") {
            this.#ready = true;
            onReady();
          }
          else this.#finish(message.result);
        }
      }
    });
  }

  /** The runner's process id (tests and benchmarks look at it). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Started and waiting for jobs. */
  get isReady(): boolean {
    return this.#ready && this.#alive;
  }

  get busy(): boolean {
    return this.#pending !== undefined;
  }

  /** Runs one job; resolves with its result (or an error result if the runner dies). */
  run(job: RunnerJob, logs: LogSink): Promise<RunnerResult> {
    if (this.#pending) throw new Error("runner is busy");
    if (!this.#alive) return Promise.resolve({ exitCode: -1, errorMsg: "wasm runner is not running" });
    const { promise, resolve } = Promise.withResolvers<RunnerResult>();
    this.#pending = { logs, resolve };
    this.#child.stdin?.write(encodeMessage({ type: "run", job }));
    return promise;
  }

  /** Stops the runner at once, whatever it is doing. */
  kill(): void {
    if (this.#alive) this.#child.kill("SIGKILL");
  }

  /** Ends an idle runner politely (it exits when its input closes). */
  async stop(): Promise<void> {
    if (!this.#alive) return;
    if (this.#pending) this.kill();
    else this.#child.stdin?.end();
    await this.exited;
  }

  #finish(result: RunnerResult): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.resolve(result);
  }
}
