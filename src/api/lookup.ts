/** Resolving the `{id}` of a route: jobs by name, full ID or unique ID prefix; nodes by ID or prefix. */
import { BacalhauError } from "../models/errors.ts";
import type { Job, NodeState } from "../models/types.ts";
import type { OrchestratorAPI } from "../orchestrator/api.ts";
import type { JobStore } from "../store/store.ts";
import { API_COMPONENT } from "./errors.ts";

export function findJob(store: JobStore, idOrName: string, namespace: string | undefined): Job {
  return store.findJob(idOrName, namespace);
}

export function findNode(store: JobStore, idOrPrefix: string): NodeState {
  const exact = store.getNode(idOrPrefix);
  if (exact) return exact;
  const matches = store.listNodes().filter((n) => n.Info.NodeID.startsWith(idOrPrefix));
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) {
    throw BacalhauError.badRequest(`multiple nodes found for id prefix ${idOrPrefix}`, {
      component: "NodeManager",
      hint: "use more characters of the node ID",
    });
  }
  throw BacalhauError.notFound(`node not found: ${idOrPrefix}`, { component: "NodeManager" });
}

/** The orchestrator, or a 501 explaining that this node does not run one. */
export function requireOrchestrator(o: OrchestratorAPI | undefined): OrchestratorAPI {
  if (o) return o;
  throw new BacalhauError("this node does not run an orchestrator", {
    code: "NotImplemented",
    component: API_COMPONENT,
    hint: "send orchestrator requests to a node started with the orchestrator role",
  });
}
