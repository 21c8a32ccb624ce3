/**
 * Entry script of the HTTP worker thread (started by SyncHttpClient, never imported). It runs
 * the guest's requests on its own event loop and, after posting each reply, bumps a shared
 * counter so the job's thread, blocked in Atomics.wait, wakes and picks the reply up.
 */
import { workerData } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { perform } from "./client.ts";
import { HttpCode } from "./constants.ts";
import type { HttpCall, HttpReply } from "./wire.ts";

const { port, signal } = workerData as { port: MessagePort; signal: SharedArrayBuffer };
const replies = new Int32Array(signal);

port.on("message", (call: HttpCall) => {
  perform(call)
    .catch((err: unknown): HttpReply => ({ id: call.id, code: HttpCode.NetworkError, detail: String(err) }))
    .then((reply) => {
      port.postMessage(reply, reply.body ? [reply.body.buffer as ArrayBuffer] : []);
      Atomics.add(replies, 0, 1);
      Atomics.notify(replies, 0);
    });
});
