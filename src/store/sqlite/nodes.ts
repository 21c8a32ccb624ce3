// Node states, keyed by NodeID; the node manager writes them whole.
import type { NodeState } from "../../models/types.ts";
import type { SqliteDb } from "./db.ts";
import { fromJSON, toJSON } from "./rows.ts";

export class NodeTable {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  put(state: NodeState): void {
    this.#db.run(
      "INSERT INTO nodes (id, json) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
      state.Info.NodeID, toJSON(state),
    );
  }

  get(id: string): NodeState | undefined {
    const row = this.#db.get("SELECT json FROM nodes WHERE id = ?", id);
    return row === undefined ? undefined : fromJSON<NodeState>(row);
  }

  list(): NodeState[] {
    return this.#db.all("SELECT json FROM nodes ORDER BY id").map((r) => fromJSON<NodeState>(r));
  }

  delete(id: string): void {
    this.#db.run("DELETE FROM nodes WHERE id = ?", id);
  }
}
