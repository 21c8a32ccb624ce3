/**
 * The node the in-process figures run against: a hybrid node (orchestrator + compute) with the
 * default config, except that it listens on 127.0.0.1 with free ports and keeps its state in a fresh
 * temp dir. Its stop and the removal of that dir are registered with the run's Cleanup.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../src/config/config.ts";
import { startNode, type RunningNode } from "../../src/node/node.ts";
import type { Orchestrator } from "../../src/orchestrator/orchestrator.ts";
import type { Cleanup } from "./cleanup.ts";

export interface BenchNode {
  apiURL: string;
  orchestrator: Orchestrator;
  node: RunningNode;
  /** Stops the node and removes its dir now, rather than at the end of the run. */
  stop(): Promise<void>;
}

export async function startBenchNode(cleanup: Cleanup): Promise<BenchNode> {
  const dir = mkdtempSync(join(tmpdir(), "bacalhau-bench-"));
  const removeDir = cleanup.defer(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  const cfg = defaultConfig({});
  cfg.DataDir = dir;
  cfg.API.Host = "127.0.0.1";
  cfg.API.Port = 0;
  cfg.Publishers.Types.Local.Port = 0;
  cfg.Orchestrator.Enabled = true;
  cfg.Compute.Enabled = true;
  const node = await startNode(cfg);
  const stopNode = cleanup.defer("in-process node", () => node.stop());
  if (!node.orchestrator) throw new Error("bench node started without an orchestrator");
  const stop = async () => {
    await stopNode();
    await removeDir();
  };
  return { apiURL: node.apiURL, orchestrator: node.orchestrator, node, stop };
}
