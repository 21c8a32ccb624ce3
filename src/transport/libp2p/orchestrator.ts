/**
 * The requester's side of the libp2p transport. Compute nodes dial it and open one ncl stream each,
 * naming their NodeID in a hello frame; from then on `send(nodeID, …)` goes down that stream, and
 * `streamLogs` and `fetchResult` dial the same peer. A node with no open stream is unreachable
 * (ServiceUnavailable).
 */
import type { Connection, Libp2p, PeerId, Stream } from "@libp2p/interface";
import type { ExecutionLog, LogsRequest, Reply, ToCompute, ToOrchestrator } from "../messages.ts";
import type { OrchestratorHandler, OrchestratorTransport } from "../transport.ts";
import { unavailable } from "./errors.ts";
import { FrameWriter, readFrames } from "./frames.ts";
import { requestLogs } from "./logs.ts";
import { NCL_PROTOCOL } from "./protocols.ts";
import { requestResult } from "./results.ts";
import { isFrame, RpcSession } from "./rpc-session.ts";
import type { SessionFrame } from "./rpc-session.ts";

const HELLO_TIMEOUT_MS = 10_000;

export interface Libp2pOrchestratorOptions {
  /** Called when a compute node's stream opens (after a (re)connect) and when it ends. */
  onNodeConnected?(nodeID: string, peerID: string): void;
  onNodeDisconnected?(nodeID: string, peerID: string): void;
}

interface NodeSession {
  session: RpcSession;
  peer: PeerId;
}

function isToOrchestrator(v: unknown): v is ToOrchestrator {
  return typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string";
}

export class Libp2pOrchestratorTransport implements OrchestratorTransport {
  readonly #libp2p: Libp2p;
  readonly #opts: Libp2pOrchestratorOptions;
  readonly #nodes = new Map<string, NodeSession>();
  #handler?: OrchestratorHandler;
  #closed = false;

  private constructor(libp2p: Libp2p, opts: Libp2pOrchestratorOptions) {
    this.#libp2p = libp2p;
    this.#opts = opts;
  }

  /** Registers the ncl protocol on `libp2p` (the host stays owned by the caller). */
  static async create(libp2p: Libp2p, opts: Libp2pOrchestratorOptions = {}): Promise<Libp2pOrchestratorTransport> {
    const t = new Libp2pOrchestratorTransport(libp2p, opts);
    await libp2p.handle(NCL_PROTOCOL, (stream, connection) => t.#accept(stream, connection), {
      maxInboundStreams: 1024,
    });
    return t;
  }

  setHandler(handler: OrchestratorHandler): void {
    this.#handler = handler;
  }

  /** The PeerID a compute node is connected from, if it is connected. */
  peerOf(nodeID: string): string | undefined {
    return this.#nodes.get(nodeID)?.peer.toString();
  }

  connectedNodes(): string[] {
    return [...this.#nodes.keys()];
  }

  async send(nodeID: string, msg: ToCompute): Promise<void> {
    const node = this.#nodes.get(nodeID);
    if (!node || node.session.ended) throw unavailable(`node ${nodeID} is not connected`);
    await node.session.request(msg);
  }

  async *streamLogs(nodeID: string, req: LogsRequest, signal: AbortSignal): AsyncIterable<ExecutionLog> {
    const node = this.#nodes.get(nodeID);
    if (!node || node.session.ended) throw unavailable(`node ${nodeID} is not connected`);
    yield* requestLogs(this.#libp2p, node.peer, req, signal);
  }

  async *fetchResult(nodeID: string, executionID: string, signal: AbortSignal): AsyncIterable<Uint8Array> {
    const node = this.#nodes.get(nodeID);
    if (!node || node.session.ended) throw unavailable(`node ${nodeID} is not connected`);
    yield* requestResult(this.#libp2p, node.peer, executionID, signal);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#libp2p.unhandle(NCL_PROTOCOL).catch(() => undefined);
    const sessions = [...this.#nodes.values()];
    this.#nodes.clear();
    await Promise.all(sessions.map((n) => n.session.close(true)));
  }

  async #accept(stream: Stream, connection: Connection): Promise<void> {
    if (this.#closed) {
      stream.abort(new Error("orchestrator transport closed"));
      return;
    }
    const frames = readFrames(stream);
    const writer = new FrameWriter(stream);
    const timer = setTimeout(() => stream.abort(new Error("no hello in time")), HELLO_TIMEOUT_MS);
    let nodeID: string;
    try {
      const first = await frames.next();
      if (first.done || !isFrame(first.value) || first.value.t !== "hello" || typeof first.value.nodeID !== "string" || first.value.nodeID === "") {
        throw new Error("the first frame must be a hello naming the node");
      }
      nodeID = first.value.nodeID;
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
      return;
    } finally {
      clearTimeout(timer);
    }
    const peer = connection.remotePeer;
    const session = new RpcSession(stream, writer, frames, (msg) => this.#deliver(nodeID, msg), `node ${nodeID}`);
    const previous = this.#nodes.get(nodeID);
    this.#nodes.set(nodeID, { session, peer });
    // A node that reconnects replaces its old stream; the old one is dropped.
    if (previous) void previous.session.close(true);
    await writer.write({ t: "welcome" } satisfies SessionFrame).catch(() => undefined);
    this.#opts.onNodeConnected?.(nodeID, peer.toString());
    void session.done.then(() => {
      if (this.#nodes.get(nodeID)?.session !== session) return;
      this.#nodes.delete(nodeID);
      this.#opts.onNodeDisconnected?.(nodeID, peer.toString());
    });
  }

  #deliver(nodeID: string, msg: unknown): Promise<Reply | void> | Reply | void {
    const handler = this.#handler;
    if (!handler) throw unavailable("no orchestrator is attached");
    if (!isToOrchestrator(msg)) throw new Error("malformed message");
    return handler.onMessage(nodeID, msg);
  }
}
