/**
 * Which hosts a wasm job's HTTP requests may reach, decided from its network config. Jobs without
 * network do not get the host module at all, so their modules fail to link with a message that
 * says how to enable networking. With `HTTP`, every URL host (and every redirect target) must be in
 * the job's `Network.Domains`, matched by the same allow-list rules as the egress proxy. Whatever
 * the type, the address each name resolves to must pass the same address policy as the proxy's.
 */
import type { AddressPolicyConfig } from "../../../netpolicy/address-policy.ts";
import { AllowList } from "../../../netpolicy/allow-list.ts";
import { HTTP_MODULE } from "./constants.ts";

/** What the runner needs to decide, as plain data (it crosses the process boundary). */
export interface HttpAccessConfig {
  /** The task's Network.Type as submitted ("Default" when unset). */
  network: string;
  domains: readonly string[];
  /** The compute node refuses networked jobs, so Default means None rather than Host. */
  rejectNetworkedJobs: boolean;
  /**
   * Which addresses any request may go to, whatever the network type or domains (the node's own
   * ports, loopback, private ranges…); see address-policy.ts. Absent: no operator allowances and
   * no known node ports, so loopback, link-local and private addresses are all refused.
   */
  addresses?: AddressPolicyConfig;
  /**
   * Fixed answers for some names, consulted before DNS (as /etc/hosts would be). The answers go
   * through the address policy like any others.
   */
  hosts?: Readonly<Record<string, readonly string[]>>;
}

export type HttpAccess =
  | { linked: false; why: string }
  | { linked: true; allows(host: string): boolean };

const HOW_TO_ENABLE = "submit the job with --network=http --domain=<host> (or --network=full) to use " +
  `${HTTP_MODULE}`;

export function httpAccess(cfg: HttpAccessConfig): HttpAccess {
  switch (cfg.network) {
    case "None":
      return { linked: false, why: `the job's network is None; ${HOW_TO_ENABLE}` };
    case "Default":
      if (cfg.rejectNetworkedJobs) {
        return {
          linked: false,
          why: `the job has no network because this compute node rejects networked jobs; ${HOW_TO_ENABLE} ` +
            "on a node started with --job-selection-accept-networked",
        };
      }
      // Bacalhau's wasm engine treats the default network as the host's.
      return { linked: true, allows: () => true };
    case "Host":
    case "Full":
      return { linked: true, allows: () => true };
    case "HTTP": {
      const list = new AllowList(cfg.domains);
      return { linked: true, allows: (host) => list.allows(host) };
    }
    default:
      // Linked as Bacalhau does, but no host is ever allowed (e.g. Bridge).
      return { linked: true, allows: () => false };
  }
}
