/**
 * The node manager: which compute nodes exist, whether they are approved and connected. Nodes join
 * with a handshake, stay alive with heartbeats, and are marked DISCONNECTED after the disconnect
 * timeout (or at once on a shutdown notice). State is persisted so `node list` survives restarts;
 * connection state is not trusted across a restart (every node must handshake again).
 */
import { BacalhauError } from "../models/errors.ts";
import { NodeConnection, NodeMembership, type NodeInfo, type NodeState } from "../models/types.ts";
import type { JobStore } from "../store/store.ts";

export interface NodeManagerOptions {
  store: JobStore;
  disconnectTimeoutMs: number;
  /** New nodes start PENDING and must be approved (`node approve`). */
  manualApproval: boolean;
  onApprove?: (nodeID: string) => void;
  onLeave?: (nodeID: string, reason: string) => void;
}

const EPOCH = new Date(0).toISOString();

export class NodeManager {
  readonly #opts: NodeManagerOptions;
  readonly #nodes = new Map<string, NodeState>();
  readonly #lastBeat = new Map<string, number>();
  readonly #boots = new Map<string, string>();
  #timer?: ReturnType<typeof setInterval>;

  constructor(opts: NodeManagerOptions) {
    this.#opts = opts;
    for (const n of opts.store.listNodes()) {
      if (n.Connection === NodeConnection.Connected) {
        n.Connection = NodeConnection.Disconnected;
        n.ConnectionState.Status = NodeConnection.Disconnected;
        n.ConnectionState.DisconnectedSince = new Date().toISOString();
        n.ConnectionState.LastError = "orchestrator restarted";
        opts.store.putNode(n);
      }
      this.#nodes.set(n.Info.NodeID, n);
    }
  }

  start(): void {
    // Check a few times per timeout so a silent node is noticed within ~1.25× the timeout.
    const every = Math.min(30_000, Math.max(50, Math.floor(this.#opts.disconnectTimeoutMs / 4)));
    this.#timer = setInterval(() => this.#checkLiveness(), every);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  handshake(info: NodeInfo): NodeState {
    const now = new Date().toISOString();
    const prev = this.#nodes.get(info.NodeID);
    const membership = prev?.Membership ??
      (this.#opts.manualApproval ? NodeMembership.Pending : NodeMembership.Approved);
    const state: NodeState = {
      Info: info,
      Membership: membership,
      Connection: NodeConnection.Connected,
      ConnectionState: {
        Status: NodeConnection.Connected,
        LastHeartbeat: now,
        ConnectedSince: now,
        DisconnectedSince: prev?.ConnectionState.DisconnectedSince ?? EPOCH,
      },
    };
    this.#save(state);
    this.#lastBeat.set(info.NodeID, Date.now());
    return state;
  }

  /**
   * Records the node's process identity; true when it is a different process than last time (or
   * unknown since this orchestrator started): what it was running before is gone.
   */
  rebooted(nodeID: string, bootID: string): boolean {
    const previous = this.#boots.get(nodeID);
    this.#boots.set(nodeID, bootID);
    return previous !== bootID;
  }

  /** Returns false when the node must handshake again (unknown or disconnected). */
  heartbeat(nodeID: string): boolean {
    const n = this.#nodes.get(nodeID);
    if (!n || n.Connection !== NodeConnection.Connected) return false;
    this.#lastBeat.set(nodeID, Date.now());
    n.ConnectionState.LastHeartbeat = new Date().toISOString();
    this.#opts.store.putNode(n);
    return true;
  }

  updateInfo(info: NodeInfo): boolean {
    const n = this.#nodes.get(info.NodeID);
    if (!n || n.Connection !== NodeConnection.Connected) return false;
    n.Info = info;
    this.#save(n);
    return true;
  }

  disconnect(nodeID: string, reason: string): void {
    const n = this.#nodes.get(nodeID);
    if (!n || n.Connection === NodeConnection.Disconnected) return;
    n.Connection = NodeConnection.Disconnected;
    n.ConnectionState.Status = NodeConnection.Disconnected;
    n.ConnectionState.DisconnectedSince = new Date().toISOString();
    n.ConnectionState.LastError = reason;
    this.#save(n);
    this.#lastBeat.delete(nodeID);
    this.#opts.onLeave?.(nodeID, reason);
  }

  get(nodeID: string): NodeState | undefined {
    return this.#nodes.get(nodeID);
  }

  list(): NodeState[] {
    return [...this.#nodes.values()];
  }

  /** Connected and approved: may be given work. */
  isUsable(nodeID: string): boolean {
    const n = this.#nodes.get(nodeID);
    return !!n && n.Connection === NodeConnection.Connected && n.Membership === NodeMembership.Approved;
  }

  isConnected(nodeID: string): boolean {
    return this.#nodes.get(nodeID)?.Connection === NodeConnection.Connected;
  }

  /** approve | reject | delete, by full ID or unique prefix. */
  update(idOrPrefix: string, action: string): void {
    const node = this.#find(idOrPrefix);
    switch (action.toLowerCase()) {
      case "approve":
        if (node.Membership === NodeMembership.Approved) {
          throw BacalhauError.badRequest(`node ${node.Info.NodeID} is already approved`, { component: "NodeManager" });
        }
        node.Membership = NodeMembership.Approved;
        this.#save(node);
        this.#opts.onApprove?.(node.Info.NodeID);
        return;
      case "reject":
        if (node.Membership === NodeMembership.Rejected) {
          throw BacalhauError.badRequest(`node ${node.Info.NodeID} is already rejected`, { component: "NodeManager" });
        }
        node.Membership = NodeMembership.Rejected;
        this.#save(node);
        this.#opts.onLeave?.(node.Info.NodeID, "node rejected");
        return;
      case "delete":
        this.#nodes.delete(node.Info.NodeID);
        this.#opts.store.deleteNode(node.Info.NodeID);
        this.#opts.onLeave?.(node.Info.NodeID, "node deleted");
        return;
      default:
        throw BacalhauError.badRequest(`unsupported node action: ${action}`, {
          component: "NodeManager",
          hint: "use one of approve, reject, delete",
        });
    }
  }

  #find(idOrPrefix: string): NodeState {
    const exact = this.#nodes.get(idOrPrefix);
    if (exact) return exact;
    const matches = [...this.#nodes.values()].filter((n) => n.Info.NodeID.startsWith(idOrPrefix));
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) {
      throw BacalhauError.badRequest(`multiple nodes found for prefix ${idOrPrefix}`, { component: "NodeManager" });
    }
    throw BacalhauError.notFound(`node not found: ${idOrPrefix}`, { component: "NodeManager" });
  }

  #save(state: NodeState): void {
    this.#nodes.set(state.Info.NodeID, state);
    this.#opts.store.putNode(state);
  }

  #checkLiveness(): void {
    const now = Date.now();
    for (const [id, last] of this.#lastBeat) {
      if (now - last > this.#opts.disconnectTimeoutMs) this.disconnect(id, "heartbeat timeout");
    }
  }
}
