/**
 * The noop executor: completes every job at once with exit code 0 and no output. Schedulers and
 * end-to-end flows use it to exercise everything around execution without running anything.
 *
 * @example
 * ```ts
 * const result = await new NoopExecutor().run(request); // { exitCode: 0 }
 * ```
 */
import type { ExecutionRequest, Executor, ExecutorResult } from "../executor.ts";

export class NoopExecutor implements Executor {
  readonly type = "noop";

  isInstalled(): Promise<boolean> {
    return Promise.resolve(true);
  }

  run(req: ExecutionRequest): Promise<ExecutorResult> {
    if (req.signal.aborted) {
      const reason: unknown = req.signal.reason;
      const message = reason instanceof Error && reason.name !== "AbortError" && reason.message
        ? reason.message
        : "execution cancelled";
      return Promise.resolve({ exitCode: -1, errorMsg: message });
    }
    return Promise.resolve({ exitCode: 0 });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
