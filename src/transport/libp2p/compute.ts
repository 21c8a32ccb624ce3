/**
 * A compute node's side of the libp2p transport. It dials the requester, opens one ncl stream and
 * keeps it: when the connection drops or the requester restarts it dials again with exponential
 * backoff and, once connected, calls `onConnected` so the node handshakes again.
 */
import type { Connection, Libp2p, Stream } from "@libp2p/interface";
import { multiaddr } from "@multiformats/multiaddr";
import type { Multiaddr } from "@multiformats/multiaddr";
import type { Reply, ToOrchestrator } from "../messages.ts";
import type { ComputeHandler, ComputeTransport } from "../transport.ts";
import { BacalhauError } from "../../models/errors.ts";
import { unavailable } from "./errors.ts";
import { FRAME_STALL_MS, FrameWriter, MAX_FIRST_FRAME_BYTES, readFrames } from "./frames.ts";
import { serveLogs } from "./logs.ts";
import { isToCompute } from "./message-shape.ts";
import { LOGS_PROTOCOL, NCL_PROTOCOL, RESULTS_PROTOCOL } from "./protocols.ts";
import { serveResult } from "./results.ts";
import { isFrame, RpcSession } from "./rpc-session.ts";
import type { SessionFrame } from "./rpc-session.ts";

export interface Libp2pComputeOptions {
  nodeID: string;
  /** `Compute.Auth.Token`, sent in the hello for a requester that requires one. */
  token?: string;
  /** The requester's multiaddrs, each ending in /p2p/<PeerID>. */
  orchestrator: ReadonlyArray<string | Multiaddr>;
  /** Called after every (re)connection: send the Handshake here. */
  onConnected?(): void | Promise<void>;
  onDisconnected?(): void;
  /** Reports errors the loop survives (a failed dial, a failing onConnected). */
  onError?(err: unknown): void;
  /** First retry delay and the cap of the exponential backoff. Defaults 200 ms and 3 s. */
  backoffMs?: { initial: number; max: number };
  /** How long `send` waits for a connection before failing with ServiceUnavailable. Default 10 s. */
  sendWaitMs?: number;
  /** How long a frame may stay half-received before the session is reset. Default FRAME_STALL_MS. */
  frameStallMs?: number;
}

/** The requester closed the session at hello, saying why: retrying soon will not change its mind. */
export class RefusedError extends Error {
  override name = "RefusedError";
}

/** Log and result requests must arrive this soon after their stream opens. */
const REQUEST_TIMEOUT_MS = 10_000;
/** How long a refused node waits before it asks again (an operator must act first). */
const REFUSED_RETRY_MS = 10_000;
/** Concurrent log streams and result fetches one requester connection may have open to this node. */
export const MAX_LOG_STREAMS_PER_CONNECTION = 256;
export const MAX_RESULT_STREAMS_PER_CONNECTION = 64;

export class Libp2pComputeTransport implements ComputeTransport {
  readonly nodeID: string;
  readonly #libp2p: Libp2p;
  readonly #opts: Libp2pComputeOptions;
  readonly #addrs: Multiaddr[];
  /** The PeerIDs named by the requester addresses: the only peers this node takes orders from. */
  readonly #requesters: ReadonlySet<string>;
  readonly #stop = new AbortController();
  #handler?: ComputeHandler;
  #session?: RpcSession;
  #connected = Promise.withResolvers<void>();
  #loop?: Promise<void>;
  #connections = 0;

  constructor(libp2p: Libp2p, opts: Libp2pComputeOptions) {
    this.#libp2p = libp2p;
    this.#opts = opts;
    this.nodeID = opts.nodeID;
    this.#addrs = opts.orchestrator.map((a) => (typeof a === "string" ? multiaddr(a) : a));
    if (this.#addrs.length === 0) throw new TypeError("the orchestrator has no address");
    this.#requesters = new Set(this.#addrs.map((a) => a.getComponents().findLast((c) => c.name === "p2p")?.value ?? ""));
    if (this.#requesters.has("")) throw new TypeError("every requester address must end in /p2p/<PeerID>");
  }

  /** Registers the logs and results protocols and starts connecting; it does not wait for the connection. */
  async start(): Promise<void> {
    if (this.#loop) return;
    // Only the requester this node joined may read its logs and results; other swarm members are
    // reset at once. (Orchestration comes only over the ncl stream this node dials itself.)
    const fromRequester = (stream: Stream, connection: Connection): boolean => {
      if (this.#requesters.has(connection.remotePeer.toString())) return true;
      stream.abort(new Error("not the requester"));
      return false;
    };
    await this.#libp2p.handle(LOGS_PROTOCOL, (stream, connection) => {
      if (fromRequester(stream, connection)) void serveLogs(stream, this.#handler, REQUEST_TIMEOUT_MS);
    }, { maxInboundStreams: MAX_LOG_STREAMS_PER_CONNECTION });
    await this.#libp2p.handle(RESULTS_PROTOCOL, (stream, connection) => {
      if (fromRequester(stream, connection)) void serveResult(stream, this.#handler, REQUEST_TIMEOUT_MS);
    }, { maxInboundStreams: MAX_RESULT_STREAMS_PER_CONNECTION });
    this.#loop = this.#run();
  }

  setHandler(handler: ComputeHandler): void {
    this.#handler = handler;
  }

  /** How many times a session was established (1 after the first connect). */
  get connections(): number {
    return this.#connections;
  }

  get isConnected(): boolean {
    return this.#session !== undefined && !this.#session.ended;
  }

  /** Resolves once connected (now, if already). */
  async whenConnected(signal?: AbortSignal): Promise<void> {
    if (this.isConnected) return;
    const waits: Promise<unknown>[] = [this.#connected.promise];
    if (signal) waits.push(new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true })));
    await Promise.race(waits);
  }

