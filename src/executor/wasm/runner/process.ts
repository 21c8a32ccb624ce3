/**
 * The node's handle on one runner process: spawns it with the node's own runtime (Node or Deno),
 * sends it jobs, streams the job's output to a LogSink, and kills it (SIGKILL) when a job must stop
 * at once, which is the only way to stop a busy wasm loop on both runtimes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import process from "node:process";
import { compileCacheEnv } from "../../../runtime/compile-cache.ts";
import { processEntry } from "../../../runtime/entries.ts";
import type { LogSink } from "../../executor.ts";
import { canGuard, startGuard, type RunnerGuard } from "./guard.ts";
import { decodeMessage, encodeMessage, FrameDecoder, FrameKind, type FromRunner, type RunnerJob,
  type RunnerResult } from "./protocol.ts";

const MAIN = processEntry(import.meta.url, "./main.ts", "runner");
const STDERR_TAIL = 4096;

/** `watchPid` 0: the runner starts no watchdog thread of its own (a guard process watches instead). */
function command(watchPid: number): [string, string[]] {
  if ("Deno" in globalThis) {
    return [process.execPath, ["run", "-A", "--no-lock", "--no-config", "--quiet", MAIN, String(watchPid)]];
  }
  return [process.execPath, ["--no-warnings", MAIN, String(watchPid)]];
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

  constructor() {
    const guarded = canGuard();
    const [cmd, args] = command(guarded ? 0 : process.pid);
    // A runner is not a test process even when the node runs under a test runner.
    const env = { ...process.env, ...compileCacheEnv() };
    delete env.NODE_TEST_CONTEXT;
    this.#child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env });
    // Before any job is sent: until then an orphaned runner ends on the EOF of its input by itself.
    if (guarded && this.#child.pid !== undefined) this.#guard = startGuard(this.#child.pid);
    const { promise: ready, resolve: onReady, reject: notReady } = Promise.withResolvers<void>();
    this.ready = ready;
    ready.catch(() => {}); // observed by whoever acquires this runner
    this.exited = new Promise<void>((resolve) => {
      this.#child.once("exit", (code, signal) => {
        this.#alive = false;
        const why = `wasm runner exited unexpectedly (${signal ?? `code ${code}`})` +
          (this.#stderrTail.trim() ? `: ${this.#stderrTail.trim()}` : "");
        notReady(new Error(why));
        this.#finish({ exitCode: -1, errorMsg: why });
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
