/**
 * A blocking HTTP client for host functions: the guest's memory is shared with the calling
 * thread, so the call cannot return until the response is in. The request runs on a worker
 * thread's event loop while this thread sleeps in Atomics.wait; the reply is then taken off the
 * port with receiveMessageOnPort. The worker starts on the first request and is reused after.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import { workerEntry } from "../../../runtime/entries.ts";
import { HttpCode } from "./constants.ts";
import type { HttpCall, HttpReply } from "./wire.ts";

/** Extra wait beyond the request's own timeout before the worker is presumed stuck. */
const GRACE_MS = 5_000;

interface Link {
  worker: Worker;
  port: MessagePort;
  replies: Int32Array;
}

export class SyncHttpClient {
  #link: Link | undefined;
  #nextId = 1;

  #connect(): Link {
    if (this.#link) return this.#link;
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const [script, options] = workerEntry(import.meta.url, "./fetch-worker.ts", "fetch-worker");
    const worker = new Worker(script, {
      ...options,
      workerData: { port: port2, signal },
      transferList: [port2],
    });
    // Neither may keep a process alive that has nothing else left to do.
    worker.unref();
    port1.unref();
    worker.on("error", () => this.#drop(worker));
    worker.on("exit", () => this.#drop(worker));
    this.#link = { worker, port: port1, replies: new Int32Array(signal) };
    return this.#link;
  }

  #drop(worker: Worker): void {
    if (this.#link?.worker !== worker) return;
    this.#link.port.close();
    this.#link = undefined;
  }

  /** Starts the worker now, so it boots while the guest does other work. */
  warm(): void {
    this.#connect();
  }

  /** Blocks until the call is answered (or its timeout plus a grace period passes). */
  request(call: Omit<HttpCall, "id">): HttpReply {
    const link = this.#connect();
    const id = this.#nextId++;
    const transfer = call.body ? [call.body.buffer as ArrayBuffer] : [];
    link.port.postMessage({ ...call, id }, transfer);
    const deadline = performance.now() + call.timeoutMs + GRACE_MS;
    for (;;) {
      const seen = Atomics.load(link.replies, 0);
      const got = receiveMessageOnPort(link.port);
      if (got) {
        const reply = got.message as HttpReply;
        if (reply.id === id) return reply;
        continue; // a late answer to an earlier call that was given up on
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        void this.close();
        return { id, code: HttpCode.Timeout, detail: "the HTTP worker did not answer in time" };
      }
      Atomics.wait(link.replies, 0, seen, Math.min(left, 1_000));
    }
  }

  /** Stops the worker; a later request starts a new one. */
  async close(): Promise<void> {
    const link = this.#link;
    if (!link) return;
    this.#link = undefined;
    link.port.close();
    await link.worker.terminate();
  }
}
