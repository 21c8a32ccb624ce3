/**
 * The node's one typed configuration, with Bacalhau's key names. Sources, lowest first: defaults,
 * a YAML file (`$BACALHAU_DIR/config.yaml` or `-c file.yaml`), `BACALHAU_*` environment variables
 * (a key's path upper-cased with `.` → `_`, e.g. API.Port → BACALHAU_API_PORT), then flags and
 * `-c Key.Path=value`.
 *
 * @example
 * ```ts
 * const cfg = loadConfig({ overrides: ["API.Port=8080"], env: process.env });
 * cfg.API.Port; // 8080
 * ```
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { BacalhauError } from "../models/errors.ts";
import { DEFAULT_JOB_LIMITS, type JobLimits } from "../models/job-limits.ts";

export interface NodeConfig {
  DataDir: string;
  Name: string;
  API: {
    Host: string;
    Port: number;
    /** HTTPS for the API: a certificate and key (PEM files), or a self-signed pair kept in the data dir. */
    TLS: { CertFile: string; KeyFile: string; SelfSigned: boolean };
    Auth: {
      /** Bacalhau's user list: {Alias, Username+Password | APIKey, Capabilities: [{Actions: [...]}]}. */
      Users: unknown[];
      /** Anyone may do anything (Bacalhau's open default). */
      AllowAnonymous: boolean;
      /** Callers on loopback need no credentials (jobs' proxied requests excepted). */
      AnonymousLoopback: boolean;
      /** Browser origins, besides the node's own, that may use the API. */
      AllowedOrigins: string[];
    };
    /** Job submissions per caller: a steady rate and the burst allowed after idling (0 = unlimited). */
    RateLimit: { SubmitPerMinute: number; SubmitBurst: number };
  };
  Labels: Record<string, string>;
  /** The libp2p network between requester and compute nodes. */
  P2P: {
    /** Requesters listen for compute nodes; compute-only nodes always use it to reach their requester. */
    Enabled: boolean;
    ListenHost: string;
    /** TCP swarm port (0 picks a free one). */
    SwarmPort: number;
    /** WebSockets listener port; -1 = none, 0 = a free one. */
    WebSocketPort: number;
    /** Requesters to join: multiaddrs, or API addresses (http://host:1234 or /ip4/x/tcp/1234/http). */
    Peers: string[];
    /** The private swarm key; a requester creates `<data-dir>/swarm.key` when none is given. */
    SwarmKeyFile: string;
    /** Folder of the `private_key.<swarm port>` identity (default: the data dir). */
    KeyDir: string;
  };
  Orchestrator: {
    Enabled: boolean;
    NodeManager: { DisconnectTimeout: string; ManualApproval: boolean; ReconnectGrace: string };
    Scheduler: { QueueBackoff: string; HousekeepingInterval: string };
    /** When Token is set, compute nodes must present it (Compute.Auth.Token) on top of the swarm key. */
    Auth: { Token: string };
  };
  Compute: {
    Enabled: boolean;
    AllowListedLocalPaths: string[];
    /** Total resources offered to jobs: absolute ("4", "8Gb") or a share of the host ("80%"). */
    AllocatedCapacity: { CPU: string; Memory: string; Disk: string; GPU: string };
    /** Largest single job; empty = the allocated capacity. */
    MaxJobResources: { CPU: string; Memory: string; Disk: string; GPU: string };
    Heartbeat: { Interval: string; InfoUpdateInterval: string };
    Env: { AllowList: string[] };
    /** Bytes of stdout+stderr a job may write before it is stopped. */
    MaxOutputBytes: number;
    /** Longest execution this node runs (a duration; empty = no limit); longer jobs are refused. */
    JobTimeouts: { MaxJobExecutionTimeout: string };
    /** User wasm runners run as: "" = `nobody` when the node is root, "uid" or "uid:gid", or "node" (no change). */
    WasmRunnerUser: string;
    /** Bytes of result files a job may write when its Disk resource says nothing; 0 = no bound. */
    MaxResultBytes: number;
    /** The requester's Orchestrator.Auth.Token, sent when joining it. */
    Auth: { Token: string };
  };
  JobAdmissionControl: {
    RejectNetworkedJobs: boolean;
    RejectStatelessJobs: boolean;
    /** `anywhere`, or `local`: bid only on jobs whose inputs are already on this node. */
    Locality: string;
  };
  /** The embedded IPFS node (Helia) on the node's own libp2p host, private to the swarm. */
  IPFS: {
    PrivateInternal: boolean;
    /** Largest upload `POST /api/v1/ipfs/add` takes, in bytes (uncompressed). */
    MaxAddBytes: number;
    /** Extra swarm peers to dial for blocks (multiaddrs ending in /p2p/<PeerID>). */
    SwarmAddresses: string[];
  };
  /** Execution engines this node will not offer even when they are available, e.g. ["docker"]. */
  Engines: {
    Disabled: string[];
    Types: {
      /** Least privilege for docker jobs (every container also drops all capabilities and gets no-new-privileges). */
      Docker: {
        /** `never`, `missing` or `always`; empty = missing (never with SKIP_IMAGE_PULL set). */
        ImagePullPolicy: string;
        /** Most processes one job container may hold. */
        PidsLimit: number;
        /** `uid[:gid]` docker jobs run as; empty = the image's user. */
        User: string;
        /** Read-only root file system, with a writable tmpfs at /tmp. */
        ReadOnlyRootfs: boolean;
      };
    };
  };
  Publishers: { Types: { Local: { Address: string; Port: number; Directory: string } } };
  JobDefaults: {
    Resources: { CPU: string; Memory: string };
    /** Execution timeout (a duration; empty = none) given to tasks that set no timeout. */
    Batch: { Task: { Timeouts: { ExecutionTimeout: string } } };
    Ops: { Task: { Timeouts: { ExecutionTimeout: string } } };
  };
  Logging: { Level: string };
  /** URL (`urlDownload`) inputs: Bacalhau's retry/timeout keys plus this node's limits on what a job may fetch. */
  InputSources: {
    /** Per-attempt timeout, body included, e.g. "5m". */
    ReadTimeout: string;
    MaxRetryCount: number;
    /** Largest URL input in bytes; a larger Content-Length or body fails the execution. */
    MaxDownloadBytes: number;
    /** Let URL inputs reach link-local and cloud-metadata addresses (169.254.0.0/16, fe80::/10, …). */
    AllowLinkLocal: boolean;
  };
  /** Size limits on submitted jobs (see models/job-limits.ts). */
  JobLimits: JobLimits;
  /** Where jobs' HTTP traffic (egress proxy, wasm http_request) may go beyond the public internet. */
  JobNetworking: {
    /** Private, loopback or link-local ranges jobs may reach (e.g. 10.1.0.0/16, 127.0.0.2/32). */
    AllowedCIDRs: string[];
    /** Ports an HTTPS CONNECT may open besides 443. */
    ConnectPorts: number[];
  };
}

