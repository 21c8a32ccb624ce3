/**
 * The composition root: builds one node (orchestrator, compute, or both) from its config, starts the
 * parts in order and stops them in reverse. A hybrid node joins its two roles with the in-process
 * transport; nothing here knows how a job runs.
 *
 * @example
 * ```ts
 * const node = await startNode(loadConfig({ env: process.env, overrides: ["API.Port=0"] }));
 * console.log(node.apiURL);
 * await node.stop();
 * ```
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { createApiApp } from "../api/app.ts";
import { nodeApiAccess, redactConfig } from "../api/auth/node-setup.ts";
import { apiTlsMaterial } from "../api/tls.ts";
import { CLIENT_VERSION } from "../client/version.ts";
import { ComputeNode } from "../compute/compute-node.ts";
import { durationMs, type NodeConfig } from "../config/config.ts";
import type { DockerExecutorOptions } from "../executor/docker/executor.ts";
import type { Executor } from "../executor/executor.ts";
import { NoopExecutor } from "../executor/noop/executor.ts";
import { WasmExecutor } from "../executor/wasm/executor.ts";
import { nodeSandbox, parseRunnerUser } from "../executor/wasm/runner/sandbox.ts";
import type { IpfsNode } from "../ipfs/node.ts";
import { parseResources } from "../models/resources.ts";
import { BacalhauError } from "../models/errors.ts";
import type { BuildVersionInfo, NodeInfo } from "../models/types.ts";
import { Orchestrator } from "../orchestrator/orchestrator.ts";
import { createPublisherRegistry } from "../publisher/registry.ts";
import { startHttpServer, type RunningHttpServer } from "../runtime/http.ts";
import { createStorageRegistry } from "../storage/registry.ts";
import { SqliteJobStore } from "../store/sqlite/store.ts";
import { CompositeOrchestratorTransport } from "../transport/composite.ts";
import { InProcessHub } from "../transport/inprocess.ts";
import type { Libp2pComputeTransport } from "../transport/libp2p/index.ts";
import type { ComputeTransport, OrchestratorTransport } from "../transport/transport.ts";
import { hostCapacity } from "./capacity.ts";
import { ownedDir, prepareDataDir } from "./data-dir.ts";
import { loadNodeIdentity } from "./identity.ts";
import { openDataDir } from "./data-dir-format.ts";
import type { NodeP2P } from "./p2p.ts";
import { submissionPolicy, timeoutPolicy } from "./submission-policy.ts";
import { parseConnectPorts } from "../netpolicy/egress-proxy.ts";
import { registerOwnListener } from "../netpolicy/own-listeners.ts";

export const VERSION: BuildVersionInfo = CLIENT_VERSION;

export interface RunningNode {
  nodeID: string;
  apiURL: string;
  apiPort: number;
  /** The API key this node made for itself (no users configured): what clients off this host need. */
  apiKey?: string;
  /** The API's certificate file when it serves HTTPS. */
  apiCertFile?: string;
  orchestrator?: Orchestrator;
  compute?: ComputeNode;
  /** Present when the node is on a libp2p network. */
  p2p?: NodeP2P;
  /** The embedded IPFS node, when `IPFS.PrivateInternal` is on. */
  ipfs?: IpfsNode;
  config: NodeConfig;
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: (msg: string) => void;
  /** Extra executors (tests). */
  executors?: Executor[];
}

