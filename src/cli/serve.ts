/**
 * `bacalhau serve`: starts a node with the roles asked for (modern `--orchestrator --compute`, or the
 * legacy `--node-type requester,compute`), prints how clients reach it, and stops cleanly on
 * SIGINT/SIGTERM: running executions are cancelled and recorded before the store closes.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { loadConfig, parseLabels, setConfigValue, type NodeConfig } from "../config/config.ts";
import { BacalhauError } from "../models/errors.ts";
import { startNode, type RunningNode } from "../node/node.ts";
import { onShutdownSignal } from "../runtime/signals.ts";
import { parseFlags, type FlagSpec } from "./flags.ts";

export const SERVE_FLAGS: FlagSpec[] = [
  { name: "orchestrator", type: "bool", help: "run the orchestrator role (takes jobs, schedules them)" },
  { name: "compute", type: "bool", help: "run the compute role (bids for jobs, runs them)" },
  { name: "node-type", type: "strings", split: true, help: "legacy roles: requester, compute, or requester,compute" },
  { name: "name", type: "string", help: "node name (default: a generated n-<uuid>, kept in the data dir)" },
  { name: "api-host", type: "string", help: "interface the API listens on (default 0.0.0.0)" },
  { name: "api-port", type: "int", help: "API port (default 1234; 0 picks a free port)" },
  { name: "host", type: "string", help: "legacy: interface both the API and the swarm listen on" },
  { name: "peer", type: "strings", split: true, help: "requester(s) to join: a multiaddr …/p2p/<PeerID>, or its API address http://host:1234; 'none' for no peers" },
  { name: "swarm-port", type: "int", aliases: ["port"], help: "libp2p TCP port (default 1235; 0 picks a free port)" },
  { name: "websocket-port", type: "int", help: "also listen for libp2p over WebSockets on this port (for nodes behind NAT)" },
  { name: "swarm-key", type: "string", help: "the private swarm key file (a requester creates <data-dir>/swarm.key when none is given)" },
  { name: "no-p2p", type: "bool", help: "a requester that takes no remote compute nodes (no libp2p listener)" },
  { name: "private-internal-ipfs", type: "bool", help: "run an IPFS node inside this one, on the private swarm only (ipfs inputs and publisher)" },
  { name: "ipfs-swarm-addrs", type: "strings", split: true, aliases: ["ipfs-swarm-addr"], help: "more swarm peers to fetch IPFS blocks from (multiaddrs …/p2p/<PeerID>)" },
  { name: "job-selection-data-locality", type: "string", help: "local: bid only on jobs whose inputs are already on this node; anywhere (default)" },
  { name: "disable-engine", type: "strings", split: true, help: "execution engines not to offer, e.g. docker" },
  { name: "data-dir", type: "string", help: "where the node keeps its state (default ~/.bacalhau, env BACALHAU_DIR)" },
  { name: "config", short: "c", type: "strings", help: "a YAML config file, Key.Path=value, or a bare Key.Path (true); repeatable" },
  { name: "labels", type: "strings", help: "node labels, key=value[,key=value]" },
  { name: "allow-listed-local-paths", type: "strings", split: true, help: "host paths jobs may mount (suffix :rw for writable)" },
  { name: "job-selection-accept-networked", type: "bool", help: "accept jobs that ask for network access" },
  { name: "job-selection-reject-stateless", type: "bool", help: "reject jobs without inputs" },
  { name: "limit-total-cpu", type: "string", help: "CPU offered to jobs in total (e.g. 2 or 80%)" },
  { name: "limit-total-memory", type: "string", help: "memory offered to jobs in total (e.g. 4Gb or 80%)" },
  { name: "limit-total-gpu", type: "string", help: "GPUs offered to jobs in total" },
  { name: "limit-job-cpu", type: "string", help: "largest CPU request of a single job" },
  { name: "limit-job-memory", type: "string", help: "largest memory request of a single job" },
  { name: "limit-job-gpu", type: "string", help: "largest GPU request of a single job" },
  { name: "local-publisher-address", type: "string", help: "address the local publisher serves results on (default 127.0.0.1)" },
  { name: "local-publisher-port", type: "int", help: "port of the local publisher (default 6001; 0 picks a free port)" },
  { name: "local-publisher-directory", type: "string", help: "where published results are kept" },
  { name: "tlscert", type: "string", help: "TLS certificate (PEM file) for the API (API.TLS.CertFile)" },
  { name: "tlskey", type: "string", help: "TLS private key (PEM file) for the API (API.TLS.KeyFile)" },
  { name: "self-signed", type: "bool", help: "serve the API over TLS with a self-signed certificate kept in the data dir (API.TLS.SelfSigned)" },
  { name: "help", short: "h", type: "bool", help: "help for serve" },
];

function helpText(): string {
  const lines = SERVE_FLAGS.map((f) => `  ${f.short ? `-${f.short}, ` : "    "}--${f.name.padEnd(34)} ${f.help}`);
  return [
    "Start a bacalhau node.",
    "",
    "Usage:",
    "  bacalhau serve [flags]",
    "",
    "Examples:",
    "  bacalhau serve --orchestrator --compute",
    "  bacalhau serve --node-type requester,compute --api-port 1234",
    "",
    "Flags:",
    ...lines,
    "",
  ].join("\n");
}

/** Applies serve flags on top of the loaded config. */
export function configFromServeFlags(args: string[], env: Record<string, string | undefined>): NodeConfig | "help" {
  const f = parseFlags(args, SERVE_FLAGS);
  if (f.bool("help")) return "help";
  if (f.positionals.length > 0) {
    throw BacalhauError.badRequest(`serve takes no arguments, got: ${f.positionals.join(" ")}`, {
      hint: "run bacalhau serve --help",
    });
  }
  const dataDir = f.string("data-dir") || env.BACALHAU_DIR || join(homedir(), ".bacalhau");
  const cfg = loadConfig({ env: { ...env, BACALHAU_DIR: dataDir }, overrides: f.list("config") });
  cfg.DataDir = dataDir;
  const roles = f.list("node-type").map((r) => r.trim().toLowerCase());
  for (const r of roles) {
    if (r !== "requester" && r !== "compute" && r !== "orchestrator") {
      throw BacalhauError.badRequest(`unknown node type: ${r}`, { hint: "use requester, compute, or requester,compute" });
    }
  }
  if (f.bool("orchestrator") || roles.includes("requester") || roles.includes("orchestrator")) cfg.Orchestrator.Enabled = true;
  if (f.bool("compute") || roles.includes("compute")) cfg.Compute.Enabled = true;
  if (f.has("name")) cfg.Name = f.string("name");
  if (f.has("host")) {
    cfg.API.Host = f.string("host");
    cfg.P2P.ListenHost = f.string("host");
  }
  if (f.has("api-host")) cfg.API.Host = f.string("api-host");
  if (f.has("peer")) cfg.P2P.Peers = f.list("peer");
  if (f.has("swarm-port")) cfg.P2P.SwarmPort = f.int("swarm-port");
  if (f.has("websocket-port")) cfg.P2P.WebSocketPort = f.int("websocket-port");
  if (f.has("swarm-key")) cfg.P2P.SwarmKeyFile = f.string("swarm-key");
  if (f.bool("no-p2p")) cfg.P2P.Enabled = false;
  if (f.has("api-port")) cfg.API.Port = f.int("api-port");
  if (f.has("labels")) cfg.Labels = { ...cfg.Labels, ...parseLabels(f.list("labels").join(",")) };
  if (f.has("allow-listed-local-paths")) cfg.Compute.AllowListedLocalPaths = f.list("allow-listed-local-paths");
  if (f.bool("job-selection-accept-networked")) cfg.JobAdmissionControl.RejectNetworkedJobs = false;
  if (f.has("private-internal-ipfs")) cfg.IPFS.PrivateInternal = f.bool("private-internal-ipfs");
  if (f.has("ipfs-swarm-addrs")) cfg.IPFS.SwarmAddresses = f.list("ipfs-swarm-addrs");
  if (f.has("job-selection-data-locality")) cfg.JobAdmissionControl.Locality = f.string("job-selection-data-locality");
  if (f.has("disable-engine")) cfg.Engines.Disabled = f.list("disable-engine");
  if (f.bool("job-selection-reject-stateless")) cfg.JobAdmissionControl.RejectStatelessJobs = true;
  const set = (flag: string, key: string) => {
    if (f.has(flag)) setConfigValue(cfg, key, f.string(flag));
  };
  set("limit-total-cpu", "Compute.AllocatedCapacity.CPU");
  set("limit-total-memory", "Compute.AllocatedCapacity.Memory");
  set("limit-total-gpu", "Compute.AllocatedCapacity.GPU");
  set("limit-job-cpu", "Compute.MaxJobResources.CPU");
  set("limit-job-memory", "Compute.MaxJobResources.Memory");
  set("limit-job-gpu", "Compute.MaxJobResources.GPU");
  set("local-publisher-address", "Publishers.Types.Local.Address");
  set("local-publisher-directory", "Publishers.Types.Local.Directory");
  if (f.has("local-publisher-port")) cfg.Publishers.Types.Local.Port = f.int("local-publisher-port");
  set("tlscert", "API.TLS.CertFile");
  set("tlskey", "API.TLS.KeyFile");
  if (f.bool("self-signed")) cfg.API.TLS.SelfSigned = true;
  return cfg;
}

