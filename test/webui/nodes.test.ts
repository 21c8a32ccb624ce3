/**
 * The Overview's node table against a private network of processes (requester with manual
 * approval, compute nodes joining over libp2p), all started on the runtime running the tests: a
 * joining node appears by itself, waits for approval, and the dashboard's buttons approve or reject.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import type { NodeState } from "../../src/models/types.ts";
import { getJSON } from "../helpers/jobs.ts";
import { nodes, startCompute, startRequester, until } from "../helpers/network.ts";
import { launch, noErrors, openPage, screenshot } from "./browser.ts";

const computeRows = (page: Page) => page.locator("#nodes tr[data-node]", { hasText: "Compute" });

async function nodeID(port: number): Promise<string> {
  return (await getJSON<{ NodeID: string }>(`http://127.0.0.1:${port}/api/v1/agent/node`)).NodeID;
}

test("dashboard: compute nodes join, and are approved or rejected from the page", async (t) => {
  const req = await startRequester(t, { args: ["-c", "Orchestrator.NodeManager.ManualApproval=true"] });
  const browser = await launch(t);
  const { page, errors } = await openPage(browser);
  await page.goto(`${req.api}/`);
  // A requester-only node lists no node of its own: the table starts empty.
  await page.locator("#nodes td", { hasText: "No nodes yet." }).waitFor();
  assert.equal(await computeRows(page).count(), 0);

  // The page is already open: the node must appear through its own refresh.
  const first = await startCompute(t, req);
  const firstID = await nodeID(first.port);
  const row = page.locator(`#nodes tr[data-node="${firstID}"]`);
  await row.locator(".badge", { hasText: "PENDING" }).waitFor();
  await row.getByRole("button", { name: `Approve node ${firstID}` }).click();
  await row.locator(".badge", { hasText: "APPROVED" }).waitFor();
  const approved = await until("the node approved", () => nodes(req.api), (ns) => ns.some((n) => n.Info.NodeID === firstID && n.Membership === "APPROVED"));
  assert.equal(approved.find((n) => n.Info.NodeID === firstID)!.Membership, "APPROVED");
  await row.locator(".badge", { hasText: "CONNECTED" }).waitFor();
  assert.equal(await row.getByRole("button", { name: /Approve/ }).count(), 0);

  const second = await startCompute(t, req);
  const secondID = await nodeID(second.port);
  const secondRow = page.locator(`#nodes tr[data-node="${secondID}"]`);
  await secondRow.locator(".badge", { hasText: "PENDING" }).waitFor();
  assert.equal(await computeRows(page).count(), 2);
  assert.equal(await page.locator("#nodes td", { hasText: "No nodes yet." }).count(), 0);
  await screenshot(page, "nodes");
  await secondRow.getByRole("button", { name: `Reject node ${secondID}` }).click();
  await secondRow.locator(".badge", { hasText: "REJECTED" }).waitFor();
  const after = await getJSON<{ Node: NodeState }>(`${req.api}/api/v1/orchestrator/nodes/${secondID}`);
  assert.equal(after.Node.Membership, "REJECTED");
  noErrors(errors);
});
