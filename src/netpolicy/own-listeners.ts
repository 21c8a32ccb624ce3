/**
 * The ports this node process listens on (API, publisher, swarm, egress proxies). A job must never
 * reach one of them through any of the host's own addresses, whatever the operator allows, or it
 * could drive the node that runs it (submit jobs, read results). Servers register here when they
 * bind and leave when they close; the registry is per process, so every node in it is covered.
 */
const ports = new Map<number, number>();

/** Records a bound port; the returned function forgets it again (safe to call twice). */
export function registerOwnListener(port: number): () => void {
  if (!(port > 0)) return () => {};
  ports.set(port, (ports.get(port) ?? 0) + 1);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const n = (ports.get(port) ?? 1) - 1;
    if (n <= 0) ports.delete(port);
    else ports.set(port, n);
  };
}

/** The ports registered right now. */
export function ownListenerPorts(): number[] {
  return [...ports.keys()];
}
