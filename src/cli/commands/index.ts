/** The command tree: every command and group the CLI knows, by name. */
import type { CommandGroup, Node, RawCommand } from "../command.ts";
import { agentAliveCommand, agentConfigCommand, agentNodeCommand, agentVersionCommand } from "./agent.ts";
import { dockerRunCommand } from "./docker-run.ts";
import { ipfsAddCommand } from "./ipfs-add.ts";
import { ipfsGetCommand } from "./ipfs-get.ts";
import { jobDescribeCommand } from "./job-describe.ts";
import { jobExecutionsCommand } from "./job-executions.ts";
import { jobGetCommand } from "./job-get.ts";
import { jobHistoryCommand } from "./job-history.ts";
import { jobListCommand } from "./job-list.ts";
import { jobLogsCommand } from "./job-logs.ts";
import { jobRerunCommand } from "./job-rerun.ts";
import { jobRunCommand } from "./job-run.ts";
import { jobStopCommand } from "./job-stop.ts";
import { jobVersionsCommand } from "./job-versions.ts";
import { nodeApproveCommand, nodeDeleteCommand, nodeDescribeCommand, nodeListCommand, nodeRejectCommand } from "./node.ts";
import { versionCommand } from "./version.ts";
import { wasmRunCommand } from "./wasm-run.ts";

type RawFn = (args: string[]) => Promise<number>;

/**
 * Commands written elsewhere are loaded only when used, so a missing or broken one never stops
 * the rest of the CLI from working.
 */
function lazy(name: string, summary: string, load: () => Promise<object>, exportName: string): RawCommand {
  return {
    name,
    summary,
    async raw(args) {
      // `load` is a literal import() so that a bundler still finds the module.
      const mod = (await load()) as Record<string, unknown>;
      const fn = mod[exportName];
      if (typeof fn !== "function") throw new Error(`the ${name} command's module does not export ${exportName}`);
      return (fn as RawFn)(args);
    },
  };
}

export function commandTree(): CommandGroup {
  return {
    name: "bacalhau",
    summary: "Compute over data: run WASM and docker jobs where the data is.",
    children: [
      versionCommand,
      {
        name: "agent",
        summary: "Commands to query agent information.",
        children: [agentAliveCommand, agentVersionCommand, agentNodeCommand, agentConfigCommand],
      },
      {
        name: "job",
        summary: "Commands to submit, query and update jobs.",
        children: [
          jobRunCommand,
          jobDescribeCommand,
          jobListCommand,
          jobLogsCommand,
          jobExecutionsCommand,
          jobHistoryCommand,
          jobVersionsCommand,
          jobStopCommand,
          jobRerunCommand,
          jobGetCommand,
        ],
      },
      {
        name: "node",
        summary: "Commands to query and update nodes information.",
        children: [nodeListCommand, nodeDescribeCommand, nodeApproveCommand, nodeRejectCommand, nodeDeleteCommand],
      },
      {
        name: "wasm",
        summary: "Run and prepare WASM jobs on the network",
        children: [wasmRunCommand, lazy("exec", "Run a WASM module locally, as a job would run it", () => import("../wasm-exec.ts"), "wasmExecCommand")],
      },
      { name: "docker", summary: "Run a docker job on the network", children: [dockerRunCommand] },
      { name: "ipfs", summary: "Add content to and fetch it from the network's private IPFS", children: [ipfsAddCommand, ipfsGetCommand] },
      lazy("serve", "Start a bacalhau node", () => import("../serve.ts"), "serveCommand"),
      lazy("devstack", "Start a cluster of nodes in one process", () => import("../devstack.ts"), "devstackCommand"),
      lazy("id", "Show the libp2p peer ID and client ID of this host", () => import("../id.ts"), "idCommand"),
    ] satisfies Node[],
  };
}