export async function startNode(cfg: NodeConfig, opts: StartOptions = {}): Promise<RunningNode> {
  const log = opts.log ?? (() => {});
  if (!cfg.Orchestrator.Enabled && !cfg.Compute.Enabled) cfg.Orchestrator.Enabled = true;
  const isRequester = cfg.Orchestrator.Enabled;
  if (!isRequester && cfg.P2P.Peers.filter((p) => p !== "none").length === 0) {
    throw BacalhauError.badRequest("a compute-only node needs a requester to join", {
      component: "Node",
      hint: "pass the command printed by the requester: --peer <multiaddr> --swarm-key <file> (or --peer http://<requester>:1234)",
    });
  }
  prepareDataDir(cfg.DataDir, log);
  openDataDir(cfg.DataDir);
  const identity = loadNodeIdentity(cfg.DataDir, cfg.Name);
  const nodeID = identity.name;
  const stack: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of stack.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        log(`error while stopping: ${(err as Error).message}`);
      }
    }
  };

  try {
    const hub = new InProcessHub();
    let orchestrator: Orchestrator | undefined;
    let compute: ComputeNode | undefined;
    let p2p: NodeP2P | undefined;
    let ipfs: IpfsNode | undefined;
    // IPFS lives on the node's libp2p host, so asking for it brings the host up even with --no-p2p.
    // libp2p is loaded only by nodes that use it: it is most of a cold start's imports.
    if (cfg.P2P.Enabled || !isRequester || cfg.IPFS.PrivateInternal) {
      const { startP2P } = await import("./p2p.ts");
      p2p = await startP2P(cfg, isRequester);
      const host = p2p.host;
      stack.push(() => host.stop());
      for (const port of [host.tcpPort(), host.webSocketPort()]) stack.push(registerOwnListener(port ?? 0));
    }
    if (cfg.IPFS.PrivateInternal) {
      // Loaded only when asked for: Helia adds ~100 ms and ~20 MB to a node that does not use it.
      const { createIpfsNode } = await import("../ipfs/node.ts");
      const node = await createIpfsNode({ libp2p: p2p!.host.libp2p, dataDir: cfg.DataDir });
      ipfs = node;
      // Pushed after the host, so it stops before it.
      stack.push(() => node.stop());
      // Thin clients on the swarm (`bacalhau ipfs add` with swarm addresses) ask us to keep what they added.
      const { servePinRequests } = await import("../ipfs/pin-protocol.ts");
      stack.push(await servePinRequests(p2p!.host.libp2p, node, { tmpDir: mkdirs(cfg.DataDir, "tmp") }));
      await dialSwarmAddresses(p2p!, cfg.IPFS.SwarmAddresses, log);
    }
    // A compute-only node keeps no jobs; its API still answers the agent routes.
    const store = SqliteJobStore.open(isRequester ? join(mkdirs(cfg.DataDir, "orchestrator"), "jobs.db") : ":memory:");
    stack.push(() => store.close());

    const ownInfo = (): NodeInfo => compute?.nodeInfo() ?? {
      NodeID: nodeID,
      NodeType: "Requester",
      Labels: cfg.Labels,
      SupportedProtocols: ["ncl/v1"],
      BacalhauVersion: VERSION,
    };

    if (isRequester) {
      const transports: OrchestratorTransport[] = [hub];
      if (p2p) {
        const { Libp2pOrchestratorTransport } = await import("../transport/libp2p/index.ts");
        const { FileNodeBindings } = await import("../transport/libp2p/node-bindings.ts");
        transports.push(await Libp2pOrchestratorTransport.create(p2p.host.libp2p, {
          token: cfg.Orchestrator.Auth.Token,
          // Which peer owns each node ID, kept across restarts so a name cannot be taken while its node is away.
          bindings: new FileNodeBindings(join(mkdirs(cfg.DataDir, "orchestrator"), "node-peers.json")),
          nodeExists: (id) => orchestrator?.nodes.get(id) !== undefined,
          onRefused: (peer, id, reason) => log(`refused node ${id ?? "(unnamed)"} from peer ${peer}: ${reason}`),
        }));
      }
      const o = new Orchestrator({
        store,
        transport: transports.length === 1 ? hub : new CompositeOrchestratorTransport(transports),
        nodeInfo: ownInfo,
        jobDefaults: cfg.JobDefaults.Resources,
        queueBackoffMs: durationMs(cfg.Orchestrator.Scheduler.QueueBackoff, "Orchestrator.Scheduler.QueueBackoff"),
        disconnectTimeoutMs: durationMs(cfg.Orchestrator.NodeManager.DisconnectTimeout, "Orchestrator.NodeManager.DisconnectTimeout"),
        manualNodeApproval: cfg.Orchestrator.NodeManager.ManualApproval,
        housekeepingIntervalMs: durationMs(cfg.Orchestrator.Scheduler.HousekeepingInterval, "Orchestrator.Scheduler.HousekeepingInterval"),
        reconnectGraceMs: durationMs(cfg.Orchestrator.NodeManager.ReconnectGrace, "Orchestrator.NodeManager.ReconnectGrace"),
        log,
      });
      orchestrator = o;
      o.start();
      stack.push(() => o.stop());
      stack.push(async () => {
        await Promise.all(transports.map((t) => t.close()));
      });
    }

    if (cfg.Compute.Enabled) {
      const computeDir = mkdirs(cfg.DataDir, "compute");
      const ipfsParts = ipfs ? await ipfsStorageAndPublisher(ipfs) : undefined;
      const storage = createStorageRegistry({
        allowListedLocalPaths: cfg.Compute.AllowListedLocalPaths,
        extra: ipfsParts ? [ipfsParts.source] : [],
        url: {
          requestTimeoutMs: durationMs(cfg.InputSources.ReadTimeout, "InputSources.ReadTimeout"),
          maxRetries: cfg.InputSources.MaxRetryCount,
          maxBytes: cfg.InputSources.MaxDownloadBytes,
          allowLinkLocal: cfg.InputSources.AllowLinkLocal,
        },
      });
      const publishers = createPublisherRegistry({
        local: {
          directory: cfg.Publishers.Types.Local.Directory || mkdirs(computeDir, "published"),
          address: cfg.Publishers.Types.Local.Address,
          port: cfg.Publishers.Types.Local.Port,
        },
        extra: ipfsParts ? [ipfsParts.publisher] : [],
      });
      const capacity = hostCapacity(cfg.Compute.AllocatedCapacity, cfg.DataDir);
      const maxJob = cfg.Compute.MaxJobResources;
      let transport: ComputeTransport;
      let remote: Libp2pComputeTransport | undefined;
      if (isRequester) transport = hub.connect(nodeID);
      else {
        const [{ Libp2pComputeTransport }, { resolvePeers }] = await Promise.all([
          import("../transport/libp2p/index.ts"),
          import("./p2p.ts"),
        ]);
        remote = new Libp2pComputeTransport(p2p!.host.libp2p, {
          nodeID,
          token: cfg.Compute.Auth.Token,
          orchestrator: await resolvePeers(cfg.P2P.Peers),
          // Every (re)connection starts with a handshake, so a restarted requester learns of us again.
          onConnected: () => compute?.handshake(),
          onError: (err) => log(`requester connection: ${(err as Error).message}`),
        });
        transport = remote;
      }
      compute = new ComputeNode({
        nodeID,
        labels: { ...autoLabels(), ...cfg.Labels },
        version: VERSION,
        transport,
        executors: await engines(cfg, opts.executors ?? [], log),
        storages: storage.types().map((t) => storage.get(t)!),
        publishers: publishers.types().map((t) => publishers.get(t)!),
        dataDir: computeDir,
        maxResultBytes: cfg.Compute.MaxResultBytes,
        capacity,
        maxJobRequirements: maxJob.CPU || maxJob.Memory || maxJob.Disk || maxJob.GPU
          ? parseResources(maxJob, capacityStrings(capacity))
          : undefined,
        policy: {
          rejectNetworkedJobs: cfg.JobAdmissionControl.RejectNetworkedJobs,
          rejectStatelessJobs: cfg.JobAdmissionControl.RejectStatelessJobs,
          envAllowList: cfg.Compute.Env.AllowList,
          locality: parseLocality(cfg.JobAdmissionControl.Locality),
        },
        jobDefaults: cfg.JobDefaults.Resources,
        heartbeatIntervalMs: durationMs(cfg.Compute.Heartbeat.Interval, "Compute.Heartbeat.Interval"),
        nodeInfoIntervalMs: durationMs(cfg.Compute.Heartbeat.InfoUpdateInterval, "Compute.Heartbeat.InfoUpdateInterval"),
        timeouts: timeoutPolicy(cfg),
        log,
      });
      const c = compute;
      if (remote) {
        const r = remote;
        stack.push(() => r.close());
        await r.start();
      }
      await c.start();
      stack.push(() => c.stop("node shutting down"));
      // Runs before the compute role stops (the stack unwinds in reverse).
      if (orchestrator) {
        const o = orchestrator;
        stack.push(() => o.quiesce());
      }
    }

    const peerInfoResponse = p2p ? (await import("../p2p/index.ts")).peerInfoResponse : undefined;
    const access = nodeApiAccess(cfg);
    const tls = apiTlsMaterial(cfg);
    const app = createApiApp({
      ...access,
      maxIpfsAddBytes: cfg.IPFS.MaxAddBytes,
      store,
      orchestrator,
      nodeInfo: ownInfo,
      version: VERSION,
      config: () => redactConfig(cfg),
      debug: () => ({ nodeID, roles: { orchestrator: !!orchestrator, compute: !!compute } }),
      peerInfo: p2p && peerInfoResponse ? () => peerInfoResponse(p2p!.host) : undefined,
      ipfs,
      tmpDir: mkdirs(cfg.DataDir, "tmp"),
      submission: submissionPolicy(cfg),
    });
    const server: RunningHttpServer = await startHttpServer(app, {
      host: cfg.API.Host,
      port: cfg.API.Port,
      ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    });
    // Stop taking requests before the roles behind them go away.
    stack.push(() => server.close());

    const clientHost = cfg.API.Host === "0.0.0.0" || cfg.API.Host === "::" ? "127.0.0.1" : cfg.API.Host;
    const runFile = join(cfg.DataDir, "bacalhau.run");
    writeFileSync(
      runFile,
      `export BACALHAU_API_HOST=${clientHost}\nexport BACALHAU_API_PORT=${server.port}\n` +
        (tls ? `export BACALHAU_API_TLS_USETLS=true\nexport BACALHAU_API_CACERT=${tls.certFile}\n` : ""),
      { mode: 0o600 },
    );
    stack.push(() => rmSync(runFile, { force: true }));

    return {
      nodeID,
      apiURL: `${tls ? "https" : "http"}://${clientHost}:${server.port}`,
      apiPort: server.port,
      ...(access.generatedKey ? { apiKey: access.generatedKey } : {}),
      ...(tls ? { apiCertFile: tls.certFile } : {}),
      orchestrator,
      compute,
      p2p,
      ipfs,
      config: cfg,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The engines this node offers: wasm and noop always; docker when an engine answers (DOCKER_HOST or
 * the default socket) and the operator has not disabled it. A missing engine is said once, not fatal.
 */
async function engines(cfg: NodeConfig, extra: Executor[], log: (msg: string) => void): Promise<Executor[]> {
  const disabled = new Set(cfg.Engines.Disabled.map((e) => e.toLowerCase()));
  const out: Executor[] = [
    new WasmExecutor({
      maxOutputBytes: cfg.Compute.MaxOutputBytes,
      rejectNetworkedJobs: cfg.JobAdmissionControl.RejectNetworkedJobs,
      allowedCIDRs: cfg.JobNetworking.AllowedCIDRs,
      sandbox: nodeSandbox(cfg.DataDir, join(cfg.DataDir, "compute", "executions"), cfg.Compute.AllowListedLocalPaths,
        parseRunnerUser(cfg.Compute.WasmRunnerUser), log),
      maxResultBytes: cfg.Compute.MaxResultBytes,
    }),
    new NoopExecutor(),
  ];
  if (!disabled.has("docker")) {
    const { createDockerExecutor } = await import("../executor/docker/index.ts");
    const d = cfg.Engines.Types.Docker;
    // Parsed first: a bad JobNetworking value is named as such, not as a Docker setting.
    const proxy = { allowedCIDRs: cfg.JobNetworking.AllowedCIDRs, connectPorts: parseConnectPorts(cfg.JobNetworking.ConnectPorts) };
    let docker: Executor;
    try {
      docker = createDockerExecutor({
        pullPolicy: (d.ImagePullPolicy || undefined) as DockerExecutorOptions["pullPolicy"],
        pidsLimit: d.PidsLimit,
        user: d.User,
        readOnlyRootfs: d.ReadOnlyRootfs,
        allowListedLocalPaths: cfg.Compute.AllowListedLocalPaths,
        proxy,
      });
    } catch (err) {
      throw BacalhauError.badRequest(`config Engines.Types.Docker: ${(err as Error).message}`, {
        component: "Node",
        hint: "fix the value, e.g. -c Engines.Types.Docker.PidsLimit=1024 or -c Engines.Types.Docker.ImagePullPolicy=missing",
      });
    }
    if (await docker.isInstalled()) out.push(docker);
    else {
      await docker.close();
      log(`docker: no engine reachable at ${process.env.DOCKER_HOST || "unix:///var/run/docker.sock"}; this node runs wasm jobs only`);
    }
  }
  return [...out.filter((e) => !disabled.has(e.type)), ...extra];
}

async function ipfsStorageAndPublisher(ipfs: IpfsNode) {
  const [{ createIpfsSource }, { createIpfsPublisher }] = await Promise.all([
    import("../storage/ipfs/index.ts"),
    import("../publisher/ipfs/index.ts"),
  ]);
  return { source: createIpfsSource({ ipfs }), publisher: createIpfsPublisher({ ipfs }) };
}

function parseLocality(raw: string): "anywhere" | "local" {
  const v = raw.trim().toLowerCase();
  if (v === "" || v === "anywhere") return "anywhere";
  if (v === "local") return "local";
  throw BacalhauError.badRequest(`JobAdmissionControl.Locality: unknown value "${raw}"`, {
    component: "Node",
    hint: "use local (bid only when the inputs are on this node) or anywhere",
  });
}

/** `--ipfs-swarm-addrs`: more swarm members to fetch blocks from; one that cannot be reached is logged. */
async function dialSwarmAddresses(p2p: NodeP2P, addrs: string[], log: (msg: string) => void): Promise<void> {
  const { multiaddr } = await import("@multiformats/multiaddr");
  for (const addr of addrs.flatMap((a) => a.split(",")).map((a) => a.trim()).filter(Boolean)) {
    try {
      await p2p.host.libp2p.dial(multiaddr(addr));
    } catch (err) {
      log(`ipfs swarm address ${addr}: ${(err as Error).message}`);
    }
  }
}

const mkdirs = ownedDir;

function autoLabels(): Record<string, string> {
  return { os_type: VERSION.GOOS, os_arch: VERSION.GOARCH };
}

function capacityStrings(r: { CPU: number; Memory: number; Disk: number; GPU: number }) {
  return { CPU: String(r.CPU), Memory: String(r.Memory), Disk: String(r.Disk), GPU: String(r.GPU) };
}
