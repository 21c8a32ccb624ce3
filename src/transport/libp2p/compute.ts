/**
 * A compute node's side of the libp2p transport. It dials the requester, opens one ncl stream and
 * keeps it: when the connection drops or the requester restarts it dials again with exponential
 * backoff and, once connected, calls `onConnected` so the node handshakes again.
 */
import type { Connection, Libp2p, Stream } from "@libp2p/interface";
import { multiaddr } from "@multiformats/multiaddr";
import type { Multiaddr } from "@multiformats/multiaddr";
import type { Reply, ToCompute, ToOrchestrator } from "../messages.ts";
import type { ComputeHandler, ComputeTransport } from "../transport.ts";
import { unavailable } from "./errors.ts";
import { FrameWriter, readFrames } from "./frames.ts";
import { serveLogs } from "./logs.ts";
import { LOGS_PROTOCOL, NCL_PROTOCOL, RESULTS_PROTOCOL } from "./protocols.ts";
import { serveResult } from "./results.ts";
import { isFrame, RpcSession } from "./rpc-session.ts";
import type { SessionFrame } from "./rpc-session.ts";

export interface Libp2pComputeOptions {
  nodeID: string;
  /** The requester's multiaddrs, each ending in /p2p/<PeerID>. */
  orchestrator: ReadonlyArray<string | Multiaddr>;
  /** Called after every (re)connection: send the Handshake here. */
  onConnected?(): void | Promise<void>;
  onDisconnected?(): void;
  /** Reports errors the loop survives (a failed dial, a failing onConnected). */
  onError?(err: unknown): void;
  /** First retry delay and the cap of the exponential backoff. Defaults 200 ms and 10 s. */
  backoffMs?: { initial: number; max: number };
  /** How long `send` waits for a connection before failing with ServiceUnavailable. Default 10 s. */
  sendWaitMs?: number;
}

function isToCompute(v: unknown): v is ToCompute {
  return typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string";
}

export class Libp2pComputeTransport implements ComputeTransport {
  readonly nodeID: string;
  readonly #libp2p: Libp2p;
  readonly #opts: Libp2pComputeOptions;
  readonly #addrs: Multiaddr[];
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
  }

  /** Registers the logs and results protocols and starts connecting; it does not wait for the connection. */
  async start(): Promise<void> {
    if (this.#loop) return;
    const requester = this.#addrs[0]?.getComponents().findLast((c) => c.name === "p2p")?.value;
    // Only the requester may read this node's logs and results.
    const fromRequester = (stream: Stream, connection: Connection): boolean => {
      if (requester === undefined || connection.remotePeer.toString() === requester) return true;
      stream.abort(new Error("not the requester"));
      return false;
    };
    await this.#libp2p.handle(LOGS_PROTOCOL, (stream, connection) => {
      if (fromRequester(stream, connection)) void serveLogs(stream, this.#handler);
    });
    await this.#libp2p.handle(RESULTS_PROTOCOL, (stream, connection) => {
      if (fromRequester(stream, connection)) void serveResult(stream, this.#handler);
    });
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
    const { initial, max } = this.#opts.backoffMs ?? { initial: 200, max: 10_000 };
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
    const frames = readFrames(stream);
    const writer = new FrameWriter(stream);
    try {
      await writer.write({ t: "hello", nodeID: this.nodeID } satisfies SessionFrame);
      const onAbort = () => stream.abort(new Error("no welcome"));
      signal.addEventListener("abort", onAbort, { once: true });
      const first = await frames.next().finally(() => signal.removeEventListener("abort", onAbort));
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
    if (!isToCompute(msg)) throw new Error("malformed message");
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
