/**
 * Worker entry script of a runner's watchdog, used only where runners cannot have a guard process
 * (no POSIX shell, see guard.ts). A runner blocked in a spinning module cannot notice that its node
 * went away (crash, kill -9), so this thread checks the node's pid every second and kills its own
 * process once the node is gone: no orphaned runner keeps burning CPU.
 */
import process from "node:process";
import { workerData } from "node:worker_threads";

const CHECK_MS = 1000;
const { nodePid } = workerData as { nodePid: number };

const timer = setInterval(() => {
  try {
    process.kill(nodePid, 0);
  } catch {
    clearInterval(timer);
    process.kill(process.pid, "SIGKILL");
  }
}, CHECK_MS);
