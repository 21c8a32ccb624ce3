/**
 * Which capability each route needs, following Bacalhau's endpoint map: the longest matching path
 * prefix names the resource (job, node, agent) or marks it open; GET and HEAD read, anything else writes.
 * Paths Bacalhau does not have are mapped here too (run, IPFS, legacy probes); unknown paths need
 * `write:node`, as in Bacalhau, so nothing new is open by accident.
 */
export type Resource = "job" | "node" | "agent" | "open";

const PREFIXES: [string, Resource][] = [
  ["/api/v1/auth", "open"],
  ["/api/v1/version", "open"],
  ["/api/v1/agent", "agent"],
  ["/api/v1/agent/alive", "open"],
  ["/api/v1/agent/version", "open"],
  ["/api/v1/agent/authconfig", "open"],
  ["/api/v1/orchestrator/jobs", "job"],
  ["/api/v1/orchestrator/nodes", "node"],
  // Ours: run submits a job; IPFS content feeds jobs; the OpenAPI document describes the API.
  ["/api/v1/run", "job"],
  ["/api/v1/ipfs", "job"],
  ["/api/v1/openapi.json", "open"],
  // Probes, and how a compute node that knows only the API address finds the swarm identity
  // (a peer ID is public; the swarm key guards the swarm).
  ["/api/v1/livez", "open"],
  ["/api/v1/healthz", "open"],
  ["/api/v1/readyz", "open"],
  ["/api/v1/peer", "open"],
  ["/api/v1/id", "node"],
  ["/api/v1/node_info", "node"],
  ["/api/v1/peers", "node"],
  // The dashboard's static files: the page must load before its sign-in can ask for credentials.
  ["/ui", "open"],
  ["/livez", "open"],
  ["/healthz", "open"],
  ["/readyz", "open"],
  ["/version", "open"],
  ["/id", "node"],
  ["/node_info", "node"],
  ["/peers", "node"],
];

export function resourceOf(path: string): Resource | undefined {
  if (path === "/") return "open";
  let best: [string, Resource] | undefined;
  for (const entry of PREFIXES) {
    const p = entry[0];
    const matches = path === p || path.startsWith(p.endsWith("/") ? p : `${p}/`) || path.startsWith(`${p}?`);
    if (matches && (!best || p.length > best[0].length)) best = entry;
  }
  return best?.[1];
}

export function isReadMethod(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

/** `read:job`, `write:node`...; unknown resources need `write:node`. */
export function requiredCapability(resource: Resource | undefined, method: string): string {
  if (resource === undefined || resource === "open") return "write:node";
  return `${isReadMethod(method) ? "read" : "write"}:${resource}`;
}

export function hasCapability(actions: readonly string[], required: string): boolean {
  const read = required.startsWith("read:");
  return actions.some((a) => a === "*" || a === required || (read ? a === "read:*" : a === "write:*"));
}