/** What `serve` prints: where the API is, how to join this network and how to use it from a client. */
export function connectInstructions(node: RunningNode): string {
  const roles = [node.orchestrator ? "orchestrator" : "", node.compute ? "compute" : ""].filter(Boolean).join(", ");
  const lines = [`bacalhau node running: ${node.nodeID} (${roles})`, `API: ${node.apiURL}`];
  if (node.compute) {
    const info = node.compute.nodeInfo().ComputeNodeInfo;
    const engines = info?.ExecutionEngines ?? [];
    const note = engines.includes("docker") || node.config.Engines.Disabled.some((e) => e.toLowerCase() === "docker")
      ? ""
      : " (no Docker engine reachable: docker jobs go to other nodes)";
    lines.push(`Engines: ${engines.join(", ")}${note}`);
    lines.push(`Inputs: ${(info?.StorageSources ?? []).join(", ")}  Publishers: ${(info?.Publishers ?? []).join(", ")}`);
  }
  const printed = node.p2p?.host.printableAddress();
  if (!node.orchestrator) {
    lines.push("", "Make sure there's at least one requester node in your network.");
  }
  if (node.orchestrator && node.p2p && printed) {
    lines.push(
      "",
      "To connect another node to this private one, run the following command in your shell:",
      `bacalhau serve --node-type compute${node.ipfs ? " --private-internal-ipfs" : ""} --peer ${printed} --swarm-key ${node.p2p.swarmKeyFile}`,
      `(first copy ${node.p2p.swarmKeyFile} to the other host, readable only by its owner: chmod 600)`,
    );
  }
  if (node.orchestrator) {
    const apiHost = clientHostFor(node, printed);
    lines.push(
      "",
      "To use this requester node from the client, run the following commands in your shell:",
      ...(node.ipfs && printed ? [`export BACALHAU_IPFS_SWARM_ADDRESSES=${printed}`] : []),
      `export BACALHAU_API_HOST=${apiHost}`,
      `export BACALHAU_API_PORT=${node.apiPort}`,
      ...(node.apiKey ? [`export BACALHAU_API_KEY=${node.apiKey}`] : []),
      ...(node.apiCertFile ? ["export BACALHAU_API_TLS_USETLS=true", `export BACALHAU_API_CACERT=${node.apiCertFile}`] : []),
      "",
      `A copy of these variables have been written to: ${join(node.config.DataDir, "bacalhau.run")}`,
      ...(node.apiKey ? [`(except the API key, which stays only in ${join(node.config.DataDir, "api.key")}, readable by its owner)`] : []),
    );
  }
  return lines.join("\n") + "\n";
}

