/**
 * Keeps an HTTP-networked job away from the compute host itself. Docker's internal networks stop
 * forwarding to the outside, but the host still answers on the bridge's gateway address on every
 * port it listens on (the node's API, for one). These iptables rules drop everything the job's
 * bridge sends to the host except connections to the job's own egress proxy.
 */
import { execFile } from "node:child_process";

function iptables(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("iptables", ["-w", ...args], (err, _stdout, stderr) => {
      if (err) reject(new Error(`iptables ${args.join(" ")}: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}

export interface HostGuard {
  release(): Promise<void>;
}

/** Installs the rules for `bridge`; `release` removes them (safe to call once the bridge is gone). */
export async function guardBridge(bridge: string, gateway: string, proxyPort: number, tag: string): Promise<HostGuard> {
  const comment = ["-m", "comment", "--comment", `bacalhau ${tag}`.slice(0, 250)];
  // Inserted at the top in this order, so the ACCEPT ends up above the INPUT REJECT.
  const rules: Array<[string, string[]]> = [
    ["INPUT", ["-i", bridge, ...comment, "-j", "REJECT"]],
    ["INPUT", ["-i", bridge, "-d", gateway, "-p", "tcp", "--dport", String(proxyPort), ...comment, "-j", "ACCEPT"]],
    // Docker's internal network already drops forwarded packets; rejecting them makes a direct
    // attempt fail at once instead of hanging until the job's own timeout.
    ["FORWARD", ["-i", bridge, ...comment, "-j", "REJECT"]],
  ];
  const installed: Array<[string, string[]]> = [];
  const release = async () => {
    for (const [chain, rule] of installed.reverse()) await iptables(["-D", chain, ...rule]).catch(() => {});
  };
  try {
    for (const [chain, rule] of rules) {
      await iptables(["-I", chain, "1", ...rule]);
      installed.push([chain, rule]);
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { release };
}
