import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createSwarmKey, parseSwarmKey } from "../../src/p2p/swarm-key.ts";
import { isWebSocketAddress } from "../../src/p2p/address.ts";
import type { ExecutionLog, ToOrchestrator } from "../../src/transport/messages.ts";
import { makeExecution, makeJob } from "../store/fixtures/models.ts";
import { localHost, orchestratorOn } from "./libp2p-harness.ts";
import type { Cleanup } from "./libp2p-harness.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHILD = fileURLToPath(new URL("./fixtures/compute-child.ts", import.meta.url));
const here = "Deno" in globalThis ? "deno" : "node";
const other = here === "deno" ? "node" : "deno";

function cleanups(t: { after(fn: () => unknown): void }): Cleanup {
  const fns: Array<() => unknown> = [];
  t.after(async () => {
    for (const fn of fns.reverse()) await fn();
  });
  return (fn) => fns.push(fn);
}

test(`a compute node on ${other} works with an orchestrator on ${here}, over WebSockets with a swarm key`, async (t) => {
  const onCleanup = cleanups(t);
  const keyText = createSwarmKey();
  const requester = await localHost(onCleanup, { swarmKey: parseSwarmKey(keyText), webSocketPort: 0 });
  const wsAddr = requester.addresses().find(isWebSocketAddress);
  assert.ok(wsAddr, "the requester listens on WebSockets");

  const orch = await orchestratorOn(requester, onCleanup);
  const inbox: Array<{ nodeID: string; msg: ToOrchestrator }> = [];
  const waiters: Array<() => void> = [];
  orch.setHandler({
    onMessage(nodeID, msg) {
      inbox.push({ nodeID, msg });
      waiters.splice(0).forEach((w) => w());
    },
  });
  const nextOf = async <K extends ToOrchestrator["type"]>(type: K): Promise<Extract<ToOrchestrator, { type: K }>> => {
    for (;;) {
      const i = inbox.findIndex((m) => m.msg.type === type);
      if (i >= 0) return inbox.splice(i, 1)[0]!.msg as Extract<ToOrchestrator, { type: K }>;
      await new Promise<void>((r) => waiters.push(r));
    }
  };

  const bin = fileURLToPath(new URL(`node_modules/.bin/${other}`, `file://${ROOT}`));
  const args = other === "deno" ? ["run", "-A", CHILD] : [CHILD];
  const child = spawn(bin, [...args, wsAddr.toString(), "n-child"], {
    cwd: ROOT,
    env: { ...process.env, SWARM_KEY: keyText },
    stdio: ["ignore", "inherit", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Uint8Array) => (stderr += String(d)));
  const exited = once(child, "exit");
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });

  const hs = await nextOf("Handshake");
  assert.equal(hs.nodeInfo.NodeID, "n-child");
  assert.equal(hs.nodeInfo.Labels.runtime, other);

  const job = makeJob();
  const execution = makeExecution(job, { NodeID: "n-child" });
  await orch.send("n-child", { type: "AskForBid", execution, run: false });
  const bid = await nextOf("BidResult");
  assert.deepEqual(bid, { type: "BidResult", executionID: execution.ID, jobID: job.ID, accepted: true, reason: `bid from ${other}` });

  const logs: ExecutionLog[] = [];
  for await (const l of orch.streamLogs("n-child", { executionID: execution.ID, follow: false }, new AbortController().signal)) logs.push(l);
  assert.equal(logs.length, 100);
  assert.equal(logs[99]!.Line, `${execution.ID} ${other} 99\n`);

  await orch.send("n-child", { type: "CancelExecution", executionID: "shutdown", reason: "test over" });
  const [code] = await exited;
  assert.equal(code, 0, `child stderr:\n${stderr}`);
});
