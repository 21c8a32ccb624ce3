/**
 * `bacalhau devstack`: a whole private network in one process for development and demos: an
 * orchestrator (or a hybrid node) and compute nodes, each with its own data dir, joined over real
 * libp2p connections with a swarm key on 127.0.0.1, on free ports unless given.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localHybridConfig, type NodeConfig } from "../config/config.ts";
import { BacalhauError } from "../models/errors.ts";
import { startNode, type RunningNode } from "../node/node.ts";
import { onShutdownSignal } from "../runtime/signals.ts";
import { parseFlags, type FlagSpec } from "./flags.ts";

const FLAGS: FlagSpec[] = [
  { name: "computes", type: "int", default: 3, aliases: ["compute-nodes"], help: "compute-only nodes (default 3)" },
  { name: "orchestrators", type: "int", default: 1, aliases: ["requester-nodes"], help: "orchestrator-only nodes: 1, or 0 with hybrids (default 1)" },
  { name: "hybrids", type: "int", default: 0, aliases: ["hybrid-nodes"], help: "nodes with both roles (default 0)" },
  { name: "api-port", type: "int", default: 0, help: "API port of the first orchestrator (default: a free port)" },
  { name: "stack-repo", type: "string", help: "keep the nodes' data here (default: a temp dir removed on exit)" },
  { name: "allow-listed-local-paths", type: "strings", split: true, help: "host paths jobs may mount, on every compute node" },
  { name: "job-selection-accept-networked", type: "bool", help: "compute nodes accept networked jobs" },
  { name: "private-internal-ipfs", type: "bool", default: true, help: "every node runs an IPFS node on the private swarm (default true; =false to turn off)" },
  { name: "help", short: "h", type: "bool", help: "help for devstack" },
];

export interface DevstackOptions {
  computes: number;
  orchestrators: number;
  hybrids: number;
  apiPort: number;
  dir: string;
  edit?: (cfg: NodeConfig) => void;
  log?: (msg: string) => void;
}

export interface Devstack {
  nodes: RunningNode[];
  /** The node clients talk to. */
  entry: RunningNode;
  stop(): Promise<void>;
}

function nodeConfig(dir: string, name: string, roles: { orchestrator: boolean; compute: boolean }): NodeConfig {
  const cfg = localHybridConfig(join(dir, name));
  mkdirSync(cfg.DataDir, { recursive: true, mode: 0o700 });
  cfg.Orchestrator.Enabled = roles.orchestrator;
  cfg.Compute.Enabled = roles.compute;
  cfg.P2P.Enabled = true;
  cfg.P2P.ListenHost = "127.0.0.1";
  cfg.P2P.SwarmPort = 0;
  return cfg;
}

export async function startDevstack(opts: DevstackOptions): Promise<Devstack> {
  if (opts.orchestrators + opts.hybrids < 1) {
    throw BacalhauError.badRequest("a devstack needs an orchestrator", { hint: "use --orchestrators 1 or --hybrids 1" });
  }
  if (opts.orchestrators > 1) {
    throw BacalhauError.badRequest("a devstack runs one orchestrator", {
      hint: "compute nodes join the first orchestrator; add compute capacity with --computes or --hybrids",
    });
  }
  const nodes: RunningNode[] = [];
  const stop = async () => {
    for (const n of nodes.splice(0).reverse()) await n.stop();
  };
  try {
    // The compute nodes share one host: each offers an equal part of what one node would.
    const share = Math.max(1, opts.computes + opts.hybrids);
    const pct = `${Math.floor(80 / share)}%`;
    const firstRoles = { orchestrator: true, compute: opts.orchestrators === 0 };
    const firstCfg = nodeConfig(opts.dir, opts.orchestrators === 0 ? "hybrid-0" : "orchestrator-0", firstRoles);
    firstCfg.API.Port = opts.apiPort;
    firstCfg.Compute.AllocatedCapacity.CPU = pct;
    firstCfg.Compute.AllocatedCapacity.Memory = pct;
    opts.edit?.(firstCfg);
    const entry = await startNode(firstCfg, { log: opts.log });
    nodes.push(entry);
    const peer = entry.p2p!.host.printableAddress()!;
    const swarmKey = entry.p2p!.swarmKeyFile;
    const hybrids = opts.orchestrators === 0 ? opts.hybrids - 1 : opts.hybrids;
    const more = [
      ...Array.from({ length: hybrids }, (_, i) => ({ name: `hybrid-${i + 1}`, orchestrator: true })),
      ...Array.from({ length: opts.computes }, (_, i) => ({ name: `compute-${i}`, orchestrator: false })),
    ];
    for (const m of more) {
      const cfg = nodeConfig(opts.dir, m.name, { orchestrator: m.orchestrator, compute: true });
      cfg.P2P.Peers = [peer];
      cfg.P2P.SwarmKeyFile = swarmKey;
      cfg.Compute.AllocatedCapacity.CPU = pct;
      cfg.Compute.AllocatedCapacity.Memory = pct;
      opts.edit?.(cfg);
      nodes.push(await startNode(cfg, { log: opts.log }));
    }
    return { nodes, entry, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function devstackCommand(args: string[]): Promise<number> {
  const f = parseFlags(args, FLAGS);
  if (f.bool("help")) {
    process.stdout.write("Start a private network of nodes in one process.\n\nUsage:\n  bacalhau devstack [flags]\n\nFlags:\n" +
      FLAGS.map((x) => `      --${x.name.padEnd(32)} ${x.help}`).join("\n") + "\n");
    return 0;
  }
  const keep = f.string("stack-repo");
  const dir = keep || mkdtempSync(join(tmpdir(), "bacalhau-devstack-"));
  const stack = await startDevstack({
    computes: f.int("computes"),
    orchestrators: f.int("orchestrators"),
    hybrids: f.int("hybrids"),
    apiPort: f.int("api-port"),
    dir,
    edit: (cfg) => {
      cfg.Compute.AllowListedLocalPaths = f.list("allow-listed-local-paths");
      if (f.bool("job-selection-accept-networked")) cfg.JobAdmissionControl.RejectNetworkedJobs = false;
      cfg.IPFS.PrivateInternal = f.bool("private-internal-ipfs");
    },
  });
  const orchestrators = stack.nodes.filter((n) => n.orchestrator && !n.compute).length;
  const hybrids = stack.nodes.filter((n) => n.orchestrator && n.compute).length;
  const computes = stack.nodes.filter((n) => !n.orchestrator && n.compute).length;
  process.stdout.write([
    "Devstack is ready!",
    `Orchestrators: ${orchestrators}  Compute nodes: ${computes}  Hybrid nodes: ${hybrids}`,
    `Nodes' data: ${dir}${keep ? "" : " (removed on exit)"}`,
    "To use the devstack, run the following commands in your shell:",
    ...(stack.entry.ipfs ? [`export BACALHAU_IPFS_SWARM_ADDRESSES=${stack.entry.p2p!.host.printableAddress()}`] : []),
    `export BACALHAU_API_HOST=127.0.0.1`,
    `export BACALHAU_API_PORT=${stack.entry.apiPort}`,
    "",
  ].join("\n"));
  await new Promise<void>((resolve) => {
    const off = onShutdownSignal(() => {
      off();
      resolve();
    });
  });
  await stack.stop();
  if (!keep) rmSync(dir, { recursive: true, force: true });
  process.stderr.write("devstack stopped\n");
  return 0;
}
