/** What the API is built from, and the Hono env its handlers share. */
import type { SubmissionPolicy } from "../models/accept.ts";
import type { BuildVersionInfo, NodeInfo } from "../models/types.ts";
import type { OrchestratorAPI } from "../orchestrator/api.ts";
import type { JobStore } from "../store/store.ts";
import type { IpfsNode } from "../ipfs/node.ts";
import type { ApiAuth } from "./auth/policy.ts";
import type { CallerRateLimit } from "./auth/rate-limit.ts";

export interface ApiDeps {
  store: JobStore;
  /** Absent on compute-only nodes: orchestrator routes then answer 501. */
  orchestrator?: OrchestratorAPI;
  nodeInfo: () => NodeInfo;
  version: BuildVersionInfo;
  /** The node's effective config, already redacted (GET /api/v1/agent/config). */
  config?: () => unknown;
  debug?: () => Record<string, unknown>;
  /** The node's libp2p identity, when it is on a libp2p network (GET /api/v1/peer). */
  peerInfo?: () => { ID: string; Addrs: string[] };
  /** The node's embedded IPFS (`/api/v1/ipfs/*`), when it runs one. */
  ipfs?: IpfsNode;
  /** Where large uploads and downloads are staged (default: the system temp dir). */
  tmpDir?: string;
  /** Size limits and timeouts for submitted jobs (default: the built-in limits, no timeouts). */
  submission?: SubmissionPolicy;
  /** Who may call what; absent = everyone may do everything (Bacalhau's AlwaysAllow). */
  auth?: ApiAuth;
  /** Browser origins besides the node's own that may use the API (CORS, WebSockets). */
  allowedOrigins?: string[];
  /** Per-caller budget of job submissions. */
  submitLimit?: CallerRateLimit;
  /** Largest `ipfs add` upload, in bytes (uncompressed). */
  maxIpfsAddBytes?: number;
}

export interface ApiEnv {
  /** caller: the authenticated user (`user:<name>`), when there is one. */
  Variables: { requestId: string; caller?: string };
}
