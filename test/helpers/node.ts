/** Starts a real hybrid node for a test: fresh data dir, free ports, stopped and cleaned up by the test. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { localHybridConfig, type NodeConfig } from "../../src/config/config.ts";
import { startNode, type RunningNode } from "../../src/node/node.ts";

export function tempDir(t: TestContext | { after(fn: () => void): void }, prefix = "bacalhau-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function testConfig(dataDir: string, edit?: (cfg: NodeConfig) => void): NodeConfig {
  const cfg = localHybridConfig(dataDir);
  cfg.Compute.AllocatedCapacity = { CPU: "4", Memory: "4Gb", Disk: "", GPU: "0" };
  cfg.Orchestrator.Scheduler.QueueBackoff = "200ms";
  cfg.Orchestrator.Scheduler.HousekeepingInterval = "200ms";
  edit?.(cfg);
  return cfg;
}

/** A hybrid node on 127.0.0.1 with a fresh data dir; stopped after the test. */
export async function startTestNode(
  t: TestContext | { after(fn: () => void | Promise<void>): void },
  edit?: (cfg: NodeConfig) => void,
  dataDir?: string,
): Promise<RunningNode> {
  if (dataDir !== undefined) {
    const node = await startNode(testConfig(dataDir, edit));
    t.after(() => node.stop());
    return node;
  }
  // One hook, in this order: a running node can still write into its data dir.
  const dir = mkdtempSync(join(tmpdir(), "bacalhau-test-"));
  let node: RunningNode;
  try {
    node = await startNode(testConfig(dir, edit));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  t.after(async () => {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return node;
}
