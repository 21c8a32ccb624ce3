/**
 * How a node turns its config into the API's access rules. A node with no users configured makes
 * an API key of its own (`<data-dir>/api.key`, mode 0600, kept across restarts) so that the API is
 * closed to other hosts by default yet usable: the key is printed for clients when the node starts.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NodeConfig } from "../../config/config.ts";
import { BacalhauError } from "../../models/errors.ts";
import type { ApiAuth } from "./policy.ts";
import { CallerRateLimit } from "./rate-limit.ts";
import { compileUsers } from "./users.ts";

export const API_KEY_FILE = "api.key";

export interface NodeApiAccess {
  auth: ApiAuth;
  submitLimit: CallerRateLimit;
  allowedOrigins: string[];
  /** The key this node made for itself, when no users are configured. */
  generatedKey?: string;
}

/** The node's own key: read from the data dir, or made (32 random bytes, hex) and written 0600. */
export function loadOrCreateApiKey(dataDir: string): string {
  const file = join(dataDir, API_KEY_FILE);
  if (existsSync(file)) {
    const key = readFileSync(file, "utf8").trim();
    if (key.length >= 20) {
      chmodSync(file, 0o600);
      return key;
    }
    throw BacalhauError.badRequest(`${file} holds no usable API key`, {
      component: "Auth",
      hint: "remove the file to have the node make a new key",
    });
  }
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: "wx" });
  return key;
}

export function nodeApiAccess(cfg: NodeConfig): NodeApiAccess {
  const a = cfg.API.Auth;
  const configured: unknown = a.Users;
  const none = configured === undefined || configured === null || (Array.isArray(configured) && configured.length === 0);
  const generatedKey = none && !a.AllowAnonymous ? loadOrCreateApiKey(cfg.DataDir) : undefined;
  const users = compileUsers(
    generatedKey ? [{ Alias: "node API key", APIKey: generatedKey, Capabilities: [{ Actions: ["*"] }] }] : configured,
  );
  return {
    auth: { users, allowAnonymous: a.AllowAnonymous, anonymousLoopback: a.AnonymousLoopback },
    submitLimit: new CallerRateLimit({ perMinute: cfg.API.RateLimit.SubmitPerMinute, burst: cfg.API.RateLimit.SubmitBurst }),
    allowedOrigins: a.AllowedOrigins,
    ...(generatedKey ? { generatedKey } : {}),
  };
}

/** The config as GET /api/v1/agent/config shows it: user secrets and node tokens replaced. */
export function redactConfig(cfg: NodeConfig): NodeConfig {
  const users = Array.isArray(cfg.API.Auth.Users) ? cfg.API.Auth.Users : [];
  const redacted = users.map((u) => {
    if (!u || typeof u !== "object") return u;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(u)) out[k] = /^(password|apikey)$/i.test(k) && v ? "********" : v;
    return out;
  });
  const hide = (token: string) => (token ? "********" : "");
  return {
    ...cfg,
    API: { ...cfg.API, Auth: { ...cfg.API.Auth, Users: redacted } },
    // Node tokens are as secret as passwords: whoever has one may join the network.
    Orchestrator: { ...cfg.Orchestrator, Auth: { Token: hide(cfg.Orchestrator.Auth.Token) } },
    Compute: { ...cfg.Compute, Auth: { Token: hide(cfg.Compute.Auth.Token) } },
  };
}
