/**
 * One owner for everything a benchmark run starts (nodes, child processes, temp dirs): each start
 * registers its undo here, and `run()` undoes them newest first, on success, on error and on Ctrl-C.
 */
import { onShutdownSignal } from "../../src/runtime/signals.ts";

export class Cleanup {
  #undo: Array<{ what: string; fn: () => unknown }> = [];
  #running: Promise<void> | undefined;

  /**
   * Registers an undo step; returns a function that runs that step early (and only once). Once the
   * cleanup has begun (Ctrl-C mid-run), a late start is undone at once and the caller gets an error.
   */
  defer(what: string, fn: () => unknown): () => Promise<void> {
    if (this.#running) {
      void Promise.resolve().then(fn).catch(() => {});
      throw new Error(`bench is shutting down; undid ${what}`);
    }
    const entry = { what, fn };
    this.#undo.push(entry);
    return async () => {
      const i = this.#undo.indexOf(entry);
      if (i < 0) return;
      this.#undo.splice(i, 1);
      await fn();
    };
  }

  /** Runs every undo step, newest first; a failing step is reported and the rest still run. */
  run(): Promise<void> {
    this.#running ??= (async () => {
      while (this.#undo.length > 0) {
        const { what, fn } = this.#undo.pop()!;
        try {
          await fn();
        } catch (err) {
          console.error(`bench: cleanup of ${what} failed: ${(err as Error).message}`);
        }
      }
    })();
    return this.#running;
  }

  /** On SIGINT/SIGTERM: clean up, then exit 130. Returns the unsubscribe. */
  onSignal(exit: (code: number) => void): () => void {
    return onShutdownSignal(() => {
      console.error("bench: interrupted, cleaning up");
      void this.run().finally(() => exit(130));
    });
  }
}
