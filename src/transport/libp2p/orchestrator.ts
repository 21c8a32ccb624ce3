/**
 * The requester's side of the libp2p transport. Compute nodes dial it and open one ncl stream each,
 * naming their NodeID in a hello frame; from then on `send(nodeID, …)` goes down that stream, and
 * `streamLogs` and `fetchResult` dial the same peer. A node with no open stream is unreachable
 * (ServiceUnavailable).
 */
import type { Connection, Libp2p, PeerId, Stream } from "@libp2p/interface";
import type { ExecutionLog, LogsRequest, Reply, ToCompute, ToOrchestrator } from "../messages.ts";
import type { OrchestratorHandler, OrchestratorTransport } from "../transport.ts";
import { BacalhauError } from "../../models/errors.ts";
import { unavailable } from "./errors.ts";
import { FRAME_STALL_MS, FrameWriter, MAX_FIRST_FRAME_BYTES, readFrames } from "./frames.ts";
import { requestLogs } from "./logs.ts";
import { isToOrchestrator } from "./message-shape.ts";
import { MemoryNodeBindings } from "./node-bindings.ts";
import type { NodeBindings } from "./node-bindings.ts";
import { tokenRefusal } from "./node-token.ts";
import { NCL_PROTOCOL } from "./protocols.ts";
import { requestResult } from "./results.ts";
import { isFrame, RpcSession } from "./rpc-session.ts";
import type { SessionFrame } from "./rpc-session.ts";

const HELLO_TIMEOUT_MS = 10_000;
/** Node IDs are names (Bacalhau's are `n-<uuid>` or a host name); anything longer is not one. */
const MAX_NODE_ID_LENGTH = 255;
/** A compute node keeps one ncl stream; a second may overlap it briefly while it reconnects. */
export const MAX_NCL_STREAMS_PER_CONNECTION = 4;

export interface Libp2pOrchestratorOptions {
  /** Called when a compute node's stream opens (after a (re)connect) and when it ends. */
  onNodeConnected?(nodeID: string, peerID: string): void;
  onNodeDisconnected?(nodeID: string, peerID: string): void;
  /** Called when a hello is refused (wrong token, a name bound to another peer, a malformed hello). */
  onRefused?(peerID: string, nodeID: string | undefined, reason: string): void;
  /** `Orchestrator.Auth.Token`: when set, a compute node must send the same token in its hello. */
  token?: string;
  /** Which peer owns which node ID. Default: in memory (a file-backed one survives restarts). */
  bindings?: NodeBindings;
  /**
   * Whether the requester still lists the node. A name bound to a node the operator deleted (and
   * that is not connected) may be taken by a new peer. Default: every bound node still exists.
   */
  nodeExists?(nodeID: string): boolean;
  /** How long a frame may stay half-received before the session is reset. Default FRAME_STALL_MS. */
  frameStallMs?: number;
}

interface NodeSession {
  session: RpcSession;
  peer: PeerId;
}

export class Libp2pOrchestratorTransport implements OrchestratorTransport {
  readonly #libp2p: Libp2p;
  readonly #opts: Libp2pOrchestratorOptions;
  readonly #nodes = new Map<string, NodeSession>();
  readonly #bindings: NodeBindings;
  #handler?: OrchestratorHandler;
  #closed = false;

  private constructor(libp2p: Libp2p, opts: Libp2pOrchestratorOptions) {
    this.#libp2p = libp2p;
    this.#opts = opts;
    this.#bindings = opts.bindings ?? new MemoryNodeBindings();
  }

  /** Registers the ncl protocol on `libp2p` (the host stays owned by the caller). */
  static async create(libp2p: Libp2p, opts: Libp2pOrchestratorOptions = {}): Promise<Libp2pOrchestratorTransport> {
    const t = new Libp2pOrchestratorTransport(libp2p, opts);
    await libp2p.handle(NCL_PROTOCOL, (stream, connection) => t.#accept(stream, connection), {
      maxInboundStreams: MAX_NCL_STREAMS_PER_CONNECTION,
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
    const frames = readFrames(stream, {
      firstMaxBytes: MAX_FIRST_FRAME_BYTES,
      stallMs: this.#opts.frameStallMs ?? FRAME_STALL_MS,
      onStall: () => stream.abort(new Error("a frame stalled half-sent")),
    });
    const writer = new FrameWriter(stream);
    const peer = connection.remotePeer;
    const timer = setTimeout(() => stream.abort(new Error("no hello in time")), HELLO_TIMEOUT_MS);
    let nodeID: string;
    try {
      const first = await frames.next();
      if (first.done || !isFrame(first.value) || first.value.t !== "hello") throw new Error("the first frame must be a hello");
      const hello = first.value;
      const named = typeof hello.nodeID === "string" ? hello.nodeID : undefined;
      const reason = this.#refusal(hello, peer.toString());
      if (reason !== undefined) {
        this.#opts.onRefused?.(peer.toString(), named, reason);
        // The reason goes back so the operator of the refused node sees why in its own log.
        await writer.write({ t: "refused", reason } satisfies SessionFrame);
        await stream.close({ signal: AbortSignal.timeout(2_000) });
        return;
      }
      nodeID = named!;
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
      return;
    } finally {
      clearTimeout(timer);
    }
    this.#bindings.bind(nodeID, peer.toString());
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

  /** Frees a node ID so it may join from another peer (the operator deleted the node). */
  release(nodeID: string): void {
    this.#bindings.release(nodeID);
  }

  /** Why this hello may not open a session, or undefined when it may. */
  #refusal(hello: { nodeID?: unknown; token?: unknown }, peerID: string): string | undefined {
    const { nodeID } = hello;
    if (typeof nodeID !== "string" || nodeID === "" || nodeID.length > MAX_NODE_ID_LENGTH || /[\x00-\x1f\x7f]/.test(nodeID)) {
      return `the hello must name the node (a node ID of 1 to ${MAX_NODE_ID_LENGTH} printable characters)`;
    }
    const tokenReason = tokenRefusal(this.#opts.token, hello.token);
    if (tokenReason !== undefined) return tokenReason;
    const owner = this.#bindings.get(nodeID);
    const live = this.#nodes.get(nodeID);
    const taken = (live !== undefined && !live.session.ended) || (this.#opts.nodeExists?.(nodeID) ?? true);
    if (owner !== undefined && owner !== peerID && taken) {
      return `node ID ${nodeID} belongs to another peer (${owner}); choose another name with --name, or delete the node on the requester first`;
    }
    return undefined;
  }

  #deliver(nodeID: string, msg: unknown): Promise<Reply | void> | Reply | void {
    const handler = this.#handler;
    if (!handler) throw unavailable("no orchestrator is attached");
    if (!isToOrchestrator(msg)) {
      throw BacalhauError.badRequest(`malformed ${describe(msg)} from node ${nodeID}`, { component: "Transport" });
    }
    return handler.onMessage(nodeID, msg);
  }
}

function describe(msg: unknown): string {
  const type = (msg as { type?: unknown } | null)?.type;
  return typeof type === "string" && type.length <= 64 ? `${type} message` : "message";
}
