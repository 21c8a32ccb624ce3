/**
 * Makes sure a runner never outlives its node, even when the node dies by `kill -9`: a runner busy
 * in a spinning module cannot notice anything itself. Beside each runner the node starts a tiny
 * shell that blocks reading a pipe only the node writes to. The kernel closes that pipe when the
 * node dies, however it dies; the shell then reads end-of-file and SIGKILLs the runner. When the
 * runner ends first, the node writes `stop` so the shell leaves without killing anything.
 *
 * A shell costs about 1 MB where a watchdog thread inside the runner cost 13–20 MB. Where there is
 * no POSIX shell (Windows) the runner keeps its watchdog thread instead (see watchdog.ts).
 * PR_SET_PDEATHSIG is not used: it fires when the spawning *thread* ends, and Deno spawns from
 * pooled threads that come and go.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";

const SHELL = "/bin/sh";
const STOP = "stop";

export interface RunnerGuard {
  /** Tells the guard its runner is gone (so it must not kill) and waits for it to leave. */
  release(): Promise<void>;
}

let guardable: boolean | undefined;

/** Whether this platform can guard runners with a shell; otherwise runners watch the node's pid. */
export function canGuard(): boolean {
  guardable ??= process.platform !== "win32" && existsSync(SHELL);
  return guardable;
}

function script(runnerPid: number): string {
  // An empty line is what a closed pipe reads as: only the node's explicit `stop` spares the runner.
  return `IFS= read -r line; [ "$line" = ${STOP} ] || kill -9 ${runnerPid} 2>/dev/null; exit 0`;
}

/** Starts the guard of the runner `runnerPid` (a child of this process). */
export function startGuard(runnerPid: number): RunnerGuard {
  const child: ChildProcess = spawn(SHELL, ["-c", script(runnerPid)], { stdio: ["pipe", "ignore", "ignore"] });
  const { promise: exited, resolve } = Promise.withResolvers<void>();
  child.once("exit", () => resolve());
  // A guard that cannot start must not hold up the runner's own exit.
  child.once("error", () => resolve());
  child.stdin?.on("error", () => {});
  let released = false;
  return {
    release: () => {
      if (!released) {
        released = true;
        child.stdin?.end(`${STOP}\n`);
      }
      return exited;
    },
  };
}
