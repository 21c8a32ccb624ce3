/**
 * Which libp2p peer each node ID belongs to. The first peer to join under a name owns it; a hello
 * naming it from any other peer is refused, so a swarm member cannot take over another node's ID
 * (and its executions, logs and results). Node IDs are names the nodes choose (as in Bacalhau),
 * not PeerIDs, so the binding is what ties the two together. With a file it survives a restart,
 * so an impostor cannot claim the name while the real node is away.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";

export interface NodeBindings {
  /** The PeerID bound to `nodeID`, if any. */
  get(nodeID: string): string | undefined;
  bind(nodeID: string, peerID: string): void;
  /** Frees a name (the operator deleted the node), so it may join again from a new peer. */
  release(nodeID: string): void;
}

export class MemoryNodeBindings implements NodeBindings {
  protected readonly peers = new Map<string, string>();
  get(nodeID: string): string | undefined {
    return this.peers.get(nodeID);
  }
  bind(nodeID: string, peerID: string): void {
    this.peers.set(nodeID, peerID);
  }
  release(nodeID: string): void {
    this.peers.delete(nodeID);
  }
}

/** Bindings kept in a JSON file `{ "<node ID>": "<PeerID>" }`, rewritten (atomically) on each change. */
export class FileNodeBindings extends MemoryNodeBindings {
  readonly #file: string;

  constructor(file: string) {
    super();
    this.#file = file;
    let text: string | undefined;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    if (text === undefined) return;
    const stored: unknown = JSON.parse(text);
    if (typeof stored !== "object" || stored === null) return;
    for (const [nodeID, peerID] of Object.entries(stored)) {
      if (typeof peerID === "string") this.peers.set(nodeID, peerID);
    }
  }

  override bind(nodeID: string, peerID: string): void {
    if (this.peers.get(nodeID) === peerID) return;
    super.bind(nodeID, peerID);
    this.#save();
  }

  override release(nodeID: string): void {
    if (!this.peers.has(nodeID)) return;
    super.release(nodeID);
    this.#save();
  }

  #save(): void {
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.peers)), { mode: 0o600 });
    renameSync(tmp, this.#file);
  }
}