export function defaultConfig(env: Record<string, string | undefined> = {}): NodeConfig {
  return {
    DataDir: env.BACALHAU_DIR || join(homedir(), ".bacalhau"),
    Name: "",
    API: {
      Host: "0.0.0.0",
      Port: 1234,
      TLS: { CertFile: "", KeyFile: "", SelfSigned: false },
      Auth: { Users: [], AllowAnonymous: false, AnonymousLoopback: true, AllowedOrigins: [] },
      RateLimit: { SubmitPerMinute: 60_000, SubmitBurst: 1000 },
    },
    Labels: {},
    P2P: {
      Enabled: true,
      ListenHost: "0.0.0.0",
      SwarmPort: 1235,
      WebSocketPort: -1,
      Peers: [],
      SwarmKeyFile: "",
      KeyDir: env.BACALHAU_PATH ? join(env.BACALHAU_PATH, ".bacalhau") : "",
    },
    Orchestrator: {
      Enabled: false,
      NodeManager: { DisconnectTimeout: "1m", ManualApproval: false, ReconnectGrace: "10s" },
      Scheduler: { QueueBackoff: "1m", HousekeepingInterval: "1s" },
      Auth: { Token: "" },
    },
    Compute: {
      Enabled: false,
      AllowListedLocalPaths: [],
      AllocatedCapacity: { CPU: "80%", Memory: "80%", Disk: "80%", GPU: "100%" },
      MaxJobResources: { CPU: "", Memory: "", Disk: "", GPU: "" },
      Heartbeat: { Interval: "15s", InfoUpdateInterval: "1m" },
      Env: { AllowList: [] },
      MaxOutputBytes: 256 * 1024 * 1024,
      JobTimeouts: { MaxJobExecutionTimeout: "" },
      WasmRunnerUser: "",
      MaxResultBytes: 10 * 1024 ** 3,
      Auth: { Token: "" },
    },
    JobAdmissionControl: { RejectNetworkedJobs: true, RejectStatelessJobs: false, Locality: "anywhere" },
    IPFS: { PrivateInternal: false, MaxAddBytes: 4 * 1024 ** 3, SwarmAddresses: [] },
    Engines: { Disabled: [], Types: { Docker: { ImagePullPolicy: "", PidsLimit: 1024, User: "", ReadOnlyRootfs: false } } },
    Publishers: { Types: { Local: { Address: "127.0.0.1", Port: 6001, Directory: "" } } },
    JobDefaults: {
      Resources: { CPU: "500m", Memory: "512Mb" },
      Batch: { Task: { Timeouts: { ExecutionTimeout: "30m" } } },
      Ops: { Task: { Timeouts: { ExecutionTimeout: "30m" } } },
    },
    Logging: { Level: "info" },
    InputSources: { ReadTimeout: "5m", MaxRetryCount: 3, MaxDownloadBytes: 10 * 1024 ** 3, AllowLinkLocal: false },
    JobLimits: { ...DEFAULT_JOB_LIMITS },
    JobNetworking: { AllowedCIDRs: [], ConnectPorts: [] },
  };
}

