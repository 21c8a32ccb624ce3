/**
 * The runner process's loop: announce readiness, then for each `run` message received on stdin
 * run the job synchronously, streaming its output as frames on stdout, and answer with the result.
 * Blocking here is the point: the node's own event loop never runs wasm.
 */
import process from "node:process";
import { Worker } from "node:worker_threads";
import { workerEntry } from "../../../runtime/entries.ts";
import { SyncHttpClient } from "../http/sync-client.ts";
import { writeAllSync } from "../sync-io.ts";
import { decodeMessage, encodeFrame, encodeMessage, FrameDecoder, FrameKind, type FromRunner,
  type ToRunner } from "./protocol.ts";
import { runJob } from "./run-job.ts";

const OUT_FD = 1;

function send(message: FromRunner): void {
  writeAllSync(OUT_FD, encodeMessage(message));
}

/** Guards against outliving the node where the node gave it no guard process (nodePid 0 = guarded). */
function startWatchdog(nodePid: number): void {
  if (!(nodePid > 0)) return;
  const [script, options] = workerEntry(import.meta.url, "./watchdog.ts", "watchdog");
  const worker = new Worker(script, { ...options, workerData: { nodePid } });
  worker.unref();
}

export function serveRunner(nodePid: number): void {
  startWatchdog(nodePid);
  const decoder = new FrameDecoder();
  const http = new SyncHttpClient();
  process.stdin.on("data", (chunk: Uint8Array) => {
    for (const frame of decoder.push(chunk)) {
      if (frame.kind !== FrameKind.Message) continue;
      const message = decodeMessage<ToRunner>(frame.payload);
      if (message.type !== "run") continue;
      let result;
      try {
        result = runJob(message.job, {
          stdout: (c) => writeAllSync(OUT_FD, encodeFrame(FrameKind.Stdout, c)),
          stderr: (c) => writeAllSync(OUT_FD, encodeFrame(FrameKind.Stderr, c)),
        }, { http });
      } catch (err) {
        result = { exitCode: -1, errorMsg: `wasm runner error: ${(err as Error).message}` };
      }
      send({ type: "result", result });
    }
  });
  process.stdin.on("end", () => process.exit(0));
  send({ type: "ready" });
}
