/**
 * Request/response over one long-lived stream, in both directions. Requests carry an id and are
 * handed to the local handler in the order they arrive (without waiting for earlier ones to finish,
 * as the in-process transport does), so messages from one sender stay in order; replies are matched
 * back by id. When the stream ends, every pending request fails with ServiceUnavailable.
 */
import type { Stream } from "@libp2p/interface";
import type { BacalhauError } from "../../models/errors.ts";
import { unavailable, fromWireError, toWireError } from "./errors.ts";
import type { WireError } from "./errors.ts";
import { FrameWriter } from "./frames.ts";

export type RequestHandler = (msg: unknown) => unknown;

/** The frames of the ncl protocol. `hello`/`welcome` open a session; `req`/`res` flow both ways. */
export type SessionFrame =
  | { t: "hello"; nodeID: string; token?: string }
  | { t: "welcome" }
  | { t: "refused"; reason: string }
  | { t: "req"; id: number; msg: unknown }
  | { t: "res"; id: number; reply?: unknown; error?: WireError };

export function isFrame(v: unknown): v is SessionFrame {
  return typeof v === "object" && v !== null && typeof (v as { t?: unknown }).t === "string";
}

/**
 * Requests from the peer still being handled. A peer that pipelines more than this without waiting
 * for replies is broken or hostile: its stream is reset rather than queueing without bound.
 */
export const MAX_INFLIGHT_REQUESTS = 4096;

interface Pending {
  resolve(reply: unknown): void;
  reject(err: BacalhauError): void;
}

export class RpcSession {
  readonly #stream: Stream;
  readonly #writer: FrameWriter;
  readonly #onRequest: RequestHandler;
  readonly #label: string;
  readonly #pending = new Map<number, Pending>();
  /** Replies still being computed or written; a graceful close lets them go out first. */
  readonly #inflight = new Set<Promise<void>>();
  #nextID = 1;
  #ended = false;
  /** Settles when the stream has ended, for whatever reason. */
  readonly done: Promise<void>;

  constructor(stream: Stream, writer: FrameWriter, frames: AsyncIterator<unknown>, onRequest: RequestHandler, label: string) {
    this.#stream = stream;
    this.#writer = writer;
    this.#onRequest = onRequest;
    this.#label = label;
    this.done = this.#run(frames);
  }

  get ended(): boolean {
    return this.#ended;
  }

  request(msg: unknown): Promise<unknown> {
    if (this.#ended) return Promise.reject(unavailable(`the connection to ${this.#label} is closed`));
    const id = this.#nextID++;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    this.#pending.set(id, { resolve, reject });
    this.#writer.write({ t: "req", id, msg } satisfies SessionFrame).catch((err: unknown) => {
      if (this.#pending.delete(id)) reject(unavailable(`cannot send to ${this.#label}: ${(err as Error).message}`, err));
    });
    return promise;
  }

  /** Ends the session: graceful by default, at once with `abort`. */
  async close(abort = false): Promise<void> {
    if (abort || this.#stream.status !== "open") {
      this.#stream.abort(new Error("session closed"));
    } else {
      try {
        const signal = AbortSignal.timeout(2_000);
        const timedOut = new Promise<"timeout">((resolve) => signal.addEventListener("abort", () => resolve("timeout"), { once: true }));
        await Promise.race([Promise.allSettled([...this.#inflight]), timedOut]);
        // A peer that never closes its side would hold a graceful close (and our reading) open:
        // the deadline ends it.
        const closed = await Promise.race([this.#stream.close({ signal }).then(() => this.done).then(() => "closed" as const), timedOut]);
        if (closed === "timeout") this.#stream.abort(new Error("session close timed out"));
      } catch {
        this.#stream.abort(new Error("session closed"));
      }
    }
    await this.done;
  }

  async #run(frames: AsyncIterator<unknown>): Promise<void> {
    try {
      for (;;) {
        const next = await frames.next();
        if (next.done) break;
        if (isFrame(next.value)) this.#dispatch(next.value);
      }
    } catch (err) {
      // A reset, a broken or oversized frame, or too many requests end the session; pending
      // requests fail below. The stream is reset so the peer stops sending at once.
      this.#stream.abort(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.#ended = true;
      const err = unavailable(`the connection to ${this.#label} was lost`);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
      // The remote closed its side (or reset): close ours so the stream is released.
      if (this.#stream.status === "open") this.#stream.close().catch(() => this.#stream.abort(new Error("closed")));
    }
  }

  #dispatch(frame: SessionFrame): void {
    if (frame.t === "res") {
      const p = this.#pending.get(frame.id);
      if (!p) return;
      this.#pending.delete(frame.id);
      if (frame.error) p.reject(fromWireError(frame.error));
      else p.resolve(frame.reply);
      return;
    }
    if (frame.t !== "req" || !Number.isSafeInteger(frame.id)) return;
    if (this.#inflight.size >= MAX_INFLIGHT_REQUESTS) {
      throw new Error(`${this.#label} has more than ${MAX_INFLIGHT_REQUESTS} requests unanswered`);
    }
    const { id } = frame;
    let result: Promise<unknown>;
    try {
      // Called now, in arrival order; only the reply waits.
      result = Promise.resolve(this.#onRequest(frame.msg));
    } catch (err) {
      result = Promise.reject(err);
    }
    const sent: Promise<void> = result
      .then(
        (reply) => this.#reply({ t: "res", id, ...(reply === undefined ? {} : { reply }) }),
        (err: unknown) => this.#reply({ t: "res", id, error: toWireError(err) }),
      )
      .finally(() => this.#inflight.delete(sent));
    this.#inflight.add(sent);
  }

  async #reply(frame: SessionFrame): Promise<void> {
    if (this.#ended) return;
    await this.#writer.write(frame).catch(() => undefined);
  }
}