/**
 * A hybrid node private to this machine: both roles, API and local publisher on free loopback
 * ports. What the demo, the tests and the benchmarks start.
 */
export function localHybridConfig(dataDir: string): NodeConfig {
  const cfg = defaultConfig({});
  cfg.DataDir = dataDir;
  cfg.API.Host = "127.0.0.1";
  cfg.API.Port = 0;
  cfg.Orchestrator.Enabled = true;
  cfg.Compute.Enabled = true;
  cfg.Publishers.Types.Local.Port = 0;
  cfg.P2P.Enabled = false;
  return cfg;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Leaf key paths of the config, e.g. `API.Port`. */
export function configKeys(cfg: NodeConfig): string[] {
  const out: string[] = [];
  const walk = (o: Obj, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (isObj(v) && k !== "Labels") walk(v, p);
      else out.push(p);
    }
  };
  walk(cfg as unknown as Obj, "");
  return out;
}

function coerce(current: unknown, raw: unknown, key: string): unknown {
  if (typeof raw !== "string") return raw;
  if (typeof current === "boolean") {
    if (/^(true|1|yes)$/i.test(raw) || raw === "") return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    throw BacalhauError.badRequest(`config ${key}: "${raw}" is not a boolean`, { hint: "use true or false" });
  }
  if (typeof current === "number") {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw BacalhauError.badRequest(`config ${key}: "${raw}" is not a number`);
    return n;
  }
  if (Array.isArray(current)) return raw.split(",").map((s) => s.trim()).filter(Boolean);
  if (key === "Labels") return parseLabels(raw);
  return raw;
}

export function parseLabels(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split(",").map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf("=");
    if (i < 0) out[part] = "";
    else out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** Sets `Key.Path` (matched case-insensitively against known keys) to a value. */
export function setConfigValue(cfg: NodeConfig, path: string, raw: unknown): void {
  const parts = path.split(".");
  let node: Obj = cfg as unknown as Obj;
  for (let i = 0; i < parts.length; i++) {
    const key = Object.keys(node).find((k) => k.toLowerCase() === parts[i].toLowerCase());
    if (!key) {
      throw BacalhauError.badRequest(`unknown config key: ${path}`, {
        hint: `known keys: ${configKeys(cfg).join(", ")}`,
      });
    }
    if (i === parts.length - 1) {
      node[key] = coerce(node[key], raw, key);
      return;
    }
    const next = node[key];
    if (!isObj(next)) throw BacalhauError.badRequest(`config key ${path}: ${key} is not a section`);
    node = next;
  }
}

function mergeYaml(cfg: NodeConfig, data: unknown, prefix = ""): void {
  if (!isObj(data)) return;
  for (const [k, v] of Object.entries(data)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (isObj(v) && k.toLowerCase() !== "labels") mergeYaml(cfg, v, p);
    else setConfigValue(cfg, p, v);
  }
}

export interface LoadOptions {
  env: Record<string, string | undefined>;
  /** `-c` values in order: a YAML file path, `Key.Path=value`, or a bare `Key.Path` (true). */
  overrides?: string[];
}

export function loadConfig(opts: LoadOptions): NodeConfig {
  const cfg = defaultConfig(opts.env);
  const overrides = opts.overrides ?? [];
  const files = overrides.filter((o) => !o.includes("=") && /\.ya?ml$/i.test(o));
  const defaultFile = join(cfg.DataDir, "config.yaml");
  if (files.length === 0 && existsSync(defaultFile)) files.push(defaultFile);
  for (const f of files) {
    if (!existsSync(f)) throw BacalhauError.badRequest(`config file not found: ${f}`);
    mergeYaml(cfg, parseYaml(readFileSync(f, "utf8")));
  }
  for (const key of configKeys(cfg)) {
    const envName = `BACALHAU_${key.toUpperCase().replaceAll(".", "_")}`;
    const v = opts.env[envName];
    if (v !== undefined && v !== "") setConfigValue(cfg, key, v);
  }
  for (const o of overrides) {
    if (files.includes(o)) continue;
    const i = o.indexOf("=");
    if (i < 0) setConfigValue(cfg, o, "true");
    else setConfigValue(cfg, o.slice(0, i), o.slice(i + 1));
  }
  return cfg;
}

/** "15s", "1m", "500ms", "2h" or a number of seconds → milliseconds. */
export function durationMs(value: string | number, key = "duration"): number {
  if (typeof value === "number") return value * 1000;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!m) throw BacalhauError.badRequest(`${key}: "${value}" is not a duration`, { hint: "use e.g. 500ms, 15s, 1m, 2h" });
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
}

/** A duration setting in whole seconds, with empty meaning 0 (none). */
export function durationSeconds(value: string | number, key: string): number {
  if (value === "" || value === 0) return 0;
  return Math.ceil(durationMs(value, key) / 1000);
}
