/**
 * The node's name, kept in `<data-dir>/system_metadata.yaml` as Bacalhau does, so a restarted node
 * comes back as the same node (its executions and results stay attributed to it).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { newNodeID } from "../models/ids.ts";

export interface NodeIdentity {
  name: string;
  installationID: string;
}

export function loadNodeIdentity(dataDir: string, requestedName: string): NodeIdentity {
  const file = join(dataDir, "system_metadata.yaml");
  const stored = existsSync(file) ? (parse(readFileSync(file, "utf8")) ?? {}) as Record<string, string> : {};
  const identity: NodeIdentity = {
    name: requestedName || stored.NodeName || newNodeID(),
    installationID: stored.InstallationID || crypto.randomUUID(),
  };
  if (identity.name !== stored.NodeName || identity.installationID !== stored.InstallationID) {
    writeFileSync(file, stringify({ ...stored, NodeName: identity.name, InstallationID: identity.installationID }), { mode: 0o600 });
  }
  return identity;
}