  async send(msg: ToOrchestrator): Promise<Reply | void> {
    if (!this.isConnected) {
      if (this.#stop.signal.aborted) throw unavailable("the compute transport is closed");
      const wait = AbortSignal.any([AbortSignal.timeout(this.#opts.sendWaitMs ?? 10_000), this.#stop.signal]);
      try {
        await this.whenConnected(wait);
      } catch {
        throw unavailable("not connected to the requester");
      }
    }
    const session = this.#session;
    if (!session) throw unavailable("not connected to the requester");
    return (await session.request(msg)) as Reply | void;
  }

  async close(): Promise<void> {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort(new Error("compute transport closed"));
    await this.#session?.close();
    await this.#loop;
    await this.#libp2p.unhandle(LOGS_PROTOCOL).catch(() => undefined);
    await this.#libp2p.unhandle(RESULTS_PROTOCOL).catch(() => undefined);
  }

  async #run(): Promise<void> {
    // The cap stays well below the requester's reconnect grace (10 s): a compute node that backed
    // off to 10 s while its requester restarted came back after the grace, and its running
    // executions were failed as gone.
    const { initial, max } = this.#opts.backoffMs ?? { initial: 200, max: 3_000 };
    let delay = initial;
    const stop = this.#stop.signal;
    while (!stop.aborted) {
      try {
        const session = await this.#open();
        this.#session = session;
        this.#connections++;
        delay = initial;
        this.#connected.resolve();
        try {
          await this.#opts.onConnected?.();
        } catch (err) {
          this.#opts.onError?.(err);
        }
        await session.done;
        this.#connected = Promise.withResolvers<void>();
        if (!stop.aborted) this.#opts.onDisconnected?.();
      } catch (err) {
        if (!stop.aborted) this.#opts.onError?.(err);
        // A refusal (wrong token, a name owned by another peer) needs the operator, not a quick retry.
        if (err instanceof RefusedError) delay = this.#opts.backoffMs?.max ?? REFUSED_RETRY_MS;
      }
      this.#session = undefined;
      if (stop.aborted) break;
      await pause(delay * (0.75 + Math.random() / 2), stop);
      delay = Math.min(delay * 2, max);
    }
  }

  async #open(): Promise<RpcSession> {
    const signal = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(15_000)]);
    const stream: Stream = await this.#libp2p.dialProtocol(this.#addrs, NCL_PROTOCOL, { signal });
    const frames = readFrames(stream, {
      firstMaxBytes: MAX_FIRST_FRAME_BYTES,
      stallMs: this.#opts.frameStallMs ?? FRAME_STALL_MS,
      onStall: () => stream.abort(new Error("a frame stalled half-sent")),
    });
    const writer = new FrameWriter(stream);
    try {
      const hello: SessionFrame = { t: "hello", nodeID: this.nodeID, ...(this.#opts.token ? { token: this.#opts.token } : {}) };
      await writer.write(hello);
      const onAbort = () => stream.abort(new Error("no welcome"));
      signal.addEventListener("abort", onAbort, { once: true });
      const first = await frames.next().finally(() => signal.removeEventListener("abort", onAbort));
      if (!first.done && isFrame(first.value) && first.value.t === "refused") {
        const reason = typeof first.value.reason === "string" ? first.value.reason.slice(0, 1024) : "no reason given";
        throw new RefusedError(`the requester refused node ${this.nodeID}: ${reason}`);
      }
      if (first.done || !isFrame(first.value) || first.value.t !== "welcome") throw new Error("the requester did not welcome this node");
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    return new RpcSession(stream, writer, frames, (msg) => this.#deliver(msg), "the requester");
  }

  #deliver(msg: unknown): void | Promise<void> {
    const handler = this.#handler;
    if (!handler) throw unavailable(`node ${this.nodeID} has no handler attached`);
    if (!isToCompute(msg)) throw BacalhauError.badRequest("malformed message from the requester", { component: "Transport" });
    return handler.onMessage(msg);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
