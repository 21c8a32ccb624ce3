/** /api/v1/orchestrator/nodes: list (filter, order; no paging, like Bacalhau), get, approve/reject/delete. */
import type { Hono } from "hono";
import { matchesSelector, parseSelectors } from "../../models/labels.ts";
import { NodeConnection, NodeMembership } from "../../models/types.ts";
import type { NodeState } from "../../models/types.ts";
import type { ApiDeps, ApiEnv } from "../deps.ts";
import { badParam } from "../errors.ts";
import { findNode, requireOrchestrator } from "../lookup.ts";
import { queryBool, queryInt, queryList, queryString, readJsonBody } from "../request.ts";

const NODES = "/api/v1/orchestrator/nodes";
const ACTIONS = new Set(["approve", "reject", "delete"]);

type Key = string | number;
const SORT_KEYS: Record<string, (n: NodeState) => Key> = {
  id: (n) => n.Info.NodeID,
  type: (n) => n.Info.NodeType,
  available_cpu: (n) => n.Info.ComputeNodeInfo?.AvailableCapacity.CPU ?? 0,
  available_memory: (n) => n.Info.ComputeNodeInfo?.AvailableCapacity.Memory ?? 0,
  available_disk: (n) => n.Info.ComputeNodeInfo?.AvailableCapacity.Disk ?? 0,
  available_gpu: (n) => n.Info.ComputeNodeInfo?.AvailableCapacity.GPU ?? 0,
  approval: (n) => n.Membership,
  status: (n) => n.ConnectionState?.Status ?? n.Connection,
};

function filterValue(name: string, raw: string | undefined, allowed: readonly string[]): string | undefined {
  if (raw === undefined) return undefined;
  const v = raw.trim().toUpperCase();
  if (!allowed.includes(v)) throw badParam(name, `invalid ${name} '${raw}'`, `use one of ${allowed.join(", ")}`);
  return v;
}

export function registerNodeRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  app.get(NODES, (c) => {
    const orderBy = queryString(c, "order_by") ?? "id";
    const key = SORT_KEYS[orderBy];
    if (!key) throw badParam("order_by", `invalid order_by '${orderBy}'`, `use one of ${Object.keys(SORT_KEYS).join(", ")}`);
    const reverse = queryBool(c, "reverse");
    const limit = queryInt(c, "limit") ?? 0;
    const selector = parseSelectors(queryList(c, "labels"));
    // The generated Python client sends filter_approval (its swagger spelling) instead of filter-approval.
    const approvalRaw = queryString(c, "filter-approval") ?? queryString(c, "filter_approval");
    const approval = filterValue("filter-approval", approvalRaw, Object.values(NodeMembership));
    const status = filterValue("filter-status", queryString(c, "filter-status"), Object.values(NodeConnection));
    let nodes = deps.store.listNodes().filter((n) =>
      matchesSelector(selector, n.Info.Labels ?? {}) &&
      (approval === undefined || n.Membership === approval) &&
      (status === undefined || (n.ConnectionState?.Status ?? n.Connection) === status)
    );
    nodes.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const cmp = x < y ? -1 : x > y ? 1 : a.Info.NodeID.localeCompare(b.Info.NodeID);
      return reverse ? -cmp : cmp;
    });
    if (limit > 0) nodes = nodes.slice(0, limit);
    // `nodes` repeats `Nodes` because Bacalhau's generated Python client reads the lower-case key
    // (its swagger says json:"nodes"); Go clients decode either spelling.
    return c.json({ Nodes: nodes, NextToken: "", nodes });
  });

  app.get(`${NODES}/:id`, (c) => {
    const node = findNode(deps.store, c.req.param("id"));
    // `node` repeats `Node` for the generated Python client, as above.
    return c.json({ Node: node, node });
  });

  app.put(`${NODES}/:id`, async (c) => {
    const orchestrator = requireOrchestrator(deps.orchestrator);
    const body = await readJsonBody(c, { required: true });
    const action = body.string("Action").trim().toLowerCase();
    if (!ACTIONS.has(action)) {
      throw badParam("Action", `invalid action '${body.string("Action")}'`, "use approve, reject or delete");
    }
    const node = findNode(deps.store, c.req.param("id"));
    orchestrator.updateNode(node.Info.NodeID, action, body.string("Message"));
    return c.json({ Success: true });
  });
}
