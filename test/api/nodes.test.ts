import { test } from "node:test";
import assert from "node:assert/strict";
import { apiError, makeNode, startHarness } from "./harness.ts";

const NODES = "/api/v1/orchestrator/nodes";
type NodesBody = { Nodes: { Info: { NodeID: string } }[]; NextToken: string };
const ids = (b: NodesBody) => b.Nodes.map((n) => n.Info.NodeID);

test("list nodes: shape, order, filters, labels", async (t) => {
  const h = await startHarness(t);
  h.store.putNode(makeNode("n-aaaa0001", {}, { zone: "eu" }));
  h.store.putNode(makeNode("n-bbbb0002", { Membership: "PENDING" }, { zone: "us" }));
  h.store.putNode(makeNode("n-cccc0003", {
    Connection: "DISCONNECTED",
    ConnectionState: { Status: "DISCONNECTED", LastHeartbeat: "", ConnectedSince: "", DisconnectedSince: "" },
  }, { zone: "eu" }));

  const all: NodesBody = await (await h.get(NODES)).json();
  assert.deepEqual(ids(all), ["n-aaaa0001", "n-bbbb0002", "n-cccc0003"]);
  assert.equal(all.NextToken, "");
  assert.deepEqual(ids(await (await h.get(`${NODES}?reverse=true&limit=1`)).json()), ["n-cccc0003"]);
  assert.deepEqual(ids(await (await h.get(`${NODES}?filter-approval=pending`)).json()), ["n-bbbb0002"]);
  assert.deepEqual(ids(await (await h.get(`${NODES}?filter-status=Disconnected`)).json()), ["n-cccc0003"]);
  assert.deepEqual(ids(await (await h.get(`${NODES}?labels=zone%3Deu`)).json()), ["n-aaaa0001", "n-cccc0003"]);
  assert.deepEqual(ids(await (await h.get(`${NODES}?order_by=approval`)).json())[0], "n-aaaa0001");

  const bad = await apiError(await h.get(`${NODES}?order_by=color`), 400);
  assert.match(String(bad.Message), /invalid order_by/);
  await apiError(await h.get(`${NODES}?filter-approval=maybe`), 400);
});

test("get node by ID or prefix; 404 and ambiguity", async (t) => {
  const h = await startHarness(t);
  h.store.putNode(makeNode("n-aaaa0001"));
  h.store.putNode(makeNode("n-aaaa0002"));
  const one = await (await h.get(`${NODES}/n-aaaa0001`)).json();
  assert.equal(one.Node.Info.NodeID, "n-aaaa0001");
  const prefix = await (await h.get(`${NODES}/n-aaaa0002`.slice(0, -1) + "2")).json();
  assert.equal(prefix.Node.Info.NodeID, "n-aaaa0002");
  await apiError(await h.get(`${NODES}/n-aaaa`), 400);
  const missing = await apiError(await h.get(`${NODES}/n-zzzz`), 404);
  assert.equal(missing.Message, "node not found: n-zzzz");
});

test("approve/reject/delete a node", async (t) => {
  const h = await startHarness(t);
  h.store.putNode(makeNode("n-aaaa0001"));
  const res = await h.send("PUT", `${NODES}/n-aaaa`, { Action: "Approve", Message: "ok", NodeID: "n-aaaa0001" });
  assert.deepEqual(await res.json(), { Success: true });
  assert.deepEqual(h.orchestrator.nodeUpdates, [{ nodeID: "n-aaaa0001", action: "approve", message: "ok" }]);
  const bad = await apiError(await h.send("PUT", `${NODES}/n-aaaa0001`, { Action: "promote" }), 400);
  assert.deepEqual(bad.Details, { field: "Action" });
  await apiError(await h.send("PUT", `${NODES}/n-zzzz`, { Action: "reject" }), 404);
});
