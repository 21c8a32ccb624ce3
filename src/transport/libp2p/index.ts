/**
 * The libp2p transport between an orchestrator and its compute nodes: the same messages as the
 * in-process transport, carried as length-prefixed JSON frames over a private libp2p swarm.
 *
 * @example
 * ```ts
 * const orch = await Libp2pOrchestratorTransport.create(requesterHost.libp2p);
 * orch.setHandler(orchestrator);
 * const compute = new Libp2pComputeTransport(computeHost.libp2p, {
 *   nodeID, orchestrator: requesterHost.addresses(), onConnected: () => node.handshake() });
 * compute.setHandler(computeNode);
 * await compute.start();
 * ```
 */
export { Libp2pOrchestratorTransport } from "./orchestrator.ts";
export type { Libp2pOrchestratorOptions } from "./orchestrator.ts";
export { Libp2pComputeTransport } from "./compute.ts";
export type { Libp2pComputeOptions } from "./compute.ts";
export { LOGS_PROTOCOL, NCL_PROTOCOL, RESULTS_PROTOCOL } from "./protocols.ts";