/** The API host to give clients: the printed swarm address's IP when the API listens everywhere. */
function clientHostFor(node: RunningNode, printed: string | undefined): string {
  const host = node.config.API.Host;
  if (host !== "0.0.0.0" && host !== "::") return host;
  const ip = printed ? /^\/ip4\/([^/]+)\//.exec(printed)?.[1] : undefined;
  return ip && ip !== "127.0.0.1" ? ip : "127.0.0.1";
}

export async function serveCommand(args: string[]): Promise<number> {
  const env = { ...process.env };
  const cfg = configFromServeFlags(args, env);
  if (cfg === "help") {
    process.stdout.write(helpText());
    return 0;
  }
  if (!cfg.Orchestrator.Enabled && !cfg.Compute.Enabled) {
    process.stderr.write("Warning: neither --orchestrator nor --compute given; starting an orchestrator.\n");
  }
  const node = await startNode(cfg, {
    log: (msg) => {
      if (cfg.Logging.Level === "debug") process.stderr.write(`${msg}\n`);
    },
  });
  process.stdout.write(connectInstructions(node));
  await new Promise<void>((resolve) => {
    const off = onShutdownSignal((sig) => {
      off();
      process.stderr.write(`received ${sig}, shutting down\n`);
      resolve();
    });
  });
  await node.stop();
  process.stderr.write("node stopped\n");
  return 0;
}
